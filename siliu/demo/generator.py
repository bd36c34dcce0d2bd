"""The deterministic demo county 示范县: regions, outlets, roads and logins, generated from a seed.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, and nothing depends on the
clock, on global random state or on set/dict hash order, so one seed always gives the same county:
the same names, codes, coordinates, roads, timetables, users and even password hashes. That lets a
bug report say "seed 2026, station VS610199003205" and be reproduced.

The county is planned first as plain data (:func:`_county_plan`) and then written through the
network services in one transaction (:func:`demo_county_generate`).
"""

import datetime
import math
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric

from siliu.core.errors import Conflict, ValidationFailed
from siliu.core.models import UserProfile
from siliu.core.people import user_profile_build
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.services import TransferRequest, system_account, transfers_book, wallet_open
from siliu.logistics.models import Vehicle, Zone
from siliu.logistics.pricing.services import trunk_route_set
from siliu.logistics.rounds.services import demo_vehicles_create, vehicle_driver_set
from siliu.network.models import Outlet, OutletKind, OutletLink, Region, RegionLevel
from siliu.network.services import (
    county_post_create,
    opening_hours_set,
    outlet_create,
    outlet_link_create,
    region_create,
)

DEFAULT_SEED = 2026
DEFAULT_VILLAGE_COUNT = 160
MAX_VILLAGE_COUNT = 2000
DEFAULT_CONSUMER_COUNT = 300
DEFAULT_SELLER_COUNT = 120

#: Every demo login has this password; it is printed by ``siliu demo`` and is not a secret.
DEMO_PASSWORD = "siliu-demo"
ADMIN_USERNAME = "admin"
#: The logins to show people: ``admin`` and one per role, named after the role.
DEMO_LOGINS = (ADMIN_USERNAME, *(role.value for role in Role))

PROVINCE_CODE, PROVINCE_NAME = "610000", "陕西省"
COUNTY_CODE, COUNTY_NAME = "610199", "示范县"
HUB_CODE = f"HUB{COUNTY_CODE}"
TOWNSHIP_OFFICE_PREFIX = "TS"
VILLAGE_STATION_PREFIX = "VS"
OPERATOR_USERNAME_PREFIX = "op_"

