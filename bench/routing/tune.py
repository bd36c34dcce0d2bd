"""Tune the round planner's search parameters on county days from the demo generator.

The tuning days are other counties than the benchmark's (seeds 101 and 102, 150 and 300 stops, day 1:
``bench/routing/county_days.py``), so the benchmark does not grade the tuning on its own exam. Each candidate
(PyVRP's sections, as in ``siliu/logistics/rounds/solver.toml``) solves every tuning day with one
worker for ``--seconds`` with ``--seeds`` seeds; two candidates run at once, one per core. A candidate
scores the mean of its gaps to the best plan any candidate found for that day. Round 1 changes one
parameter at a time from PyVRP's defaults; round 2 combines the changes that helped. The result is
printed and written to ``docs/routing-tuning.md``; the chosen sets go into ``solver.toml`` by hand.

Run: ``.venv/bin/python bench/routing/tune.py [--seconds 10] [--seeds 2]``.
"""

import argparse
import datetime
import multiprocessing
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "routing"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")

DOC = ROOT / "docs" / "routing-tuning.md"
TUNING_DAYS = [(150, 101), (150, 102), (300, 101), (300, 102)]

#: Round 1: PyVRP's defaults, then one change at a time.
ROUND_1: dict[str, dict[str, dict[str, Any]]] = {
    "defaults": {},
    "neighbours 30": {"neighbourhood": {"num_neighbours": 30}},
    "neighbours 80": {"neighbourhood": {"num_neighbours": 80}},
    "wait weight 1.0": {"neighbourhood": {"weight_wait_time": 1.0}},
    "history 100": {"ils": {"history_length": 100}},
    "history 1000": {"ils": {"history_length": 1000}},
    "restart after 20k": {"ils": {"num_iters_no_improvement": 20_000}},
    "perturb ≤ 10": {"perturbation": {"max_perturbations": 10}},
    "perturb ≤ 50": {"perturbation": {"max_perturbations": 50}},
    "no exhaustive on best": {"ils": {"exhaustive_on_best": False}},
    "penalty every 200, 50 % feasible": {
        "penalty": {"solutions_between_updates": 200, "target_feasible": 0.5}
    },
}

_problems: dict[tuple[int, int], Any] = {}


def _problem(villages: int, seed: int) -> Any:
    from county_days import county_day

    if (villages, seed) not in _problems:
        _problems[(villages, seed)] = county_day(villages=villages, seed=seed, day=1)
    return _problems[(villages, seed)]


def _run(job: tuple[str, dict[str, dict[str, Any]], int, int, int, float]) -> tuple[str, int, int, int, int]:
    import django

    django.setup()
    from siliu.logistics.rounds.model import problem_data_build, solution_map
    from siliu.logistics.rounds.search import params_from, search_best

    name, sections, villages, county, seed, seconds = job
    problem = _problem(villages, county)
    data = problem_data_build(problem=problem)
    best = search_best(data, seconds=seconds, seed=seed, workers=1, portfolio=[params_from(sections)])
    solution = solution_map(problem=problem, solution=best)
    return name, villages, county, seed, solution.objective if solution.feasible else 1 << 62


def evaluate(
    candidates: dict[str, dict[str, dict[str, Any]]], *, seconds: float, seeds: int
) -> dict[str, dict[tuple[int, int], list[int]]]:
    jobs = [
        (name, sections, villages, county, seed, seconds)
        for name, sections in candidates.items()
        for villages, county in TUNING_DAYS
        for seed in range(seeds)
    ]
    results: dict[str, dict[tuple[int, int], list[int]]] = {name: {} for name in candidates}
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for name, villages, county, _seed, objective in pool.imap_unordered(_run, jobs):
            results[name].setdefault((villages, county), []).append(objective)
            print(f"{name:<36} {villages} stops, county {county}: {objective}", flush=True)
    return results


def scores(results: dict[str, dict[tuple[int, int], list[int]]]) -> dict[str, float]:
    """Each candidate's mean gap (%) to the best any candidate found, over days and seeds."""
    best = {day: min(min(runs[day]) for runs in results.values()) for day in TUNING_DAYS}
    return {
        name: sum(100 * (value - best[day]) / best[day] for day in TUNING_DAYS for value in runs[day])
        / sum(len(runs[day]) for day in TUNING_DAYS)
        for name, runs in results.items()
    }


def combine(first: dict[str, float], candidates: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Round 2: the defaults, and the best changes of round 1 added one by one (better than defaults)."""
    helped = [name for name, score in sorted(first.items(), key=lambda item: item[1]) if name != "defaults"]
    helped = [name for name in helped if first[name] < first["defaults"]][:3]
    combined: dict[str, dict[str, dict[str, Any]]] = {"defaults": {}}
    sections: dict[str, dict[str, Any]] = {}
    names: list[str] = []
    for name in helped:
        for section, values in candidates[name].items():
            sections.setdefault(section, {}).update(values)
        names.append(name)
        combined[" + ".join(names)] = {section: dict(values) for section, values in sections.items()}
    return combined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=2)
    arguments = parser.parse_args()
    first = scores(evaluate(ROUND_1, seconds=arguments.seconds, seeds=arguments.seeds))
    round_2 = combine(first, ROUND_1)
    second = scores(evaluate(round_2, seconds=arguments.seconds, seeds=arguments.seeds))
    lines = []
    for title, candidates, scored in (("Round 1", ROUND_1, first), ("Round 2", round_2, second)):
        lines += [f"### {title}", "", "| candidate | parameters | mean gap to the best |", "|---|---|---:|"]
        for name, score in sorted(scored.items(), key=lambda item: item[1]):
            lines.append(f"| {name} | `{candidates[name] or 'PyVRP defaults'}` | {score:.2f} % |")
        lines.append("")
    table = "\n".join(lines)
    print(table)
    today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
    DOC.write_text(
        f"""# Tuning the round planner's search

Generated by `bench/routing/tune.py` on {today} (`--seconds {arguments.seconds:g} --seeds {arguments.seeds}`);
machine: {platform.platform()}, {os.cpu_count()} CPU(s).

## Procedure

- **Days.** Four county days from the demo generator that the benchmark does not use: counties drawn
  with seeds 101 and 102, at 150 and 300 stops, day 1 (`bench/routing/county_days.py`: two-way loads, station
  windows morning or afternoon, home pickups with two-hour windows, 1.5 t vans with two trips).
- **Runs.** Every candidate solves every day with one worker for {arguments.seconds:g} s, with
  {arguments.seeds} seeds; two runs at once, one per core.
- **Score.** The mean, over days and seeds, of the gap to the best plan any candidate of the round found
  for that day. Lower is better; 0 would be best on every run.
- **Round 1** changes one of PyVRP's parameters at a time. **Round 2** adds the (up to three) changes
  that beat the defaults in round 1, best first, one by one.

The chosen sets are in `siliu/logistics/rounds/solver.toml` (`[[portfolio]]`; worker *i* takes
set *i* mod their number), with the reason beside them.

## Results

{table}""",
        encoding="utf-8",
    )
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
