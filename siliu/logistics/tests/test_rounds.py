"""Delivery rounds: the problem built from the database, plans for the demo county, CLI, API, scans, PDF."""

import datetime
import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from siliu import settings as project_settings
from siliu.core.errors import PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.logistics.models import (
    Parcel,
    ParcelEvent,
    ParcelStatus,
    RoadDistance,
    RoundPlan,
    RoundPlanStatus,
    Vehicle,
)
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.rounds.planning import (
    SERVICE_BASE_S,
    SERVICE_PER_PARCEL_S,
    RoundPlanningError,
    great_circle_m,
    previous_routes,
    round_plan_compute,
    round_problem_build,
)
from siliu.logistics.rounds.problem import RoutingSolution
from siliu.logistics.rounds.selectors import round_plans_visible
from siliu.logistics.rounds.services import (
    demo_vehicles_create,
    road_distances_import,
    round_depart,
    round_plan_request,
    round_stop_arrive,
)
from siliu.logistics.rounds.sheets import route_sheets_pdf
from siliu.logistics.tests.conftest import MONDAY_0730
from siliu.network.models import Outlet, OutletKind
from siliu.network.services import opening_hours_set

MONDAY = MONDAY_0730.date()


def next_monday() -> datetime.date:
    """The first Monday from today (local date) on: within the planning horizon (yesterday to 7 days
    ahead), and a Monday, when the ``day`` fixture's stations keep their hours (VS12 closed)."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=-today.weekday() % 7)


IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "rounds"],
    }
}


def _time(text: str) -> datetime.time:
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))


def _vehicle(outlet: Outlet, name: str = "面包车1号", **fields: Any) -> Vehicle:
    values: dict[str, Any] = {
        "capacity_g": 500_000,
        "shift_starts_at": _time("08:30"),
        "shift_ends_at": _time("18:00"),
        "cost_per_km_fen": 120,
        "max_trips": 1,
        **fields,
    }
    return Vehicle.objects.create(outlet=outlet, name=name, **values)


def _scan_to(parcel: Parcel, outlet: Outlet, *, at: datetime.datetime = MONDAY_0730) -> Parcel:
    """Accept ``parcel`` at its origin and sort it in at ``outlet`` (in transit, on the shelf there)."""
    results = scans_record(
        scans=[
            ScanInput(
                f"{parcel.tracking_number}-a", parcel.tracking_number, "EMA", parcel.origin_outlet.code, at
            ),
            ScanInput(
                f"{parcel.tracking_number}-d",
                parcel.tracking_number,
                "EDD",
                outlet.code,
                at + datetime.timedelta(minutes=30),
            ),
        ]
    )
    assert all(result.ok for result in results), results
    return Parcel.objects.get(pk=parcel.pk)


@pytest.fixture
def day(county: dict[str, Outlet], make_parcel: Callable[..., Parcel]) -> dict[str, Any]:
    """The small county on a Monday: VS11 and VS21 get parcels from the hub, VS12 has a parcel to collect.

    VS11 opens 08:00–12:00 and 14:00–19:00; VS21 08:30–17:00; VS12 is closed on Mondays.
    """
    opening_hours_set(
        outlet=county["VS11"],
        periods=[(0, _time("08:00"), _time("12:00")), (0, _time("14:00"), _time("19:00"))],
    )
    opening_hours_set(outlet=county["VS21"], periods=[(0, _time("08:30"), _time("17:00"))])
    opening_hours_set(outlet=county["VS12"], periods=[(1, _time("08:00"), _time("17:00"))])
    to_vs11 = [
        _scan_to(make_parcel(origin="TS2", destination="VS11", weight_g=weight), county["HUB"])
        for weight in (1500, 2500)
    ]
    to_vs21 = _scan_to(make_parcel(origin="TS1", destination="VS21", weight_g=4000), county["HUB"])
    from_vs21 = make_parcel(origin="VS21", destination="VS11", weight_g=3000)
    from_vs12 = make_parcel(origin="VS12", destination="VS21", weight_g=1000)
    return {
        "to_vs11": to_vs11,
        "to_vs21": to_vs21,
        "from_vs21": from_vs21,
        "from_vs12": from_vs12,
        **county,
    }


# --- building the problem -----------------------------------------------------------------------


def test_problem_has_deliveries_and_pickups_in_grams_from_the_parcels(day: dict[str, Any]) -> None:
    """A stop carries the weight of the parcels on the hub's shelf for it and of those it sends."""
    _vehicle(day["HUB"])
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    stops = {stop.name: stop for stop in built.problem.stops}
    assert sorted(stops) == ["VS11", "VS21"]
    assert (stops["VS11"].delivery_g, stops["VS11"].pickup_g) == (4000, 0)
    assert (stops["VS21"].delivery_g, stops["VS21"].pickup_g) == (4000, 3000)
    assert stops["VS21"].service_s == SERVICE_BASE_S + 2 * SERVICE_PER_PARCEL_S
    loads = {load.outlet.code: load for load in built.loads}
    assert [parcel.tracking_number for parcel in loads["VS11"].deliveries] == sorted(
        parcel.tracking_number for parcel in day["to_vs11"]
    )
    assert [parcel.tracking_number for parcel in loads["VS21"].pickups] == [day["from_vs21"].tracking_number]
    assert all(not stop.required and stop.skip_penalty > 0 for stop in built.problem.stops)


def test_time_windows_come_from_the_opening_hours_of_the_weekday(day: dict[str, Any]) -> None:
    """The opening period overlapping the shifts most is the window: afternoon vans see VS11 after lunch."""
    _vehicle(day["HUB"], shift_starts_at=_time("13:00"), shift_ends_at=_time("18:00"))
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    stops = {stop.name: stop for stop in built.problem.stops}
    assert (stops["VS11"].opens_at_s, stops["VS11"].closes_at_s) == (14 * 3600, 19 * 3600)
    assert (stops["VS21"].opens_at_s, stops["VS21"].closes_at_s) == (8 * 3600 + 1800, 17 * 3600)
    assert built.problem.vehicle_types[0].shift_start_s == 13 * 3600
    assert built.problem.depots[0].opens_at_s == 13 * 3600


