"""Logistics on the start page: parcels waiting at a station, the courier's round today, the county's
exceptions, day and claims; each figure scoped to the user's places."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from siliu.core.roles import Role
from siliu.logistics.claims.selectors import claims_to_decide
from siliu.logistics.claims.services import claim_submit
from siliu.logistics.models import (
    ClaimKind,
    Parcel,
    ParcelException,
    ParcelStatus,
    RoundPlan,
    RoundPlanStatus,
    Vehicle,
)
from siliu.logistics.parcels.selectors import parcel_day_counts
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.rounds.selectors import rounds_driven_today
from siliu.logistics.tests.conftest import at
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

MakeParcel = Callable[..., Parcel]


def arrive(parcel: Parcel, station: str) -> Parcel:
    """Accept ``parcel`` at VS11, sort it through the hub and scan it in at ``station`` for pickup."""
    number = parcel.tracking_number
    scans_record(
        scans=[
            ScanInput(f"{number}-1", number, "EMA", "VS11", at(7, 45)),
            ScanInput(f"{number}-2", number, "EDD", "HUB", at(10, 35)),
            ScanInput(f"{number}-3", number, "EDE", "HUB", at(14)),
            ScanInput(f"{number}-4", number, "EDH", station, at(16, 30)),
        ],
        now=at(16, 35),
    )
    parcel.refresh_from_db()
    return parcel


def page(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def figure(body: str, testid: str) -> str:
    """The text of the figure of the card ``testid`` on the start page."""
    marker = f'data-testid="{testid}-figure">'
    assert marker in body, testid
    return body.split(marker, 1)[1].split("<", 1)[0]


@pytest.fixture
def waiting(make_parcel: MakeParcel) -> dict[str, Parcel]:
    """Two parcels waiting at VS21, one at VS12, one for home delivery at VS21, one delivered."""
    parcels = {
        "vs21-a": arrive(make_parcel(destination="VS21"), "VS21"),
        "vs21-b": arrive(make_parcel(destination="VS21"), "VS21"),
        "vs12": arrive(make_parcel(destination="VS12"), "VS12"),
        "home": make_parcel(destination="VS21"),
        "delivered": make_parcel(destination="VS21"),
    }
    vs21 = parcels["vs21-a"].destination_outlet
    Parcel.objects.filter(pk=parcels["home"].pk).update(
        status=ParcelStatus.AT_DELIVERY_OFFICE, is_home_delivery=True, last_outlet=vs21
    )
    Parcel.objects.filter(pk=parcels["delivered"].pk).update(
        status=ParcelStatus.DELIVERED, last_outlet=vs21, delivered_at=at(17)
    )
    return parcels


def test_an_operator_sees_their_own_stations_parcels_only(
    operator_at: Callable[[str], User], waiting: dict[str, Parcel]
) -> None:
    """The start card counts the parcels waiting at the operator's station (not the one for home
    delivery, not the delivered one, not another station's) and opens that station's list."""
    assert waiting["vs21-a"].status == ParcelStatus.AWAITING_PICKUP
    now = timezone.now()
    Parcel.objects.filter(pk=waiting["vs21-a"].pk).update(last_event_at=now - datetime.timedelta(days=1))
    Parcel.objects.filter(pk=waiting["vs21-b"].pk).update(last_event_at=now - datetime.timedelta(days=30))
    body = page(operator_at("VS21"))
    assert figure(body, "start-parcels-waiting") == "2"
    assert figure(body, "start-parcels-to-return") == "1"  # waiting for 30 days, past the 7 allowed
    assert 'href="/logistics/station/?station=VS21" data-testid="start-parcels-waiting"' in body
    other = page(operator_at("VS12"))
    assert figure(other, "start-parcels-waiting") == "1"
    assert "?station=VS21" not in other


def test_day_counts_count_acceptances_at_origin_and_deliveries_at_destination(
    county: dict[str, Outlet], waiting: dict[str, Parcel]
) -> None:
    """Four parcels accepted at VS11 on the Monday, one delivered at VS21; nothing the day after."""
    monday = datetime.date(2026, 11, 23)
    everywhere = [outlet.pk for outlet in county.values()]
    counts = parcel_day_counts(outlet_ids=everywhere, day=monday)
    assert (counts.accepted_count, counts.delivered_count) == (3, 1)
    assert parcel_day_counts(outlet_ids=[county["VS12"].pk], day=monday).accepted_count == 0
    tuesday = parcel_day_counts(outlet_ids=everywhere, day=monday + datetime.timedelta(days=1))
    assert (tuesday.accepted_count, tuesday.delivered_count) == (0, 0)


def _plan_today(outlet: Outlet, routes: list[dict[str, Any]]) -> RoundPlan:
    return RoundPlan.objects.create(
        outlet=outlet,
        planned_on=timezone.localdate(),
        seconds=1,
        status=RoundPlanStatus.DONE,
        progress=100,
        result={"routes": routes},
        created_at=timezone.now(),
    )


def _route(vehicle: Vehicle, codes: list[str], parcel_count: int) -> dict[str, Any]:
    return {
        "vehicle": {"id": vehicle.pk, "name": vehicle.name},
        "stops": [{"code": code} for code in codes],
        "parcel_count": parcel_count,
    }


def test_a_courier_sees_their_vans_routes_of_todays_plan(
    county: dict[str, Outlet], make_user: Callable[..., User]
) -> None:
    """Only the routes of the van they drive: its stops and parcels, linking to the plan."""
    courier = make_user(Role.COURIER)
    shift = {"capacity_g": 500_000, "shift_starts_at": "08:30", "shift_ends_at": "18:00"}
    mine = Vehicle.objects.create(outlet=county["TS1"], name="一号车", driver=courier, **shift)
    other = Vehicle.objects.create(outlet=county["TS1"], name="二号车", **shift)
    plan = _plan_today(county["TS1"], [_route(mine, ["VS11", "VS12"], 7), _route(other, ["VS11"], 4)])
    (today,) = rounds_driven_today(user=courier)
    assert (today.plan, today.vehicle_names, today.stop_count, today.parcel_count) == (plan, ["一号车"], 2, 7)
    body = page(courier)
    assert figure(body, "start-round") == "7 件"
    assert f'href="/logistics/rounds/{plan.pk}/"' in body
    assert "一号车，2 个站点" in body


def test_a_plan_that_leaves_the_courier_at_home_says_so(
    county: dict[str, Outlet], make_user: Callable[..., User]
) -> None:
    """Today's plan has no route for their van: 0 parcels, a link to the plan all the same."""
    courier = make_user(Role.COURIER)
    shift = {"capacity_g": 500_000, "shift_starts_at": "08:30", "shift_ends_at": "18:00"}
    Vehicle.objects.create(outlet=county["TS1"], name="一号车", driver=courier, **shift)
    plan = _plan_today(county["TS1"], [])
    (today,) = rounds_driven_today(user=courier)
    assert (today.route_count, today.stop_count, today.parcel_count) == (0, 0, 0)
    body = page(courier)
    assert figure(body, "start-round") == "0 件"
    assert "一号车今天没有出车任务" in body
    assert f'href="/logistics/rounds/{plan.pk}/"' in body


