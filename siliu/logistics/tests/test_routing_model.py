"""The routing model builder: problems in, solutions out (no database)."""

import dataclasses
import re

import pytest

from siliu.logistics.rounds.model import problem_check, solve
from siliu.logistics.rounds.problem import (
    Depot,
    ProblemError,
    RoutingProblem,
    RoutingSolution,
    Stop,
    VehicleType,
)

SECONDS = 0.3
KM = 1000
#: 36 km/h: 100 s per km.
SECONDS_PER_KM = 100


def line_problem(
    *, stops: list[Stop], vehicle_types: list[VehicleType], positions_km: list[int] | None = None
) -> RoutingProblem:
    """A depot at km 0 and the stops at km 1, 2, 3… along one road (or at ``positions_km``)."""
    positions = positions_km or list(range(len(stops) + 1))
    distance = [[abs(a - b) * KM for b in positions] for a in positions]
    duration = [[abs(a - b) * SECONDS_PER_KM for b in positions] for a in positions]
    return RoutingProblem(
        depots=[Depot(name="hub")],
        stops=stops,
        vehicle_types=vehicle_types,
        distance_m=distance,
        duration_s=duration,
    )


def van(**changes: int | str) -> VehicleType:
    base = VehicleType(name="van", count=1, capacity_g=10_000, cost_per_km_fen=1000)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def stop_order(solution: RoutingSolution) -> list[list[int]]:
    return [[visit.stop for visit in route.visits] for route in solution.routes]


def test_a_stop_only_open_late_is_visited_in_its_window() -> None:
    """The vehicle waits for a window that opens late, and serves the stop inside it."""
    problem = line_problem(
        stops=[Stop(name="early", service_s=60), Stop(name="late", opens_at_s=5000, closes_at_s=5100)],
        vehicle_types=[van()],
    )
    solution = solve(problem, seconds=SECONDS)
    assert solution.feasible
    visits = {visit.stop: visit for route in solution.routes for visit in route.visits}
    assert 5000 <= visits[1].starts_service_at_s <= 5100
    assert visits[1].arrives_at_s <= visits[1].starts_service_at_s
    assert [stop for route in stop_order(solution) for stop in route] in ([0, 1], [1, 0])


def test_a_window_that_cannot_be_reached_makes_the_plan_infeasible() -> None:
    """A required stop whose window closes before any vehicle can get there gives ``feasible=False``."""
    problem = line_problem(stops=[Stop(name="far", closes_at_s=50)], vehicle_types=[van()])
    assert solve(problem, seconds=SECONDS).feasible is False


def test_two_vehicles_when_one_cannot_carry_everything() -> None:
    """Two 6 kg deliveries with 10 kg vans need two routes, each within capacity."""
    problem = line_problem(
        stops=[Stop(name="a", delivery_g=6000), Stop(name="b", delivery_g=6000)],
        vehicle_types=[van(count=2)],
    )
    solution = solve(problem, seconds=SECONDS)
    assert solution.feasible
    assert sorted(stop_order(solution)) == [[0], [1]]
    assert solution.distance_m == 2 * KM + 4 * KM
    assert solution.objective == 6 * 1000  # 6 km at 1000 fen per km


def test_simultaneous_pickup_load_after_each_stop_is_exact() -> None:
    """Deliver 8 kg first, then collect 8 kg: the only order that fits a 10 kg van, loads exact."""
    problem = line_problem(
        stops=[Stop(name="collect", pickup_g=8000), Stop(name="drop", delivery_g=8000, pickup_g=1000)],
        vehicle_types=[van()],
        positions_km=[0, 1, 2],
    )
    solution = solve(problem, seconds=SECONDS)
    assert solution.feasible
    [route] = solution.routes
    assert [visit.stop for visit in route.visits] == [1, 0]
    # Leaves with 8 kg, drops 8 and takes 1 at "drop", then takes 8 at "collect".
    assert [visit.load_after_g for visit in route.visits] == [1000, 9000]
    assert route.distance_m == 4 * KM


def test_optional_stop_left_out_with_its_penalty_when_capacity_is_short() -> None:
    """With room for only the required stop, the optional one is unserved and its penalty is paid."""
    problem = line_problem(
        stops=[
            Stop(name="required", delivery_g=8000),
            Stop(name="optional", delivery_g=5000, required=False, skip_penalty=700),
        ],
        vehicle_types=[van()],
    )
    solution = solve(problem, seconds=SECONDS)
    assert solution.feasible
    assert stop_order(solution) == [[0]]
    assert solution.unserved == [1]
    assert solution.objective == 2 * 1000 + 700


def test_optional_stop_served_when_cheaper_than_its_penalty() -> None:
    """An optional stop whose detour costs less than its penalty is served."""
    problem = line_problem(
        stops=[Stop(name="a", delivery_g=1000), Stop(name="b", required=False, skip_penalty=5000)],
        vehicle_types=[van()],
    )
    solution = solve(problem, seconds=SECONDS)
    assert solution.unserved == []
    assert solution.objective == 4 * 1000


