"""VRPLIB instances in, VRPLIB solutions out, for the routing workbench and the benchmark.

An instance is read with :func:`pyvrp.read` and turned into a :class:`RoutingProblem`, so that it is
solved by the same model builder as the platform's rounds (:func:`siliu.logistics.rounds.model.solve`).
VRPLIB has no units: its distances and times are taken as metres and seconds and its loads as grams,
and a vehicle's unit distance cost ``u`` becomes ``1000 * u`` fen per km, so the objective in "fen" is
exactly the VRPLIB cost.
"""

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyvrp
from pyvrp.constants import MAX_SIZE

from siliu.logistics.rounds.problem import (
    Depot,
    ProblemError,
    RoutingProblem,
    RoutingSolution,
    Stop,
    VehicleType,
)

#: The rounding conventions of :func:`pyvrp.read`, by the name it gives them.
ROUNDINGS = ("none", "round", "trunc", "dimacs", "exact")

#: Sections with one row per place (``DIMENSION`` rows), each starting with the place's number.
_PER_PLACE_SECTIONS = frozenset(
    {
        "NODE_COORD_SECTION",
        "DEMAND_SECTION",
        "LINEHAUL_SECTION",
        "BACKHAUL_SECTION",
        "TIME_WINDOW_SECTION",
        "SERVICE_TIME_SECTION",
        "RELEASE_TIME_SECTION",
        "PRIZE_SECTION",
    }
)


