"""The demo county generator and the ``siliu demo`` command."""

import datetime
import hashlib
import itertools
import random
from collections import deque
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from siliu.core.roles import Role
from siliu.demo.generator import (
    CONSUMER_WALLET_TOP_UP_FEN,
    DEMO_PASSWORD,
    HUB_CODE,
    MAX_VILLAGE_COUNT,
    DemoCountySummary,
    Point,
    _great_circle_km,
    _village_names,
    demo_county_generate,
)
from siliu.finance import chart
from siliu.finance.models import Transfer
from siliu.finance.selectors import wallet_get
from siliu.logistics.models import TrunkRoute, Vehicle
from siliu.network.models import (
    CountyPost,
    OpeningHours,
    Outlet,
    OutletKind,
    OutletLink,
    Region,
    RegionLevel,
    parse_departure_times,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_settings(settings: Any) -> None:
    """DEBUG on, as in development (pytest-django turns it off)."""
    settings.DEBUG = True


def _run(*args: str, **options: object) -> str:
    """The demo command without the commerce history (its own tests cover it; it takes a minute)."""
    out = StringIO()
    call_command("demo", *args, "--orders", "0", stdout=out, **options)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "outlets": Outlet.objects.count(),
        "links": OutletLink.objects.count(),
        "hours": OpeningHours.objects.count(),
        "users": User.objects.count(),
        "memberships": User.groups.through.objects.count(),
    }


