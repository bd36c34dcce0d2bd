"""Routing benchmark: Siliu's round search against plain PyVRP and Google OR-Tools, in the same run.

1. **Public instances.** Each instance in ``BKS.txt`` of the VRPLIB folder is solved by Siliu's search
   (:func:`siliu.logistics.rounds.model.solve`: every CPU, the tuned portfolio), by plain PyVRP (its
   defaults, one core) and by OR-Tools routing (guided local search), with the same limit; the gap of
   each to the best-known solution.
2. **County days** of 150, 300 and 600 stops from the demo generator
   (``bench/routing/county_days.py``), at 10 s and 30 s, the same three, each gap to the day's
   reference (the best of several long runs,
   ``bench/routing/county-days.json``, made by ``bench/routing/reference.py``).
3. **Warm start.** Yesterday (day 0 of the county) is planned for 10 s; today (day 1, the benchmark
   day) is searched with one worker from that plan and from scratch: the seconds each takes to come
   within 2 % and 1 % of the reference.

Prints the tables and writes ``docs/benchmarks-routing.md``.

Run: ``.venv/bin/python bench/routing_bench.py [--vrp-dir DIR] [--seconds 10] [--instances A B …]
[--county-seconds 10 30] [--days county-150 …] [--skip-public] [--skip-warm]``.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "routing"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")
django.setup()

from county_days import county_day, fingerprint  # noqa: E402
from pyvrp import solve as pyvrp_solve  # noqa: E402
from pyvrp.stop import MaxRuntime  # noqa: E402
from reference import DAYS, day_problem, references_read  # noqa: E402

from siliu.logistics.rounds.model import _cost_scale, problem_data_build, solution_map, solve  # noqa: E402
from siliu.logistics.rounds.problem import RoutingProblem  # noqa: E402
from siliu.logistics.rounds.search import (  # noqa: E402
    PORTFOLIO,
    InitialRoute,
    cpus_available,
    initial_solution,
)
from siliu.logistics.rounds.vrplib import best_known_read, problem_read  # noqa: E402

DEFAULT_VRP_DIR = ROOT.parent / "shared" / "benchmarks" / "vrp"
DOC = ROOT / "docs" / "benchmarks-routing.md"
#: Time windows and limits at or above this are "none" (PyVRP's default is the int64 maximum).
UNLIMITED = 1 << 40
#: Vehicles with more trips than this are not modelled for OR-Tools (each trip is a vehicle there).
MAX_ORTOOLS_TRIPS = 3
#: What OR-Tools pays for leaving a stop out: far above any route's cost.
DROP_PENALTY = 10**9


@dataclass(frozen=True)
class Row:
    instance: str
    variant: str  # the public instance's kind, or the county day's limit
    bks: int  # best-known, or the county day's reference
    siliu_cost: int | None
    plain_cost: int | None
    ortools_cost: int | None
    note: str = ""

    @staticmethod
    def gap(cost: int | None, bks: int) -> str:
        return "—" if cost is None else f"{100 * (cost - bks) / bks:.2f} %"


def ortools_solve(
    *, problem: RoutingProblem, seconds: float, first_solution: str = "PATH_CHEAPEST_ARC"
) -> tuple[int | None, str]:
    """Solve with OR-Tools routing and guided local search; return (cost, note).

    Capacity is one dimension for CVRP; simultaneous pickup and delivery uses a ``load`` dimension with
    transit ``pickup - delivery`` whose start equals the route's total delivery (a second, cumulative
    ``delivered`` dimension), so the load on board stays within capacity after every stop; time windows
    use a time dimension with waiting allowed; a vehicle of k trips is k vehicles, trip j starting after
    trip j − 1 is back. Costs in fen, as the model's objective.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    if len(problem.depots) != 1:
        return None, "several depots not expressed"
    if any(vehicle.max_trips > MAX_ORTOOLS_TRIPS for vehicle in problem.vehicle_types):
        return None, f"more than {MAX_ORTOOLS_TRIPS} trips a vehicle not expressed in OR-Tools routing"
    # A vehicle of k trips is k vehicles of one trip each, trip j starting after trip j − 1 is back.
    vehicle_of = [
        vehicle
        for vehicle in problem.vehicle_types
        for _ in range(vehicle.count)
        for _trip in range(vehicle.max_trips)
    ]
    capacities = [vehicle.capacity_g for vehicle in vehicle_of]
    follows = [
        index - 1 if index and vehicle_of[index - 1] is vehicle and trip else None
        for index, (vehicle, trip) in enumerate(
            (vehicle, trip)
            for vehicle in problem.vehicle_types
            for _ in range(vehicle.count)
            for trip in range(vehicle.max_trips)
        )
    ]
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

    timed = (
        any(stop.closes_at_s < UNLIMITED or stop.service_s or stop.release_s for stop in problem.stops)
        or any(vehicle.shift_end_s < UNLIMITED for vehicle in problem.vehicle_types)
        or any(previous is not None for previous in follows)
    )
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
        for vehicle, previous in enumerate(follows):
            if previous is not None:
                routing.solver().Add(
                    clock.CumulVar(routing.Start(vehicle)) >= clock.CumulVar(routing.End(previous))
                )

    # Every stop may be dropped at a penalty far above any route, so that a first solution always
    # exists under tight windows; a plan that still drops one is reported as no solution.
    for number in range(1, size):
        routing.AddDisjunction([manager.NodeToIndex(number)], DROP_PENALTY)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(int(seconds * 1000))
    assignment = routing.SolveWithParameters(parameters)
    if assignment is None:
        return None, "OR-Tools found no solution"
    dropped = sum(
        assignment.Value(routing.NextVar(manager.NodeToIndex(number))) == manager.NodeToIndex(number)
        for number in range(1, size)
    )
    if dropped:
        return None, f"OR-Tools left {dropped} stop(s) out"
    cost = 0
    for vehicle in range(len(capacities)):
        index = routing.Start(vehicle)
        metres = 0
        while not routing.IsEnd(index):
            following = assignment.Value(routing.NextVar(index))
            metres += problem.distance_m[manager.IndexToNode(index)][manager.IndexToNode(following)]
            index = following
        cost += metres * vehicle_of[vehicle].cost_per_km_fen
    # In fen, as the model's objective (cost per km over 1000 m); 1 per metre on the public instances.
    return round(cost / 1000), ""


