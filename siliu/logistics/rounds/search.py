"""Independent searches in parallel, the best kept, within one wall-clock limit (ADR 0028).

PyVRP's iterated local search uses one core. :func:`search_best` runs ``workers`` searches at once —
the caller's own in this process, the others in child processes — each with its own seed and its own
parameters from :data:`PORTFOLIO`, all ending at one deadline, and keeps the best solution.

The even-numbered searches (the caller's own first) may start from a given solution — a warm start:
yesterday's plan repaired for today's stops, see :func:`initial_solution` — and the odd-numbered ones
start from scratch; PyVRP's search inserts the stops a start leaves out.

Children are forked where the platform allows it (Linux): they share the problem's data without
copying it and start in milliseconds; elsewhere they are spawned. A child only searches and sends its
routes back through a pipe; it touches neither the database nor any other state of the caller, and it
ends with ``os._exit``. A child that has not answered by the limit is stopped and left out.
"""

import multiprocessing
import os
import time
import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyvrp import Activity, ActivityType, ProblemData, Solution
from pyvrp import Route as PyvrpRoute
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
from pyvrp.PenaltyManager import PenaltyParams
from pyvrp.search import NeighbourhoodParams, PerturbationParams
from pyvrp.solve import SolveParams
from pyvrp.solve import solve as pyvrp_solve

#: The parameter sets the workers take in turn (worker ``i`` takes ``PORTFOLIO[i % len(PORTFOLIO)]``),
#: read from ``solver.toml`` beside this module; docs/routing-tuning.md tells how they were chosen.
PARAMETERS_FILE = Path(__file__).with_name("solver.toml")

#: What a search leaves for collecting and mapping the result before the deadline: this share of the
#: limit, within :data:`MARGIN_MIN_S` and :data:`MARGIN_MAX_S`.
MARGIN_SHARE = 0.02
MARGIN_MIN_S = 0.1
MARGIN_MAX_S = 0.15

#: A route as plain data: its vehicle type and its activities, ``("c", client)`` or ``("d", depot)``,
#: between leaving the depot and coming back (a ``"d"`` is a reload between trips).
PlainRoute = tuple[int, list[tuple[str, int]]]


@dataclass(frozen=True)
class InitialRoute:
    """A route to start the search from: its vehicle type and the stops of each trip, in order."""

    vehicle_type: int
    trips: list[list[int]]