def _snapshot() -> str:
    """A digest of everything the generator writes, by codes and usernames (never by database ids)."""
    rows: list[object] = [
        list(Region.objects.order_by("code").values_list("code", "name", "level", "parent__code")),
        list(
            Outlet.objects.order_by("code").values_list(
                "code",
                "name",
                "kind",
                "region__code",
                "parent_outlet__code",
                "latitude",
                "longitude",
                "address",
                "phone",
                "operator__username",
                "has_cash_counter",
                "offers_agency_services",
                "has_sign_language_service",
                "offers_home_pickup",
            )
        ),
        list(
            OpeningHours.objects.order_by("outlet__code", "weekday", "opens_at").values_list(
                "outlet__code", "weekday", "opens_at", "closes_at"
            )
        ),
        list(
            OutletLink.objects.order_by("from_outlet__code", "to_outlet__code").values_list(
                "from_outlet__code", "to_outlet__code", "distance_km", "transit_minutes", "departure_times"
            )
        ),
        list(
            User.objects.order_by("username", "groups__name").values_list(
                "username",
                "last_name",
                "first_name",
                "password",
                "is_staff",
                "is_superuser",
                "date_joined",
                "groups__name",
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _delete_everything_generated() -> None:
    """Delete the demo county leaf first (outlets and regions protect their parents)."""
    OutletLink.objects.all().delete()
    TrunkRoute.objects.all().delete()
    Vehicle.objects.all().delete()
    CountyPost.objects.all().delete()
    for kind in (OutletKind.VILLAGE_STATION, OutletKind.TOWNSHIP_OFFICE, OutletKind.COUNTY_HUB):
        Outlet.objects.filter(kind=kind).delete()
    for level in (RegionLevel.VILLAGE, RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.PROVINCE):
        Region.objects.filter(level=level).delete()
    User.objects.all().delete()
    assert set(_counts().values()) == {0}


def _reachable(start: Outlet, *, upward: bool) -> set[str]:
    """Codes of the outlets from which ``start`` is reached (``upward``) or that it reaches by road."""
    edges: dict[str, list[str]] = {}
    for from_code, to_code in OutletLink.objects.values_list("from_outlet__code", "to_outlet__code"):
        if upward:
            edges.setdefault(to_code, []).append(from_code)
        else:
            edges.setdefault(from_code, []).append(to_code)
    seen = {start.code}
    queue = deque([start.code])
    while queue:
        for neighbour in edges.get(queue.popleft(), []):
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def test_default_run_builds_the_county_with_one_station_per_village() -> None:
    """Seed 2026, 160 villages: hub, 8–12 offices, 160 stations near their office, all linked to the hub."""
    summary = demo_county_generate()

    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    offices = Outlet.objects.filter(kind=OutletKind.TOWNSHIP_OFFICE)
    stations = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION)
    assert hub.code == HUB_CODE == "HUB610199"
    assert hub.region.code == "610199"
    assert hub.region.name == "示范县"
    assert hub.region.parent is not None
    assert (hub.region.parent.code, hub.region.parent.name) == ("610000", "陕西省")
    assert 8 <= offices.count() <= 12
    assert stations.count() == 160
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 160
    assert summary == DemoCountySummary(
        seed=2026,
        region_count=2 + offices.count() + 160,
        township_count=offices.count(),
        village_count=160,
        outlet_count=1 + offices.count() + 160,
        station_count=160,
        link_count=OutletLink.objects.count(),
        user_count=1 + 8 + 159 + 300 + 120,
        consumer_count=300,
        seller_count=120,
        operator_count=160,
    )
    assert all(office.parent_outlet_id == hub.pk for office in offices)
    assert all(office.code == f"TS{office.region.code}" for office in offices)
    for station in stations.select_related("region", "parent_outlet__region"):
        assert station.parent_outlet is not None
        assert station.parent_outlet.kind == OutletKind.TOWNSHIP_OFFICE
        assert station.region.parent_id == station.parent_outlet.region_id
        assert station.code == f"VS{station.region.code}"
        assert len(station.region.code) == 12
        assert 1.99 < _great_circle_km(_point(station), _point(station.parent_outlet)) < 8.01
    for office in offices:
        assert 7.99 < _great_circle_km(_point(office), _point(hub)) < 20.01
    assert all(_great_circle_km(_point(outlet), _point(hub)) < 45 for outlet in Outlet.objects.all())

    # Every outlet can send to the hub and receive from it by road: one road per village (its
    # branch of the tree), one per township to the hub, and the ring roads, each in both directions.
    every_code = set(Outlet.objects.values_list("code", flat=True))
    assert _reachable(hub, upward=True) == every_code
    assert _reachable(hub, upward=False) == every_code
    ring_road_count = OutletLink.objects.filter(
        from_outlet__kind=OutletKind.TOWNSHIP_OFFICE, to_outlet__kind=OutletKind.TOWNSHIP_OFFICE
    ).count()
    assert ring_road_count >= 2 * 3
    assert OutletLink.objects.count() == 2 * (160 + offices.count()) + ring_road_count

    names = list(Region.objects.filter(level=RegionLevel.VILLAGE).values_list("name", flat=True))
    assert len(set(names)) == 160
    assert all(name.endswith("村") for name in names)
    assert User.objects.filter(username__regex=r"^c[0-9]{4}$").count() == 300
    assert User.objects.filter(username__regex=r"^s[0-9]{4}$").count() == 120


def test_default_run_sets_service_flags_and_opening_hours() -> None:
    """Hub and offices have counters and agency services; the remotest fifth of stations pick up."""
    demo_county_generate(village_count=60, consumer_count=0, seller_count=0)

    for outlet in Outlet.objects.exclude(kind=OutletKind.VILLAGE_STATION):
        assert outlet.has_cash_counter
        assert outlet.offers_agency_services
    stations = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION)
    assert stations.filter(offers_home_pickup=True).count() == 12
    assert 0.4 < stations.filter(has_cash_counter=True).count() / 60 < 0.8
    assert 0.2 < stations.filter(offers_agency_services=True).count() / 60 < 0.6
    assert 0 < stations.filter(has_sign_language_service=True).count() / 60 < 0.25
    links = {
        (link.from_outlet.code, link.to_outlet.code): link
        for link in OutletLink.objects.select_related("from_outlet", "to_outlet")
    }
    road_km = {}
    for station in stations.select_related("parent_outlet"):
        assert station.parent_outlet is not None
        path = _tree_path_to_office(station, office_code=station.parent_outlet.code, links=links)
        road_km[station.code] = sum(links[pair].distance_km for pair in itertools.pairwise(path))
    pickup = set(stations.filter(offers_home_pickup=True).values_list("code", flat=True))
    assert min(road_km[code] for code in pickup) >= max(road_km[code] for code in road_km.keys() - pickup)

    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    assert list(hub.opening_hours.values_list("weekday", "opens_at", "closes_at")) == [
        (day, datetime.time(8), datetime.time(18)) for day in range(7)
    ]
    for office in Outlet.objects.filter(kind=OutletKind.TOWNSHIP_OFFICE):
        assert list(office.opening_hours.values_list("weekday", "opens_at", "closes_at")) == [
            (day, datetime.time(8, 30), datetime.time(17, 30)) for day in range(6)
        ]
    for station in stations.prefetch_related("opening_hours"):
        periods = list(station.opening_hours.all())
        assert len(periods) in (13, 14)
        assert {period.weekday for period in periods} == set(range(7))
        assert all(datetime.time(7, 30) <= period.opens_at < datetime.time(15) for period in periods)


def test_parcel_posted_at_any_station_in_the_afternoon_reaches_the_hub_the_same_day() -> None:
    """Following the afternoon collection up the road tree always catches the 17:00 van to the hub."""
    demo_county_generate(village_count=60, consumer_count=0, seller_count=0)

    links = {
        (link.from_outlet.code, link.to_outlet.code): link
        for link in OutletLink.objects.select_related("from_outlet", "to_outlet")
    }
    for station in Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).select_related("parent_outlet"):
        assert station.parent_outlet is not None
        path = _tree_path_to_office(station, office_code=station.parent_outlet.code, links=links)
        clock = datetime.datetime(2026, 3, 2, 12, 0)  # noqa: DTZ001 — a wall-clock walk, no zone needed
        for origin, destination in [*itertools.pairwise(path), (path[-1], HUB_CODE)]:
            link = links[(origin, destination)]
            departure = next(time for time in link.departures() if time >= clock.time())
            clock = clock.replace(hour=departure.hour, minute=departure.minute)
            clock += datetime.timedelta(minutes=link.transit_minutes)
        assert clock.date() == datetime.date(2026, 3, 2)
        assert links[(path[-1], HUB_CODE)].departures()[-1] == datetime.time(17)