def test_a_courier_without_a_plan_today_is_told_so(make_user: Callable[..., User]) -> None:
    """No van, no plan: the round card says 0 and links to the rounds."""
    body = page(make_user(Role.COURIER))
    assert figure(body, "start-round") == "0"
    assert "今天还没有排好的班次" in body


def test_a_county_manager_sees_the_countys_exceptions_claims_and_day(
    county: dict[str, Outlet],
    make_parcel: MakeParcel,
    make_user: Callable[..., User],
    waiting: dict[str, Parcel],
) -> None:
    """Flagged parcels by kind, open claims not their own, today's acceptances and deliveries."""
    manager = make_user(Role.COUNTY_MANAGER, county=county["HUB"].region)
    Parcel.objects.filter(pk=waiting["vs21-a"].pk).update(exception=ParcelException.NO_SCAN)
    Parcel.objects.filter(pk__in=[waiting["vs12"].pk, waiting["vs21-b"].pk]).update(
        exception=ParcelException.OVERDUE
    )
    now = timezone.now()
    Parcel.objects.filter(pk=waiting["vs21-a"].pk).update(accepted_at=now)
    Parcel.objects.filter(pk=waiting["delivered"].pk).update(delivered_at=now)
    sender = make_user(Role.CONSUMER)
    lost = arrive(make_parcel(destination="VS21", sender_user=sender), "VS21")
    claim = claim_submit(
        parcel=lost, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=5000, now=at(9, day=24)
    )
    assert list(claims_to_decide(user=manager)) == [claim]
    assert list(claims_to_decide(user=sender)) == []
    body = page(manager)
    assert figure(body, "start-exceptions-no-scan") == "1"
    assert figure(body, "start-exceptions-overdue") == "2"
    assert figure(body, "start-claims") == "1"
    assert figure(body, "start-accepted-today") == "1"
    assert figure(body, "start-delivered-today") == "1"
    assert 'href="/logistics/exceptions/?kind=overdue"' in body


def test_a_manager_posted_nowhere_sees_none_of_these(
    make_user: Callable[..., User], waiting: dict[str, Parcel]
) -> None:
    """No county post (as another county's manager sees this one): every county figure is 0."""
    Parcel.objects.filter(pk=waiting["vs21-a"].pk).update(exception=ParcelException.NO_SCAN)
    body = page(make_user(Role.COUNTY_MANAGER, county=False))
    assert figure(body, "start-exceptions-no-scan") == "0"
    assert figure(body, "start-claims") == "0"
