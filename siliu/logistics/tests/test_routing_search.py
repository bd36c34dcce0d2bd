"""The parallel search: warm starts repaired to fit, children's plans kept when better, the limit held."""

import multiprocessing
import os
import time

import pytest
from pyvrp import RandomNumberGenerator, Solution

from siliu.logistics.rounds import search
from siliu.logistics.rounds.model import problem_data_build, solve
from siliu.logistics.rounds.problem import Stop
from siliu.logistics.rounds.search import InitialRoute, initial_solution, rank, search_best, workers_parse
from siliu.logistics.tests.test_routing_model import line_problem, stop_order, van


def _plain(solution: Solution) -> list[tuple[int, list[tuple[str, int]]]]:
    return search._plain(solution)


def test_a_warm_start_is_repaired_to_fit_todays_problem() -> None:
    """Stops out of range or already visited go; so do a second trip of a one-trip van, a route beyond
    the vans there are, an unknown vehicle type and empty trips; the order of what stays is kept."""
    problem = line_problem(
        stops=[Stop(name=str(number)) for number in range(6)],
        vehicle_types=[van(count=1), van(count=1, max_trips=2)],
    )
    data = problem_data_build(problem=problem)
    start = initial_solution(
        data=data,
        routes=[
            InitialRoute(vehicle_type=0, trips=[[2, 9, 0], [1]]),  # 9: gone today; a second trip: no
            InitialRoute(vehicle_type=0, trips=[[3]]),  # the only van of type 0 is taken
            InitialRoute(vehicle_type=7, trips=[[4]]),  # no such vehicle type
            InitialRoute(vehicle_type=1, trips=[[], [2, 4], [5], [1]]),  # 2 is visited; two trips at most
        ],
    )
    assert start is not None
    assert _plain(start) == [(0, [("c", 2), ("c", 0)]), (1, [("c", 4), ("d", 0), ("c", 5)])]
    assert initial_solution(data=data, routes=[InitialRoute(vehicle_type=0, trips=[[99]])]) is None


def test_the_search_inserts_what_a_warm_start_leaves_out() -> None:
    """Yesterday's order for stops 0–2 (a detour), stop 3 new today: all four served, no detour left."""
    problem = line_problem(
        stops=[Stop(name=str(number)) for number in range(4)], vehicle_types=[van(count=1)]
    )
    solution = solve(problem, seconds=0.3, workers=1, initial=[InitialRoute(0, [[2, 0, 1]])])
    assert solution.feasible and solution.unserved == []
    assert sorted(stop_order(solution)[0]) == [0, 1, 2, 3]
    assert solution.distance_m == 8 * 1000  # out to km 4 and back: the optimum


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="children are forked")
def test_the_best_plan_of_any_worker_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Here the caller's own search returns a random plan and the children search: the child's better
    plan is returned, exactly as the child found it."""
    problem = line_problem(
        stops=[Stop(name=str(number)) for number in range(8)], vehicle_types=[van(count=3)]
    )
    data = problem_data_build(problem=problem)
    parent = os.getpid()
    real_search = search._search

    def one_sided(*args: object, **kwargs: object) -> Solution:
        if os.getpid() == parent:
            return Solution.make_random(data, RandomNumberGenerator(seed=1))
        return real_search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "_search", one_sided)
    poor = Solution.make_random(data, RandomNumberGenerator(seed=1))
    best = search_best(data, seconds=1.0, workers=2)
    assert rank(best) < rank(poor)
    assert best.distance() == 16 * 1000  # one van out to km 8 and back: the optimum


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="children are forked")
def test_a_child_that_fails_leaves_the_others_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that fails reports its error and is left out; the plan comes from the others."""
    problem = line_problem(stops=[Stop(name="a"), Stop(name="b")], vehicle_types=[van()])
    data = problem_data_build(problem=problem)
    parent = os.getpid()
    real_search = search._search

    def failing_child(*args: object, **kwargs: object) -> Solution:
        if os.getpid() != parent:
            raise RuntimeError("out of memory")
        return real_search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "_search", failing_child)
    best = search_best(data, seconds=0.3, workers=3)
    assert rank(best) == (False, 4 * 1000)


def test_the_time_limit_holds_with_every_worker() -> None:
    """From call to return within the limit and a small allowance for starting the children (the
    searches end a margin before the limit), whatever the number of workers."""
    problem = line_problem(
        stops=[Stop(name=str(number), delivery_g=1000) for number in range(30)],
        vehicle_types=[van(count=4)],
    )
    for workers in (1, 2, 3):
        started = time.perf_counter()
        solution = solve(problem, seconds=1.0, workers=workers)
        assert solution.feasible
        assert time.perf_counter() - started < 1.0 + 0.5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "between 1 and 64"),
        ("65", "between 1 and 64"),
        ("two", "a whole number"),
        ("", "a whole number"),
    ],
)
def test_a_bad_worker_count_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        workers_parse(value)


def test_the_portfolio_file_is_read() -> None:
    """solver.toml holds at least one set; every one is a complete PyVRP parameter set."""
    assert search.PORTFOLIO
    assert search._params_read(search.PARAMETERS_FILE) == search.PORTFOLIO