#: When the demo users "joined" unless told (``siliu demo`` says: a month before the first seller registers
#: in the commerce history, ``HistoryWindow.catalog_start``): fixed, because ``date_joined`` would otherwise
#: carry the clock.
DEMO_JOINED_AT = datetime.datetime(2025, 9, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
#: What the demo ``consumer`` login holds in its wallet, so that whoever tries the demo can buy.
CONSUMER_WALLET_TOP_UP_FEN = 200_000  # ¥2,000

# --- geography -----------------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088
#: Roads wind: road length ≈ great-circle length × this factor in the hills of a Shaanxi county.
ROAD_FACTOR = 1.3
#: Average speeds of the postal vans, km/h, on county roads and on village roads.
COUNTY_ROAD_SPEED_KMH = 40
RURAL_ROAD_SPEED_KMH = 30
#: The county seat, where the hub is.
HUB_LATITUDE, HUB_LONGITUDE = 34.10, 108.60
#: Townships alternate between an inner and an outer ring so that neighbours are not crowded.
TOWNSHIP_INNER_RING_KM = (8.0, 13.0)
TOWNSHIP_OUTER_RING_KM = (14.0, 20.0)
VILLAGE_RADIUS_KM = (2.0, 8.0)
#: Villages closer than this to another site of their township are re-drawn (a few times at most).
MIN_VILLAGE_SPACING_KM = 0.3
#: Share of adjacent township pairs (the shortest ones) joined by a ring road.
RING_ROAD_SHARE = 1 / 3

# --- service mix of village stations (shares of stations) ----------------------------------------

CASH_COUNTER_SHARE = 0.6
AGENCY_SERVICES_SHARE = 0.4
SIGN_LANGUAGE_SHARE = 0.1
#: The stations farthest by road from their township office offer home pickup.
HOME_PICKUP_SHARE = 0.2

# --- timetables --------------------------------------------------------------------------------

#: Hub → township office and back: the morning and afternoon mail vans.
HUB_DOWN_DEPARTURES = ("07:30", "13:30")
HUB_UP_DEPARTURES = ("11:00", "17:00")
#: Township ring roads, both ways.
RING_DEPARTURES = ("10:00", "15:30")
#: Each road leaving a township office has its own van. Twice a day it tours the villages beyond
#: that road, depth first: down each road delivering, back up it collecting, so it passes each
#: road once each way and is in one place at a time. It leaves the office at these times, or
#: earlier when its tour is too long to be back by the matching collection time, which is 20
#: minutes before the van up to the hub leaves: a parcel posted in any village reaches the hub
#: the same day.
VILLAGE_ROUND_STARTS = ("09:00", "15:00")
VILLAGE_COLLECTION_ARRIVALS = ("10:40", "16:40")
#: Minutes a van spends at each village station (hand-over, scans) before driving on.
STATION_STOP_MINUTES = 5

# --- names ---------------------------------------------------------------------------------------

TOWNSHIP_NAMES = (
    "青龙镇", "柳河乡", "白马镇", "石门镇", "桃园乡", "龙泉镇", "杏林镇",
    "双庙乡", "马坊镇", "太平镇", "秦岭乡", "渭滨镇", "枣林乡", "黄堡镇", "红岩乡",
    "金川镇", "清水乡", "高桥镇", "五星乡", "东岳镇", "西坡乡", "南沟镇", "北原乡", "凤鸣镇",
)  # fmt: skip
VILLAGE_FAMILY_NAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "胡", "郭",
    "何", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭",
    "田", "董", "袁", "杜", "程", "魏", "吕", "丁", "任", "姚", "崔", "贾", "白", "段",
)  # fmt: skip
#: Landform words that end village names in the Guanzhong and Qinling hills (沟 gully, 坪 terrace…).
VILLAGE_LANDFORMS = ("", "沟", "庄", "湾", "坪", "河", "坡", "岭", "塬", "堡", "寨", "营", "峪", "台")
#: Village names that are not "<family>家<landform>".
VILLAGE_PLACE_NAMES = (
    "柳树", "枣园", "杏林", "石门", "龙泉", "双庙", "三合", "红星", "新庄", "东坡", "西沟", "南塬",
    "北岭", "槐树", "松林", "桃花", "古城", "清泉", "沙河", "磨坊", "大寨", "小河", "上坪", "下湾",
    "中沟", "前进", "团结", "胜利", "和平", "光明",
)  # fmt: skip
#: Used only once the plain names run out (large ``village_count``): 东王家村, 后李家沟村…
VILLAGE_DIRECTION_PREFIXES = ("东", "西", "南", "北", "前", "后", "上", "下")
PERSON_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱",
    "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于",
    "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢",
)  # fmt: skip
PERSON_GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "建国", "小红", "小明",
    "文博", "子涵", "欣怡", "浩然", "雨欣", "志强", "海燕", "春梅", "秋菊", "冬生",
    "宝山", "玉兰", "金凤", "德胜", "永福", "淑珍", "国庆", "红梅", "晓东", "丽娟",
)  # fmt: skip
STREET_NAMES = ("人民路", "解放路", "建设路", "中心街", "新华街", "政府街", "农贸街", "府前路")

Progress = Callable[[str], None]


class Point(NamedTuple):
    """A place on the map, rounded to the 6 decimal places the outlet table stores (≈ 0.1 m)."""

    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class DemoCountySummary:
    """What :func:`demo_county_generate` created."""

    seed: int
    region_count: int
    township_count: int
    village_count: int
    outlet_count: int
    station_count: int
    link_count: int
    user_count: int
    consumer_count: int
    seller_count: int
    operator_count: int


@dataclass
class _StationPlan:
    village_code: str
    village_name: str
    point: Point
    #: Index of the upstream village on the road tree in the township's list; None: the office.
    uplink_index: int | None = None
    road_km: float = 0.0
    #: Minutes to drive the road from the upstream site to here.
    leg_minutes: int = 0
    #: Minutes after its van leaves the office that it leaves the upstream site for here, and
    #: that it leaves here back up the road, on the depth-first tour of its branch.
    down_minutes: int = 0
    up_minutes: int = 0
    #: The tour of this station's branch: minutes from leaving the office to being back.
    tour_minutes: int = 0
    has_cash_counter: bool = False
    offers_agency_services: bool = False
    has_sign_language_service: bool = False
    offers_home_pickup: bool = False
    periods: list[tuple[int, datetime.time, datetime.time]] = field(default_factory=list)
    phone: str = ""


@dataclass
class _TownshipPlan:
    code: str
    name: str
    point: Point
    street: str
    phone: str
    stations: list[_StationPlan] = field(default_factory=list)


@dataclass
class _CountyPlan:
    townships: list[_TownshipPlan]
    #: Pairs of township indexes joined by a ring road.
    ring_roads: list[tuple[int, int]]


# --- public API ----------------------------------------------------------------------------------