@pytest.mark.parametrize("village_count", [60, 200])
def test_each_branch_van_is_in_one_place_at_a_time_and_back_in_time(village_count: int) -> None:
    """The village roads' timetables are, per branch and round, one van's continuous tour.

    Grouping every departure on a village road by the branch it lies on (the station next to the
    office on its way there) and by round, the traversals taken in time order start at the office,
    each leaves from where the last arrived and no sooner than it arrived, cover each road once
    each way, and end at the office by 10:40 or 16:40; the afternoon tour starts after the morning
    one ended.
    """
    demo_county_generate(village_count=village_count, consumer_count=0, seller_count=0)

    links = {
        (link.from_outlet.code, link.to_outlet.code): link
        for link in OutletLink.objects.select_related("from_outlet", "to_outlet")
    }
    branch_of: dict[str, str] = {}
    office_of: dict[str, str] = {}
    for station in Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).select_related("parent_outlet"):
        assert station.parent_outlet is not None
        path = _tree_path_to_office(station, office_code=station.parent_outlet.code, links=links)
        branch_of[station.code] = path[-2]
        office_of[station.code] = station.parent_outlet.code
    day = datetime.date(2026, 3, 2)
    tours: dict[tuple[str, int], list[tuple[datetime.datetime, datetime.datetime, str, str]]] = {}
    for (from_code, to_code), link in links.items():
        code = from_code if from_code in branch_of else to_code
        if code not in branch_of or (from_code not in branch_of and from_code != office_of[code]):
            continue
        if to_code not in branch_of and to_code != office_of[code]:
            continue
        for round_index, departure in enumerate(link.departures()):
            leaves = datetime.datetime.combine(day, departure)
            arrives = leaves + datetime.timedelta(minutes=link.transit_minutes)
            leg = (leaves, arrives, from_code, to_code)
            tours.setdefault((branch_of[code], round_index), []).append(leg)
    branches = set(branch_of.values())
    assert set(tours) == {(branch, round_index) for branch in branches for round_index in (0, 1)}
    road_count = {branch: 2 * list(branch_of.values()).count(branch) for branch in branches}
    morning_end: dict[str, datetime.datetime] = {}
    for (branch, round_index), legs in sorted(tours.items(), key=lambda item: (item[0][0], item[0][1])):
        legs.sort()
        office = office_of[branch]
        assert legs[0][2] == office
        assert legs[-1][3] == office
        assert len(legs) == road_count[branch]
        for (_, arrives, _, at), (leaves, _, from_code, _) in itertools.pairwise(legs):
            assert from_code == at
            assert leaves >= arrives
        back_by = datetime.datetime.combine(day, datetime.time(*((10, 40) if round_index == 0 else (16, 40))))
        assert legs[-1][1] <= back_by
        if round_index == 0:
            morning_end[branch] = legs[-1][1]
        else:
            assert legs[0][0] >= morning_end[branch]


