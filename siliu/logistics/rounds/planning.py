"""Delivery rounds for a day: build the routing problem from the database, solve it, store the plan.

The rules, in one place (questions about "why was this station / parcel (not) planned" end here):

Stations served
    A township office plans rounds to its own village stations. The county hub plans one county-wide
    round set over every village station below it (its direct stations and those of its township
    offices); the township offices themselves are not stops: the hub ↔ office mail vans run on the
    timetable of :class:`~siliu.network.models.OutletLink`. A village station plans no rounds.
Parcels to deliver to a station
    Parcels whose ``destination_outlet`` is the station and that are at the planning outlet now:
    ``last_outlet`` is the planning outlet and the status is ``in_transit`` (sorted in there) or
    ``at_delivery_office``. Parcels still on their way to the outlet wait for the next plan, so a plan
    never promises a parcel that is not on the shelf. Partner-courier parcels follow the same rule.
Goods to collect at a station
    Parcels that start at the station (``origin_outlet``) and have not moved yet: status ``created`` or
    ``accepted``, and no scan anywhere else (``last_outlet`` empty or the station itself). They go up
    with the round of the station's own outlet (its township office); the hub's county-wide round
    collects below an office only when that office has no active vehicle, so no parcel is in two plans.
Time windows
    The station's opening period on the weekday of the planned date that overlaps the vehicles'
    shifts the most (a station open 08:00–12:00 and 14:00–19:00 is visited in one of the two, never
    over lunch). A station with no opening hours that day is left out with the reason ``closed``.
Service time
    :data:`SERVICE_BASE_S` plus :data:`SERVICE_PER_PARCEL_S` per parcel delivered or collected.
Home pickups (上门揽收)
    A villager's goods to collect at home, asked for through agency (:func:`~siliu.logistics.hooks.
    round_home_pickups`), on the rounds that collect at their village's station (the rule of goods to
    collect above). Each is a stop of its own at the station's place (houses have no coordinates) within
    the villager's window, with the service time the request gives (the detour to the house). A window
    that does not overlap the vans' shifts is left out as ``outside_shift``; the other reasons are the
    stations'. When the plan is stored, the part that keeps them learns which were planned
    (:func:`plan_home_pickups`).
Distances and driving times
    An imported :class:`~siliu.logistics.models.RoadDistance` for the pair (either direction) when
    there is one, else the great-circle distance × ``SILIU_ROAD_FACTOR`` (default 1.3) driven at
    ``SILIU_ROUND_SPEED_KMH`` (default 35 km/h).
Stations left out
    Every stop is optional with a penalty far above the cost of a detour, so the solver serves all it
    can; a stop it still leaves out is reported as ``no_room`` (no vehicle has the capacity or the time
    left today). Stops that cannot be served by any vehicle are left out before solving, with the reason
    (``closed``, ``outside_shift``, ``too_heavy``, ``out_of_reach``).
Warm start
    A county's rounds repeat from day to day, so the search starts from the outlet's latest finished
    plan up to the planned day (:func:`previous_routes`): each of its vans that is still active keeps
    its stations in their order and trips, stations without anything today are dropped, and the search
    inserts today's new stops (ADR 0028). Without such a plan, or with ``SILIU_ROUND_WARM_START=0``,
    the search starts from scratch.
Workers
    The search runs ``SILIU_ROUND_WORKERS`` independent searches at once (default: one per CPU), the
    best kept, within the plan's time budget.
"""

import datetime
import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import ValidationFailed
from siliu.logistics.hooks import (
    HomePickupPlanned,
    HomePickupStop,
    HomePickupUnplanned,
    round_home_pickups,
)
from siliu.logistics.models import (
    Parcel,
    ParcelStatus,
    RoadDistance,
    RoundPlan,
    RoundPlanStatus,
    Vehicle,
)
from siliu.logistics.rounds.problem import (
    Depot,
    ProblemError,
    RoutingProblem,
    RoutingSolution,
    Stop,
    VehicleType,
)
from siliu.logistics.rounds.search import InitialRoute, cpus_available
from siliu.network.models import OpeningHours, Outlet, OutletKind

