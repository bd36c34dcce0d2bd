"""我的班次: the courier's route today, its depart and arrive buttons, and the page's service worker."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siliu.core.roles import Role
from siliu.logistics.models import Parcel, ParcelEvent, RoundPlan, RoundPlanStatus, Vehicle
from siliu.logistics.rounds.selectors import courier_routes_today
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


def _van(outlet: Outlet, name: str, driver: User | None = None) -> Vehicle:
    return Vehicle.objects.create(
        outlet=outlet,
        name=name,
        capacity_g=500_000,
        shift_starts_at=datetime.time(8),
        shift_ends_at=datetime.time(17),
        driver=driver,
    )


def _stop(code: str, arrives_at: str, deliveries: list[str], pickups: list[str]) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"{code}站",
        "arrives_at": arrives_at,
        "deliveries": deliveries,
        "pickups": pickups,
        "arrived_at": None,
    }


def _plan(
    outlet: Outlet, day: datetime.date, routes: list[tuple[Vehicle, list[dict[str, Any]]]]
) -> RoundPlan:
    return RoundPlan.objects.create(
        outlet=outlet,
        planned_on=day,
        status=RoundPlanStatus.DONE,
        progress=100,
        seconds=1,
        created_at=timezone.now(),
        result={
            "routes": [
                {
                    "vehicle": {"id": van.pk, "name": van.name},
                    "starts_at": "09:00",
                    "ends_at": "12:30",
                    "stops": stops,
                    "trip_count": 1,
                    "departed_at": None,
                }
                for van, stops in routes
            ]
        },
    )


@pytest.fixture
def courier_day(
    county: dict[str, Outlet], make_user: Callable[..., User], make_parcel: Callable[..., Parcel]
) -> dict[str, Any]:
    """The courier drives 一号车 of 青龙镇 (TS1): today VS11 then VS12; another van goes elsewhere."""
    courier = make_user(Role.COURIER, username="driver")
    mine = _van(county["TS1"], "一号车", driver=courier)
    other = _van(county["TS1"], "二号车")
    home = make_parcel(origin="VS21", destination="VS11")
    Parcel.objects.filter(pk=home.pk).update(is_home_delivery=True)
    station = make_parcel(origin="VS21", destination="VS12")
    pickup = make_parcel(origin="VS12", destination="VS21")
    elsewhere = make_parcel(origin="VS21", destination="VS12")
    today = timezone.localdate()
    _plan(county["TS1"], today - datetime.timedelta(days=1), [(mine, [_stop("VS12", "09:10", [], [])])])
    plan = _plan(
        county["TS1"],
        today,
        [
            (
                mine,
                [
                    _stop("VS11", "09:30", [home.tracking_number], []),
                    _stop("VS12", "10:05", [station.tracking_number], [pickup.tracking_number]),
                ],
            ),
            (other, [_stop("VS21", "09:40", [elsewhere.tracking_number], [])]),
        ],
    )
    client = Client()
    client.force_login(courier)
    return {
        "courier": courier,
        "plan": plan,
        "client": client,
        "home": home,
        "station": station,
        "pickup": pickup,
    }


def test_the_courier_sees_their_route_today_in_order_with_what_to_hand_over(
    courier_day: dict[str, Any],
) -> None:
    """Only today's route of their own van: stops in planned order with the timetable, each delivery
    with its recipient and home or station, each pickup with its sender; not the other van's stop."""
    routes = courier_routes_today(actor=courier_day["courier"])
    assert [(route.plan, route.route_number) for route in routes] == [(courier_day["plan"], 1)]
    stops = routes[0].route["stops"]
    assert [(stop["number"], stop["code"], stop["arrives_at"]) for stop in stops] == [
        (1, "VS11", "09:30"),
        (2, "VS12", "10:05"),
    ]
    assert stops[0]["delivery_parcels"][0]["tracking_number"] == courier_day["home"].tracking_number
    assert stops[0]["delivery_parcels"][0]["is_home_delivery"] is True
    assert [parcel["tracking_number"] for parcel in stops[1]["pickup_parcels"]] == [
        courier_day["pickup"].tracking_number
    ]
    response = courier_day["client"].get(reverse("logistics:rounds-today"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="today-stop"') == 2
    assert page.index("VS11站") < page.index("VS12站") and "VS21站" not in page
    assert courier_day["home"].recipient_name in page and "按址投递到户" in page and "服务站自提" in page
    assert "计划 09:30 到" in page and "发车 09:00，回站 12:30" in page
    assert "收件人不在" in page  # the reasons a delivery fails, in words
    assert 'href="/logistics/rounds/today/"' in page  # the navbar entry
    assert "courier_round.js" in page and "/logistics/rounds/sw.js" in page


def test_someone_who_drives_no_van_has_no_round_today(make_user: Callable[..., User], db: None) -> None:
    """A county manager reads rounds but drives nothing: the page says so, and the menu has no entry."""
    client = Client()
    client.force_login(make_user(Role.COUNTY_MANAGER))
    page = client.get(reverse("logistics:rounds-today")).content.decode()
    assert 'data-testid="today-no-round"' in page
    assert 'href="/logistics/rounds/today/"' not in page
    consumer = Client()
    consumer.force_login(make_user(Role.CONSUMER, username="buyer"))
    assert consumer.get(reverse("logistics:rounds-today")).status_code == 403


def test_buttons_on_the_page_come_back_to_it_and_refuse_a_stop_out_of_order(
    courier_day: dict[str, Any],
) -> None:
    """Arriving at stop 2 first is refused with the message and nothing written; after departing and
    stop 1, stop 2 is recorded; each button returns to 我的班次."""
    client, plan = courier_day["client"], courier_day["plan"]
    today = reverse("logistics:rounds-today")
    events = ParcelEvent.objects.count()
    response = client.post(
        reverse("logistics:round-arrive", args=[plan.pk, 1, 2]), {"back": "today"}, follow=True
    )
    assert response.redirect_chain == [(today, 302)]
    assert "请先出车，再到站" in response.content.decode()
    assert ParcelEvent.objects.count() == events
    client.post(reverse("logistics:round-depart", args=[plan.pk, 1]), {"back": "today"})
    response = client.post(
        reverse("logistics:round-arrive", args=[plan.pk, 1, 2]), {"back": "today"}, follow=True
    )
    assert "请按顺序到站：第 1 站（VS11站）尚未到达" in response.content.decode()
    client.post(reverse("logistics:round-arrive", args=[plan.pk, 1, 1]), {"back": "today"})
    response = client.post(reverse("logistics:round-arrive", args=[plan.pk, 1, 2]), {"back": "today"})
    assert response["Location"] == today
    plan.refresh_from_db()
    assert all(stop["arrived_at"] for stop in plan.result["routes"][0]["stops"])
    assert plan.result["routes"][1]["departed_at"] is None


def test_the_service_worker_is_served_under_the_rounds_path_to_anyone(client: Client) -> None:
    """The worker's script comes from /logistics/rounds/ (its scope covers 我的班次), as JavaScript,
    never cached stale, without a login (it is a static file)."""
    response = client.get("/logistics/rounds/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert b'const CACHE = "siliu-courier";' in response.content


def test_the_api_gives_the_courier_the_same_route(courier_day: dict[str, Any]) -> None:
    """``GET /api/v1/rounds/today``: the plan, route 1, its two stops in order with the parcels."""
    response = courier_day["client"].get("/api/v1/rounds/today")
    assert response.status_code == 200
    [found] = response.json()
    assert (found["plan"], found["route"], found["vehicle"], found["starts_at"]) == (
        courier_day["plan"].pk,
        1,
        "一号车",
        "09:00",
    )
    assert [(stop["number"], stop["code"], stop["arrives_at"]) for stop in found["stops"]] == [
        (1, "VS11", "09:30"),
        (2, "VS12", "10:05"),
    ]
    assert found["stops"][1]["pickups"][0]["tracking_number"] == courier_day["pickup"].tracking_number
    assert found["stops"][0]["deliveries"][0]["is_home_delivery"] is True
