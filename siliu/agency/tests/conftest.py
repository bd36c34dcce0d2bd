"""Fixtures for agency's tests: a village station with a cash counter and the demo county's catalogue
(:mod:`siliu.demo.agency`), its operator, a villager, and cash in the drawer."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from siliu.agency.catalogue import AgencyService
from siliu.core.roles import Role
from siliu.demo.agency import demo_agency_catalogue_create
from siliu.finance import chart
from siliu.finance.models import Account, CashDayClose, Entry, Transfer
from siliu.finance.services import outlet_cash_open, system_account, transfer_create
from siliu.network.models import Outlet, OutletKind
from siliu.network.tests.factories import OutletFactory

# 2026-05-04 10:00 in Asia/Shanghai (a Monday).
MORNING = datetime.datetime(2026, 5, 4, 2, 0, tzinfo=datetime.UTC)
NEXT_MORNING = MORNING + datetime.timedelta(days=1)

#: Numbers that pass their checks: a resident ID (GB 11643 check digit) and bank cards (Luhn).
RESIDENT_ID = "11010519491231002X"
BANK_CARD = "6217000010012345677"
OTHER_BANK_CARD = "6222020200112345679"


def agency_snapshot() -> tuple[Any, ...]:
    """Everything a refused action must leave as it was: ledger counters and rows, agency rows."""
    from siliu.agency.catalogue import AgencyTransaction, PayeeDay

    return (
        list(Account.objects.order_by("pk").values_list("code", "debits_posted", "credits_posted")),
        Transfer.objects.count(),
        Entry.objects.count(),
        CashDayClose.objects.count(),
        list(AgencyTransaction.objects.order_by("pk").values_list("number", "status")),
        list(PayeeDay.objects.order_by("pk").values_list("account_hash", "paid_fen")),
    )


@pytest.fixture
def operator(make_user: Callable[..., User]) -> User:
    return make_user(Role.STATION_OPERATOR, username="op", first_name="丽", last_name="王")


@pytest.fixture
def villager(make_user: Callable[..., User]) -> User:
    return make_user(Role.CONSUMER, username="villager", first_name="大山", last_name="张")


@pytest.fixture
def station(operator: User) -> Outlet:
    """A village station with a cash counter and agency services, run by ``operator``."""
    outlet: Outlet = OutletFactory.create(
        code="VS9001",
        name="桃园村服务站",
        kind=OutletKind.VILLAGE_STATION,
        operator=operator,
        has_cash_counter=True,
        offers_agency_services=True,
    )
    return outlet


@pytest.fixture
def catalogue(station: Outlet) -> dict[str, AgencyService]:
    """The demo county's services, offered at ``station``."""
    return {service.code: service for service in demo_agency_catalogue_create()}


@pytest.fixture
def stock_drawer(db: None) -> Callable[[Outlet, int], None]:
    """``stock_drawer(outlet, amount_fen)``: cash put into the outlet's drawer from capital (a float)."""
    counter = iter(range(1, 10**6))

    def stock(outlet: Outlet, amount_fen: int) -> None:
        cash = outlet_cash_open(outlet=outlet)
        capital = system_account(code=chart.CAPITAL)
        transfer_create(
            id=f"float-{outlet.code}-{next(counter)}",
            debit_account=cash.code,
            credit_account=capital.code,
            amount_fen=amount_fen,
            now=MORNING - datetime.timedelta(days=1),
        )

    return stock


def balance(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return account.balance_fen if account is not None else 0
