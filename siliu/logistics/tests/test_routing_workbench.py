"""The routing workbench: VRPLIB files in, ``siliu routing solve`` out."""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
import pyvrp
from django.core.management import call_command
from django.core.management.base import CommandError

from siliu.logistics.rounds.problem import ProblemError
from siliu.logistics.rounds.vrplib import best_known_read, problem_read

VRP_DIR = Path(
    os.environ.get("SILIU_VRP_DIR")
    or Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks" / "vrp"
)
needs_vrp = pytest.mark.skipif(
    not (VRP_DIR / "E-n22-k4.vrp").is_file(),
    reason=f"VRPLIB benchmark folder not found at {VRP_DIR} (set SILIU_VRP_DIR)",
)

SMALL = """NAME : tiny
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 0 10
3 10 0
4 10 10
DEMAND_SECTION
1 0
2 4
3 4
4 4
DEPOT_SECTION
1
-1
EOF
"""


def routing(*args: str) -> str:
    out = StringIO()
    call_command("routing", *args, stdout=out)
    return out.getvalue()


def e_n22_bks() -> int:
    [row] = [row for row in best_known_read(path=VRP_DIR / "BKS.txt") if row.instance == "E-n22-k4"]
    return row.bks_scaled


@needs_vrp
def test_cli_json_on_e_n22_k4_is_feasible_and_within_one_percent(tmp_path: Path) -> None:
    """E-n22-k4 in 1.5 s: the JSON has exactly objective, feasible and routes; every client once."""
    solution_path = tmp_path / "E-n22-k4.sol"
    output = routing(
        "solve", str(VRP_DIR / "E-n22-k4.vrp"), "--seconds", "1.5", "--seed", "1", "--round", "round",
        "--format", "json", "--solution", str(solution_path),
    )  # fmt: skip
    result = json.loads(output)
    assert list(result) == ["objective", "feasible", "routes"]
    assert result["feasible"] is True
    assert e_n22_bks() == 375
    assert 375 <= result["objective"] <= 375 * 1.01
    assert sorted(client for route in result["routes"] for client in route) == list(range(1, 22))

    # The .sol file holds the same routes and cost, and PyVRP reads it back at that cost.
    lines = solution_path.read_text(encoding="utf-8").splitlines()
    assert lines == [
        *(
            f"Route #{number}: {' '.join(map(str, route))}"
            for number, route in enumerate(result["routes"], 1)
        ),
        f"Cost {result['objective']}",
    ]
    data = pyvrp.read(VRP_DIR / "E-n22-k4.vrp", round_func="round")
    read_back = pyvrp.read_solution(solution_path, data)
    assert read_back.is_feasible()
    assert read_back.distance() == result["objective"]


@needs_vrp
def test_cli_text_summary() -> None:
    """The text format names the instance, the objective and each route."""
    output = routing("solve", str(VRP_DIR / "E-n22-k4.vrp"), "--seconds", "0.5", "--round", "round")
    assert output.startswith("E-n22-k4.vrp: 21 client(s), 1 depot(s), solved for 0.5 s\n")
    assert "feasible yes" in output
    assert "Route #1: " in output


@needs_vrp
def test_read_vrpspd_time_windows_and_multi_trip() -> None:
    """BACKHAUL becomes pickups, Solomon windows and service times scale, reloads become trips."""
    spd = problem_read(path=VRP_DIR / "SCA3-0.vrp", rounding="none")
    assert len(spd.stops) == 50
    assert any(stop.pickup_g for stop in spd.stops) and any(stop.delivery_g for stop in spd.stops)

    c101 = problem_read(path=VRP_DIR / "C101.vrp", rounding="dimacs")
    assert c101.stops[0].service_s == 900
    assert c101.stops[0].closes_at_s > c101.stops[0].opens_at_s > 0
    assert c101.vehicle_types[0].count == 25

    multi = problem_read(path=VRP_DIR / "C201R0.25.vrp", rounding="dimacs")
    assert multi.vehicle_types[0].max_trips > 1
    assert any(stop.release_s for stop in multi.stops)


def test_small_file_solves_with_clients_numbered_from_one(tmp_path: Path) -> None:
    """Three 4 kg clients, 10 kg vans: two routes, numbered 1..3 as VRPLIB numbers clients."""
    path = tmp_path / "tiny.vrp"
    path.write_text(SMALL, encoding="utf-8")
    result = json.loads(
        routing("solve", str(path), "--seconds", "0.2", "--round", "round", "--format", "json")
    )
    assert len(result["routes"]) == 2
    assert sorted(client for route in result["routes"] for client in route) == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL.replace("2 0 10", "2 0 1x0"),
            r"line 8 \(NODE_COORD_SECTION, begun on line 6\): '1x0' is not a number",
        ),
        (SMALL.replace("4 10 10\n", ""), r"NODE_COORD_SECTION \(line 6\) has 3 row\(s\), but DIMENSION is 4"),
        (SMALL.replace("DIMENSION : 4\n", ""), "the header has no DIMENSION"),
        (
            SMALL.replace("DEMAND_SECTION", "DEMANDS"),
            r"line 11 \(NODE_COORD_SECTION.*'DEMANDS' is not a number",
        ),
        (SMALL.replace("3 10 0", "7 10 0"), r"line 9 \(NODE_COORD_SECTION\): place 7 is outside 1..4"),
        (SMALL.replace("EUC_2D", "SPHERICAL"), "cannot read the instance: ValueError"),
        ("", "the file is empty"),
        ("hello world\n", r"line 1: expected 'KEY : value' or a section"),
    ],
)
def test_bad_files_are_refused_naming_the_line_or_section(tmp_path: Path, text: str, message: str) -> None:
    """A malformed VRPLIB file gives a ProblemError, and the CLI a CommandError, naming the place."""
    path = tmp_path / "bad.vrp"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemError, match=message):
        problem_read(path=path, rounding="round")
    with pytest.raises(CommandError, match=message):
        routing("solve", str(path), "--seconds", "0.1")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    """A file that is not text is refused without a traceback."""
    path = tmp_path / "bad.vrp"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not a VRPLIB text file"):
        routing("solve", str(path), "--seconds", "0.1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seconds", "x"], "--seconds must be a number, not 'x'"),
        (["--seconds", "0"], "--seconds must be positive"),
        (["--seconds", "1", "--seed", "-2"], "--seed must not be negative"),
        (["--seconds", "1", "--round", "ceil"], "--round must be one of none, round, trunc, dimacs, exact"),
        (["--seconds", "1", "--format", "xml"], "--format must be text or json"),
        (["--seconds", "1", "--workers", "0"], "--workers must be between 1 and 64, not '0'"),
        (["--seconds", "1", "--workers", "all"], "--workers must be a whole number, not 'all'"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    """Bad option values give a CommandError with a clear message."""
    path = tmp_path / "tiny.vrp"
    path.write_text(SMALL, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        routing("solve", str(path), *args)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    """A file that does not exist gives a CommandError naming it."""
    with pytest.raises(CommandError, match=r"nothing\.vrp: no such file"):
        routing("solve", str(tmp_path / "nothing.vrp"), "--seconds", "1")


def test_unwritable_solution_file_is_refused(tmp_path: Path) -> None:
    """A --solution path in a folder that does not exist gives a CommandError."""
    path = tmp_path / "tiny.vrp"
    path.write_text(SMALL, encoding="utf-8")
    with pytest.raises(CommandError, match="cannot write the solution"):
        routing("solve", str(path), "--seconds", "0.1", "--solution", str(tmp_path / "no" / "x.sol"))
