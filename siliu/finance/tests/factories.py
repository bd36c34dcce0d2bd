"""factory_boy factories for ledger accounts."""

import factory

from siliu.finance.models import Account, AccountType


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    """A liability account that may not go negative (like a wallet) unless told otherwise."""

    class Meta:
        model = Account
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test:{n:05d}")
    name = factory.Sequence(lambda n: f"测试账户{n}")
    type = AccountType.LIABILITY
    allows_negative = False