def test_multi_trip_reloads_at_the_depot() -> None:
    """One van with two trips serves two 8 kg deliveries by going back to the depot in between."""
    stops = [Stop(name="a", delivery_g=8000), Stop(name="b", delivery_g=8000)]
    solution = solve(line_problem(stops=stops, vehicle_types=[van(max_trips=2)]), seconds=SECONDS)
    assert solution.feasible
    [route] = solution.routes
    assert sorted(route.trips) == [[0], [1]]
    assert [visit.load_after_g for visit in route.visits] == [0, 0]
    assert route.distance_m == 2 * KM + 4 * KM

    single_trip = solve(line_problem(stops=stops, vehicle_types=[van(max_trips=1)]), seconds=SECONDS)
    assert single_trip.feasible is False


def test_release_time_holds_the_departure() -> None:
    """A stop whose goods arrive at the depot at 09:00 is not reached before 09:00 plus the drive."""
    problem = line_problem(stops=[Stop(name="a", release_s=9 * 3600)], vehicle_types=[van()])
    solution = solve(problem, seconds=SECONDS)
    [route] = solution.routes
    assert route.starts_at_s >= 9 * 3600
    assert route.visits[0].arrives_at_s >= 9 * 3600 + SECONDS_PER_KM


def test_cost_per_km_and_fixed_cost_in_fen() -> None:
    """The objective is distance × cost per km plus the vehicle's fixed cost, in fen."""
    problem = line_problem(
        stops=[Stop(name="a")], vehicle_types=[van(cost_per_km_fen=150, fixed_cost_fen=2000)]
    )
    solution = solve(problem, seconds=SECONDS)
    assert solution.objective == 2 * 150 + 2000
    assert solution.duration_s == 2 * SECONDS_PER_KM


def good_problem() -> RoutingProblem:
    return line_problem(stops=[Stop(name="王家村", delivery_g=1000)], vehicle_types=[van()])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"distance_m": []}, "distance matrix is empty"),
        ({"duration_s": [[0, 1]]}, "duration matrix has 1 rows"),
        ({"distance_m": [[0, 1], [1]]}, "row 1 of the distance matrix has 1 entries"),
        ({"distance_m": [[0, -1], [1, 0]]}, "negative entry"),
        ({"depots": []}, "no depot"),
        ({"vehicle_types": []}, "no vehicle type"),
        (
            {"stops": [Stop(name="王家村", opens_at_s=600, closes_at_s=500)]},
            "stop 0 ('王家村')'s window closes",
        ),
        (
            {"stops": [Stop(name="王家村", delivery_g=20_000)]},
            "stop 0 ('王家村') needs a delivery of 20000 g",
        ),
        ({"stops": [Stop(name="王家村", pickup_g=20_000)]}, "stop 0 ('王家村') has a pickup of 20000 g"),
        ({"stops": [Stop(name="王家村", release_s=900, closes_at_s=800)]}, "released at 900 s"),
        ({"vehicle_types": [van(capacity_g=0)]}, "vehicle type 0 ('van') has no capacity"),
        ({"vehicle_types": [van(count=0)]}, "vehicle type 0 ('van') has no vehicles"),
        ({"vehicle_types": [van(depot=3)]}, "home depot 3"),
        ({"vehicle_types": [van(max_trips=0)]}, "allows 0 trips"),
        (
            {"depots": [Depot(name="hub", opens_at_s=7200, closes_at_s=3600)]},
            "depot 0 ('hub') closes at 3600 s",
        ),
        (
            {
                "vehicle_types": [van(shift_start_s=0, shift_end_s=3600)],
                "depots": [Depot(name="hub", opens_at_s=7200)],
            },
            "falls outside the opening hours of its depot 'hub'",
        ),
        ({"vehicle_types": [van(shift_start_s=10, shift_end_s=5)]}, "shift ends"),
    ],
)
def test_problem_error_names_what_is_wrong(change: dict[str, object], message: str) -> None:
    """Each unbuildable problem is refused before solving, with a message naming the culprit."""
    problem = dataclasses.replace(good_problem(), **change)  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match=re.escape(message)):
        problem_check(problem)
    with pytest.raises(ProblemError):
        solve(problem, seconds=SECONDS)


def test_optional_stop_too_heavy_is_not_an_error() -> None:
    """An optional stop heavier than any van is simply left out."""
    problem = line_problem(
        stops=[Stop(name="a"), Stop(name="huge", delivery_g=50_000, required=False, skip_penalty=1)],
        vehicle_types=[van()],
    )
    problem_check(problem)
    assert solve(problem, seconds=SECONDS).unserved == [1]


@pytest.mark.parametrize("seconds", [0, -1, float("nan")])
def test_time_limit_must_be_positive(seconds: float) -> None:
    """A zero, negative or NaN time limit is refused."""
    with pytest.raises(ProblemError, match="positive number of seconds"):
        solve(good_problem(), seconds=seconds)