EARTH_RADIUS_M = 6_371_008.8
#: Minutes at every stop (parking, hand-over, signatures) and seconds for each parcel on top.
SERVICE_BASE_S = 3 * 60
SERVICE_PER_PARCEL_S = 20
#: What leaving a station for tomorrow costs in the objective (fen): far above any detour in a county,
#: so a station is left out only when no vehicle can take it.
SKIP_PENALTY_FEN = 200_000
SKIP_PENALTY_PER_PARCEL_FEN = 10_000
#: Bounds of the solver's time budget a user may ask for.
MIN_SECONDS, MAX_SECONDS = 1, 60

#: Why a station with parcels is not in today's rounds.
UNSERVED_REASONS: dict[str, Any] = {
    "closed": gettext_lazy("当天不营业"),
    "outside_shift": gettext_lazy("营业时间与车辆班次不重合"),
    "too_heavy": gettext_lazy("货量超过最大车辆载重"),
    "out_of_reach": gettext_lazy("班次内无法往返"),
    "no_room": gettext_lazy("车辆运力或时间不足，留待明日"),
}


class RoundPlanningError(ValidationFailed):
    """Input from which no round can be planned; ``code`` and ``field`` say what to fix."""


# --- the input, read from the database -----------------------------------------------------------


@dataclass(frozen=True)
class ParcelLoad:
    tracking_number: str
    weight_g: int
    is_partner: bool = False


@dataclass
class StationLoad:
    """What a station gives and takes today; or, with ``home_pickup``, a villager's goods to collect at
    home near the station (a stop of its own, with no parcels yet)."""

    outlet: Outlet
    deliveries: list[ParcelLoad] = field(default_factory=list)
    pickups: list[ParcelLoad] = field(default_factory=list)
    home_pickup: HomePickupStop | None = None

    @property
    def delivery_g(self) -> int:
        return sum(parcel.weight_g for parcel in self.deliveries)

    @property
    def pickup_g(self) -> int:
        if self.home_pickup is not None:
            return self.home_pickup.weight_g
        return sum(parcel.weight_g for parcel in self.pickups)

    @property
    def parcel_count(self) -> int:
        return len(self.deliveries) + len(self.pickups)

    @property
    def service_s(self) -> int:
        if self.home_pickup is not None:
            return self.home_pickup.service_s
        return SERVICE_BASE_S + SERVICE_PER_PARCEL_S * self.parcel_count

    @property
    def skip_penalty(self) -> int:
        """What leaving the stop out costs: a home pickup weighs as one parcel."""
        return SKIP_PENALTY_FEN + SKIP_PENALTY_PER_PARCEL_FEN * max(self.parcel_count, 1)


@dataclass(frozen=True)
class Unserved:
    outlet: Outlet
    reason: str
    parcel_count: int
    home_pickup: HomePickupStop | None = None


@dataclass(frozen=True)
class BuiltProblem:
    """A :class:`RoutingProblem` with the database rows its indices stand for."""

    outlet: Outlet
    planned_on: datetime.date
    problem: RoutingProblem
    loads: list[StationLoad]  # stop i of the problem is loads[i]
    vehicles: list[Vehicle]  # vehicle type i of the problem is vehicles[i]
    unserved: list[Unserved]
    matrix_source: str  # "road", "great_circle" or "mixed"


def stations_served(*, outlet: Outlet) -> list[Outlet]:
    """The active village stations ``outlet`` plans rounds to (see the module docstring), by code."""
    stations = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, is_active=True)
    if outlet.kind == OutletKind.COUNTY_HUB:
        stations = stations.filter(Q(parent_outlet=outlet) | Q(parent_outlet__parent_outlet=outlet))
    else:
        stations = stations.filter(parent_outlet=outlet)
    return list(stations.order_by("code"))


