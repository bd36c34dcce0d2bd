"""Pay-outs racing on PostgreSQL: withdrawals against a small drawer, and one card at two stations.

Real threads with their own connections, released together, against committed data
(``transaction=True``; ``serialized_rollback`` restores the migrations' data for the tests that follow).
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections

from siliu.agency.catalogue import AgencyService, AgencyTransaction, PayeeDay
from siliu.agency.counter.services import agency_transact
from siliu.agency.tests.conftest import BANK_CARD, MORNING, OTHER_BANK_CARD, balance
from siliu.core.errors import DomainError
from siliu.core.roles import Role
from siliu.demo.agency import demo_agency_catalogue_create
from siliu.finance import chart
from siliu.finance.models import Entry
from siliu.network.models import Outlet, OutletKind
from siliu.network.tests.factories import OutletFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(attempts: list[Callable[[], Any]]) -> list[str]:
    """Run the attempts at once (a barrier releases them together); each gives its number or error code."""
    barrier = threading.Barrier(len(attempts))

    def run(attempt: Callable[[], Any]) -> str:
        try:
            barrier.wait()
            return str(attempt().number)
        except DomainError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def drawer_never_negative(code: str) -> None:
    """The drawer's running balance after every entry, read from the entries themselves."""
    balances = list(
        Entry.objects.filter(account__code=code).order_by("id").values_list("balance_fen", flat=True)
    )
    assert balances and min(balances) >= 0


def test_two_withdrawals_race_against_a_small_drawer(
    station: Outlet,
    operator: User,
    catalogue: dict[str, AgencyService],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """A drawer of ¥800 and two ¥500 withdrawals on two cards at once: exactly one is paid, the other
    is ``exceeds_debits``; the drawer holds ¥300 and never went below nothing."""
    stock_drawer(station, 80_000)
    results = race(
        [
            lambda card=card: agency_transact(  # type: ignore[misc]
                outlet=station,
                service_code="cash-withdrawal",
                account=card,
                amount_fen=50_000,
                actor=operator,
                now=MORNING,
            )
            for card in (BANK_CARD, OTHER_BANK_CARD)
        ]
    )
    assert sorted(result.startswith("AG") for result in results) == [False, True]
    assert "exceeds_debits" in results
    cash = chart.outlet_cash_code(outlet_code=station.code)
    assert balance(cash) == 30_000
    drawer_never_negative(cash)
    assert AgencyTransaction.objects.count() == 1
    assert sorted(PayeeDay.objects.values_list("paid_fen", flat=True)) == [50_000]


def test_one_card_at_two_stations_keeps_its_daily_limit(
    station: Outlet,
    operator: User,
    make_user: Callable[..., User],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """¥1,500 on the same card at two stations at once, under a ¥2,000 daily limit: one is paid, the
    other is ``exceeds_person_daily_limit``; the card's day holds ¥1,500."""
    other_operator = make_user(Role.STATION_OPERATOR, username="op2")
    other: Outlet = OutletFactory.create(
        code="VS9002",
        kind=OutletKind.VILLAGE_STATION,
        operator=other_operator,
        has_cash_counter=True,
        offers_agency_services=True,
    )
    demo_agency_catalogue_create()
    for outlet in (station, other):
        stock_drawer(outlet, 300_000)
    results = race(
        [
            lambda outlet=outlet, actor=actor: agency_transact(  # type: ignore[misc]
                outlet=outlet,
                service_code="cash-withdrawal",
                account=BANK_CARD,
                amount_fen=150_000,
                actor=actor,
                now=MORNING,
            )
            for outlet, actor in ((station, operator), (other, other_operator))
        ]
    )
    assert sorted(result.startswith("AG") for result in results) == [False, True]
    assert "exceeds_person_daily_limit" in results
    assert PayeeDay.objects.get().paid_fen == 150_000
    assert AgencyTransaction.objects.count() == 1
    paid_out = (
        600_000
        - balance(chart.outlet_cash_code(outlet_code="VS9001"))
        - balance(chart.outlet_cash_code(outlet_code="VS9002"))
    )
    assert paid_out == 150_000
