"""Build a PyVRP model from a :class:`RoutingProblem`, solve it, and map the result back.

This is the one model builder: the platform's daily round planning and the ``siliu routing`` workbench
both call :func:`solve`.

Costs. PyVRP wants integer costs per unit of distance. A vehicle's cost per metre is
``cost_per_km_fen / 1000`` fen, so the model counts in units of ``g / 1000`` fen where ``g`` is the
greatest common divisor of 1000 and every vehicle type's ``cost_per_km_fen``: the unit distance cost is
then ``cost_per_km_fen / g`` and prizes and fixed costs are scaled by ``1000 / g`` — all integers, and
for the workbench (1000 fen per km, i.e. one cost unit per distance unit) the scale is exactly 1.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pyvrp import Model, ProblemData, Solution
from pyvrp import Route as PyvrpRoute
from pyvrp.constants import MAX_SIZE, MAX_VALUE

from siliu.logistics.rounds.problem import ProblemError, Route, RoutingProblem, RoutingSolution, Visit
from siliu.logistics.rounds.search import (
    InitialRoute,
    cpus_available,
    initial_solution,
    objective_units,
    search_best,
)


@dataclass(frozen=True)
class _CostScale:
    """Model cost units: one unit is ``divisor / 1000`` fen (see the module docstring)."""

    divisor: int  # g: gcd of 1000 and every cost_per_km_fen

    def fen_to_units(self, fen: int) -> int:
        return fen * (1000 // self.divisor)

    def units_to_fen(self, units: int) -> int:
        return round(units * self.divisor / 1000)


def problem_check(problem: RoutingProblem) -> None:
    """Refuse a problem that cannot be built, before any solving.

    Parameters
    ----------
    problem
        The problem; matrices in metres and seconds, loads in grams, times in seconds after midnight.

    Raises
    ------
    ProblemError
        With a message naming the depot, stop, vehicle type or matrix that is wrong: no depot or vehicle
        type, an empty matrix or one whose size does not match ``len(depots) + len(stops)``, a negative
        entry, a window that closes before it opens, a negative load or service time, a vehicle type
        with no count or zero capacity, a bad home depot or trip count, or a required stop whose
        delivery or pickup exceeds every vehicle's capacity or that is released after its window closes.
    """
    if not problem.depots:
        raise ProblemError("the problem has no depot")
    if not problem.vehicle_types:
        raise ProblemError("the problem has no vehicle type")
    size = len(problem.depots) + len(problem.stops)
    for label, matrix in (("distance", problem.distance_m), ("duration", problem.duration_s)):
        if not matrix:
            raise ProblemError(f"the {label} matrix is empty")
        if len(matrix) != size:
            raise ProblemError(
                f"the {label} matrix has {len(matrix)} rows but there are {len(problem.depots)} depot(s) "
                f"and {len(problem.stops)} stop(s) ({size} places)"
            )
        for row_index, row in enumerate(matrix):
            if len(row) != size:
                raise ProblemError(
                    f"row {row_index} of the {label} matrix has {len(row)} entries, expected {size}"
                )
            if any(value < 0 for value in row):
                raise ProblemError(f"row {row_index} of the {label} matrix has a negative entry")
            if any(value > MAX_VALUE for value in row):
                raise ProblemError(f"row {row_index} of the {label} matrix has an entry above {MAX_VALUE}")

    for index, depot in enumerate(problem.depots):
        if depot.closes_at_s < depot.opens_at_s:
            raise ProblemError(
                f"depot {index} ({depot.name!r}) closes at {depot.closes_at_s} s, before it opens at "
                f"{depot.opens_at_s} s"
            )

    for index, vehicle in enumerate(problem.vehicle_types):
        name = f"vehicle type {index} ({vehicle.name!r})"
        if vehicle.count <= 0:
            raise ProblemError(f"{name} has no vehicles (count {vehicle.count})")
        if vehicle.capacity_g <= 0:
            raise ProblemError(f"{name} has no capacity ({vehicle.capacity_g} g)")
        if not 0 <= vehicle.depot < len(problem.depots):
            raise ProblemError(f"{name} has home depot {vehicle.depot}, which does not exist")
        if vehicle.shift_end_s < vehicle.shift_start_s:
            raise ProblemError(
                f"{name}'s shift ends at {vehicle.shift_end_s} s, "
                f"before it starts at {vehicle.shift_start_s} s"
            )
        home = problem.depots[vehicle.depot]
        if max(vehicle.shift_start_s, home.opens_at_s) > min(vehicle.shift_end_s, home.closes_at_s):
            raise ProblemError(
                f"{name}'s shift ({vehicle.shift_start_s}–{vehicle.shift_end_s} s) falls outside the opening "
                f"hours of its depot {home.name!r} ({home.opens_at_s}–{home.closes_at_s} s)"
            )
        if vehicle.max_trips < 1:
            raise ProblemError(f"{name} allows {vehicle.max_trips} trips; at least 1 is needed")
        if vehicle.cost_per_km_fen < 0 or vehicle.fixed_cost_fen < 0:
            raise ProblemError(f"{name} has a negative cost")

    largest_capacity = max(vehicle.capacity_g for vehicle in problem.vehicle_types)
    for index, stop in enumerate(problem.stops):
        name = f"stop {index} ({stop.name!r})"
        if stop.closes_at_s < stop.opens_at_s:
            raise ProblemError(
                f"{name}'s window closes at {stop.closes_at_s} s, before it opens at {stop.opens_at_s} s"
            )
        if stop.delivery_g < 0 or stop.pickup_g < 0:
            raise ProblemError(f"{name} has a negative delivery or pickup")
        if stop.service_s < 0 or stop.release_s < 0:
            raise ProblemError(f"{name} has a negative service or release time")
        if stop.skip_penalty < 0:
            raise ProblemError(f"{name} has a negative skip penalty")
        if not stop.required:
            continue
        if stop.delivery_g > largest_capacity:
            raise ProblemError(
                f"{name} needs a delivery of {stop.delivery_g} g, more than any vehicle carries "
                f"(largest capacity {largest_capacity} g)"
            )
        if stop.pickup_g > largest_capacity:
            raise ProblemError(
                f"{name} has a pickup of {stop.pickup_g} g, more than any vehicle carries "
                f"(largest capacity {largest_capacity} g)"
            )
        if stop.release_s > stop.closes_at_s:
            raise ProblemError(
                f"{name} is released at {stop.release_s} s, after its window closes at {stop.closes_at_s} s"
            )


def _cost_scale(problem: RoutingProblem) -> _CostScale:
    divisor = 1000
    for vehicle in problem.vehicle_types:
        divisor = math.gcd(divisor, vehicle.cost_per_km_fen)
    return _CostScale(divisor=divisor)


def problem_data_build(*, problem: RoutingProblem) -> ProblemData:
    """Build PyVRP's problem data for ``problem`` through a :class:`pyvrp.Model`.

    Parameters
    ----------
    problem
        The problem (metres, seconds, grams, fen); checked with :func:`problem_check` first.

    Returns
    -------
    ProblemData
        Depots are PyVRP depots ``0..len(depots)-1`` and stops PyVRP clients ``0..len(stops)-1``, in
        order; vehicle type ``i`` is PyVRP vehicle type ``i``.

    Raises
    ------
    ProblemError
        As :func:`problem_check`, or when PyVRP refuses the data.
    """
    problem_check(problem)
    scale = _cost_scale(problem)
    model = Model()
    # One location per place, in matrix order; coordinates are not used by the solver.
    locations = [model.add_location(x=0, y=0) for _ in range(len(problem.depots) + len(problem.stops))]
    try:
        depots = [
            model.add_depot(
                locations[index], tw_early=depot.opens_at_s, tw_late=depot.closes_at_s, name=depot.name
            )
            for index, depot in enumerate(problem.depots)
        ]
        for index, stop in enumerate(problem.stops):
            model.add_client(
                locations[len(depots) + index],
                delivery=stop.delivery_g,
                pickup=stop.pickup_g,
                service_duration=stop.service_s,
                tw_early=stop.opens_at_s,
                tw_late=stop.closes_at_s,
                release_time=stop.release_s,
                prize=0 if stop.required else scale.fen_to_units(stop.skip_penalty),
                required=stop.required,
                name=stop.name,
            )
        for vehicle in problem.vehicle_types:
            depot = depots[vehicle.depot]
            home = problem.depots[vehicle.depot]
            model.add_vehicle_type(
                num_available=vehicle.count,
                capacity=vehicle.capacity_g,
                start_depot=depot,
                end_depot=depot,
                fixed_cost=scale.fen_to_units(vehicle.fixed_cost_fen),
                tw_early=max(vehicle.shift_start_s, home.opens_at_s),
                tw_late=min(vehicle.shift_end_s, home.closes_at_s),
                unit_distance_cost=vehicle.cost_per_km_fen // scale.divisor,
                reload_depots=[depot] if vehicle.max_trips > 1 else [],
                max_reloads=min(vehicle.max_trips - 1, MAX_SIZE),
                name=vehicle.name,
            )
        for frm, (distance_row, duration_row) in enumerate(
            zip(problem.distance_m, problem.duration_s, strict=True)
        ):
            for to, (distance, duration) in enumerate(zip(distance_row, duration_row, strict=True)):
                if frm != to:
                    model.add_edge(locations[frm], locations[to], distance=distance, duration=duration)
        return model.data()
    except (ValueError, OverflowError) as error:
        raise ProblemError(f"PyVRP refused the problem: {error}") from error


def solution_map(*, problem: RoutingProblem, solution: Solution) -> RoutingSolution:
    """Map a PyVRP solution back to a :class:`RoutingSolution`.

    Parameters
    ----------
    problem
        The problem.
    solution
        A PyVRP solution of ``problem_data_build(problem=problem)``.

    Returns
    -------
    RoutingSolution
        Routes with visits in order (arrival and service start in seconds after midnight, load on board
        in grams after each stop), trips, distance (m) and duration (s); the stops left out (optional
        ones, and required ones only when infeasible); the objective in fen; and whether the solution
        is feasible and serves every required stop.
    """
    routes = [_route_map(problem=problem, route=route) for route in solution.routes()]
    served = {visit.stop for route in routes for visit in route.visits}
    unserved = [index for index in range(len(problem.stops)) if index not in served]
    units = objective_units(solution)
    return RoutingSolution(
        routes=routes,
        unserved=unserved,
        objective=_cost_scale(problem).units_to_fen(units),
        feasible=solution.is_feasible() and solution.is_complete(),
        distance_m=sum(route.distance_m for route in routes),
        duration_s=sum(route.duration_s for route in routes),
    )


def _route_map(*, problem: RoutingProblem, route: PyvrpRoute) -> Route:
    schedule = route.schedule()
    delivery_per_trip: dict[int, int] = {}
    for activity in schedule:
        if activity.is_client():
            delivery = problem.stops[activity.idx].delivery_g
            delivery_per_trip[activity.trip] = delivery_per_trip.get(activity.trip, 0) + delivery
    visits: list[Visit] = []
    trips: list[list[int]] = []
    trip: list[int] = []
    load = 0
    for activity in schedule:
        if activity.is_depot():
            if trip:
                trips.append(trip)
            trip = []
            continue
        stop_index = activity.idx
        stop = problem.stops[stop_index]
        if not trip:
            # Leaving the depot with every delivery of this trip on board.
            load = delivery_per_trip[activity.trip]
        trip.append(stop_index)
        load += stop.pickup_g - stop.delivery_g
        visits.append(
            Visit(
                stop=stop_index,
                arrives_at_s=activity.start_time - activity.wait_duration,
                starts_service_at_s=activity.start_time,
                load_after_g=load,
            )
        )
    if trip:
        trips.append(trip)
    return Route(
        vehicle_type=route.vehicle_type(),
        visits=visits,
        trips=trips,
        starts_at_s=route.start_time(),
        ends_at_s=route.end_time(),
        distance_m=route.distance(),
        duration_s=route.duration(),
    )


def solve(
    problem: RoutingProblem,
    *,
    seconds: float,
    seed: int = 0,
    workers: int | None = None,
    initial: Sequence[InitialRoute] = (),
) -> RoutingSolution:
    """Solve ``problem`` with PyVRP for ``seconds`` and return the best solution found.

    Simultaneous deliveries and pickups, capacities, time windows, release times, shifts, several
    vehicle types, reloads at the home depot (``max_trips``) and optional stops with a skip penalty.

    Parameters
    ----------
    problem
        The problem: metres, seconds (times of day after midnight), grams, fen.
    seconds
        Wall-clock time limit of the search, in seconds; positive.
    seed
        Seed of the search's random numbers; the same seed and limit give comparable results.
    workers
        Independent searches run at once, the best kept (:func:`~siliu.logistics.rounds.search.search_best`);
        ``None``: one per CPU available.
    initial
        Routes to start from (a warm start, e.g. yesterday's plan); stops they leave out are inserted
        by the search, and what does not fit the problem is dropped.

    Returns
    -------
    RoutingSolution
        See :func:`solution_map`; ``feasible`` is ``False`` when no feasible solution was found in time.

    Raises
    ------
    ProblemError
        When the problem cannot be built (see :func:`problem_check`), ``seconds`` is not positive or
        ``workers`` is below 1.
    """
    if not seconds > 0 or not math.isfinite(seconds):
        raise ProblemError(f"the time limit must be a positive number of seconds, not {seconds}")
    if workers is not None and workers < 1:
        raise ProblemError(f"at least one worker is needed, not {workers}")
    data = problem_data_build(problem=problem)
    best = search_best(
        data,
        seconds=seconds,
        seed=seed,
        workers=cpus_available() if workers is None else workers,
        initial=initial_solution(data=data, routes=initial) if initial else None,
    )
    return solution_map(problem=problem, solution=best)