def stations_collected(*, outlet: Outlet, stations: Sequence[Outlet]) -> list[Outlet]:
    """The ``stations`` whose goods go up with ``outlet``'s rounds: each station's goods go up with its own
    outlet's round; the hub collects below a township office only when that office has no van of its own,
    so two plans never count the same parcel (or home pickup)."""
    offices_with_vans = set(
        Vehicle.objects.filter(is_active=True, outlet__kind=OutletKind.TOWNSHIP_OFFICE).values_list(
            "outlet_id", flat=True
        )
    )
    return [
        station
        for station in stations
        if station.parent_outlet_id == outlet.pk or station.parent_outlet_id not in offices_with_vans
    ]


def station_loads(*, outlet: Outlet, stations: Sequence[Outlet]) -> list[StationLoad]:
    """Parcels to deliver to and collect at each of ``stations`` today (rules in the module docstring)."""
    loads = {station.pk: StationLoad(outlet=station) for station in stations}
    fields = ("tracking_number", "weight_g", "partner_id")
    deliveries = Parcel.objects.filter(
        destination_outlet__in=list(loads),
        last_outlet=outlet,
        status__in=[ParcelStatus.IN_TRANSIT, ParcelStatus.AT_DELIVERY_OFFICE],
    ).order_by("tracking_number")
    for number, weight_g, partner_id, station_id in deliveries.values_list(*fields, "destination_outlet_id"):
        loads[station_id].deliveries.append(ParcelLoad(number, weight_g, partner_id is not None))
    collecting = [station.pk for station in stations_collected(outlet=outlet, stations=stations)]
    pickups = (
        Parcel.objects.filter(
            origin_outlet__in=collecting, status__in=[ParcelStatus.CREATED, ParcelStatus.ACCEPTED]
        )
        .filter(Q(last_outlet__isnull=True) | Q(last_outlet=F("origin_outlet")))
        .order_by("tracking_number")
    )
    for number, weight_g, partner_id, station_id in pickups.values_list(*fields, "origin_outlet_id"):
        loads[station_id].pickups.append(ParcelLoad(number, weight_g, partner_id is not None))
    return [loads[station.pk] for station in stations]