def _number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def vrplib_check(*, path: Path) -> None:
    """Check the layout of a VRPLIB instance file, so that a bad file is refused by line and section.

    Only the layout is checked (header, section names, numbers, rows per section); :func:`problem_read`
    leaves the meaning to :func:`pyvrp.read`.

    Raises
    ------
    ProblemError
        Naming the file and the line or section: no ``DIMENSION``, a line that is neither a header,
        a section name nor numbers, a token that is not a number, a per-place section whose row count
        differs from ``DIMENSION`` or that numbers a place outside ``1..DIMENSION``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemError(f"{path}: cannot read the file: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ProblemError(f"{path}: not a VRPLIB text file (not UTF-8: {error.reason})") from error
    if not text.strip():
        raise ProblemError(f"{path}: the file is empty")

    dimension: int | None = None
    section: str | None = None
    section_line = 0
    rows: dict[str, tuple[int, int]] = {}  # section -> (first line, row count)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        tokens = line.split()
        head = tokens[0].rstrip(":").upper()
        if head.endswith("_SECTION"):
            section, section_line = head, number
            rows[section] = (number, 0)
            continue
        if ":" in line and not _number(tokens[0]):
            key, _, value = line.partition(":")
            section = None
            if key.strip().upper() == "DIMENSION":
                if not value.strip().isdigit() or int(value) < 2:
                    raise ProblemError(f"{path}: line {number}: DIMENSION must be a whole number ≥ 2")
                dimension = int(value)
            continue
        if section is None:
            raise ProblemError(
                f"{path}: line {number}: expected 'KEY : value' or a section, not {line[:40]!r}"
            )
        bad = [token for token in tokens if not _number(token)]
        if bad:
            raise ProblemError(
                f"{path}: line {number} ({section}, begun on line {section_line}): "
                f"{bad[0][:40]!r} is not a number"
            )
        first, count = rows[section]
        rows[section] = (first, count + 1)
        if section in _PER_PLACE_SECTIONS and dimension is not None:
            place = float(tokens[0])
            if not place.is_integer() or not 1 <= place <= dimension:
                raise ProblemError(
                    f"{path}: line {number} ({section}): place {tokens[0]} is outside 1..{dimension}"
                )
    if dimension is None:
        raise ProblemError(f"{path}: the header has no DIMENSION")
    for name, (first, count) in rows.items():
        if name in _PER_PLACE_SECTIONS and count != dimension:
            raise ProblemError(
                f"{path}: {name} (line {first}) has {count} row(s), but DIMENSION is {dimension}"
            )


def problem_read(*, path: Path, rounding: str = "none") -> RoutingProblem:
    """Read a VRPLIB instance (CVRP, VRPTW, VRPSPD via ``BACKHAUL_SECTION``, multi-trip) as a problem.

    Parameters
    ----------
    path
        The ``.vrp`` file; ``EDGE_WEIGHT_SECTION`` (explicit) or ``NODE_COORD_SECTION`` (Euclidean).
    rounding
        How :func:`pyvrp.read` turns values into integers: one of :data:`ROUNDINGS`.

    Returns
    -------
    RoutingProblem
        Depots first, then the clients in file order (VRPLIB place ``len(depots) + i`` is stop ``i``);
        the duration matrix equals the distance matrix, as VRPLIB instances assume.

    Raises
    ------
    ProblemError
        Naming the file and what is wrong: an unknown rounding, a file that cannot be read or parsed
        (see :func:`vrplib_check`), or a feature the problem shape does not hold (shipments, client
        groups, several load dimensions or routing profiles, maximum distances or durations, reloading
        at another depot than the vehicle's own).
    """
    if rounding not in ROUNDINGS:
        raise ProblemError(f"unknown rounding {rounding!r}; choose one of {', '.join(ROUNDINGS)}")
    vrplib_check(path=path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = pyvrp.read(path, round_func=rounding)
    except Exception as error:  # the parser raises anything from KeyError to RuntimeError
        raise ProblemError(f"{path}: cannot read the instance: {type(error).__name__}: {error}") from error
    return _problem_from_data(data=data, path=path)


def _problem_from_data(*, data: pyvrp.ProblemData, path: Path) -> RoutingProblem:
    def refuse(feature: str) -> ProblemError:
        return ProblemError(f"{path}: {feature} is not supported by the routing model")

    if data.num_shipments:
        raise refuse("PICKUP_AND_DELIVERY (shipments)")
    if data.num_groups:
        raise refuse("MUTUALLY_EXCLUSIVE_GROUP")
    if data.num_load_dimensions > 1:
        raise refuse("more than one load dimension")
    if data.num_profiles > 1:
        raise refuse("VEHICLES_ALLOWED_CLIENTS (several routing profiles)")

    depots = [
        Depot(name=depot.name or f"depot {index}", opens_at_s=depot.tw_early, closes_at_s=depot.tw_late)
        for index, depot in enumerate(data.depots())
    ]
    stops = [
        Stop(
            name=client.name or str(data.num_depots + index),
            delivery_g=sum(client.delivery),
            pickup_g=sum(client.pickup),
            service_s=client.service_duration,
            opens_at_s=client.tw_early,
            closes_at_s=client.tw_late,
            required=client.required,
            skip_penalty=client.prize,
            release_s=client.release_time,
        )
        for index, client in enumerate(data.clients())
    ]
    vehicle_types = []
    for index, vehicle in enumerate(data.vehicle_types()):
        if vehicle.start_depot != vehicle.end_depot:
            raise refuse(f"vehicle type {index} ending at another depot")
        if vehicle.max_distance < _UNLIMITED or vehicle.shift_duration < _UNLIMITED:
            raise refuse("VEHICLES_MAX_DISTANCE / VEHICLES_MAX_DURATION")
        if any(depot != vehicle.start_depot for depot in vehicle.reload_depots):
            raise refuse(f"vehicle type {index} reloading at another depot")
        max_trips = min(vehicle.max_reloads, MAX_SIZE) + 1 if vehicle.reload_depots else 1
        vehicle_types.append(
            VehicleType(
                name=f"type {index}",
                count=vehicle.num_available,
                capacity_g=sum(vehicle.capacity),
                depot=vehicle.start_depot,
                shift_start_s=vehicle.tw_early,
                shift_end_s=vehicle.tw_late,
                cost_per_km_fen=1000 * vehicle.unit_distance_cost,
                fixed_cost_fen=vehicle.fixed_cost,
                max_trips=max_trips,
            )
        )
    distance = data.distance_matrix(profile=0).tolist()
    duration = data.duration_matrix(profile=0).tolist()
    return RoutingProblem(
        depots=depots, stops=stops, vehicle_types=vehicle_types, distance_m=distance, duration_s=duration
    )


#: PyVRP's "no limit" for a vehicle's distance and duration is a value this large or more.
_UNLIMITED = 1 << 62


def solution_routes(*, problem: RoutingProblem, solution: RoutingSolution) -> list[list[int]]:
    """Each route as VRPLIB place numbers: stop ``i`` is ``len(depots) + i`` (so the first client is 1
    with one depot), and a return to the depot between trips is the depot's number (``0``)."""
    depot_count = len(problem.depots)
    routes = []
    for route in solution.routes:
        home = problem.vehicle_types[route.vehicle_type].depot
        places: list[int] = []
        for number, trip in enumerate(route.trips):
            if number:
                places.append(home)
            places.extend(depot_count + stop for stop in trip)
        routes.append(places)
    return routes


def solution_write(*, path: Path, problem: RoutingProblem, solution: RoutingSolution) -> None:
    """Write ``solution`` as a VRPLIB ``.sol`` file: ``Route #1: 3 5 …`` lines and ``Cost N``.

    Raises
    ------
    ProblemError
        When the file cannot be written.
    """
    lines = [
        f"Route #{number}: {' '.join(map(str, places))}"
        for number, places in enumerate(solution_routes(problem=problem, solution=solution), start=1)
    ]
    lines.append(f"Cost {solution.objective}")
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        raise ProblemError(f"{path}: cannot write the solution: {error.strerror or error}") from error


@dataclass(frozen=True)
class BestKnown:
    """One row of a benchmark folder's ``BKS.txt``."""

    instance: str
    variant: str
    client_count: int
    rounding: str
    bks_scaled: int  # the best-known cost in the integers that ``pyvrp.read(..., rounding)`` gives
    bks: str  # as the literature prints it


_BKS_ROW = re.compile(
    r"^(?P<instance>\S+)\s+(?P<variant>.+?)\s+(?P<clients>\d+)\s+(?P<rounding>"
    + "|".join(ROUNDINGS)
    + r")\s+(?P<scaled>\d+)\s+(?P<bks>[\d.]+)\b"
)


def best_known_read(*, path: Path) -> list[BestKnown]:
    """Read a ``BKS.txt``: ``#`` lines are comments, each other line one instance.

    Raises
    ------
    ProblemError
        Naming the line that does not have the columns instance, variant, clients, rounding,
        bks_scaled, bks.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemError(f"{path}: cannot read the file: {error.strerror or error}") from error
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _BKS_ROW.match(line.strip())
        if match is None:
            raise ProblemError(f"{path}: line {number}: expected instance, variant, clients, rounding, bks…")
        rows.append(
            BestKnown(
                instance=match["instance"],
                variant=match["variant"],
                client_count=int(match["clients"]),
                rounding=match["rounding"],
                bks_scaled=int(match["scaled"]),
                bks=match["bks"],
            )
        )
    return rows