def plain_pyvrp_solve(*, problem: RoutingProblem, seconds: float, seed: int = 0) -> int | None:
    """Plain PyVRP: its own defaults, one core; the objective in fen, or ``None`` if infeasible."""
    data = problem_data_build(problem=problem)
    result = pyvrp_solve(data, MaxRuntime(seconds), seed=seed, collect_stats=False, display=False)
    solution = solution_map(problem=problem, solution=result.best)
    return solution.objective if solution.feasible else None


def siliu_solve(*, problem: RoutingProblem, seconds: float, seed: int = 0) -> int | None:
    solution = solve(problem, seconds=seconds, seed=seed)
    return solution.objective if solution.feasible else None


class _Targets:
    """A stopping criterion that notes when the best feasible cost first reaches each target."""

    def __init__(self, *, targets: list[float], cap_s: float) -> None:
        self.targets = targets
        self.reached: list[float | None] = [None] * len(targets)
        self.cap_s = cap_s
        self.started = time.perf_counter()

    def __call__(self, best_cost: float) -> bool:
        elapsed = time.perf_counter() - self.started
        for index, target in enumerate(self.targets):
            if self.reached[index] is None and best_cost <= target:
                self.reached[index] = elapsed
        return all(value is not None for value in self.reached) or elapsed >= self.cap_s


def time_to_targets(
    *, problem: RoutingProblem, initial: list[InitialRoute], targets_fen: list[int], seed: int, cap_s: float
) -> list[float | None]:
    """Seconds one worker (the tuned parameters) takes to reach each target, from ``initial`` or cold."""
    data = problem_data_build(problem=problem)
    scale = _cost_scale(problem)
    stop = _Targets(targets=[scale.fen_to_units(target) for target in targets_fen], cap_s=cap_s)
    start = initial_solution(data=data, routes=initial) if initial else None
    pyvrp_solve(
        data,
        stop,
        seed=seed,
        collect_stats=False,
        display=False,
        params=PORTFOLIO[0],
        initial_solution=start,
    )
    return stop.reached