def network_exists() -> bool:
    """Whether the database already holds any outlet (then the demo county must not be generated)."""
    return Outlet.objects.exists()


@transaction.atomic
def demo_county_generate(
    *,
    seed: int = DEFAULT_SEED,
    village_count: int = DEFAULT_VILLAGE_COUNT,
    consumer_count: int = DEFAULT_CONSUMER_COUNT,
    seller_count: int = DEFAULT_SELLER_COUNT,
    progress: Progress | None = None,
    joined_at: datetime.datetime = DEMO_JOINED_AT,
) -> DemoCountySummary:
    """Generate the demo county 示范县 from ``seed``, in one transaction.

    Creates the province and county, 8–12 townships, ``village_count`` villages each with a village
    station (one per village), a township office per township and the county hub; roads along a tree
    from the hub to every station plus a few ring roads between townships, with distances (km) and
    timetables; and the demo logins (password :data:`DEMO_PASSWORD`): ``admin``, one per role, an
    operator per station, ``consumer_count`` consumers and ``seller_count`` sellers.

    Parameters
    ----------
    seed
        Non-negative; the same seed always gives the same county.
    village_count
        Villages (and so village stations), 1 to :data:`MAX_VILLAGE_COUNT`.
    consumer_count, seller_count
        Extra consumer (``c0001``…) and seller (``s0001``…) logins, 0 to 9999 each.
    progress
        Called with a line of text as each stage starts.
    joined_at
        The users' ``date_joined``.

    Raises
    ------
    ValidationFailed
        ``invalid`` for a parameter out of range (nothing written).
    Conflict
        ``network_exists`` when any outlet exists, ``users_exist`` when a demo username is taken
        (nothing written).
    """
    _check_count(value=seed, name="seed", low=0, high=None)
    _check_count(value=village_count, name="villages", low=1, high=MAX_VILLAGE_COUNT)
    _check_count(value=consumer_count, name="consumers", low=0, high=9999)
    _check_count(value=seller_count, name="sellers", low=0, high=9999)
    if network_exists():
        raise Conflict(
            "network_exists",
            _(
                "数据库中已有网点网络，示范县只能生成在新的空数据库中（例如换一个 SILIU_DATA_DIR）。"
                " / The database already has an outlet network; generate the demo county in a fresh, "
                "empty database (for example another SILIU_DATA_DIR)."
            ),
        )
    say = progress or (lambda line: None)
    rng = random.Random(seed)
    plan = _county_plan(rng=rng, village_count=village_count)
    users = _user_plan(rng=rng, plan=plan, consumer_count=consumer_count, seller_count=seller_count)
    _refuse_taken_usernames(usernames=[user.username for user, _role in users])

    say(
        _("行政区划：陕西省 › 示范县 › %(townships)d 个乡镇 › %(villages)d 个村…")
        % {"townships": len(plan.townships), "villages": village_count}
    )
    regions = _regions_write(plan=plan)

    say(_("用户：%(count)d 个演示账号…") % {"count": len(users)})
    users_by_name = _users_write(users=users, joined_at=joined_at)
    _consumer_profiles_write(seed=seed, users=users, users_by_name=users_by_name)

    say(
        _("网点：1 个县级中心、%(townships)d 个乡镇邮政所、%(stations)d 个村级服务站…")
        % {"townships": len(plan.townships), "stations": village_count}
    )
    hub, offices, stations = _outlets_write(plan=plan, regions=regions, users_by_name=users_by_name)

    say(_("道路与班次…"))
    _links_write(plan=plan, hub=hub, offices=offices, stations=stations)
    # Out of the county: the evening trunks to the provincial centre and to the national network.
    trunk_route_set(hub=hub, zone=Zone.SAME_PROVINCE, departure_times=["18:00"], transit_minutes=720)
    trunk_route_set(hub=hub, zone=Zone.OTHER_PROVINCE, departure_times=["18:30"], transit_minutes=1800)
    vehicles = demo_vehicles_create()
    _posts_write(users_by_name=users_by_name, county=regions[COUNTY_CODE], offices=offices, vehicles=vehicles)

    operator_count = sum(1 for _user, role in users if role == Role.STATION_OPERATOR)
    return DemoCountySummary(
        seed=seed,
        region_count=Region.objects.count(),
        township_count=len(plan.townships),
        village_count=village_count,
        outlet_count=Outlet.objects.count(),
        station_count=len(stations),
        link_count=OutletLink.objects.count(),
        user_count=len(users),
        consumer_count=consumer_count,
        seller_count=seller_count,
        operator_count=operator_count,
    )


