"""Agency in the information flow: a transaction counts at its station on its day, with its whole fee;
a reversal takes it out again; the fold agrees with a rebuild."""

import datetime

import pytest
from django.contrib.auth.models import User

from siliu.agency.catalogue import AgencyService
from siliu.agency.counter.services import agency_transact, agency_transaction_reverse
from siliu.agency.tests.conftest import MORNING, RESIDENT_ID
from siliu.insight.dashboard.selectors import Period
from siliu.insight.facts.services import events_fold_all, facts_check
from siliu.insight.models import OutletDay
from siliu.insight.scorecard.selectors import station_lines
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 4)


def figures(station: Outlet) -> dict[str, int]:
    return dict(
        OutletDay.objects.filter(outlet=station, day=DAY, measure__startswith="agency").values_list(
            "measure", "value"
        )
    )


def test_agency_counts_at_its_station_and_leaves_when_reversed(
    station: Outlet, operator: User, catalogue: dict[str, AgencyService]
) -> None:
    """Two bills (¥0.50 and ¥1.00 fees) count 2 and ¥1.50 at the station that day, and in the win-win
    scorecard's agency commission; reversing one leaves 1 and ¥1.00; a check finds nothing to repair."""
    bill = agency_transact(
        outlet=station,
        service_code="electricity",
        account="32018877",
        amount_fen=5_000,
        actor=operator,
        now=MORNING,
    )
    agency_transact(
        outlet=station,
        service_code="medical-insurance",
        account=RESIDENT_ID,
        amount_fen=40_000,
        actor=operator,
        now=MORNING,
    )
    events_fold_all(now=MORNING)
    assert figures(station) == {"agency_count": 2, "agency_fee_fen": 150}
    (line,) = station_lines(Period(DAY, DAY), [station.pk])
    assert line.agency_commission_fen == 150
    agency_transaction_reverse(number=bill.number, actor=operator, reason="户号输错", now=MORNING)
    events_fold_all(now=MORNING)
    assert figures(station) == {"agency_count": 1, "agency_fee_fen": 100}
    assert facts_check(DAY, DAY).differences == 0