def test_a_station_closed_that_day_is_left_out_with_the_reason(day: dict[str, Any]) -> None:
    """VS12 is closed on Mondays: its parcel to collect waits, and the plan says why."""
    _vehicle(day["HUB"])
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    assert "VS12" not in [stop.name for stop in built.problem.stops]
    assert [(item.outlet.code, item.reason, item.parcel_count) for item in built.unserved] == [
        ("VS12", "closed", 1)
    ]
    tuesday = round_problem_build(outlet=day["HUB"], planned_on=MONDAY + datetime.timedelta(days=1))
    assert [stop.name for stop in tuesday.problem.stops] == ["VS12"]


def test_a_township_office_plans_only_its_own_stations(day: dict[str, Any]) -> None:
    """TS2 serves VS21 alone, only with parcels on its own shelf, and collects VS21's goods (the hub's
    round then leaves them to TS2's van)."""
    _vehicle(day["TS2"])
    built = round_problem_build(outlet=day["TS2"], planned_on=MONDAY)
    assert [stop.name for stop in built.problem.stops] == ["VS21"]
    assert (built.problem.stops[0].delivery_g, built.problem.stops[0].pickup_g) == (0, 3000)
    _vehicle(day["HUB"])
    hub = {
        stop.name: stop for stop in round_problem_build(outlet=day["HUB"], planned_on=MONDAY).problem.stops
    }
    assert (hub["VS21"].delivery_g, hub["VS21"].pickup_g) == (4000, 0)


def test_matrix_uses_great_circle_times_road_factor_without_imported_roads(
    day: dict[str, Any], settings: Any
) -> None:
    """Without a road matrix: great-circle × SILIU_ROAD_FACTOR, driven at SILIU_ROUND_SPEED_KMH."""
    settings.SILIU_ROAD_FACTOR = 1.5
    settings.SILIU_ROUND_SPEED_KMH = 30
    _vehicle(day["HUB"])
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    index = 1 + [stop.name for stop in built.problem.stops].index("VS11")
    metres = great_circle_m(day["HUB"], day["VS11"]) * 1.5
    assert built.matrix_source == "great_circle"
    assert built.problem.distance_m[0][index] == round(metres)
    assert built.problem.duration_s[0][index] == -(-metres // (30 / 3.6))
    assert built.problem.distance_m[0][0] == 0


def test_matrix_uses_imported_road_distances_both_ways(day: dict[str, Any]) -> None:
    """An imported pair is used as given, and for the way back when that was not imported."""
    count = road_distances_import(
        text="from_outlet,to_outlet,distance_m,duration_s\nHUB,VS11,23456,2100\nVS11,VS21,40000,3600\n"
    )
    assert count == 2
    _vehicle(day["HUB"])
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    names = [stop.name for stop in built.problem.stops]
    vs11, vs21 = 1 + names.index("VS11"), 1 + names.index("VS21")
    assert built.matrix_source == "mixed"
    assert (built.problem.distance_m[0][vs11], built.problem.duration_s[0][vs11]) == (23456, 2100)
    assert (built.problem.distance_m[vs11][0], built.problem.duration_s[vs11][0]) == (23456, 2100)
    assert built.problem.distance_m[vs21][vs11] == 40000
    assert built.problem.distance_m[0][vs21] == round(great_circle_m(day["HUB"], day["VS21"]) * 1.3)


def test_bad_road_distance_csv_names_the_line(day: dict[str, Any]) -> None:
    """A row with an unknown outlet is refused with its line number, and nothing is imported."""
    with pytest.raises(ValidationFailed, match="第 3 行"):
        road_distances_import(
            text="from_outlet,to_outlet,distance_m,duration_s\nHUB,VS11,1000,100\nHUB,NOPE,1000,100\n"
        )
    assert RoadDistance.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("no_vehicles", "no_vehicles"),
        ("zero_capacity", "vehicle_no_capacity"),
        ("no_coordinates", "no_coordinates"),
    ],
)
def test_bad_input_is_refused_with_a_clear_code(day: dict[str, Any], change: str, code: str) -> None:
    """No vehicle, a van with no capacity, a station without coordinates: refused, naming the culprit."""
    if change != "no_vehicles":
        _vehicle(day["HUB"], capacity_g=0 if change == "zero_capacity" else 500_000)
    if change == "no_coordinates":
        Outlet.objects.filter(pk=day["VS11"].pk).update(latitude=0, longitude=0)
    with pytest.raises(RoundPlanningError) as refused:
        round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    assert refused.value.code == code
    if change == "no_coordinates":
        assert "VS11" in refused.value.message


def test_too_heavy_and_out_of_reach_stations_are_set_aside(day: dict[str, Any]) -> None:
    """A van smaller than a station's load, or a shift too short to get there and back, leaves it out."""
    _vehicle(day["HUB"], capacity_g=3500)
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    assert {(item.outlet.code, item.reason) for item in built.unserved} == {
        ("VS11", "too_heavy"),
        ("VS21", "too_heavy"),
        ("VS12", "closed"),
    }
    Vehicle.objects.update(capacity_g=500_000, shift_starts_at=_time("16:50"), shift_ends_at=_time("17:00"))
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    assert {(item.outlet.code, item.reason) for item in built.unserved} >= {
        ("VS11", "out_of_reach"),
        ("VS21", "out_of_reach"),
    }


# --- solving -------------------------------------------------------------------------------------


def test_small_county_plan_serves_every_open_station_within_capacity(day: dict[str, Any]) -> None:
    """Two 5 kg vans out of the hub: a station each, never above 5 kg on board, VS12 left for tomorrow."""
    _vehicle(day["HUB"], "A", capacity_g=5000)
    _vehicle(day["HUB"], "B", capacity_g=5000)
    result = round_plan_compute(outlet=day["HUB"], planned_on=MONDAY, seconds=1)
    served = sorted(stop["code"] for route in result["routes"] for stop in route["stops"])
    assert served == ["VS11", "VS21"]
    assert len(result["routes"]) == 2
    assert all(stop["load_after_kg"] <= 5.0 for route in result["routes"] for stop in route["stops"])
    assert [(item["code"], item["reason"]) for item in result["unserved"]] == [("VS12", "closed")]
    assert result["totals"]["parcel_count"] == 4
    assert result["totals"]["distance_km"] > 0
    assert result["totals"]["parcels_per_km"] == pytest.approx(4 / result["totals"]["distance_km"], abs=0.05)


