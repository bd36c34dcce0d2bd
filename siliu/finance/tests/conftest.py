"""Fixtures for the ledger's tests."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser

from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, CashDayClose, Entry, Transfer
from siliu.finance.services import system_account, transfer_create
from siliu.finance.tests.factories import AccountFactory
from siliu.network.models import Outlet
from siliu.network.tests.factories import OutletFactory

Snapshot = tuple[Any, ...]


def ledger_snapshot() -> Snapshot:
    """Everything a refused action must leave as it was: counters, rows, pending states."""
    return (
        list(
            Account.objects.order_by("pk").values_list(
                "code", "debits_posted", "credits_posted", "debits_pending", "credits_pending"
            )
        ),
        list(Transfer.objects.order_by("pk").values_list("pk", "state", "amount_fen")),
        Entry.objects.count(),
        CashDayClose.objects.count(),
    )


@pytest.fixture
def snapshot(db: None) -> Callable[[], Snapshot]:
    """``before = snapshot(); …refused action…; assert snapshot() == before``."""
    return ledger_snapshot


@pytest.fixture
def capital(db: None) -> Account:
    """The equity account that funds everything in tests (it may go negative)."""
    return system_account(code=chart.CAPITAL)


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    """``make_account(code="w1", type=AccountType.LIABILITY, allows_negative=False)``."""

    def make(**fields: Any) -> Account:
        return AccountFactory.create(**fields)

    return make


@pytest.fixture
def fund(capital: Account) -> Callable[[Account, int], None]:
    """``fund(account, amount_fen)`` posts money into ``account`` from capital (either normal side)."""
    counter = iter(range(1, 10**6))

    def fund_account(account: Account, amount_fen: int) -> None:
        transfer_create(
            id=f"fund-{account.pk}-{next(counter)}",
            debit_account=account.code if account.is_debit_normal else capital.code,
            credit_account=capital.code if account.is_debit_normal else account.code,
            amount_fen=amount_fen,
        )
        account.refresh_from_db()

    return fund_account


@pytest.fixture
def operator(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    """The operator of :func:`outlet`, a village station with a cash counter."""
    return make_user(Role.STATION_OPERATOR, username="op")


@pytest.fixture
def outlet(operator: AbstractUser) -> Outlet:
    return OutletFactory.create(code="V00001", operator=operator)


@pytest.fixture
def villager(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.CONSUMER, username="villager")
