"""Routing benchmark: the workbench (PyVRP through Siliu's model builder) against Google OR-Tools.

For each instance in ``BKS.txt`` of the VRPLIB folder, solve through
:func:`siliu.logistics.rounds.model.solve` and through OR-Tools routing (guided local search), both with
the same time limit, and print the gap of each to the best-known solution. Then time one demo-county
day (the demo generator's county plan: every village station, 10 vans from the county hub) to a
feasible plan. Prints a table and writes ``docs/benchmarks-routing.md``.

Run: ``.venv/bin/python bench/routing_bench.py [--vrp-dir DIR] [--seconds 10] [--instances A B …]``.
"""

import argparse
import datetime
import math
import os
import platform
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")
django.setup()

from pyvrp import solve as pyvrp_solve  # noqa: E402
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria  # noqa: E402

from siliu.logistics.rounds.model import problem_data_build, solve  # noqa: E402
from siliu.logistics.rounds.problem import Depot, RoutingProblem, Stop, VehicleType  # noqa: E402
from siliu.logistics.rounds.vrplib import best_known_read, problem_read  # noqa: E402

DEFAULT_VRP_DIR = ROOT.parent / "shared" / "benchmarks" / "vrp"
DOC = ROOT / "docs" / "benchmarks-routing.md"
#: Time windows and limits at or above this are "none" (PyVRP's default is the int64 maximum).
UNLIMITED = 1 << 40


@dataclass(frozen=True)
class Row:
    instance: str
    variant: str
    bks: int
    pyvrp_cost: int | None
    ortools_cost: int | None
    note: str = ""

    @staticmethod
    def gap(cost: int | None, bks: int) -> str:
        return "—" if cost is None else f"{100 * (cost - bks) / bks:.2f} %"