@pytest.fixture
def demo_day(db: None) -> dict[str, Any]:
    """The demo county (40 villages, seed 3) with its vans and a Monday of parcels: on the shelf of the
    largest township office, three for each of its stations (and one to collect at every other); on the
    hub's, one for every other station of the rest of the county."""
    call_command("demo", "--villages=40", "--seed=3", "--orders=0", "--force", stdout=StringIO())
    demo_vehicles_create()
    office = max(
        Outlet.objects.filter(kind=OutletKind.TOWNSHIP_OFFICE).order_by("code"),
        key=lambda outlet: outlet.child_outlets.count(),
    )
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    stations = list(office.child_outlets.order_by("code"))
    from siliu.logistics.parcels.services import Address, parcel_create
    from siliu.logistics.pricing.quotes import QuoteRequest

    def parcel(origin: Outlet, destination: Outlet, weight_g: int) -> Parcel:
        return parcel_create(
            request=QuoteRequest(
                product_code="express",
                origin_outlet_code=origin.code,
                destination_outlet_code=destination.code,
                weight_g=weight_g,
            ),
            sender=Address("张三", "+8613800000001", "示范县 1 号"),
            recipient=Address("李四", "+8613900000002", "示范县 8 号"),
            postage_payment="cash",  # type: ignore[arg-type]
            now=MONDAY_0730,
        )

    for number, station in enumerate(stations):
        for weight in (800, 1500 + 100 * number, 2600):
            _scan_to(parcel(hub, station, weight), office)
    for number, station in enumerate(stations[::2]):
        parcel(station, hub, 1200 + 50 * number)
    elsewhere = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).exclude(parent_outlet=office)
    for number, station in enumerate(elsewhere.order_by("code")[::2]):
        _scan_to(parcel(office, station, 2000 + 10 * number), hub)
    return {"office": office, "hub": hub, "stations": stations, "elsewhere": elsewhere.count()}


def test_demo_county_day_is_planned_feasibly(demo_day: dict[str, Any]) -> None:
    """The township office's vans serve every station with parcels, within opening hours and capacity."""
    office = demo_day["office"]
    built = round_problem_build(outlet=office, planned_on=datetime.date(2026, 11, 30))
    assert len(built.problem.stops) == len(demo_day["stations"]) >= 5
    result = round_plan_compute(outlet=office, planned_on=datetime.date(2026, 11, 30), seconds=2)
    stops = [stop for route in result["routes"] for stop in route["stops"]]
    assert sorted(stop["code"] for stop in stops) == sorted(stop.name for stop in built.problem.stops)
    assert result["unserved"] == []
    capacity = {route["vehicle"]["name"]: route["vehicle"]["capacity_kg"] for route in result["routes"]}
    windows = {stop.name: (stop.opens_at_s, stop.closes_at_s) for stop in built.problem.stops}
    for route in result["routes"]:
        for stop in route["stops"]:
            assert stop["load_after_kg"] <= capacity[route["vehicle"]["name"]]
            hours, minutes = map(int, stop["starts_service_at"].split(":"))
            assert windows[stop["code"]][0] <= hours * 3600 + minutes * 60 <= windows[stop["code"]][1]
    assert result["totals"]["parcel_count"] == sum(load.parcel_count for load in built.loads)


def test_demo_county_hub_day_is_planned_feasibly(demo_day: dict[str, Any]) -> None:
    """The hub's two vans take the county-wide round: every stop served once, none above capacity."""
    result = round_plan_compute(outlet=demo_day["hub"], planned_on=datetime.date(2026, 11, 30), seconds=3)
    codes = [stop["code"] for route in result["routes"] for stop in route["stops"]]
    assert len(codes) == len(set(codes)) == (demo_day["elsewhere"] + 1) // 2
    assert result["unserved"] == []
    for route in result["routes"]:
        assert all(stop["load_after_kg"] <= route["vehicle"]["capacity_kg"] for stop in route["stops"])
        assert route["starts_at"] <= route["stops"][0]["arrives_at"]


def test_demo_vehicles_are_deterministic_and_created_once(demo_day: dict[str, Any]) -> None:
    """The hub has two vans, offices one or two by code order; a second run adds nothing."""
    before = list(Vehicle.objects.order_by("pk").values_list("outlet__code", "name", "capacity_g"))
    demo_vehicles_create()
    assert list(Vehicle.objects.order_by("pk").values_list("outlet__code", "name", "capacity_g")) == before
    assert Vehicle.objects.filter(outlet=demo_day["hub"]).count() == 2
    counts = [
        Vehicle.objects.filter(outlet=office).count()
        for office in Outlet.objects.filter(kind=OutletKind.TOWNSHIP_OFFICE).order_by("code")
    ]
    assert counts[:4] == [2, 1, 2, 1]


# --- command line --------------------------------------------------------------------------------


def test_cli_prints_the_plan(day: dict[str, Any]) -> None:
    """``plan-rounds`` prints the totals, every vehicle's stops in order and the stations left out."""
    _vehicle(day["HUB"], "A", capacity_g=5000)
    _vehicle(day["HUB"], "B", capacity_g=5000)
    out = StringIO()
    call_command("plan_rounds", "--outlet=HUB", "--date=2026-11-23", "--seconds=1", stdout=out)
    text = out.getvalue()
    assert "示范县寄递中心（HUB）2026-11-23 投递班次" in text
    assert "合计：2 辆车，2 站" in text
    assert re.search(r"车辆 A：\d\d:\d\d–\d\d:\d\d", text)
    assert re.search(r" 1\. \d\d:\d\d  VS(11|21) ", text)
    assert "未安排：VS12 李家沟村服务站（1 件）— 当天不营业" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--outlet=NOPE", "--date=2026-11-23"], "unknown_outlet: 没有编码为 NOPE 的网点"),
        (["--outlet=VS11", "--date=2026-11-23"], "not_a_round_outlet"),
        (["--outlet=HUB", "--date=2026-13-01"], "invalid_date: 日期格式应为 YYYY-MM-DD：2026-13-01"),
        (["--outlet=HUB", "--date=2026-11-23", "--seconds=0"], "invalid_seconds"),
        (["--outlet=HUB", "--date=2026-11-23", "--workers=0"], "invalid_workers"),
        (["--outlet=TS1", "--date=2026-11-23"], "no_vehicles"),
    ],
)
def test_cli_refuses_bad_input_with_a_message(
    day: dict[str, Any], arguments: list[str], message: str
) -> None:
    """Bad input is a CommandError naming the problem, never a traceback."""
    _vehicle(day["HUB"])
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("plan_rounds", *arguments, stdout=StringIO())