def demo_consumer_fund(*, now: datetime.datetime = DEMO_JOINED_AT) -> None:
    """The ``consumer`` login tops up its wallet once (a bank transfer in, booked from capital by
    staff) at ``now``, so that whoever tries the demo as a buyer can pay for an order. ``siliu demo``
    calls it last, after the county and its history, at the end of the history."""
    consumer = User.objects.get(username=Role.CONSUMER.value)
    admin = User.objects.get(username=ADMIN_USERNAME)
    system_account(code=chart.CAPITAL)
    transfers_book(
        [
            TransferRequest(
                id=f"demo:top-up:{consumer.username}",
                debit_account=chart.CAPITAL,
                credit_account=wallet_open(user=consumer).code,
                amount_fen=CONSUMER_WALLET_TOP_UP_FEN,
                category="demo_top_up",
                reference=f"user:{consumer.username}",
            )
        ],
        actor=admin,
        now=now,
    )


# --- planning (no database) ----------------------------------------------------------------------


def _check_count(*, value: int, name: str, low: int, high: int | None) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        limit = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise ValidationFailed(
            "invalid",
            _(
                "--%(name)s 应为 %(limit)s 的整数，而不是 %(value)s"
                " / --%(name)s must be an integer %(limit)s, not %(value)s"
            )
            % {"name": name, "limit": limit, "value": value},
            field=name,
        )


def _county_plan(*, rng: random.Random, village_count: int) -> _CountyPlan:
    """Lay out townships, villages, the village road trees and the ring roads."""
    hub = _point(HUB_LATITUDE, HUB_LONGITUDE)
    township_count = rng.randint(8, 12)
    township_names = rng.sample(TOWNSHIP_NAMES, township_count)
    # Townships go round the county seat in code order, so neighbours in the list are neighbours
    # on the map (the ring roads rely on it).
    start_angle = rng.uniform(0, 2 * math.pi)
    townships: list[_TownshipPlan] = []
    for index, name in enumerate(township_names):
        ring = TOWNSHIP_INNER_RING_KM if index % 2 == 0 else TOWNSHIP_OUTER_RING_KM
        angle = start_angle + 2 * math.pi * (index + rng.uniform(-0.25, 0.25)) / township_count
        townships.append(
            _TownshipPlan(
                code=f"{COUNTY_CODE}{index + 1:03d}",
                name=name,
                point=_polar_offset(hub, distance_km=rng.uniform(*ring), angle=angle),
                street=rng.choice(STREET_NAMES),
                phone=_phone(rng),
            )
        )

    village_names = _village_names(rng=rng, count=village_count)
    for township, share in zip(
        townships, _split(rng=rng, total=village_count, parts=township_count), strict=True
    ):
        for number in range(share):
            township.stations.append(
                _StationPlan(
                    # 2xx: statistical division codes number villages' committees from 201
                    # (001–199 are urban residents' committees).
                    village_code=f"{township.code}{201 + number:03d}",
                    village_name=village_names.pop(0),
                    point=_village_point(rng=rng, township=township),
                )
            )
        _road_tree_plan(township)

    all_stations = [station for township in townships for station in township.stations]
    for station in all_stations:
        station.has_cash_counter = rng.random() < CASH_COUNTER_SHARE
        station.offers_agency_services = rng.random() < AGENCY_SERVICES_SHARE
        station.has_sign_language_service = rng.random() < SIGN_LANGUAGE_SHARE
        station.periods = _station_periods(rng)
        station.phone = _phone(rng)
    if all_stations:
        # The `station_operator` login runs the first station: it does the whole counter job there.
        all_stations[0].has_cash_counter = True
        all_stations[0].offers_agency_services = True
    remote = sorted(all_stations, key=lambda station: (-station.road_km, station.village_code))
    for station in remote[: round(len(all_stations) * HOME_PICKUP_SHARE)]:
        station.offers_home_pickup = True

    return _CountyPlan(townships=townships, ring_roads=_ring_road_plan(townships))