def test_roads_have_distances_from_coordinates_and_ascending_departures() -> None:
    """Each road's length is 1.3 × the straight line and both directions share it."""
    demo_county_generate(village_count=30, consumer_count=0, seller_count=0)

    for link in OutletLink.objects.select_related("from_outlet", "to_outlet"):
        straight = _great_circle_km(_point(link.from_outlet), _point(link.to_outlet))
        assert abs(float(link.distance_km) - max(straight * 1.3, 0.1)) < 0.01
        back = OutletLink.objects.get(from_outlet=link.to_outlet, to_outlet=link.from_outlet)
        assert (back.distance_km, back.transit_minutes) == (link.distance_km, link.transit_minutes)
        assert len(parse_departure_times(link.departure_times)) == 2


def _login(username: str, password: str) -> Any:
    """``authenticate`` as the login page calls it: with the request (django-axes needs its address)."""
    return authenticate(request=RequestFactory().post("/login/"), username=username, password=password)


def test_demo_logins_exist_with_their_groups_and_the_demo_password() -> None:
    """One login per role plus admin, each in its group and accepting ``siliu-demo``."""
    demo_county_generate(village_count=10, consumer_count=3, seller_count=2)

    for role in Role:
        user = _login(role.value, DEMO_PASSWORD)
        assert user is not None
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert user.is_staff == (role in (Role.COUNTY_MANAGER, Role.AUDITOR))
        assert not user.is_superuser
    admin = _login("admin", DEMO_PASSWORD)
    assert admin is not None
    assert admin.is_superuser
    assert admin.is_staff
    assert _login("admin", "wrong") is None


def test_every_station_has_its_own_operator_and_the_demo_operator_runs_the_first() -> None:
    """``station_operator`` runs the first station; the others are run by ``op_<village code>``."""
    demo_county_generate(village_count=10, consumer_count=0, seller_count=0)

    stations = list(
        Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).select_related("operator", "region")
    )
    first, *others = stations
    assert first.operator is not None
    assert first.operator.username == "station_operator"
    for station in others:
        assert station.operator is not None
        assert station.operator.username == f"op_{station.region.code}"
    operators = Group.objects.get(name=Role.STATION_OPERATOR).user_set
    assert operators.count() == 10


def test_consumers_and_sellers_are_numbered_with_chinese_names_and_their_roles() -> None:
    """300 consumers c0001… and 120 sellers s0001… by default, in their groups."""
    demo_county_generate(village_count=5)

    consumers = User.objects.filter(username__regex=r"^c[0-9]{4}$")
    sellers = User.objects.filter(username__regex=r"^s[0-9]{4}$")
    assert consumers.count() == 300
    assert sellers.count() == 120
    assert consumers.order_by("username").first().username == "c0001"  # type: ignore[union-attr]
    assert sellers.order_by("username").last().username == "s0120"  # type: ignore[union-attr]
    assert Group.objects.get(name=Role.CONSUMER).user_set.count() == 301
    assert Group.objects.get(name=Role.SELLER).user_set.count() == 121
    assert all(user.last_name and user.first_name for user in consumers)
    assert not consumers.filter(is_staff=True).exists()


def test_same_seed_gives_the_same_county_and_another_seed_another() -> None:
    """Seed 7 twice gives identical data (codes, names, coordinates, roads, users); seed 8 differs."""
    demo_county_generate(seed=7, village_count=30, consumer_count=5, seller_count=5)
    first = _snapshot()
    _delete_everything_generated()

    demo_county_generate(seed=7, village_count=30, consumer_count=5, seller_count=5)
    assert _snapshot() == first
    _delete_everything_generated()

    demo_county_generate(seed=8, village_count=30, consumer_count=5, seller_count=5)
    assert _snapshot() != first


def test_generation_does_not_touch_global_random_state() -> None:
    """The generator draws only from its own ``Random(seed)``."""
    random.seed(1)
    expected = random.random()
    random.seed(1)
    demo_county_generate(village_count=3, consumer_count=0, seller_count=0)
    assert random.random() == expected


def test_village_name_pool_covers_the_maximum_village_count() -> None:
    """Even the largest county gets distinct village names."""
    names = _village_names(rng=random.Random(0), count=MAX_VILLAGE_COUNT)
    assert len(set(names)) == MAX_VILLAGE_COUNT