def _seconds_of_day(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _has_coordinates(outlet: Outlet) -> bool:
    # The columns are NOT NULL; (0, 0) is what an import without coordinates leaves behind.
    return not (outlet.latitude == 0 and outlet.longitude == 0)


def great_circle_m(a: Outlet, b: Outlet) -> float:
    """Haversine distance between two outlets in metres."""
    lat1, lon1, lat2, lon2 = (
        math.radians(float(value)) for value in (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def road_factor() -> float:
    return float(getattr(settings, "SILIU_ROAD_FACTOR", 1.3))


def round_speed_kmh() -> float:
    return float(getattr(settings, "SILIU_ROUND_SPEED_KMH", 35))


def travel_matrices(*, places: Sequence[Outlet]) -> tuple[list[list[int]], list[list[int]], str]:
    """Distance (m) and driving time (s) between every two of ``places``, and where they came from.

    An imported road distance wins (the reverse direction stands in for a missing one); every other
    pair is the great-circle distance × the road factor at the round speed.
    """
    ids = [place.pk for place in places]
    imported = {
        (row.from_outlet_id, row.to_outlet_id): (row.distance_m, row.duration_s)
        for row in RoadDistance.objects.filter(from_outlet__in=ids, to_outlet__in=ids)
    }
    factor, speed_m_per_s = road_factor(), round_speed_kmh() / 3.6
    size = len(places)
    distance = [[0] * size for _index in range(size)]
    duration = [[0] * size for _index in range(size)]
    road_pairs = estimated_pairs = 0
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if i == j:
                continue
            pair = imported.get((a.pk, b.pk)) or imported.get((b.pk, a.pk))
            if pair is not None:
                distance[i][j], duration[i][j] = pair
                road_pairs += 1
            else:
                metres = great_circle_m(a, b) * factor
                distance[i][j] = round(metres)
                duration[i][j] = math.ceil(metres / speed_m_per_s)
                estimated_pairs += 1
    source = "mixed" if road_pairs and estimated_pairs else "road" if road_pairs else "great_circle"
    return distance, duration, source


def _opening_periods(*, stations: Sequence[Outlet], weekday: int) -> dict[int, list[tuple[int, int]]]:
    periods: dict[int, list[tuple[int, int]]] = {station.pk: [] for station in stations}
    for outlet_id, opens_at, closes_at in OpeningHours.objects.filter(
        outlet__in=list(periods), weekday=weekday
    ).values_list("outlet_id", "opens_at", "closes_at"):
        periods[outlet_id].append((_seconds_of_day(opens_at), _seconds_of_day(closes_at)))
    return periods


def _best_window(periods: Iterable[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The period overlapping [start, end] the most (the earlier on a tie), or None if none does."""
    best: tuple[int, int] | None = None
    best_overlap = 0
    for opens, closes in sorted(periods):
        overlap = min(closes, end) - max(opens, start)
        if overlap > best_overlap:
            best, best_overlap = (opens, closes), overlap
    return best


def _check_round_outlet(outlet: Outlet) -> None:
    """Refuse a village station (``not_a_round_outlet``): rounds leave from a hub or township office."""
    if outlet.kind == OutletKind.VILLAGE_STATION:
        raise RoundPlanningError(
            "not_a_round_outlet",
            _("%(outlet)s是村级服务站，投递班次从乡镇邮政所或县级中心发出") % {"outlet": outlet},
            field="outlet",
        )


def round_outlet_get(*, code: str) -> Outlet:
    """The hub or township office with ``code``.

    Raises
    ------
    RoundPlanningError
        ``unknown_outlet``, or ``not_a_round_outlet`` for a village station.
    """
    outlet = Outlet.objects.filter(code=(code or "").strip(), is_active=True).first()
    if outlet is None:
        raise RoundPlanningError(
            "unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field="outlet"
        )
    _check_round_outlet(outlet)
    return outlet


def round_vehicles(*, outlet: Outlet) -> list[Vehicle]:
    """The active vehicles of ``outlet``, checked for use.

    Raises
    ------
    RoundPlanningError
        ``no_vehicles`` when there are none, ``vehicle_no_capacity`` for a vehicle with no capacity.
    """
    vehicles = list(Vehicle.objects.filter(outlet=outlet, is_active=True).order_by("name", "pk"))
    if not vehicles:
        raise RoundPlanningError(
            "no_vehicles", _("%(outlet)s没有在用的投递车辆") % {"outlet": outlet}, field="outlet"
        )
    for vehicle in vehicles:
        if vehicle.capacity_g <= 0:
            raise RoundPlanningError(
                "vehicle_no_capacity",
                _("车辆 %(vehicle)s 的载重为 0，请先填写载重") % {"vehicle": vehicle.name},
                field="vehicle",
            )
    return vehicles


def round_problem_build(*, outlet: Outlet, planned_on: datetime.date) -> BuiltProblem:
    """The routing problem of ``outlet``'s rounds on ``planned_on``, from the parcels in the system.

    Only stations with something to deliver or collect become stops; those that cannot be served by
    any vehicle are set aside with their reason (see the module docstring for every rule).

    Raises
    ------
    RoundPlanningError
        ``not_a_round_outlet``, ``no_vehicles``, ``vehicle_no_capacity``, or ``no_coordinates`` naming
        the outlet without coordinates.
    """
    _check_round_outlet(outlet)
    vehicles = round_vehicles(outlet=outlet)
    stations = stations_served(outlet=outlet)
    loads = [load for load in station_loads(outlet=outlet, stations=stations) if load.parcel_count]
    loads += [
        StationLoad(outlet=stop.station, home_pickup=stop)
        for stop in round_home_pickups(
            stations=stations_collected(outlet=outlet, stations=stations), planned_on=planned_on
        )
    ]
    for place in [outlet, *(load.outlet for load in loads)]:
        if not _has_coordinates(place):
            raise RoundPlanningError(
                "no_coordinates",
                _("网点%(outlet)s没有经纬度，无法计算路程") % {"outlet": place},
                field="outlet",
            )
    shift_start = min(_seconds_of_day(vehicle.shift_starts_at) for vehicle in vehicles)
    shift_end = max(_seconds_of_day(vehicle.shift_ends_at) for vehicle in vehicles)
    largest_g = max(vehicle.capacity_g for vehicle in vehicles)
    periods = _opening_periods(stations=[load.outlet for load in loads], weekday=planned_on.weekday())
    distance, duration, source = travel_matrices(places=[outlet, *(load.outlet for load in loads)])

    unserved: list[Unserved] = []
    kept: list[tuple[int, StationLoad, tuple[int, int]]] = []  # (matrix index, load, window)
    for index, load in enumerate(loads, start=1):
        reason = ""
        # A home pickup is made at the villager's home in their window, whatever the station's hours.
        load_periods = (
            [(load.home_pickup.opens_at_s, load.home_pickup.closes_at_s)]
            if load.home_pickup is not None
            else periods[load.outlet.pk]
        )
        window = _best_window(load_periods, shift_start, shift_end)
        if not load_periods:
            reason = "closed"
        elif window is None:
            reason = "outside_shift"
        elif max(load.delivery_g, load.pickup_g) > largest_g:
            reason = "too_heavy"
        elif not any(
            _reachable(
                vehicle=vehicle,
                window=window,
                there_s=duration[0][index],
                back_s=duration[index][0],
                service_s=load.service_s,
            )
            for vehicle in vehicles
        ):
            reason = "out_of_reach"
        if reason:
            unserved.append(Unserved(load.outlet, reason, load.parcel_count, load.home_pickup))
        else:
            assert window is not None
            kept.append((index, load, window))

    indices = [0, *(index for index, _load, _window in kept)]
    stops = [
        Stop(
            name=load.home_pickup.reference if load.home_pickup is not None else load.outlet.code,
            delivery_g=load.delivery_g,
            pickup_g=load.pickup_g,
            service_s=load.service_s,
            opens_at_s=window[0],
            closes_at_s=window[1],
            required=False,
            skip_penalty=load.skip_penalty,
        )
        for _index, load, window in kept
    ]
    problem = RoutingProblem(
        depots=[Depot(name=outlet.code, opens_at_s=shift_start, closes_at_s=shift_end)],
        stops=stops,
        vehicle_types=[
            VehicleType(
                name=vehicle.name,
                count=1,
                capacity_g=vehicle.capacity_g,
                depot=0,
                shift_start_s=_seconds_of_day(vehicle.shift_starts_at),
                shift_end_s=_seconds_of_day(vehicle.shift_ends_at),
                cost_per_km_fen=vehicle.cost_per_km_fen,
                max_trips=vehicle.max_trips,
            )
            for vehicle in vehicles
        ],
        distance_m=[[distance[i][j] for j in indices] for i in indices],
        duration_s=[[duration[i][j] for j in indices] for i in indices],
    )
    return BuiltProblem(
        outlet=outlet,
        planned_on=planned_on,
        problem=problem,
        loads=[load for _index, load, _window in kept],
        vehicles=vehicles,
        unserved=unserved,
        matrix_source=source,
    )


def _reachable(
    *, vehicle: Vehicle, window: tuple[int, int], there_s: int, back_s: int, service_s: int
) -> bool:
    """Whether ``vehicle`` alone can leave, serve the stop within its window and be back in its shift."""
    start, end = _seconds_of_day(vehicle.shift_starts_at), _seconds_of_day(vehicle.shift_ends_at)
    arrive = max(start + there_s, window[0])
    return arrive <= window[1] and arrive + service_s + back_s <= end


def previous_routes(*, built: BuiltProblem) -> tuple[list[InitialRoute], datetime.date | None]:
    """The outlet's latest finished plan up to ``built.planned_on``, as routes of ``built``'s problem.

    Vans are matched by their id and stops by their code (a station's outlet code; a home pickup's
    reference, which is new every day); a van no longer active and a stop not in today's problem are
    dropped. Returns the routes and the day of the plan they come from (``None``: no such plan).
    """
    plan = (
        RoundPlan.objects.filter(
            outlet=built.outlet, status=RoundPlanStatus.DONE, planned_on__lte=built.planned_on
        )
        .order_by("-planned_on", "-finished_at", "-pk")
        .only("planned_on", "result")
        .first()
    )
    if plan is None:
        return [], None
    vehicle_index = {vehicle.pk: index for index, vehicle in enumerate(built.vehicles)}
    stop_index = {stop.name: index for index, stop in enumerate(built.problem.stops)}
    routes: list[InitialRoute] = []
    for route in plan.result.get("routes", []):
        index = vehicle_index.get((route.get("vehicle") or {}).get("id", 0))
        if index is None:
            continue
        trips: dict[int, list[int]] = {}
        for stop in route.get("stops", []):
            home_pickup = stop.get("home_pickup")
            number = stop_index.get(home_pickup["reference"] if home_pickup else stop.get("code"))
            if number is not None:
                trips.setdefault(int(stop.get("trip", 1)), []).append(number)
        if trips:
            routes.append(InitialRoute(vehicle_type=index, trips=[trips[key] for key in sorted(trips)]))
    return routes, plan.planned_on


# --- solving and the stored result ---------------------------------------------------------------

Progress = Callable[[int], None]


def round_plan_compute(
    *,
    outlet: Outlet,
    planned_on: datetime.date,
    seconds: float,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build, check and solve the rounds of ``outlet`` on ``planned_on``; the plan as :func:`plan_result`.

    ``progress`` is called with a percentage (0–100) as the work goes on, about twice a second while
    the solver runs (the solver runs in a worker thread; the database is touched only by the caller's).

    Raises
    ------
    RoundPlanningError
        As :func:`round_problem_build`; ``invalid_problem`` when the solver refuses the problem as
        given; ``infeasible`` when the best plan found breaks a capacity, window or shift.
    """
    from siliu.logistics.rounds.model import solve

    report = progress or (lambda percent: None)
    built = round_problem_build(outlet=outlet, planned_on=planned_on)
    report(10)
    if not built.problem.stops:
        report(100)
        return plan_result(built=built, solution=RoutingSolution(routes=[]))
    initial, warm_from = previous_routes(built=built) if settings.SILIU_ROUND_WARM_START else ([], None)
    if workers is None:
        workers = settings.SILIU_ROUND_WORKERS or cpus_available()
    # ``solve`` checks the problem first (``problem_check``) and raises ProblemError in the worker.
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="round-solver") as pool:
        future = pool.submit(
            solve, built.problem, seconds=seconds, seed=seed, workers=workers, initial=initial
        )
        while True:
            try:
                solution = future.result(timeout=0.5)
                break
            except TimeoutError:
                elapsed = time.monotonic() - started
                report(min(95, 10 + int(85 * elapsed / max(seconds, 0.001))))
            except ProblemError as error:
                raise RoundPlanningError("invalid_problem", str(error), field="outlet") from None
    if not solution.feasible:
        raise RoundPlanningError(
            "infeasible",
            _("找不到满足载重、营业时间和班次的方案：请增加车辆、延长班次或减少货量"),
            field="outlet",
        )
    report(100)
    result = plan_result(built=built, solution=solution)
    result["search"] = {
        "workers": workers,
        "seconds": seconds,
        "warm_start_from": warm_from.isoformat() if warm_from is not None else None,
    }
    return result


def _kg(grams: int) -> float:
    return round(grams / 1000, 1)


def _place(outlet: Outlet) -> dict[str, Any]:
    return {
        "code": outlet.code,
        "name": outlet.name,
        "latitude": float(outlet.latitude),
        "longitude": float(outlet.longitude),
    }


def _home_pickup_data(stop: HomePickupStop | None) -> dict[str, Any]:
    """The ``home_pickup`` entry of a stop or a left-out item in a stored plan (nothing for a station).

    The phone is masked: a plan is read by everyone who reads the outlet's rounds; the driver gets the
    full number on their own page (:func:`~siliu.logistics.hooks.home_pickup_contacts`)."""
    if stop is None:
        return {}
    return {
        "home_pickup": {
            "reference": stop.reference,
            "label": stop.label,
            "description": stop.description,
            "phone_masked": stop.phone_masked,
            "window": f"{_clock(stop.opens_at_s)}–{_clock(stop.closes_at_s)}",
            "weight_kg": _kg(stop.weight_g),
        }
    }


def plan_home_pickups(
    result: dict[str, Any],
) -> tuple[list[HomePickupPlanned], list[HomePickupUnplanned]]:
    """The home pickups a stored plan's ``result`` serves (vehicle, arrival) and those it left out."""
    planned = [
        HomePickupPlanned(stop["home_pickup"]["reference"], route["vehicle"]["name"], stop["arrives_at"])
        for route in result.get("routes", [])
        for stop in route["stops"]
        if stop.get("home_pickup")
    ]
    unplanned = [
        HomePickupUnplanned(item["home_pickup"]["reference"], item["reason"])
        for item in result.get("unserved", [])
        if item.get("home_pickup")
    ]
    return planned, unplanned


def plan_result(*, built: BuiltProblem, solution: RoutingSolution) -> dict[str, Any]:
    """The plan as stored in :attr:`RoundPlan.result` and served by the API.

    Distances in km and durations in hours (one decimal, for people), times of day as "HH:MM" local,
    loads in kg; every stop lists the tracking numbers to drop and to collect, for the scans.
    """
    routes: list[dict[str, Any]] = []
    served_parcels = 0
    for route in solution.routes:
        if not route.visits:
            continue
        vehicle = built.vehicles[route.vehicle_type]
        trip_of = {stop: number for number, trip in enumerate(route.trips, start=1) for stop in trip}
        stops = []
        for visit in route.visits:
            load = built.loads[visit.stop]
            served_parcels += load.parcel_count
            stops.append(
                {
                    **_place(load.outlet),
                    "trip": trip_of.get(visit.stop, 1),
                    "arrives_at": _clock(visit.arrives_at_s),
                    "starts_service_at": _clock(visit.starts_service_at_s),
                    "load_after_kg": _kg(visit.load_after_g),
                    "delivery_kg": _kg(load.delivery_g),
                    "pickup_kg": _kg(load.pickup_g),
                    "delivery_count": len(load.deliveries),
                    "pickup_count": len(load.pickups),
                    "partner_count": sum(parcel.is_partner for parcel in load.deliveries + load.pickups),
                    "deliveries": [parcel.tracking_number for parcel in load.deliveries],
                    "pickups": [parcel.tracking_number for parcel in load.pickups],
                    "arrived_at": None,
                    **_home_pickup_data(load.home_pickup),
                }
            )
        routes.append(
            {
                "vehicle": {
                    "id": vehicle.pk,
                    "name": vehicle.name,
                    "capacity_kg": _kg(vehicle.capacity_g),
                },
                "starts_at": _clock(route.starts_at_s),
                "ends_at": _clock(route.ends_at_s),
                "trip_count": len(route.trips) or 1,
                "distance_km": round(route.distance_m / 1000, 1),
                "duration_h": round(route.duration_s / 3600, 2),
                "load_at_start_kg": _kg(
                    sum(built.loads[stop].delivery_g for stop in (route.trips or [[]])[0])
                ),
                "parcel_count": sum(stop["delivery_count"] + stop["pickup_count"] for stop in stops),
                "stops": stops,
                "departed_at": None,
            }
        )
    unserved = [
        {
            **_place(item.outlet),
            "reason": item.reason,
            "parcel_count": item.parcel_count,
            **_home_pickup_data(item.home_pickup),
        }
        for item in built.unserved
    ] + [
        {
            **_place(built.loads[index].outlet),
            "reason": "no_room",
            "parcel_count": built.loads[index].parcel_count,
            **_home_pickup_data(built.loads[index].home_pickup),
        }
        for index in solution.unserved
    ]
    distance_m = sum(route.distance_m for route in solution.routes)
    duration_s = sum(route.duration_s for route in solution.routes)
    return {
        "outlet": _place(built.outlet),
        "planned_on": built.planned_on.isoformat(),
        "matrix_source": built.matrix_source,
        "routes": routes,
        "unserved": sorted(unserved, key=lambda item: item["code"]),
        "totals": {
            "vehicle_count": len(routes),
            "stop_count": sum(len(route["stops"]) for route in routes),
            "distance_km": round(distance_m / 1000, 1),
            "duration_h": round(duration_s / 3600, 2),
            "parcel_count": served_parcels,
            "parcels_per_km": round(served_parcels / (distance_m / 1000), 2) if distance_m else 0.0,
            "objective": solution.objective,
        },
    }


def plan_lines(result: dict[str, Any]) -> list[str]:
    """The plan as lines of text, for the command line."""
    outlet = result["outlet"]
    totals = result["totals"]
    lines = [
        _("%(name)s（%(code)s）%(date)s 投递班次") % {**outlet, "date": result["planned_on"]},
        _(
            "合计：%(vehicles)d 辆车，%(stops)d 站，%(km)s 公里，%(hours)s 小时，"
            "%(parcels)d 件，每公里 %(ppk)s 件"
        )
        % {
            "vehicles": totals["vehicle_count"],
            "stops": totals["stop_count"],
            "km": totals["distance_km"],
            "hours": totals["duration_h"],
            "parcels": totals["parcel_count"],
            "ppk": totals["parcels_per_km"],
        },
    ]
    for route in result["routes"]:
        lines.append(
            _("车辆 %(name)s：%(start)s–%(end)s，%(km)s 公里，%(trips)d 趟，出车载重 %(kg)s kg")
            % {
                "name": route["vehicle"]["name"],
                "start": route["starts_at"],
                "end": route["ends_at"],
                "km": route["distance_km"],
                "trips": route["trip_count"],
                "kg": route["load_at_start_kg"],
            }
        )
        for number, stop in enumerate(route["stops"], start=1):
            if home := stop.get("home_pickup"):
                lines.append(
                    f"  {number:>2}. {stop['arrives_at']}  "
                    + _("上门揽收 %(reference)s %(label)s（%(window)s，%(kg)s kg）")
                    % {**home, "kg": home["weight_kg"]}
                )
                continue
            lines.append(
                f"  {number:>2}. {stop['arrives_at']}  {stop['code']} {stop['name']}  "
                + _("送 %(down)d 件 / 收 %(up)d 件，离站载重 %(kg)s kg")
                % {"down": stop["delivery_count"], "up": stop["pickup_count"], "kg": stop["load_after_kg"]}
            )
    for item in result["unserved"]:
        if home := item.get("home_pickup"):
            lines.append(
                _("未安排：上门揽收 %(reference)s %(label)s — %(reason)s")
                % {**home, "reason": UNSERVED_REASONS.get(item["reason"], item["reason"])}
            )
            continue
        lines.append(
            _("未安排：%(code)s %(name)s（%(count)d 件）— %(reason)s")
            % {
                "code": item["code"],
                "name": item["name"],
                "count": item["parcel_count"],
                "reason": UNSERVED_REASONS.get(item["reason"], item["reason"]),
            }
        )
    return lines