def test_cli_names_a_station_without_coordinates_and_a_van_without_capacity(day: dict[str, Any]) -> None:
    """The two data problems an operator can fix are named with the outlet or the vehicle."""
    vehicle = _vehicle(day["HUB"])
    Outlet.objects.filter(pk=day["VS21"].pk).update(latitude=0, longitude=0)
    with pytest.raises(
        CommandError, match="no_coordinates: 网点河口村服务站（VS21）没有经纬度，无法计算路程"
    ):
        call_command("plan_rounds", "--outlet=HUB", "--date=2026-11-23", stdout=StringIO())
    Vehicle.objects.filter(pk=vehicle.pk).update(capacity_g=0)
    with pytest.raises(CommandError, match="vehicle_no_capacity: 车辆 面包车1号 的载重为 0"):
        call_command("plan_rounds", "--outlet=HUB", "--date=2026-11-23", stdout=StringIO())


def test_cli_reports_an_infeasible_plan(day: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """When the solver can only find a plan that breaks a constraint, the command says so."""
    from siliu.logistics.rounds import model

    monkeypatch.setattr(model, "solve", lambda problem, **options: RoutingSolution(routes=[], feasible=False))
    _vehicle(day["HUB"])
    with pytest.raises(CommandError, match="infeasible: 找不到满足载重、营业时间和班次的方案"):
        call_command("plan_rounds", "--outlet=HUB", "--date=2026-11-23", "--seconds=1", stdout=StringIO())


# --- API -----------------------------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE_TASKS


def test_api_starts_a_plan_and_serves_the_routes(
    day: dict[str, Any],
    client_as: Callable[..., APIClient],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """POST → 202 with the plan's id; the task runs after commit; GET shows the routes in order."""
    _vehicle(day["HUB"], "A", capacity_g=5000)
    _vehicle(day["HUB"], "B", capacity_g=5000)
    client = client_as(Role.COUNTY_MANAGER)
    monday = next_monday().isoformat()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("api:round-plan"), {"outlet": "HUB", "date": monday, "seconds": 1}, format="json"
        )
    assert response.status_code == 202, response.json()
    assert len(callbacks) == 1
    plan_id = response.json()["id"]
    assert response.json()["url"] == f"/api/v1/rounds/{plan_id}"
    body = client.get(reverse("api:round-detail", args=[plan_id])).json()
    assert (body["status"], body["progress"], body["error"]) == ("done", 100, "")
    assert body["outlet"] == "HUB" and body["planned_on"] == monday
    assert len(body["routes"]) == 2
    stop = body["routes"][0]["stops"][0]
    assert set(stop) >= {"code", "name", "arrives_at", "load_after_kg", "deliveries", "pickups"}
    assert re.fullmatch(r"\d\d:\d\d", stop["arrives_at"])
    assert set(body["totals"]) >= {"distance_km", "duration_h", "parcel_count", "parcels_per_km"}
    assert body["unserved"] == [
        {
            "code": "VS12",
            "name": "李家沟村服务站",
            "latitude": 34.24,
            "longitude": 108.67,
            "reason": "closed",
            "parcel_count": 1,
            "reason_label": "当天不营业",
        }
    ]
    plan = RoundPlan.objects.get(pk=plan_id)
    assert plan.finished_at is not None and plan.requested_by is not None


def test_api_plan_is_queued_until_a_worker_runs_it(
    day: dict[str, Any], client_as: Callable[..., APIClient]
) -> None:
    """With the database backend the plan waits, queued, at 0 %, for the worker. A station operator
    may plan only the rounds of an outlet they run (``not_your_outlet``, nothing queued)."""
    _vehicle(day["HUB"])
    payload = {"outlet": "HUB", "date": next_monday().isoformat()}
    operator = client_as(Role.STATION_OPERATOR)
    refused = operator.post(reverse("api:round-plan"), payload, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_outlet")
    assert not RoundPlan.objects.exists()
    client = client_as(Role.COUNTY_MANAGER)
    response = client.post(reverse("api:round-plan"), payload, format="json")
    assert response.status_code == 202
    body = client.get(reverse("api:round-detail", args=[response.json()["id"]])).json()
    assert (body["status"], body["progress"], body["routes"]) == ("queued", 0, [])


def test_a_plan_runs_on_the_rounds_queue(
    day: dict[str, Any], client_as: Callable[..., APIClient], django_capture_on_commit_callbacks: Any
) -> None:
    """Round planning is queued on its own queue (its own worker), never on the periodic tasks' one."""
    from django_tasks_db.models import DBTaskResult

    _vehicle(day["HUB"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(Role.COUNTY_MANAGER).post(
            reverse("api:round-plan"), {"outlet": "HUB", "date": next_monday().isoformat()}, format="json"
        )
    assert response.status_code == 202
    assert list(DBTaskResult.objects.values_list("task_path", "queue_name")) == [
        ("siliu.logistics.rounds.tasks.round_plan_run", "rounds")
    ]


def test_one_open_plan_per_outlet_and_day_and_three_per_person(
    day: dict[str, Any], client_as: Callable[..., APIClient]
) -> None:
    """While a plan of an outlet and day is queued, a second is refused (409, nothing stored); one
    person may have three open plans at once, the fourth is refused; another person is not held back."""
    _vehicle(day["HUB"])
    manager = client_as(Role.COUNTY_MANAGER, username="manager")
    url = reverse("api:round-plan")
    first, second, third, fourth_day = (timezone.localdate() + datetime.timedelta(days=n) for n in range(4))

    def plan(client: APIClient, planned_on: datetime.date) -> Any:
        return client.post(url, {"outlet": "HUB", "date": planned_on.isoformat()}, format="json")

    assert plan(manager, first).status_code == 202
    again = plan(manager, first)
    assert (again.status_code, again.json()["code"]) == (409, "round_plan_already_open")
    assert RoundPlan.objects.count() == 1
    for planned_on in (second, third):
        assert plan(manager, planned_on).status_code == 202
    fourth = plan(manager, fourth_day)
    assert (fourth.status_code, fourth.json()["code"]) == (409, "too_many_open_round_plans")
    assert RoundPlan.objects.count() == 3
    other = client_as(Role.COUNTY_MANAGER, username="manager2")
    assert plan(other, fourth_day).status_code == 202
    RoundPlan.objects.filter(planned_on=first).update(status=RoundPlanStatus.DONE)
    assert plan(manager, first).status_code == 202


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"outlet": "NOPE"}, "outlet", "unknown_outlet"),
        ({"outlet": "HUB", "date": "23/11/2026"}, "date", "invalid"),
        ({"outlet": "HUB", "seconds": 0}, "seconds", "invalid"),
        ({"outlet": "HUB", "seconds": 61}, "seconds", "invalid"),
        ({}, "outlet", "invalid"),
        ({"outlet": "TS1"}, "outlet", "no_vehicles"),
    ],
)
def test_api_refuses_bad_input_with_field_errors(
    day: dict[str, Any], client_as: Callable[..., APIClient], payload: dict[str, Any], field: str, code: str
) -> None:
    """400 with the field at fault, and no plan is stored (on a day within the horizon unless the case
    names its own)."""
    _vehicle(day["HUB"])
    payload = {"date": next_monday().isoformat(), **payload}
    response = client_as(Role.COUNTY_MANAGER).post(reverse("api:round-plan"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert RoundPlan.objects.count() == 0


# --- the planning horizon ------------------------------------------------------------------------

#: Monday 23 November 07:30 in Shanghai is still Sunday 22 November in UTC: the horizon is local.
TODAY = MONDAY


def _request(planned_on: datetime.date) -> RoundPlan:
    return round_plan_request(outlet_code="HUB", planned_on=planned_on, seconds=1, now=MONDAY_0730)


@pytest.mark.parametrize(
    ("planned_on", "accepted"),
    [
        (TODAY - datetime.timedelta(days=1), True),
        (TODAY - datetime.timedelta(days=2), False),
        (TODAY, True),
        (TODAY + datetime.timedelta(days=7), True),
        (TODAY + datetime.timedelta(days=8), False),
    ],
)
def test_rounds_are_planned_from_yesterday_to_seven_days_ahead(
    day: dict[str, Any], planned_on: datetime.date, accepted: bool
) -> None:
    """From yesterday to today + 7 (local dates) a plan is queued; the day before yesterday and today + 8
    are ``planned_on_out_of_horizon`` on ``date`` (the API's field), naming the range, and nothing is
    stored."""
    _vehicle(day["HUB"])
    if accepted:
        plan = _request(planned_on)
        assert (plan.planned_on, plan.status) == (planned_on, RoundPlanStatus.QUEUED)
        return
    with pytest.raises(ValidationFailed) as refused:
        _request(planned_on)
    assert (refused.value.code, refused.value.field) == ("planned_on_out_of_horizon", "date")
    assert refused.value.message == "只能规划 2026-11-22 至 2026-11-30（昨天到 7 天后）的投递班次"
    assert not RoundPlan.objects.exists()


def test_the_horizon_setting_moves_the_last_day(day: dict[str, Any], settings: Any) -> None:
    """``SILIU_ROUND_PLAN_HORIZON_DAYS`` = 2: today + 2 is planned, today + 3 refused, the message says so;
    at 14, today + 14 is planned. Yesterday stays the first day."""
    _vehicle(day["HUB"])
    settings.SILIU_ROUND_PLAN_HORIZON_DAYS = 2
    assert _request(TODAY + datetime.timedelta(days=2)).planned_on == datetime.date(2026, 11, 25)
    with pytest.raises(ValidationFailed) as refused:
        _request(TODAY + datetime.timedelta(days=3))
    assert refused.value.message == "只能规划 2026-11-22 至 2026-11-25（昨天到 2 天后）的投递班次"
    with pytest.raises(ValidationFailed):
        _request(TODAY - datetime.timedelta(days=2))
    settings.SILIU_ROUND_PLAN_HORIZON_DAYS = 14
    assert _request(TODAY + datetime.timedelta(days=14)).planned_on == datetime.date(2026, 12, 7)
    assert RoundPlan.objects.count() == 2


@pytest.mark.parametrize(("value", "days"), [(None, 7), ("0", 0), ("14", 14)])
def test_the_horizon_is_read_from_the_environment(monkeypatch: Any, value: str | None, days: int) -> None:
    """``SILIU_ROUND_PLAN_HORIZON_DAYS`` is a whole number of days, 7 when unset."""
    if value is None:
        monkeypatch.delenv("SILIU_ROUND_PLAN_HORIZON_DAYS", raising=False)
    else:
        monkeypatch.setenv("SILIU_ROUND_PLAN_HORIZON_DAYS", value)
    assert project_settings._horizon_days("SILIU_ROUND_PLAN_HORIZON_DAYS", "7") == days


@pytest.mark.parametrize("value", ["-1", "seven", "1.5"])
def test_a_bad_horizon_setting_is_refused_at_start_up(monkeypatch: Any, value: str) -> None:
    """A negative or non-whole number of days stops the start with ``ImproperlyConfigured``."""
    monkeypatch.setenv("SILIU_ROUND_PLAN_HORIZON_DAYS", value)
    with pytest.raises(ImproperlyConfigured):
        project_settings._horizon_days("SILIU_ROUND_PLAN_HORIZON_DAYS", "7")


@pytest.mark.parametrize("days", [-2, 8])
def test_api_refuses_a_day_outside_the_horizon(
    day: dict[str, Any], client_as: Callable[..., APIClient], days: int
) -> None:
    """400 ``planned_on_out_of_horizon`` naming the field the client sent (``date``) and the range; no
    plan is stored."""
    _vehicle(day["HUB"])
    today = timezone.localdate()
    planned_on = today + datetime.timedelta(days=days)
    response = client_as(Role.COUNTY_MANAGER).post(
        reverse("api:round-plan"), {"outlet": "HUB", "date": planned_on.isoformat()}, format="json"
    )
    message = (
        f"只能规划 {today - datetime.timedelta(days=1)} 至 {today + datetime.timedelta(days=7)}"
        "（昨天到 7 天后）的投递班次"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "planned_on_out_of_horizon",
        "message": message,
        "errors": {"date": [message]},
    }
    assert not RoundPlan.objects.exists()


def test_api_unknown_plan_is_404(client_as: Callable[..., APIClient], db: None) -> None:
    """Reading a plan that does not exist is a 404 with the error shape."""
    response = client_as(Role.COURIER).get(reverse("api:round-detail", args=[999]))
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_round_plan"


def test_api_consumers_and_strangers_may_not_plan(
    day: dict[str, Any], client_as: Callable[..., APIClient], api_client: APIClient
) -> None:
    """A consumer gets 403 for planning and reading; an anonymous caller is refused too."""
    _vehicle(day["HUB"])
    payload = {"outlet": "HUB", "date": next_monday().isoformat()}
    assert api_client.post(reverse("api:round-plan"), payload, format="json").status_code in (401, 403)
    consumer = client_as(Role.CONSUMER)
    assert consumer.post(reverse("api:round-plan"), payload, format="json").status_code == 403
    assert consumer.get(reverse("api:round-detail", args=[1])).status_code == 403
    assert RoundPlan.objects.count() == 0


def test_a_plan_that_fails_in_the_background_says_why(
    day: dict[str, Any],
    client_as: Callable[..., APIClient],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A van taken off the road between the request and the run: the plan fails with the reason."""
    vehicle = _vehicle(day["HUB"])
    client = client_as(Role.COUNTY_MANAGER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("api:round-plan"), {"outlet": "HUB", "date": next_monday().isoformat()}, format="json"
        )
    Vehicle.objects.filter(pk=vehicle.pk).update(is_active=False)
    for callback in callbacks:
        callback()
    body = client.get(reverse("api:round-detail", args=[response.json()["id"]])).json()
    assert body["status"] == "failed"
    assert body["error"] == "示范县寄递中心（HUB）没有在用的投递车辆"


# --- scans and route sheets ------------------------------------------------------------------------


@pytest.fixture
def done_plan(day: dict[str, Any]) -> RoundPlan:
    _vehicle(day["HUB"], "A", capacity_g=5000)
    _vehicle(day["HUB"], "B", capacity_g=5000)
    result = round_plan_compute(outlet=day["HUB"], planned_on=MONDAY, seconds=1)
    return RoundPlan.objects.create(
        outlet=day["HUB"],
        planned_on=MONDAY,
        seconds=1,
        status=RoundPlanStatus.DONE,
        progress=100,
        result=result,
        created_at=MONDAY_0730,
    )


def test_the_next_plan_starts_from_the_last_one_of_the_outlet(
    day: dict[str, Any], done_plan: RoundPlan
) -> None:
    """The last finished plan seeds the search: each van keeps its stations in order; a van no longer
    active and a station not in today's problem are dropped; the plan says where it started from."""
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    vehicle_index = {vehicle.pk: index for index, vehicle in enumerate(built.vehicles)}
    stop_index = {stop.name: index for index, stop in enumerate(built.problem.stops)}
    expected = sorted(
        (vehicle_index[route["vehicle"]["id"]], [[stop_index[stop["code"]] for stop in route["stops"]]])
        for route in done_plan.result["routes"]
    )
    routes, since = previous_routes(built=built)
    assert since == MONDAY
    assert sorted((route.vehicle_type, route.trips) for route in routes) == expected
    assert len(expected) == 2 and sorted(len(trips[0]) for _vehicle, trips in expected) == [1, 1]

    # A station that has nothing today (VS99) and a van taken off the road are left out.
    done_plan.result["routes"][0]["stops"].insert(
        0, {**done_plan.result["routes"][0]["stops"][0], "code": "VS99"}
    )
    done_plan.save(update_fields=["result"])
    gone = done_plan.result["routes"][1]["vehicle"]["id"]
    Vehicle.objects.filter(pk=gone).update(is_active=False)
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    routes, since = previous_routes(built=built)
    kept = done_plan.result["routes"][0]
    assert [(route.vehicle_type, route.trips) for route in routes] == [
        (
            [vehicle.pk for vehicle in built.vehicles].index(kept["vehicle"]["id"]),
            [[[stop.name for stop in built.problem.stops].index(kept["stops"][1]["code"])]],
        )
    ]

    result = round_plan_compute(outlet=day["HUB"], planned_on=MONDAY, seconds=1, workers=1)
    assert result["search"] == {"workers": 1, "seconds": 1, "warm_start_from": MONDAY.isoformat()}


def test_the_warm_start_can_be_switched_off(day: dict[str, Any], done_plan: RoundPlan, settings: Any) -> None:
    settings.SILIU_ROUND_WARM_START = False
    result = round_plan_compute(outlet=day["HUB"], planned_on=MONDAY, seconds=1, workers=1)
    assert result["search"] == {"workers": 1, "seconds": 1, "warm_start_from": None}


def test_a_first_plan_starts_from_scratch(day: dict[str, Any]) -> None:
    _vehicle(day["HUB"], "A", capacity_g=5000)
    _vehicle(day["HUB"], "B", capacity_g=5000)
    built = round_problem_build(outlet=day["HUB"], planned_on=MONDAY)
    assert previous_routes(built=built) == ([], None)
    result = round_plan_compute(outlet=day["HUB"], planned_on=MONDAY, seconds=1, workers=2)
    assert result["search"] == {"workers": 2, "seconds": 1, "warm_start_from": None}
    assert sorted(stop["code"] for route in result["routes"] for stop in route["stops"]) == ["VS11", "VS21"]


def _route_to(plan: RoundPlan, code: str) -> int:
    return next(
        index for index, route in enumerate(plan.result["routes"]) if route["stops"][0]["code"] == code
    )


def test_departure_and_stop_scans_move_the_parcels(day: dict[str, Any], done_plan: RoundPlan) -> None:
    """Departing scans the parcels on board out of the hub; arriving scans them in at the station."""
    route = _route_to(done_plan, "VS11")
    leaving = MONDAY_0730 + datetime.timedelta(hours=2)
    summary = round_depart(plan=done_plan, route_index=route, now=leaving)
    assert (summary.created, summary.duplicates, summary.refused) == (2, 0, [])
    for parcel in day["to_vs11"]:
        assert list(ParcelEvent.objects.filter(parcel=parcel).values_list("code", flat=True))[-1] == "EDE"
    assert Parcel.objects.get(pk=day["to_vs21"].pk).status == ParcelStatus.IN_TRANSIT
    Parcel.objects.filter(pk=day["to_vs11"][1].pk).update(is_home_delivery=True)
    summary = round_stop_arrive(
        plan=done_plan, route_index=route, stop_index=0, now=leaving + datetime.timedelta(minutes=40)
    )
    assert summary.created == 2
    statuses = {parcel.pk: Parcel.objects.get(pk=parcel.pk) for parcel in day["to_vs11"]}
    assert statuses[day["to_vs11"][0].pk].status == ParcelStatus.AWAITING_PICKUP
    assert statuses[day["to_vs11"][1].pk].status == ParcelStatus.AT_DELIVERY_OFFICE
    assert all(parcel.last_outlet_id == day["VS11"].pk for parcel in statuses.values())
    done_plan.refresh_from_db()
    assert done_plan.result["routes"][route]["departed_at"] is not None
    assert done_plan.result["routes"][route]["stops"][0]["arrived_at"] is not None


def test_pressing_depart_twice_records_each_scan_once(day: dict[str, Any], done_plan: RoundPlan) -> None:
    """The event ids are fixed per plan and parcel, so a second press changes nothing."""
    route = _route_to(done_plan, "VS21")
    round_depart(plan=done_plan, route_index=route, now=LEAVING)
    count = ParcelEvent.objects.count()
    summary = round_depart(plan=done_plan, route_index=route, now=LEAVING)
    assert (summary.created, summary.duplicates) == (0, 1)
    assert ParcelEvent.objects.count() == count


def test_scans_need_a_finished_plan_and_a_real_route(day: dict[str, Any], done_plan: RoundPlan) -> None:
    """A running plan has nothing to scan; a route or stop number outside the plan is not found."""
    from siliu.core.errors import Conflict, NotFound

    with pytest.raises(NotFound):
        round_depart(plan=done_plan, route_index=5)
    with pytest.raises(NotFound):
        round_stop_arrive(plan=done_plan, route_index=0, stop_index=9)
    RoundPlan.objects.filter(pk=done_plan.pk).update(status=RoundPlanStatus.RUNNING)
    with pytest.raises(Conflict):
        round_depart(plan=done_plan, route_index=0)
    assert not ParcelEvent.objects.filter(event_id__startswith=f"round{done_plan.pk}:").exists()


#: When the van of :func:`done_plan` leaves (its plan is for MONDAY).
LEAVING = MONDAY_0730 + datetime.timedelta(hours=2)


def _round_state(plan: RoundPlan) -> tuple[int, list[Any]]:
    plan.refresh_from_db()
    marks = [
        (route["departed_at"], [stop["arrived_at"] for stop in route["stops"]])
        for route in plan.result["routes"]
    ]
    return ParcelEvent.objects.count(), marks


@pytest.mark.parametrize("when", [LEAVING - datetime.timedelta(days=1), LEAVING + datetime.timedelta(days=1)])
def test_a_round_is_refused_on_another_day_than_its_plan(
    day: dict[str, Any], done_plan: RoundPlan, when: datetime.datetime
) -> None:
    """Departing or arriving the day before or after the plan's day is ``round_not_today``; nothing is
    written."""
    from siliu.core.errors import Conflict

    route = _route_to(done_plan, "VS11")
    before = _round_state(done_plan)
    with pytest.raises(Conflict) as refused:
        round_depart(plan=done_plan, route_index=route, now=when)
    assert refused.value.code == "round_not_today"
    round_depart(plan=done_plan, route_index=route, now=LEAVING)
    after_depart = _round_state(done_plan)
    with pytest.raises(Conflict) as refused:
        round_stop_arrive(plan=done_plan, route_index=route, stop_index=0, now=when)
    assert refused.value.code == "round_not_today"
    assert _round_state(done_plan) == after_depart != before


def test_stops_are_reached_after_departure_and_in_order(day: dict[str, Any], done_plan: RoundPlan) -> None:
    """Arriving before the van left is ``round_not_departed``; at stop 2 before stop 1,
    ``round_stop_out_of_order`` naming stop 1; nothing is written; in order, both are recorded."""
    from siliu.core.errors import Conflict

    # The plan has two routes of one stop each: put both stops on the first van's route.
    routes = done_plan.result["routes"]
    routes[0]["stops"] += routes.pop(1)["stops"]
    done_plan.save(update_fields=["result"])
    route_index = 0
    before = _round_state(done_plan)
    with pytest.raises(Conflict) as refused:
        round_stop_arrive(plan=done_plan, route_index=route_index, stop_index=0, now=LEAVING)
    assert refused.value.code == "round_not_departed"
    assert _round_state(done_plan) == before
    round_depart(plan=done_plan, route_index=route_index, now=LEAVING)
    departed = _round_state(done_plan)
    with pytest.raises(Conflict) as refused:
        round_stop_arrive(plan=done_plan, route_index=route_index, stop_index=1, now=LEAVING)
    assert refused.value.code == "round_stop_out_of_order"
    assert "第 1 站" in refused.value.message
    assert _round_state(done_plan) == departed
    round_stop_arrive(plan=done_plan, route_index=route_index, stop_index=0, now=LEAVING)
    round_stop_arrive(plan=done_plan, route_index=route_index, stop_index=1, now=LEAVING)
    _count, marks = _round_state(done_plan)
    assert all(marks[route_index][1])


def test_route_sheets_pdf_has_one_page_per_vehicle(done_plan: RoundPlan) -> None:
    """The PDF starts with %PDF and has a page per route; one route alone is one page."""
    pdf = route_sheets_pdf(plan=done_plan)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == len(done_plan.result["routes"]) == 2
    single = route_sheets_pdf(plan=done_plan, route_index=1)
    assert len(re.findall(rb"/Type /Page\b(?!s)", single)) == 1


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def manager_client(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user(Role.COUNTY_MANAGER))
    return client


def test_page_starts_a_plan_and_shows_routes_and_scans(
    day: dict[str, Any],
    manager_client: Client,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The form starts a plan; its page lists each vehicle's stops with depart and arrive buttons."""
    _vehicle(day["HUB"], "A", capacity_g=5000)
    _vehicle(day["HUB"], "B", capacity_g=5000)
    assert manager_client.get(reverse("logistics:rounds")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("logistics:rounds"), {"outlet": "HUB", "planned_on": next_monday(), "seconds": 1}
        )
    plan = RoundPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "logistics:round-plan", args=[plan.pk]
    )
    page = manager_client.get(response["Location"]).content.decode()
    assert page.count('data-testid="round-route"') == 2
    assert page.count('data-testid="round-stop"') == 2
    assert "当天不营业" in page and "rounds_map.js" in page
    workers = RoundPlan.objects.get().result["search"]["workers"]
    assert workers >= 1
    assert f"计算 1 秒，{workers} 路并行搜索，从零起算。" in page
    fragment = manager_client.get(
        reverse("logistics:round-plan-status", args=[plan.pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment["HX-Refresh"] == "true"
    RoundPlan.objects.filter(pk=plan.pk).update(planned_on=timezone.localdate())
    response = manager_client.post(reverse("logistics:round-depart", args=[plan.pk, 1]))
    assert response.status_code == 302
    assert ParcelEvent.objects.filter(event_id__startswith=f"round{plan.pk}:").exists()
    sheets = manager_client.get(reverse("logistics:round-sheets", args=[plan.pk]) + "?route=2")
    assert sheets["Content-Type"] == "application/pdf"


def test_page_form_errors_and_consumers(
    day: dict[str, Any], manager_client: Client, make_user: Callable[..., Any]
) -> None:
    """An office with no vans is explained on the form; a consumer may not open the page."""
    response = manager_client.post(
        reverse("logistics:rounds"), {"outlet": "TS1", "planned_on": next_monday(), "seconds": 1}
    )
    assert response.status_code == 400
    assert "没有在用的投递车辆" in response.content.decode()
    consumer = Client()
    consumer.force_login(make_user(Role.CONSUMER))
    assert consumer.get(reverse("logistics:rounds")).status_code == 403


def test_page_form_explains_a_day_outside_the_horizon(day: dict[str, Any], manager_client: Client) -> None:
    """A day eight days ahead is refused on the form, under the date, with the range; nothing is stored."""
    _vehicle(day["HUB"])
    today = timezone.localdate()
    response = manager_client.post(
        reverse("logistics:rounds"),
        {"outlet": "HUB", "planned_on": today + datetime.timedelta(days=8), "seconds": 1},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["planned_on"] == [
        f"只能规划 {today - datetime.timedelta(days=1)} 至 {today + datetime.timedelta(days=7)}"
        "（昨天到 7 天后）的投递班次"
    ]
    assert 'data-testid="round-plan-error">只能规划 ' in response.content.decode()
    assert not RoundPlan.objects.exists()


def test_status_fragment_polls_while_running(day: dict[str, Any], manager_client: Client) -> None:
    """A running plan's fragment keeps polling every second and shows its progress."""
    plan = RoundPlan.objects.create(
        outlet=day["HUB"],
        planned_on=MONDAY,
        seconds=5,
        status=RoundPlanStatus.RUNNING,
        progress=40,
        created_at=MONDAY_0730,
    )
    fragment = manager_client.get(
        reverse("logistics:round-plan-status", args=[plan.pk]), HTTP_HX_REQUEST="true"
    )
    text = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in text and "40%" in text
    assert "HX-Refresh" not in fragment


def test_an_operator_reads_and_scans_only_the_rounds_of_their_own_outlet(
    done_plan: RoundPlan, make_user: Callable[..., User], client_as: Callable[..., APIClient]
) -> None:
    """``round.read`` and ``round.scan`` hold at the operator's own outlet: another station's operator
    gets a 404 for the plan (not told apart from none), is refused the depart scan (``not_your_round``)
    with nothing recorded, and lists no plan; the hub's own operator reads it and scans the van out."""
    stranger = make_user(Role.STATION_OPERATOR, username="elsewhere")
    with pytest.raises(PermissionRefused) as refused:
        round_depart(plan=done_plan, route_index=0, actor=stranger)
    assert refused.value.code == "not_your_round"
    assert not ParcelEvent.objects.filter(event_id__startswith=f"round{done_plan.pk}:").exists()
    url = reverse("api:round-detail", args=[done_plan.pk])
    client = client_as(Role.STATION_OPERATOR, username="elsewhere-client")
    client.force_authenticate(stranger)
    assert client.get(url).status_code == 404
    assert list(round_plans_visible(actor=stranger)) == []
    own = make_user(Role.STATION_OPERATOR, username="hub-operator")
    Outlet.objects.filter(pk=done_plan.outlet_id).update(operator=own)
    done_plan.refresh_from_db()
    client.force_authenticate(own)
    assert client.get(url).status_code == 200
    assert list(round_plans_visible(actor=own)) == [done_plan]
    assert round_depart(plan=done_plan, route_index=0, actor=own, now=LEAVING).created > 0
