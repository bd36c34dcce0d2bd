"""Credit features: exact values on a small history, and no protected attribute anywhere."""

import ast
import dataclasses
import datetime
import inspect
from collections.abc import Callable

from django.contrib.auth.models import User

from siliu.commerce.models import Order, OrderStatus
from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.lending.credit import features as features_module
from siliu.lending.credit.features import CreditFeatures, credit_features, months_before, months_between
from siliu.lending.loans.models import Loan, LoanInstallment
from siliu.lending.tests.conftest import at, claim_on, inflows_on

ON = datetime.date(2026, 11, 23)


def test_features_are_exact_on_a_small_history(
    shop: Shop,
    make_user: Callable[..., User],
    order_for: Callable[..., Order],
    fund: Callable[[User, int], None],
) -> None:
    """Two completed orders (one in each half-year), one cancelled in the window and one before it, a
    claim, wallet money in three months: every feature as counted by hand."""
    seller = shop.cooperative
    user = seller.user
    User.objects.filter(pk=user.pk).update(date_joined=at("2025-05-01"))
    user.refresh_from_db()
    buyer = make_user(Role.CONSUMER, username="buyer")
    earlier = dict(paid="2026-03-10", completed="2026-03-20", accepted="2026-03-12", goods_fen=10_000)
    order_for(seller, buyer, status=OrderStatus.COMPLETED, created="2026-03-10", **earlier)
    recent = order_for(
        seller,
        buyer,
        status=OrderStatus.COMPLETED,
        created="2026-09-01",
        paid="2026-09-01",
        completed="2026-09-10",
        accepted="2026-09-02",
        goods_fen=30_000,
    )
    order_for(seller, buyer, status=OrderStatus.CANCELLED, created="2026-08-01")
    order_for(seller, buyer, status=OrderStatus.CANCELLED, created="2025-10-01")  # before the 12 months
    order_for(  # completed before the 12 months: no sales counted
        seller,
        buyer,
        status=OrderStatus.COMPLETED,
        created="2025-06-01",
        paid="2025-06-01",
        completed="2025-06-05",
    )
    claim_on(recent, claimant=buyer, created="2026-09-15")
    inflows_on(user, fund, ["2026-01-05", "2026-01-20", "2026-06-01", "2026-11-23", "2026-11-24"])

    assert credit_features(user=user, on=ON) == CreditFeatures(
        sales_12m_fen=40_000,
        sales_trend_percent=200,
        orders_completed_12m=2,
        orders_cancelled_12m=1,
        claims_12m=1,
        dispatch_days_average=1.5,
        months_on_platform=18,
        wallet_inflow_months_12m=3,
        late_repayments_count=0,
    )


def test_a_villager_without_a_shop_has_only_platform_and_wallet_features(
    make_user: Callable[..., User], fund: Callable[[User, int], None]
) -> None:
    """No shop: zero sales, orders, claims and dispatch; months and wallet inflows still count."""
    villager = make_user(Role.CONSUMER, username="villager", date_joined=at("2026-08-30"))
    inflows_on(villager, fund, ["2026-10-01"])

    assert credit_features(user=villager, on=ON) == CreditFeatures(0, 0, 0, 0, 0, 0.0, 2, 1, 0)


def test_no_protected_attribute_is_a_feature_or_read() -> None:
    """No feature is named for gender, ethnicity, age or birth, and the features module never reaches
    the resident ID (whose digits hold birth date and place) nor the profile that stores it."""
    protected_words = {
        "gender",
        "sex",
        "ethnic",
        "ethnicity",
        "nation",
        "nationality",
        "age",
        "birth",
        "born",
    }
    for field in dataclasses.fields(CreditFeatures):
        assert not set(field.name.split("_")) & protected_words, field.name
        assert not any(word in field.name for word in ("gender", "ethnic", "birth", "resident", "id_number"))
    source = inspect.getsource(features_module)
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    assert not imported & {
        "siliu.core.identity",
        "siliu.core.people",
        "siliu.core.models",
        "siliu.commerce.models",
    }
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#")).split(
        '"""', 2
    )[2]  # the module docstring names what is never read
    for word in ("resident_id", "id_number", "birth", "gender", "ethnic", "UserProfile"):
        assert word not in code


def test_months_before_and_between_handle_short_months() -> None:
    """31 March less one month is 28 February; whole months count a month only once its day is reached."""
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 12) == datetime.date(2025, 1, 15)
    assert months_between(datetime.date(2025, 5, 1), ON) == 18
    assert months_between(datetime.date(2026, 10, 24), ON) == 0
    assert months_between(datetime.date(2026, 12, 1), ON) == 0


def _drain(user: User) -> None:
    """The borrower spends what their wallet holds (to capital, for tests)."""
    from siliu.finance import chart
    from siliu.finance.models import Account
    from siliu.finance.services import transfer_create

    wallet = Account.objects.get(code=chart.wallet_code(user_id=user.pk))
    transfer_create(
        id=f"test:drain:{user.pk}",
        debit_account=wallet.code,
        credit_account=chart.CAPITAL,
        amount_fen=wallet.credits_posted - wallet.debits_posted,
    )


def test_late_repayments_count_installments_paid_or_open_past_the_grace_days(
    lend: Callable[..., Loan], fund: Callable[[User, int], None]
) -> None:
    """A 12-month loan of 10 January with nothing in the wallet: the first installment (due 10 February,
    three days' grace) is late from the end of 14 February, paid on 21 February and stays late; the
    second is paid on its due date and is not; the third, never paid, is late once past its grace."""
    from siliu.lending.loans.history import late_installment_count
    from siliu.lending.loans.nightly import lending_night

    loan = lend(amount_fen=1_000_000)
    borrower = loan.borrower
    _drain(borrower)
    day = datetime.date(2026, 1, 10)
    while day < datetime.date(2026, 2, 20):
        day += datetime.timedelta(days=1)
        lending_night(on=day)
    since = datetime.date(2025, 3, 1)
    assert late_installment_count(borrower_id=borrower.pk, since=since, on=datetime.date(2026, 2, 13)) == 0
    assert late_installment_count(borrower_id=borrower.pk, since=since, on=datetime.date(2026, 2, 14)) == 1
    fund(borrower, 200_000)
    while day < datetime.date(2026, 3, 10):
        day += datetime.timedelta(days=1)
        lending_night(on=day)
    settled = dict(LoanInstallment.objects.filter(loan=loan, n__lte=2).values_list("n", "settled_on"))
    assert settled == {1: datetime.date(2026, 2, 21), 2: datetime.date(2026, 3, 10)}
    assert credit_features(user=borrower, on=datetime.date(2026, 3, 15)).late_repayments_count == 1
    assert credit_features(user=borrower, on=datetime.date(2026, 2, 13)).late_repayments_count == 0
    # Only installments falling due in the window count.
    march = datetime.date(2026, 3, 15)
    assert late_installment_count(borrower_id=borrower.pk, since=datetime.date(2026, 2, 11), on=march) == 0
    # Unpaid since: from 14 April the third (due 10 April) is late too.
    assert late_installment_count(borrower_id=borrower.pk, since=since, on=datetime.date(2026, 4, 14)) == 2