def yesterday_routes(*, name: str, today: RoutingProblem, seconds: float) -> list[InitialRoute]:
    """Day 0 of the benchmark day's county, planned for ``seconds``, as routes of ``today``'s stops."""
    spec = DAYS[name]
    yesterday = county_day(villages=spec["villages"], seed=spec["seed"], day=spec["day"] - 1)
    plan = solve(yesterday, seconds=seconds, seed=0)
    index = {stop.name: number for number, stop in enumerate(today.stops)}
    routes = []
    for route in plan.routes:
        names = [[yesterday.stops[stop].name for stop in trip] for trip in route.trips]
        trips = [[index[name] for name in trip if name in index] for trip in names]
        routes.append(InitialRoute(vehicle_type=route.vehicle_type, trips=trips))
    return routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vrp-dir", type=Path, default=DEFAULT_VRP_DIR)
    parser.add_argument("--seconds", type=float, default=10.0, help="limit on the public instances")
    parser.add_argument("--instances", nargs="*", help="instance names from BKS.txt (default: all)")
    parser.add_argument("--county-seconds", nargs="*", type=float, default=[10.0, 30.0])
    parser.add_argument("--days", nargs="*", default=list(DAYS), choices=list(DAYS))
    parser.add_argument("--skip-public", action="store_true")
    parser.add_argument("--skip-warm", action="store_true")
    arguments = parser.parse_args()
    vrp_dir: Path = arguments.vrp_dir
    public: list[Row] = []
    if arguments.skip_public:
        pass
    elif not (vrp_dir / "BKS.txt").is_file():
        print(f"no BKS.txt in {vrp_dir}; skipping the public instances")
    else:
        for best in best_known_read(path=vrp_dir / "BKS.txt"):
            if arguments.instances and best.instance not in arguments.instances:
                continue
            problem = problem_read(path=vrp_dir / f"{best.instance}.vrp", rounding=best.rounding)
            public.append(
                _row(
                    best.instance,
                    best.variant,
                    best.bks_scaled,
                    problem,
                    arguments.seconds,
                    "PATH_CHEAPEST_ARC",
                )
            )

    references = references_read()
    county: list[CountyRow] = []
    warm: list[str] = []
    for name in arguments.days:
        problem = day_problem(name)
        entry = references.get(name)
        if entry is None or entry["fingerprint"] != fingerprint(problem):
            print(f"{name}: no reference for this problem; run bench/routing/reference.py first")
            continue
        reference = entry["reference_fen"]
        for seconds in arguments.county_seconds:
            county.append(_county_row(name, reference, problem, seconds, seeds=3 if seconds <= 10 else 1))
        if arguments.skip_warm:
            continue
        initial = yesterday_routes(name=name, today=problem, seconds=10.0)
        targets = [round(reference * 1.02), round(reference * 1.01)]
        for seed in (0, 1):
            cold = time_to_targets(problem=problem, initial=[], targets_fen=targets, seed=seed, cap_s=30.0)
            hot = time_to_targets(
                problem=problem, initial=initial, targets_fen=targets, seed=seed, cap_s=30.0
            )
            line = f"| {name} | {seed} | " + " | ".join(
                f"{_seconds(c)} | {_seconds(h)}" for c, h in zip(cold, hot, strict=True)
            )
            warm.append(line + " |")
            print(line, flush=True)

    public_table = _table(public, head="instance | variant | BKS")
    county_table = _county_table(county)
    warm_table = "\n".join(
        [
            "| county day | seed | cold → 2 % | warm → 2 % | cold → 1 % | warm → 1 % |",
            "|---|---:|---:|---:|---:|---:|",
            *warm,
        ]
    )
    print(public_table, county_table, warm_table, sep="\n\n")
    _write_doc(
        public=public_table, county=county_table, warm=warm_table, arguments=arguments, argv=sys.argv[1:]
    )


