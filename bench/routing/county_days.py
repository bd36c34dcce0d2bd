"""County-size delivery days from the demo generator, for the routing benchmark, tuning and warm starts.

A county of ``villages`` village stations (the demo generator's layout: townships round the county
seat, villages along their roads) is fixed by ``seed``. Each day ``day`` of it has:

- 90 % of the stations with something to drop and to collect (20–150 kg down, 10–120 kg up); from one
  day to the next, 5 % of those are swapped for others, and every load is drawn again;
- each station's window: its morning or its afternoon opening (the generator's hours, 07:30–12:00 or
  14:00–19:30, clipped to the shift), drawn once for the county, the same every day;
- the rest of the stops, up to ``villages`` in all, are home pickups (上门揽收): 10–40 kg to collect at
  a station's place within a two-hour window and 20 minutes for the detour, new every day;
- vans of 1.5 t from the county hub, 08:00–18:00, two trips each, 1.50 yuan a km, enough of them for
  the day (one per 12 stops, and one more).

Distances are great-circle km × the demo road factor, at the rural road speed; service is 5 minutes and
a minute per 25 kg. So ``county_day(villages=300, seed=…, day=…)`` has exactly 300 stops.
"""

import datetime
import hashlib
import json
import math
import random
from dataclasses import asdict

from siliu.logistics.rounds.problem import Depot, RoutingProblem, Stop, VehicleType

SHIFT_START_S = 8 * 3600
SHIFT_END_S = 18 * 3600
STATION_SHARE = 0.9
SWAP_SHARE = 0.05


def _seconds(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60


def _active(*, count: int, total: int, seed: int, day: int) -> list[int]:
    """The stations with something on ``day``: a fixed draw on day 0, then 5 % swapped each day."""
    rng = random.Random(f"{seed}:active")
    active = sorted(rng.sample(range(total), count))
    for number in range(1, day + 1):
        rng = random.Random(f"{seed}:swap:{number}")
        swap = max(1, round(SWAP_SHARE * count))
        leaving = set(rng.sample(active, min(swap, len(active))))
        idle = [index for index in range(total) if index not in active]
        coming = rng.sample(idle, min(swap, len(idle)))
        active = sorted([index for index in active if index not in leaving] + coming)
    return active


def county_day(*, villages: int, seed: int, day: int = 0) -> RoutingProblem:
    """Day ``day`` of the county of ``villages`` stations drawn with ``seed`` (see the module)."""
    from siliu.demo import generator

    plan = generator._county_plan(rng=random.Random(seed), village_count=villages)
    stations = [station for township in plan.townships for station in township.stations]
    hub = generator._point(generator.HUB_LATITUDE, generator.HUB_LONGITUDE)
    active = _active(count=round(STATION_SHARE * villages), total=len(stations), seed=seed, day=day)
    rng = random.Random(f"{seed}:day:{day}")
    places = [hub]
    stops: list[Stop] = []
    for index in active:
        station = stations[index]
        monday = [(opens, closes) for weekday, opens, closes in station.periods if weekday == 0]
        # A station is visited in the same opening every day (the planner picks it by the weekday).
        opens, closes = monday[random.Random(f"{seed}:window:{index}").randrange(len(monday))]
        delivery_kg, pickup_kg = rng.randint(20, 150), rng.randint(10, 120)
        places.append(station.point)
        stops.append(
            Stop(
                name=station.village_code,
                delivery_g=delivery_kg * 1000,
                pickup_g=pickup_kg * 1000,
                service_s=generator.STATION_STOP_MINUTES * 60 + 60 * (delivery_kg + pickup_kg) // 25,
                opens_at_s=max(SHIFT_START_S, _seconds(opens)),
                closes_at_s=min(SHIFT_END_S - 1800, _seconds(closes)),
            )
        )
    for number in range(villages - len(active)):
        station = stations[rng.randrange(len(stations))]
        starts = rng.choice((8, 9, 10, 13, 14, 15)) * 3600
        places.append(station.point)
        stops.append(
            Stop(
                name=f"HP{day}-{number:03d}",
                pickup_g=rng.randint(10, 40) * 1000,
                service_s=20 * 60,
                opens_at_s=starts,
                closes_at_s=starts + 2 * 3600,
            )
        )
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
                count=math.ceil(villages / 12) + 1,
                capacity_g=1_500_000,
                shift_start_s=SHIFT_START_S,
                shift_end_s=SHIFT_END_S,
                cost_per_km_fen=150,
                max_trips=2,
            )
        ],
        distance_m=distance,
        duration_s=duration,
    )


def fingerprint(problem: RoutingProblem) -> str:
    """A short hash of the whole problem: a stored reference is for this problem only."""
    text = json.dumps(asdict(problem), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