def ortools_solve(*, problem: RoutingProblem, seconds: float) -> tuple[int | None, str]:
    """Solve with OR-Tools routing and guided local search; return (cost, note).

    Capacity is one dimension for CVRP; simultaneous pickup and delivery uses a ``load`` dimension with
    transit ``pickup - delivery`` whose start equals the route's total delivery (a second, cumulative
    ``delivered`` dimension), so the load on board stays within capacity after every stop; time windows
    use a time dimension with waiting allowed. Multi-trip (reloads) is not expressed.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    if len(problem.depots) != 1:
        return None, "several depots not expressed"
    if any(vehicle.max_trips > 1 for vehicle in problem.vehicle_types):
        return None, "multi-trip (reloads) not expressible in OR-Tools routing"
    capacities = [vehicle.capacity_g for vehicle in problem.vehicle_types for _ in range(vehicle.count)]
    vehicle_of = [vehicle for vehicle in problem.vehicle_types for _ in range(vehicle.count)]
    size = 1 + len(problem.stops)
    manager = pywrapcp.RoutingIndexManager(size, len(capacities), 0)
    routing = pywrapcp.RoutingModel(manager)
    distance = routing.RegisterTransitMatrix(problem.distance_m)
    routing.SetArcCostEvaluatorOfAllVehicles(distance)

    deliveries = [0] + [stop.delivery_g for stop in problem.stops]
    pickups = [0] + [stop.pickup_g for stop in problem.stops]
    capacity_cap = [min(capacity, UNLIMITED) for capacity in capacities]
    delivered_index = routing.RegisterUnaryTransitVector(deliveries)
    routing.AddDimensionWithVehicleCapacity(delivered_index, 0, capacity_cap, True, "delivered")
    if any(pickups):
        net = [pickup - delivery for pickup, delivery in zip(pickups, deliveries, strict=True)]
        load_index = routing.RegisterUnaryTransitVector(net)
        routing.AddDimensionWithVehicleCapacity(load_index, 0, capacity_cap, False, "load")
        load = routing.GetDimensionOrDie("load")
        delivered = routing.GetDimensionOrDie("delivered")
        solver = routing.solver()
        for vehicle in range(len(capacities)):
            solver.Add(load.CumulVar(routing.Start(vehicle)) == delivered.CumulVar(routing.End(vehicle)))

    timed = any(
        stop.closes_at_s < UNLIMITED or stop.service_s or stop.release_s for stop in problem.stops
    ) or any(vehicle.shift_end_s < UNLIMITED for vehicle in problem.vehicle_types)
    if timed:
        horizon = max(
            [min(stop.closes_at_s, UNLIMITED) for stop in problem.stops]
            + [min(vehicle.shift_end_s, UNLIMITED) for vehicle in problem.vehicle_types]
        )
        service = [0] + [stop.service_s for stop in problem.stops]
        travel = [[duration + service[frm] for duration in row] for frm, row in enumerate(problem.duration_s)]
        time_index = routing.RegisterTransitMatrix(travel)
        routing.AddDimension(time_index, horizon, horizon, False, "time")
        clock = routing.GetDimensionOrDie("time")
        for number, stop in enumerate(problem.stops, start=1):
            index = manager.NodeToIndex(number)
            clock.CumulVar(index).SetRange(
                max(stop.opens_at_s, stop.release_s), min(stop.closes_at_s, horizon)
            )
        for vehicle, kind in enumerate(vehicle_of):
            clock.CumulVar(routing.Start(vehicle)).SetRange(
                kind.shift_start_s, min(kind.shift_end_s, horizon)
            )
            clock.CumulVar(routing.End(vehicle)).SetRange(kind.shift_start_s, min(kind.shift_end_s, horizon))

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(int(seconds * 1000))
    assignment = routing.SolveWithParameters(parameters)
    if assignment is None:
        return None, "OR-Tools found no solution"
    cost = 0
    for vehicle in range(len(capacities)):
        index = routing.Start(vehicle)
        while not routing.IsEnd(index):
            following = assignment.Value(routing.NextVar(index))
            cost += problem.distance_m[manager.IndexToNode(index)][manager.IndexToNode(following)]
            index = following
    return cost, ""


def demo_day_problem(
    *, seed: int = 2026, village_count: int = 160, vehicle_count: int = 10
) -> RoutingProblem:
    """One delivery day in the demo county: the county hub and every village station of the demo plan.

    The county plan comes from the demo generator (same seed, no database); each station gets a seeded
    delivery of 20–150 kg and a pickup of 10–120 kg (farm produce, outgoing parcels), a 5-minute stop and
    its opening hours 08:30–17:30; ``vehicle_count`` 1.5 t vans work 08:00–18:00, two trips allowed.
    Distances are great-circle km × the demo road factor, travel at the rural road speed.
    """
    from siliu.demo import generator

    plan = generator._county_plan(rng=random.Random(seed), village_count=village_count)
    hub = generator._point(generator.HUB_LATITUDE, generator.HUB_LONGITUDE)
    places = [hub] + [station.point for township in plan.townships for station in township.stations]
    rng = random.Random(seed)
    stops = [
        Stop(
            name=f"station {number}",
            delivery_g=rng.randint(20, 150) * 1000,
            pickup_g=rng.randint(10, 120) * 1000,
            service_s=generator.STATION_STOP_MINUTES * 60,
            opens_at_s=8 * 3600 + 1800,
            closes_at_s=17 * 3600 + 1800,
        )
        for number in range(1, len(places))
    ]
    distance = [
        [round(1000 * generator._road_km(generator._great_circle_km(a, b))) for b in places] for a in places
    ]
    speed_m_per_s = generator.RURAL_ROAD_SPEED_KMH * 1000 / 3600
    duration = [[round(metres / speed_m_per_s) for metres in row] for row in distance]
    return RoutingProblem(
        depots=[Depot(name=generator.HUB_CODE, opens_at_s=7 * 3600, closes_at_s=19 * 3600)],
        stops=stops,
        vehicle_types=[
            VehicleType(
                name="1.5 t van",
                count=vehicle_count,
                capacity_g=1_500_000,
                shift_start_s=8 * 3600,
                shift_end_s=18 * 3600,
                cost_per_km_fen=150,
                max_trips=2,
            )
        ],
        distance_m=distance,
        duration_s=duration,
    )


def demo_day_time(*, seconds: float) -> tuple[int, float, float, int, int]:
    """Return (stations, seconds to build, seconds to the first feasible plan, routes, objective fen)."""
    started = time.perf_counter()
    problem = demo_day_problem()
    data = problem_data_build(problem=problem)
    built = time.perf_counter() - started
    result = pyvrp_solve(
        data, MultipleCriteria([FirstFeasible(), MaxRuntime(seconds)]), seed=0, collect_stats=False
    )
    first_feasible = time.perf_counter() - started
    if not result.best.is_feasible():
        return len(problem.stops), built, math.inf, 0, 0
    solution = solve(problem, seconds=seconds)  # the full run, for the plan's size and cost
    return len(problem.stops), built, first_feasible, len(solution.routes), solution.objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vrp-dir", type=Path, default=DEFAULT_VRP_DIR)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--instances", nargs="*", help="instance names from BKS.txt (default: all)")
    arguments = parser.parse_args()
    vrp_dir: Path = arguments.vrp_dir
    if not (vrp_dir / "BKS.txt").is_file():
        print(f"no BKS.txt in {vrp_dir}; skipping the routing benchmark")
        return
    rows: list[Row] = []
    for best in best_known_read(path=vrp_dir / "BKS.txt"):
        if arguments.instances and best.instance not in arguments.instances:
            continue
        problem = problem_read(path=vrp_dir / f"{best.instance}.vrp", rounding=best.rounding)
        solution = solve(problem, seconds=arguments.seconds, seed=0)
        pyvrp_cost = solution.objective if solution.feasible else None
        ortools_cost, note = ortools_solve(problem=problem, seconds=arguments.seconds)
        row = Row(best.instance, best.variant, best.bks_scaled, pyvrp_cost, ortools_cost, note)
        rows.append(row)
        print(
            f"{row.instance:<12} BKS {row.bks:>9}  PyVRP {pyvrp_cost!s:>9} ({Row.gap(pyvrp_cost, row.bks)})"
            f"  OR-Tools {ortools_cost!s:>9} ({Row.gap(ortools_cost, row.bks)}) {note}",
            flush=True,
        )
    stations, built, first_feasible, routes, objective = demo_day_time(seconds=arguments.seconds)
    demo = (
        f"Demo-county day: {stations} stations, 10 vans (1.5 t, 2 trips, 08:00–18:00), simultaneous "
        f"delivery and pickup, windows 08:30–17:30: problem built in {built:.2f} s, first feasible plan "
        f"after {first_feasible:.2f} s; after {arguments.seconds:g} s {routes} route(s), "
        f"{objective / 100:.2f} yuan of distance cost."
    )
    print(demo)
    table = _table(rows)
    print(table)
    _write_doc(table=table, demo=demo, seconds=arguments.seconds, argv=sys.argv[1:])


def _table(rows: list[Row]) -> str:
    lines = [
        "| instance | variant | BKS | PyVRP (workbench) | gap | OR-Tools GLS | gap | note |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.instance} | {row.variant} | {row.bks} | {row.pyvrp_cost or '—'} | "
            f"{Row.gap(row.pyvrp_cost, row.bks)} | {row.ortools_cost or '—'} | "
            f"{Row.gap(row.ortools_cost, row.bks)} | {row.note} |"
        )
    return "\n".join(lines)


def _write_doc(*, table: str, demo: str, seconds: float, argv: list[str]) -> None:
    from importlib.metadata import version

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
    command = " ".join([".venv/bin/python bench/routing_bench.py", *argv])
    DOC.write_text(
        f"""# Routing benchmark

