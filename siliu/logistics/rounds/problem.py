"""The routing problem and its solution as plain, validated data (no Django, no PyVRP).

Units: distances in metres, durations and times in seconds (times of day as seconds after midnight of
the planned day), loads in grams, costs in fen. Index 0..len(depots)-1 of the matrices are the depots,
then the stops in order.
"""

from dataclasses import dataclass, field


class ProblemError(ValueError):
    """A problem that cannot be built or solved as given; the message names what is wrong."""


@dataclass(frozen=True)
class Depot:
    name: str
    opens_at_s: int = 0
    closes_at_s: int = 24 * 3600


@dataclass(frozen=True)
class Stop:
    """A place to visit: drop ``delivery_g`` and collect ``pickup_g`` within its time window.

    An optional stop (``required=False``) may be left out at a cost of ``skip_penalty``.
    """

    name: str
    delivery_g: int = 0
    pickup_g: int = 0
    service_s: int = 0
    opens_at_s: int = 0
    closes_at_s: int = 24 * 3600
    required: bool = True
    skip_penalty: int = 0
    release_s: int = 0


@dataclass(frozen=True)
class VehicleType:
    name: str
    count: int
    capacity_g: int
    depot: int = 0
    shift_start_s: int = 0
    shift_end_s: int = 24 * 3600
    cost_per_km_fen: int = 100
    fixed_cost_fen: int = 0
    max_trips: int = 1


@dataclass(frozen=True)
class RoutingProblem:
    depots: list[Depot]
    stops: list[Stop]
    vehicle_types: list[VehicleType]
    distance_m: list[list[int]]
    duration_s: list[list[int]]


@dataclass(frozen=True)
class Visit:
    stop: int  # index into RoutingProblem.stops
    arrives_at_s: int
    starts_service_at_s: int
    load_after_g: int


@dataclass(frozen=True)
class Route:
    vehicle_type: int
    visits: list[Visit]  # in order; a visit to a depot between trips is not listed
    trips: list[list[int]]  # stop indices per trip
    starts_at_s: int
    ends_at_s: int
    distance_m: int
    duration_s: int


@dataclass(frozen=True)
class RoutingSolution:
    routes: list[Route]
    unserved: list[int] = field(default_factory=list)  # stop indices left out
    objective: int = 0
    feasible: bool = True
    distance_m: int = 0
    duration_s: int = 0
