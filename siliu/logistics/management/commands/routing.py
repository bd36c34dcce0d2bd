"""``siliu routing solve FILE --seconds N``: the routing workbench, on VRPLIB instances.

Solves through the same model builder as the platform's delivery rounds
(:func:`siliu.logistics.rounds.model.solve`).
"""

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.logistics.rounds.model import solve
from siliu.logistics.rounds.problem import ProblemError, RoutingProblem, RoutingSolution
from siliu.logistics.rounds.search import cpus_available, workers_parse
from siliu.logistics.rounds.vrplib import ROUNDINGS, problem_read, solution_routes, solution_write


class Command(BaseCommand):
    help = "Routing workbench: solve a VRPLIB instance with the platform's routing model."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        solve_parser = actions.add_parser("solve", help="solve a VRPLIB instance and print the solution")
        solve_parser.add_argument("file", type=Path, help="the VRPLIB instance (.vrp)")
        solve_parser.add_argument("--seconds", required=True, help="time limit in seconds (positive)")
        solve_parser.add_argument("--seed", default="0", help="random seed (a whole number, default 0)")
        solve_parser.add_argument(
            "--workers",
            default=str(cpus_available()),
            help=f"searches at once, the best kept (default: the CPUs available, here {cpus_available()})",
        )
        solve_parser.add_argument(
            "--round", default="none", help=f"rounding as pyvrp.read names it: {'|'.join(ROUNDINGS)}"
        )
        solve_parser.add_argument("--format", default="text", help="text (default) or json")
        solve_parser.add_argument("--solution", type=Path, help="also write a VRPLIB .sol file here")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = _seconds(options["seconds"])
        seed = _seed(options["seed"])
        try:
            workers = workers_parse(options["workers"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["round"] not in ROUNDINGS:
            raise CommandError(f"--round must be one of {', '.join(ROUNDINGS)}, not {options['round']!r}")
        if options["format"] not in ("text", "json"):
            raise CommandError(f"--format must be text or json, not {options['format']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            problem = problem_read(path=path, rounding=options["round"])
            solution = solve(problem, seconds=seconds, seed=seed, workers=workers)
        except ProblemError as error:
            raise CommandError(str(error)) from None
        if not solution.feasible:
            raise CommandError(
                f"{path}: no feasible solution found in {seconds:g} s "
                f"(best has {len(solution.routes)} route(s), objective {solution.objective})"
            )
        if options["solution"] is not None:
            try:
                solution_write(path=options["solution"], problem=problem, solution=solution)
            except ProblemError as error:
                raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(_as_json(problem=problem, solution=solution)))
        else:
            self.stdout.write(_as_text(path=path, problem=problem, solution=solution, seconds=seconds))


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise CommandError(f"--seconds must be a number, not {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise CommandError(f"--seconds must be positive, not {value!r}")
    return seconds


def _seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        raise CommandError(f"--seed must be a whole number, not {value!r}") from None
    if seed < 0:
        raise CommandError(f"--seed must not be negative, not {value!r}")
    return seed


def _as_json(*, problem: RoutingProblem, solution: RoutingSolution) -> dict[str, Any]:
    return {
        "objective": solution.objective,
        "feasible": solution.feasible,
        "routes": solution_routes(problem=problem, solution=solution),
    }


def _as_text(*, path: Path, problem: RoutingProblem, solution: RoutingSolution, seconds: float) -> str:
    routes = solution_routes(problem=problem, solution=solution)
    lines = [
        f"{path.name}: {len(problem.stops)} client(s), {len(problem.depots)} depot(s), "
        f"solved for {seconds:g} s",
        f"objective {solution.objective}  feasible {'yes' if solution.feasible else 'no'}  "
        f"routes {len(routes)}  distance {solution.distance_m}  duration {solution.duration_s}",
    ]
    for number, (route, places) in enumerate(zip(solution.routes, routes, strict=True), start=1):
        trips = f", {len(route.trips)} trips" if len(route.trips) > 1 else ""
        lines.append(f"Route #{number}: {' '.join(map(str, places))}  (distance {route.distance_m}{trips})")
    if solution.unserved:
        lines.append(f"not served: {' '.join(str(len(problem.depots) + stop) for stop in solution.unserved)}")
    return "\n".join(lines)