def _run_lengths(entry: dict) -> str:
    return ", ".join(sorted({f"{run['seconds']:g} s" for run in entry["runs"]}))


def _seconds(value: float | None) -> str:
    return "> 30 s" if value is None else f"{value:.1f} s"


def _row(
    instance: str, variant: str, bks: int, problem: RoutingProblem, seconds: float, first_solution: str
) -> Row:
    siliu_cost = siliu_solve(problem=problem, seconds=seconds)
    plain_cost = plain_pyvrp_solve(problem=problem, seconds=seconds)
    ortools_cost, note = ortools_solve(problem=problem, seconds=seconds, first_solution=first_solution)
    row = Row(instance, variant, bks, siliu_cost, plain_cost, ortools_cost, note)
    print(
        f"{instance:<12} {variant:<8} ref {bks:>9}  Siliu {siliu_cost!s:>9} ({Row.gap(siliu_cost, bks)})"
        f"  PyVRP {plain_cost!s:>9} ({Row.gap(plain_cost, bks)})"
        f"  OR-Tools {ortools_cost!s:>9} ({Row.gap(ortools_cost, bks)}) {note}",
        flush=True,
    )
    return row


@dataclass(frozen=True)
class CountyRow:
    day: str
    seconds: float
    reference: int
    siliu: list[int | None]  # one cost per seed, seeds 0, 1, …
    plain: list[int | None]
    ortools: int | None
    note: str


def _county_row(
    name: str, reference: int, problem: RoutingProblem, seconds: float, *, seeds: int
) -> CountyRow:
    """Siliu and plain PyVRP with ``seeds`` seeds each, OR-Tools once (it has no seed)."""
    siliu = [siliu_solve(problem=problem, seconds=seconds, seed=seed) for seed in range(seeds)]
    plain = [plain_pyvrp_solve(problem=problem, seconds=seconds, seed=seed) for seed in range(seeds)]
    ortools, note = ortools_solve(problem=problem, seconds=seconds, first_solution="LOCAL_CHEAPEST_INSERTION")
    row = CountyRow(name, seconds, reference, siliu, plain, ortools, note)
    print(
        f"{name} {seconds:g} s ref {reference}: Siliu {siliu} PyVRP {plain} OR-Tools {ortools} {note}",
        flush=True,
    )
    return row


def _spread(costs: list[int | None], reference: int) -> tuple[str, str]:
    """Mean and worst gap of ``costs`` to ``reference`` (— when a run found no plan)."""
    if any(cost is None for cost in costs):
        return "—", "—"
    gaps = [100 * (cost - reference) / reference for cost in costs if cost is not None]
    return f"{sum(gaps) / len(gaps):.2f} %", f"{max(gaps):.2f} %"