def cpus_available() -> int:
    """The CPUs this process may run on (its affinity where the platform tells it), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def params_from(sections: dict[str, dict[str, Any]]) -> SolveParams:
    """PyVRP's solver parameters from ``ils``, ``penalty``, ``neighbourhood`` and ``perturbation``
    sections (a missing section or value keeps PyVRP's default)."""
    return SolveParams(
        ils=IteratedLocalSearchParams(**sections.get("ils", {})),
        penalty=PenaltyParams(**sections.get("penalty", {})),
        neighbourhood=NeighbourhoodParams(**sections.get("neighbourhood", {})),
        perturbation=PerturbationParams(**sections.get("perturbation", {})),
    )


def _params_read(path: Path) -> list[SolveParams]:
    """The portfolio from ``path``: a TOML file whose ``[[portfolio]]`` tables hold the sections of
    :func:`params_from`."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    portfolio = [params_from(entry) for entry in data.get("portfolio", [])]
    if not portfolio:
        raise ValueError(f"{path}: the portfolio is empty")
    return portfolio


PORTFOLIO: list[SolveParams] = _params_read(PARAMETERS_FILE)


def initial_solution(*, data: ProblemData, routes: Sequence[InitialRoute]) -> Solution | None:
    """A PyVRP solution from ``routes``, repaired to fit ``data``; ``None`` when nothing is left.

    Repairs: stops out of range or already visited are dropped, as are trips beyond the vehicle type's
    reloads, routes of an unknown vehicle type or beyond its number of vehicles, and empty trips and
    routes. What the routes leave out, the search inserts.
    """
    used: set[int] = set()
    per_type = [0] * data.num_vehicle_types
    built: list[PyvrpRoute] = []
    for route in routes:
        if not 0 <= route.vehicle_type < data.num_vehicle_types:
            continue
        vehicle = data.vehicle_type(route.vehicle_type)
        if per_type[route.vehicle_type] >= vehicle.num_available:
            continue
        reload_depot = vehicle.reload_depots[0] if vehicle.reload_depots else None
        trips: list[list[int]] = []
        for trip in route.trips:
            kept = [stop for stop in trip if 0 <= stop < data.num_clients and stop not in used]
            if not kept:
                continue
            if trips and (reload_depot is None or len(trips) > vehicle.max_reloads):
                break
            used.update(kept)
            trips.append(kept)
        if not trips:
            continue
        activities: list[Activity] = []
        for number, trip in enumerate(trips):
            if number:
                assert reload_depot is not None  # a second trip is kept only with a reload depot
                activities.append(Activity(ActivityType.DEPOT, reload_depot))
            activities.extend(Activity(ActivityType.CLIENT, stop) for stop in trip)
        built.append(PyvrpRoute(data, activities, route.vehicle_type))
        per_type[route.vehicle_type] += 1
    return Solution(data, built) if built else None


def _plain(solution: Solution) -> list[PlainRoute]:
    plain: list[PlainRoute] = []
    for route in solution.routes():
        activities = list(route.schedule())[1:-1]  # without leaving and coming back to the depot
        plain.append((route.vehicle_type(), [("c" if a.is_client() else "d", a.idx) for a in activities]))
    return plain


def _from_plain(data: ProblemData, routes: list[PlainRoute]) -> Solution:
    return Solution(
        data,
        [
            PyvrpRoute(
                data,
                [
                    Activity(ActivityType.CLIENT if kind == "c" else ActivityType.DEPOT, index)
                    for kind, index in activities
                ],
                vehicle_type,
            )
            for vehicle_type, activities in routes
        ],
    )


def objective_units(solution: Solution) -> int:
    """What ``CostEvaluator.cost()`` adds up for a feasible solution, but also defined for an infeasible
    one: distance, duration, vehicles' fixed costs and the prizes of stops left out (model units)."""
    return (
        solution.distance_cost()
        + solution.duration_cost()
        + solution.fixed_vehicle_cost()
        + solution.uncollected_prizes()
    )


def rank(solution: Solution) -> tuple[bool, int]:
    """Sort key of a solution: feasible and complete first, then the objective (model units)."""
    return (not (solution.is_feasible() and solution.is_complete()), objective_units(solution))


class _Deadline:
    """PyVRP's stopping criterion at a wall-clock moment (``time.time()``), shared by every process.

    Unlike ``MaxRuntime``, which counts from its first call, it also counts the start PyVRP builds
    before searching (a random solution improved by a local search), which takes a while on 600 stops.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, best_cost: float) -> bool:
        return time.time() >= self.deadline


def _search(
    data: ProblemData, *, seed: int, params: SolveParams, deadline: float, initial: Solution | None
) -> Solution:
    with warnings.catch_warnings():
        # Not finding a feasible solution is reported by the solution, not as a warning.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp_solve(
            data,
            _Deadline(deadline),
            seed=seed,
            collect_stats=False,
            display=False,
            params=params,
            initial_solution=initial,
        )
    return result.best


def _child(
    connection: Connection,
    data: ProblemData,
    seed: int,
    params: SolveParams,
    deadline: float,
    routes: list[PlainRoute] | None,
) -> None:
    try:
        initial = _from_plain(data, routes) if routes is not None else None
        connection.send(_plain(_search(data, seed=seed, params=params, deadline=deadline, initial=initial)))
    except Exception as error:  # reported to the parent, which keeps the other searches' results
        connection.send(error)
    finally:
        connection.close()


def _context() -> Any:
    """Fork where the platform has it (no copy of the data, children start in milliseconds), else spawn."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def search_best(
    data: ProblemData,
    *,
    seconds: float,
    seed: int = 0,
    workers: int = 1,
    initial: Solution | None = None,
    portfolio: Sequence[SolveParams] | None = None,
) -> Solution:
    """Run ``workers`` searches of ``data`` at once and return the best solution found.

    Parameters
    ----------
    data
        The problem.
    seconds
        Wall-clock limit from this call to its return; the searches end a margin before it.
    seed
        Worker ``i`` searches with seed ``seed + i``; one worker is ``pyvrp.solve`` with that seed and
        the first parameter set.
    workers
        How many searches (1: in this process only).
    initial
        A solution the even workers start from (``None``: PyVRP's own start); odd workers start from
        scratch, so a poor warm start never costs the whole search.
    portfolio
        Parameter sets taken in turn by the workers (default :data:`PORTFOLIO`).
    """
    started = time.time()
    params = list(portfolio or PORTFOLIO)
    margin = min(MARGIN_MAX_S, max(MARGIN_MIN_S, MARGIN_SHARE * seconds), seconds / 2)
    deadline = started + seconds - margin
    plain_initial = _plain(initial) if initial is not None else None
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    if workers > 1:
        context = _context()
        for worker in range(1, workers):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_child,
                # Even workers start from the warm start, odd ones from scratch: both kinds of start.
                args=(
                    sender,
                    data,
                    seed + worker,
                    params[worker % len(params)],
                    deadline,
                    plain_initial if worker % 2 == 0 else None,
                ),
                daemon=True,
            )
            process.start()
            sender.close()
            children.append((process, receiver))
    best = _search(data, seed=seed, params=params[0], deadline=deadline, initial=initial)
    for process, receiver in children:
        answer = None
        # Children answer within the margin's first three quarters; the last is for mapping the plan.
        if receiver.poll(max(0.0, started + seconds - margin / 4 - time.time())):
            try:
                answer = receiver.recv()
            except EOFError:  # the child died without answering
                answer = None
        receiver.close()
        process.join(timeout=0.1)
        if process.is_alive():
            process.kill()
            process.join()
        if isinstance(answer, list):
            candidate = _from_plain(data, answer)
            if rank(candidate) < rank(best):
                best = candidate
    return best


def workers_parse(value: str) -> int:
    """A worker count as typed on a command line: a whole number from 1 to 64."""
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"--workers must be a whole number, not {value!r}") from None
    if not 1 <= workers <= 64:
        raise ValueError(f"--workers must be between 1 and 64, not {value!r}")
    return workers


__all__ = [
    "PORTFOLIO",
    "InitialRoute",
    "cpus_available",
    "initial_solution",
    "objective_units",
    "params_from",
    "rank",
    "search_best",
    "workers_parse",
]