def test_command_prints_progress_and_summary() -> None:
    """The command reports each stage, the counts and the demo logins with their password."""
    output = _run("--seed", "3", "--villages", "12")

    assert "行政区划" in output
    assert "网点" in output
    assert "道路" in output
    assert "村级服务站 12" in output
    assert "siliu-demo" in output
    assert (
        "admin, consumer, seller, station_operator, courier, county_manager, loan_officer, auditor" in output
    )
    assert Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).count() == 12


def test_second_run_without_if_empty_is_refused_and_changes_nothing() -> None:
    """A database with a network is never added to."""
    _run("--villages", "5")
    before = _counts()
    snapshot = _snapshot()

    with pytest.raises(CommandError, match="already has an outlet network"):
        _run("--villages", "5", "--seed", "9")

    assert _counts() == before
    assert _snapshot() == snapshot


def test_if_empty_with_data_does_nothing() -> None:
    """``--if-empty`` on a database with outlets says so and writes nothing."""
    _run("--villages", "5")
    before = _counts()

    output = _run("--if-empty", "--villages", "9")

    assert "已有网点数据" in output
    assert _counts() == before


def test_if_empty_on_an_empty_database_generates() -> None:
    """``--if-empty`` on an empty database generates as usual."""
    _run("--if-empty", "--villages", "4")
    assert Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).count() == 4


def test_debug_off_without_force_is_refused(settings: Any) -> None:
    """With DEBUG off the command refuses unless ``--force``, and writes nothing."""
    settings.DEBUG = False
    before = _counts()

    with pytest.raises(CommandError, match="--force"):
        _run("--villages", "3")

    assert _counts() == before
    _run("--villages", "3", "--force")
    assert Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).count() == 3


@pytest.mark.parametrize("villages", ["0", "-1", str(MAX_VILLAGE_COUNT + 1)])
def test_villages_out_of_range_is_refused(villages: str) -> None:
    """``--villages`` outside 1–2000 is a clear error and nothing is written."""
    before = _counts()
    with pytest.raises(CommandError, match="--villages"):
        _run("--villages", villages)
    assert _counts() == before


@pytest.mark.parametrize("arguments", [["--villages", "many"], ["--seed", "1.5"]])
def test_non_integer_arguments_are_refused(arguments: list[str]) -> None:
    """Non-integers are refused by the argument parser, not by a traceback."""
    with pytest.raises(CommandError, match="invalid int value"):
        _run(*arguments)
    assert Outlet.objects.count() == 0


def test_negative_seed_is_refused() -> None:
    """A seed below 0 is a clear error and nothing is written."""
    before = _counts()
    with pytest.raises(CommandError, match="--seed"):
        _run("--seed", "-1", "--villages", "3")
    assert _counts() == before


def test_taken_demo_username_is_refused_and_changes_nothing() -> None:
    """An existing ``admin`` account makes the command refuse instead of failing halfway."""
    User.objects.create_user(username="admin", password="x")
    before = _counts()

    with pytest.raises(CommandError, match="admin"):
        _run("--villages", "3")

    assert _counts() == before


def _point(outlet: Outlet) -> Point:
    return Point(outlet.latitude, outlet.longitude)


def _tree_path_to_office(
    station: Outlet, *, office_code: str, links: dict[tuple[str, str], OutletLink]
) -> list[str]:
    """Codes from ``station`` to its township office along the village roads (shortest in hops)."""
    neighbours: dict[str, list[str]] = {}
    for from_code, to_code in links:
        if not to_code.startswith("HUB") and not (from_code.startswith("TS") and to_code.startswith("TS")):
            neighbours.setdefault(from_code, []).append(to_code)
    previous: dict[str, str | None] = {station.code: None}
    queue = deque([station.code])
    while queue:
        code = queue.popleft()
        if code == office_code:
            break
        for neighbour in neighbours.get(code, []):
            if neighbour not in previous:
                previous[neighbour] = code
                queue.append(neighbour)
    path = [office_code]
    while (step := previous[path[-1]]) is not None:
        path.append(step)
    return path[::-1]


def test_demo_consumer_login_has_money_to_buy() -> None:
    """``siliu demo`` ends by topping up the ``consumer`` login's wallet through the ledger, from capital."""
    _run("--seed", "3", "--villages", "6")

    consumer = User.objects.get(username=Role.CONSUMER.value)
    assert wallet_get(user=consumer).available_fen == CONSUMER_WALLET_TOP_UP_FEN == 200_000
    transfer = Transfer.objects.get(pk="demo:top-up:consumer")
    assert (transfer.debit_account.code, transfer.amount_fen) == (chart.CAPITAL, 200_000)