def _county_table(rows: list[CountyRow]) -> str:
    lines = [
        "| county day | limit | reference | runs | Siliu mean | Siliu worst | plain PyVRP mean "
        "| plain PyVRP worst | OR-Tools GLS | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        siliu, plain = _spread(row.siliu, row.reference), _spread(row.plain, row.reference)
        lines.append(
            f"| {row.day} | {row.seconds:g} s | {row.reference} | {len(row.siliu)} | {siliu[0]} | {siliu[1]} "
            f"| {plain[0]} | {plain[1]} | {Row.gap(row.ortools, row.reference)} | {row.note} |"
        )
    return "\n".join(lines)


def _table(rows: list[Row], *, head: str) -> str:
    lines = [
        f"| {head} | Siliu | gap | plain PyVRP | gap | OR-Tools GLS | gap | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.instance} | {row.variant} | {row.bks} | {row.siliu_cost or '—'} | "
            f"{Row.gap(row.siliu_cost, row.bks)} | {row.plain_cost or '—'} | "
            f"{Row.gap(row.plain_cost, row.bks)} | {row.ortools_cost or '—'} | "
            f"{Row.gap(row.ortools_cost, row.bks)} | {row.note} |"
        )
    return "\n".join(lines)


def _write_doc(
    *, public: str, county: str, warm: str, arguments: argparse.Namespace, argv: list[str]
) -> None:
    from importlib.metadata import version

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
    command = " ".join([".venv/bin/python bench/routing_bench.py", *argv])
    references = references_read()
    reference_lines = "\n".join(
        f"- **{name}**: {entry['stops']} stops (county seed {entry['seed']}, day {entry['day']}), "
        f"reference {entry['reference_fen']} fen, the best of {len(entry['runs'])} runs of "
        f"{_run_lengths(entry)} "
        f"with {entry['runs'][0]['workers']} worker(s)."
        for name, entry in references.items()
        if name in arguments.days
    )
    DOC.write_text(
        f"""# Routing benchmark

Generated by `bench/routing_bench.py` (run by `make bench`) on {today}.

Command: `{command}`

Machine: {platform.platform()}, {os.cpu_count()} CPU(s) (nproc; {cpus_available()} available to the
search), {memory_gib:.1f} GiB memory; Python {platform.python_version()}, PyVRP {version("pyvrp")},
OR-Tools {version("ortools")}. Every solver ran alone, one after the other, in this one run.

## Solvers

- **Siliu**: `siliu.logistics.rounds.model.solve`, what the round planner and `siliu routing solve` run:
  {cpus_available()} independent searches at once (one per CPU), each with its own seed and parameter
  set from `siliu/logistics/rounds/solver.toml` (tuned: [routing-tuning.md](routing-tuning.md)), the
  best kept, the limit held from call to return; seed 0.
- **plain PyVRP**: `pyvrp.solve` on the same model with PyVRP's defaults, one core, seed 0.
- **OR-Tools GLS**: OR-Tools routing, guided local search, one core; the first solution by cheapest
  arc on the public instances, by local cheapest insertion on the county days (cheapest arc found no
  plan for them in 10 s). Every stop may be dropped at a prohibitive penalty so a first solution
  exists; a plan that still drops one counts as none.
  Capacity is a dimension; simultaneous pickup and delivery is a `load` dimension (transit pickup −
  delivery) whose start equals the route's total delivery (a second cumulative dimension), so the load
  on board is within capacity after every stop; time windows and release times are a time dimension
  with waiting. A vehicle of k trips is k vehicles whose trip j starts after trip j − 1 is back (up to
  {MAX_ORTOOLS_TRIPS} trips; C201R0.25 allows more and is left out).

Costs are the model's objective (distance × cost per km; feasibility checked) for Siliu and PyVRP, and
summed over the routes' arcs for OR-Tools.

## Public instances ({arguments.seconds:g} s)

Each instance of `../shared/benchmarks/vrp/BKS.txt`, read with the rounding that file names for it
(`pyvrp.read` conventions, so costs are comparable with `bks_scaled`). Gap = (cost − BKS) / BKS.

{public or "(not run)"}

## County days

Days of the demo generator's county (`bench/routing/county_days.py`): 90 % of the village stations with goods
both ways (20–150 kg down, 10–120 kg up) in their morning or afternoon opening, the rest of the stops
home pickups in two-hour windows, 1.5 t vans from the county hub with two trips, 08:00–18:00. The
reference of each day is the best of several long runs of Siliu's search
(`bench/routing/reference.py`, stored with the plan in `bench/routing/county-days.json`):

{reference_lines}

Gap = (cost − reference) / reference. At 10 s Siliu and plain PyVRP run with seeds 0, 1 and 2 (the
mean and the worst of the three), at 30 s with seed 0; OR-Tools has no seed and runs once.

{county or "(not run)"}

## Warm start

Yesterday (day 0 of the same county: 5 % of the stations swapped, loads and home pickups drawn again)
is planned by Siliu's search for 10 s; today's search (day 1, the day above) then starts from that plan
— its vans keep their stations in order, stations without goods today are dropped, and the search
inserts the rest — or from scratch. One worker with the tuned parameters; the seconds until the best
plan is within 2 % and within 1 % of the reference (search stopped at 30 s).

{warm if not arguments.skip_warm else "(not run)"}
""",
        encoding="utf-8",
    )
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