def _split(*, rng: random.Random, total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` uneven whole shares (largest remainder; ties by index)."""
    weights = [rng.uniform(0.6, 1.4) for _part in range(parts)]
    exact = [total * weight / sum(weights) for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(parts), key=lambda index: (shares[index] - exact[index], index))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _village_names(*, rng: random.Random, count: int) -> list[str]:
    """``count`` distinct village names: plain ones (王家村, 李家沟村, 柳树村) first, shuffled."""
    plain = [f"{family}家{landform}村" for family in VILLAGE_FAMILY_NAMES for landform in VILLAGE_LANDFORMS]
    plain += [f"{place}村" for place in VILLAGE_PLACE_NAMES]
    prefixed = [f"{direction}{name}" for direction in VILLAGE_DIRECTION_PREFIXES for name in plain]
    rng.shuffle(plain)
    rng.shuffle(prefixed)
    names = (plain + prefixed)[:count]
    # MAX_VILLAGE_COUNT is checked against this pool by a test; this guards a future edit.
    assert len(names) == count, "village name pool too small"
    return names


def _village_point(*, rng: random.Random, township: _TownshipPlan) -> Point:
    """A spot 2–8 km from the township office, a little apart from the township's other sites."""
    taken = [township.point, *(station.point for station in township.stations)]
    for _attempt in range(20):
        # sqrt spreads villages evenly over the ring's area rather than bunching them at its inside.
        low, high = VILLAGE_RADIUS_KM
        distance = math.sqrt(rng.uniform(low**2, high**2))
        point = _polar_offset(township.point, distance_km=distance, angle=rng.uniform(0, 2 * math.pi))
        if all(_great_circle_km(point, other) >= MIN_VILLAGE_SPACING_KM for other in taken):
            break
    return point


def _road_tree_plan(township: _TownshipPlan) -> None:
    """Join a township's villages into a road tree rooted at its office.

    Villages are taken nearest-to-the-office first; each is joined to the nearest of the office and
    the villages already joined (all of them nearer the office), so roads branch out along valleys
    the way village roads do instead of every village having its own road to town.
    """
    order = sorted(
        range(len(township.stations)),
        key=lambda index: (_great_circle_km(township.point, township.stations[index].point), index),
    )
    joined: list[int] = []
    for index in order:
        station = township.stations[index]
        uplink_index: int | None = None
        uplink_km = _great_circle_km(station.point, township.point)
        for other in joined:
            distance = _great_circle_km(station.point, township.stations[other].point)
            if distance < uplink_km:
                uplink_index, uplink_km = other, distance
        road = _road_km(uplink_km)
        station.uplink_index = uplink_index
        upstream = township.stations[uplink_index] if uplink_index is not None else None
        station.road_km = float(road) + (upstream.road_km if upstream else 0.0)
        station.leg_minutes = _transit_minutes(road, speed_kmh=RURAL_ROAD_SPEED_KMH)
        joined.append(index)
    _village_tours_plan(township)


def _village_tours_plan(township: _TownshipPlan) -> None:
    """Time each branch's van on its depth-first tour from the office and back.

    The van stops at each station on the way down (hand-over, scans, the parcels posted there since
    its last visit) and drives straight through on the way back up, collecting what was handed to it
    on the way down; branches and children are toured in the order of the township's list.
    """
    stations = township.stations
    children: dict[int | None, list[int]] = {}
    for index, station in enumerate(stations):
        children.setdefault(station.uplink_index, []).append(index)
    for root in children.get(None, []):
        clock = 0
        # (index, True) enters a station from upstream; (index, False) leaves it back up.
        stack: list[tuple[int, bool]] = [(root, True)]
        visited: list[int] = []
        while stack:
            index, entering = stack.pop()
            station = stations[index]
            if entering:
                station.down_minutes = clock
                clock += station.leg_minutes + STATION_STOP_MINUTES
                stack.append((index, False))
                stack.extend((child, True) for child in reversed(children.get(index, [])))
                visited.append(index)
            else:
                station.up_minutes = clock
                clock += station.leg_minutes
        for index in visited:
            stations[index].tour_minutes = clock


def _village_round_start(tour_minutes: int, start: str, collection_arrival: str) -> str:
    """When a van on a tour of ``tour_minutes`` leaves the office: at ``start``, or earlier so as
    to be back by ``collection_arrival``."""
    latest = _clock(collection_arrival, -tour_minutes)
    return min(start, latest)


def _ring_road_plan(townships: Sequence[_TownshipPlan]) -> list[tuple[int, int]]:
    """The shortest third of the roads between townships next to each other round the county."""
    count = len(townships)
    pairs = [(index, (index + 1) % count) for index in range(count)]
    pairs.sort(key=lambda pair: (_great_circle_km(townships[pair[0]].point, townships[pair[1]].point), pair))
    return sorted(pairs[: math.ceil(count * RING_ROAD_SHARE)])


def _station_periods(rng: random.Random) -> list[tuple[int, datetime.time, datetime.time]]:
    """Morning and afternoon opening every day, each station a little different.

    Some stations close on Sunday afternoons: the operator is often a shopkeeper or a villager
    with fields to tend.
    """
    # Repeated values make the usual hours (08:00–12:00, 14:00–19:00) the likeliest.
    morning = (
        _time(rng.choice(("07:30", "08:00", "08:00", "08:30"))),
        _time(rng.choice(("11:30", "12:00", "12:00"))),
    )
    afternoon = (
        _time(rng.choice(("14:00", "14:00", "14:30"))),
        _time(rng.choice(("18:30", "19:00", "19:00", "19:30"))),
    )
    sunday_morning_only = rng.random() < 0.15
    periods = []
    for weekday in range(7):
        periods.append((weekday, *morning))
        if not (weekday == 6 and sunday_morning_only):
            periods.append((weekday, *afternoon))
    return periods


@dataclass
class _UserRow:
    username: str
    name: tuple[str, str]  # (surname, given name)
    is_staff: bool = False
    is_superuser: bool = False
    password: str = ""


def _user_plan(
    *, rng: random.Random, plan: _CountyPlan, consumer_count: int, seller_count: int
) -> list[tuple[_UserRow, Role | None]]:
    """Every demo user with the role (group) it holds, in creation order."""

    def person() -> tuple[str, str]:
        return rng.choice(PERSON_SURNAMES), rng.choice(PERSON_GIVEN_NAMES)

    rows: list[tuple[_UserRow, Role | None]] = [
        (_UserRow(ADMIN_USERNAME, ("管理员", ""), is_staff=True, is_superuser=True), None)
    ]
    for role in Role:
        # The county manager and the auditor work in the admin site.
        is_staff = role in (Role.COUNTY_MANAGER, Role.AUDITOR)
        rows.append((_UserRow(role.value, person(), is_staff=is_staff), role))
    stations = [station for township in plan.townships for station in township.stations]
    # The first station is run by the `station_operator` login above.
    rows += [
        (_UserRow(_operator_username(station), person()), Role.STATION_OPERATOR) for station in stations[1:]
    ]
    rows += [(_UserRow(f"c{number:04d}", person()), Role.CONSUMER) for number in range(1, consumer_count + 1)]
    rows += [(_UserRow(f"s{number:04d}", person()), Role.SELLER) for number in range(1, seller_count + 1)]
    # Hashing once and reusing the hash keeps hundreds of users to milliseconds (each hash costs
    # ~0.3 s by design); the salt comes from the seed so the same seed gives the same rows.
    salt = "".join(rng.choice(string.ascii_letters + string.digits) for _char in range(22))
    password = make_password(DEMO_PASSWORD, salt=salt)
    for row, _role in rows:
        row.password = password
    return rows


def _operator_username(station: _StationPlan) -> str:
    return f"{OPERATOR_USERNAME_PREFIX}{station.village_code}"


# --- writing -------------------------------------------------------------------------------------


def _refuse_taken_usernames(*, usernames: Sequence[str]) -> None:
    taken = sorted(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise Conflict(
            "users_exist",
            _("演示账号的用户名已被占用：%(names)s / Demo usernames already taken: %(names)s")
            % {"names": ", ".join(taken[:5]) + ("…" if len(taken) > 5 else "")},
        )


def _regions_write(*, plan: _CountyPlan) -> dict[str, Region]:
    """Create the regions; returns them by code."""
    province = region_create(code=PROVINCE_CODE, name=PROVINCE_NAME, level=RegionLevel.PROVINCE)
    county = region_create(code=COUNTY_CODE, name=COUNTY_NAME, level=RegionLevel.COUNTY, parent=province)
    regions = {region.code: region for region in (province, county)}
    for township in plan.townships:
        township_region = region_create(
            code=township.code, name=township.name, level=RegionLevel.TOWNSHIP, parent=county
        )
        regions[township.code] = township_region
        for station in township.stations:
            regions[station.village_code] = region_create(
                code=station.village_code,
                name=station.village_name,
                level=RegionLevel.VILLAGE,
                parent=township_region,
            )
    return regions


def _users_write(
    *, users: Sequence[tuple[_UserRow, Role | None]], joined_at: datetime.datetime
) -> dict[str, User]:
    """Bulk-create the users and their group memberships; returns the users by username."""
    user_model = get_user_model()
    user_model.objects.bulk_create(
        user_model(
            username=row.username,
            last_name=row.name[0],
            first_name=row.name[1],
            password=row.password,
            is_staff=row.is_staff,
            is_superuser=row.is_superuser,
            date_joined=joined_at,
        )
        for row, _role in users
    )
    # Read the rows back: bulk_create leaves primary keys unset on some databases (MySQL).
    by_username = {
        user.username: user
        for user in user_model.objects.filter(username__in=[row.username for row, _role in users])
    }
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    membership = user_model.groups.through
    membership.objects.bulk_create(
        membership(user_id=by_username[row.username].pk, group_id=groups[role].pk)
        for row, role in users
        if role is not None
    )
    return by_username


def _posts_write(
    *, users_by_name: dict[str, User], county: Region, offices: list[Outlet], vehicles: list[Vehicle]
) -> None:
    """Where the county's staff work: the county manager in the county, the courier driving the first
    van of the first township office (whose rounds serve the demo operator's station)."""
    county_post_create(user=users_by_name[Role.COUNTY_MANAGER.value], county=county)
    van = next(vehicle for vehicle in vehicles if vehicle.outlet_id == offices[0].pk)
    vehicle_driver_set(vehicle=van, driver=users_by_name[Role.COURIER.value])


def _outlets_write(
    *, plan: _CountyPlan, regions: dict[str, Region], users_by_name: dict[str, User]
) -> tuple[Outlet, list[Outlet], dict[str, Outlet]]:
    """Create the hub, the township offices and the village stations with their opening hours."""
    hub = outlet_create(
        code=HUB_CODE,
        name=f"{COUNTY_NAME}邮政寄递中心",
        kind=OutletKind.COUNTY_HUB,
        region=regions[COUNTY_CODE],
        latitude=_point(HUB_LATITUDE, HUB_LONGITUDE).latitude,
        longitude=_point(HUB_LATITUDE, HUB_LONGITUDE).longitude,
        address=f"{PROVINCE_NAME}{COUNTY_NAME}县城人民路1号",
        phone="029-86100001",
        has_cash_counter=True,
        offers_agency_services=True,
        has_sign_language_service=True,
    )
    every_day = range(7)
    opening_hours_set(outlet=hub, periods=[(day, _time("08:00"), _time("18:00")) for day in every_day])

    offices: list[Outlet] = []
    stations: dict[str, Outlet] = {}
    for number, township in enumerate(plan.townships, start=1):
        office = outlet_create(
            code=f"{TOWNSHIP_OFFICE_PREFIX}{township.code}",
            name=f"{township.name}邮政所",
            kind=OutletKind.TOWNSHIP_OFFICE,
            region=regions[township.code],
            latitude=township.point.latitude,
            longitude=township.point.longitude,
            parent_outlet=hub,
            address=f"{COUNTY_NAME}{township.name}{township.street}{number * 7 + 1}号",
            phone=township.phone,
            has_cash_counter=True,
            offers_agency_services=True,
        )
        monday_to_saturday = range(6)
        opening_hours_set(
            outlet=office, periods=[(day, _time("08:30"), _time("17:30")) for day in monday_to_saturday]
        )
        offices.append(office)
        for station in township.stations:
            first = not stations
            operator = users_by_name[Role.STATION_OPERATOR.value if first else _operator_username(station)]
            outlet = outlet_create(
                code=f"{VILLAGE_STATION_PREFIX}{station.village_code}",
                name=f"{station.village_name}服务站",
                kind=OutletKind.VILLAGE_STATION,
                region=regions[station.village_code],
                latitude=station.point.latitude,
                longitude=station.point.longitude,
                parent_outlet=office,
                address=f"{COUNTY_NAME}{township.name}{station.village_name}村委会旁",
                phone=station.phone,
                operator=operator,
                has_sign_language_service=station.has_sign_language_service,
                offers_home_pickup=station.offers_home_pickup,
                has_cash_counter=station.has_cash_counter,
                offers_agency_services=station.offers_agency_services,
            )
            opening_hours_set(outlet=outlet, periods=station.periods)
            stations[station.village_code] = outlet
    return hub, offices, stations


def _links_write(
    *, plan: _CountyPlan, hub: Outlet, offices: Sequence[Outlet], stations: dict[str, Outlet]
) -> None:
    """Create the roads: hub ↔ offices, the village road trees, and the ring roads."""
    for township, office in zip(plan.townships, offices, strict=True):
        distance = _road_km(_great_circle_km(township.point, _point(HUB_LATITUDE, HUB_LONGITUDE)))
        outlet_link_create(
            from_outlet=hub,
            to_outlet=office,
            distance_km=distance,
            transit_minutes=_transit_minutes(distance, speed_kmh=COUNTY_ROAD_SPEED_KMH),
            departure_times=HUB_DOWN_DEPARTURES,
            both_ways=True,
            return_departure_times=HUB_UP_DEPARTURES,
        )
        for station in township.stations:
            upstream = township.stations[station.uplink_index] if station.uplink_index is not None else None
            upstream_point = upstream.point if upstream else township.point
            distance = _road_km(_great_circle_km(station.point, upstream_point))
            minutes = _transit_minutes(distance, speed_kmh=RURAL_ROAD_SPEED_KMH)
            starts = [
                _village_round_start(station.tour_minutes, start, arrival)
                for start, arrival in zip(VILLAGE_ROUND_STARTS, VILLAGE_COLLECTION_ARRIVALS, strict=True)
            ]
            outlet_link_create(
                from_outlet=stations[upstream.village_code] if upstream else office,
                to_outlet=stations[station.village_code],
                distance_km=distance,
                transit_minutes=minutes,
                departure_times=[_clock(start, station.down_minutes) for start in starts],
                both_ways=True,
                return_departure_times=[_clock(start, station.up_minutes) for start in starts],
            )
    for first, second in plan.ring_roads:
        distance = _road_km(_great_circle_km(plan.townships[first].point, plan.townships[second].point))
        outlet_link_create(
            from_outlet=offices[first],
            to_outlet=offices[second],
            distance_km=distance,
            transit_minutes=_transit_minutes(distance, speed_kmh=COUNTY_ROAD_SPEED_KMH),
            departure_times=RING_DEPARTURES,
            both_ways=True,
        )


# --- small helpers -------------------------------------------------------------------------------


def _point(latitude: float, longitude: float) -> Point:
    # Formatting rounds correctly and identically everywhere, unlike Decimal(float) or round().
    return Point(Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}"))


def _polar_offset(origin: Point, *, distance_km: float, angle: float) -> Point:
    """The point ``distance_km`` from ``origin`` in direction ``angle`` (radians, 0 = east)."""
    km_per_degree = EARTH_RADIUS_KM * math.pi / 180
    latitude = float(origin.latitude) + distance_km * math.sin(angle) / km_per_degree
    longitude = float(origin.longitude) + distance_km * math.cos(angle) / (
        km_per_degree * math.cos(math.radians(float(origin.latitude)))
    )
    return _point(latitude, longitude)


def _great_circle_km(a: Point, b: Point) -> float:
    """Haversine distance in km."""
    lat1, lon1, lat2, lon2 = (
        math.radians(float(v)) for v in (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _road_km(great_circle_km: float) -> Decimal:
    """Road length in km (2 decimals, at least 0.1) for a straight-line distance."""
    road = Decimal(f"{great_circle_km * ROAD_FACTOR:.4f}").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return max(road, Decimal("0.10"))


def _transit_minutes(distance_km: Decimal, *, speed_kmh: int) -> int:
    """Whole minutes (rounded up, at least 1) to drive ``distance_km`` at ``speed_kmh``."""
    return max(1, math.ceil(distance_km * 60 / speed_kmh))


def _time(text: str) -> datetime.time:
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))


def _clock(text: str, offset_minutes: int) -> str:
    """``text`` ("HH:MM") moved by ``offset_minutes``, kept within the day."""
    start = _time(text)
    total = min(max(start.hour * 60 + start.minute + offset_minutes, 0), 23 * 60 + 59)
    return f"{total // 60:02d}:{total % 60:02d}"


#: Offset of the seed of the consumers' phones and ID numbers: drawn apart, so the draws of everything
#: generated before them stay as they were.
PROFILE_SEED_OFFSET = 17
#: Area codes of the demo villagers' resident ID numbers (Xi'an's districts, in use since before 1958).
PROFILE_AREA_CODES = ("610100", "610328", "610323")


def _consumer_profiles_write(
    *, seed: int, users: Sequence[tuple[_UserRow, Role | None]], users_by_name: dict[str, User]
) -> None:
    """Give every consumer a mobile number and a resident ID, so the counter can find them."""
    rng = random.Random(seed + PROFILE_SEED_OFFSET)
    profiles = []
    for row, role in users:
        if role != Role.CONSUMER:
            continue
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        while True:
            born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(50 * 365))
            body = f"{rng.choice(PROFILE_AREA_CODES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            try:
                profile = user_profile_build(
                    user_id=users_by_name[row.username].pk,
                    phone=phone,
                    resident_id=body + ric.calc_check_digit(body + "0"),
                )
            except ValidationFailed:
                continue  # an area code not in use on that birth date: draw again
            break
        profiles.append(profile)
    UserProfile.objects.bulk_create(profiles)


def _phone(rng: random.Random) -> str:
    # 029 is the Xi'an area code; 8 digits, not starting with 0 or 1.
    return f"029-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"