Generated by `bench/routing_bench.py` (run by `make bench`) on {today}.

Command: `{command}`

Machine: {platform.platform()}, {os.cpu_count()} CPU(s) (nproc), {memory_gib:.1f} GiB memory;
Python {platform.python_version()}, PyVRP {version("pyvrp")}, OR-Tools {version("ortools")}.

## Method

Each instance of `../shared/benchmarks/vrp/BKS.txt` is read with the rounding that file names for it
(`pyvrp.read` conventions, so costs are comparable with `bks_scaled`), turned into Siliu's
`RoutingProblem` and solved twice with the same limit of {seconds:g} s wall-clock, one run each:

- **PyVRP (workbench)**: `siliu.logistics.rounds.model.solve` — the model builder the platform uses —
  seed 0.
- **OR-Tools GLS**: OR-Tools routing, first solution by cheapest arc, guided local search. Capacity is a
  dimension; simultaneous pickup and delivery is a `load` dimension (transit pickup − delivery) whose
  start equals the route's total delivery (a second cumulative dimension), so the load on board is
  within capacity after every stop; time windows and release times are a time dimension with waiting.
  Multi-trip with reloads (C201R0.25) is not expressible there and is left out.

Gap = (cost − BKS) / BKS. The PyVRP cost is the model's objective (the total distance here, feasibility
checked); the OR-Tools cost is summed over its routes' arcs. The demo-county day is built from the demo
generator's county plan (seed 2026, 160 villages; no database) with seeded loads, 10 vans from the hub.

{table}

{demo}
""",
        encoding="utf-8",
    )
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
