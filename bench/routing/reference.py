"""References for the county days of the routing benchmark: the best of several long runs.

For each county day of :data:`DAYS` (``bench/routing/county_days.py``), run the platform's search
(:func:`siliu.logistics.rounds.model.solve`, every CPU, the tuned portfolio) ``--runs`` times with
different seeds for ``--seconds`` each (default: 60 s a run for 150 stops, 120 s for 300, 180 s for
600), and record every run and the best plan in ``bench/routing/county-days.json``. Runs add to those
already recorded for the same problem (same fingerprint): the reference is the best of all, so running
this again can only lower it. A problem whose fingerprint changed (the generator changed) starts anew.

Run: ``.venv/bin/python bench/routing/reference.py [--days county-150 …] [--runs 3] [--seconds S]``.
"""

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "routing"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")
django.setup()

from county_days import county_day, fingerprint  # noqa: E402

from siliu.logistics.rounds.model import solve  # noqa: E402
from siliu.logistics.rounds.problem import RoutingProblem, RoutingSolution  # noqa: E402
from siliu.logistics.rounds.search import cpus_available  # noqa: E402

REFERENCES = ROOT / "bench" / "routing" / "county-days.json"

#: The benchmark's county days: stops, the county's seed, the day, and the default seconds of a run.
DAYS = {
    "county-150": {"villages": 150, "seed": 11, "day": 1, "seconds": 60},
    "county-300": {"villages": 300, "seed": 12, "day": 1, "seconds": 120},
    "county-600": {"villages": 600, "seed": 13, "day": 1, "seconds": 180},
}


def day_problem(name: str) -> RoutingProblem:
    spec = DAYS[name]
    return county_day(villages=spec["villages"], seed=spec["seed"], day=spec["day"])


def references_read() -> dict[str, dict]:
    if not REFERENCES.is_file():
        return {}
    return json.loads(REFERENCES.read_text(encoding="utf-8"))


def plan_names(problem: RoutingProblem, solution: RoutingSolution) -> list[list[list[str]]]:
    """The plan as stop names per trip per route (what warm starts and checks read)."""
    return [
        [[problem.stops[stop].name for stop in trip] for trip in route.trips] for route in solution.routes
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", nargs="*", default=list(DAYS), choices=list(DAYS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, help="seconds a run (default: the day's own)")
    arguments = parser.parse_args()
    references = references_read()
    machine = f"{platform.platform()}, {cpus_available()} CPU(s)"
    for name in arguments.days:
        problem = day_problem(name)
        key = fingerprint(problem)
        entry = references.get(name)
        if entry is None or entry["fingerprint"] != key:
            entry = {**DAYS[name], "fingerprint": key, "stops": len(problem.stops), "runs": []}
            entry.pop("seconds")
        seconds = arguments.seconds or DAYS[name]["seconds"]
        for _run in range(arguments.runs):
            seed = 1000 + 100 * len(entry["runs"])
            solution = solve(problem, seconds=seconds, seed=seed)
            if not solution.feasible:
                print(f"{name}: seed {seed} found no feasible plan in {seconds:g} s", flush=True)
                continue
            entry["runs"].append(
                {
                    "seed": seed,
                    "seconds": seconds,
                    "workers": cpus_available(),
                    "objective_fen": solution.objective,
                    "on": datetime.datetime.now(tz=datetime.UTC).date().isoformat(),
                    "machine": machine,
                }
            )
            if "reference_fen" not in entry or solution.objective < entry["reference_fen"]:
                entry["reference_fen"] = solution.objective
                entry["plan"] = plan_names(problem, solution)
            print(
                f"{name}: seed {seed}: {solution.objective} fen (best {entry['reference_fen']})", flush=True
            )
            references[name] = entry
            REFERENCES.parent.mkdir(exist_ok=True)
            REFERENCES.write_text(
                json.dumps(references, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )


if __name__ == "__main__":
    main()
