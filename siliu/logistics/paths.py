"""The fastest path of a parcel through the network, by link timetables (earliest arrival).

Links leave at set local times (``OutletLink.departure_times``, every day) and take
``transit_minutes``; a link with no timetable leaves whenever a parcel is ready. At every node but the
last a parcel needs the product's handling time before it can leave again. Timetables are FIFO (leaving
later never arrives earlier), so Dijkstra on arrival time finds the earliest arrival exactly.
"""

import datetime
import functools
import heapq
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.network.models import Outlet, OutletLink, parse_departure_times


@dataclass(frozen=True)
class Leg:
    from_code: str
    to_code: str
    departs_at: datetime.datetime
    arrives_at: datetime.datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "from_code": self.from_code,
            "to_code": self.to_code,
            "departs_at": self.departs_at.isoformat(),
            "arrives_at": self.arrives_at.isoformat(),
        }


@functools.lru_cache(maxsize=4096)
def _timetable(values: tuple[str, ...]) -> list[datetime.time]:
    """Parsed departure times; timetables repeat across links and calls, so parse each once."""
    return parse_departure_times(list(values))


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def next_departure(*, ready_at: datetime.datetime, departure_times: list[datetime.time]) -> datetime.datetime:
    """The first scheduled departure at or after ``ready_at`` (local times, repeating daily)."""
    if not departure_times:
        return ready_at
    local = ready_at.astimezone(local_zone())
    for day_offset in range(8):
        day = local.date() + datetime.timedelta(days=day_offset)
        for departure in departure_times:
            candidate = datetime.datetime.combine(day, departure, tzinfo=local_zone())
            if candidate >= local:
                return candidate
    raise AssertionError("a daily timetable always has a departure within a week")


def fastest_path(
    *,
    origin: Outlet,
    destination: Outlet,
    ready_at: datetime.datetime,
    handling_minutes: int,
) -> list[Leg]:
    """The legs of the earliest-arriving path from ``origin`` to ``destination``.

    ``ready_at`` is when the parcel is ready to leave the origin. Returns ``[]`` when origin and
    destination are the same outlet.

    Raises
    ------
    ValidationFailed
        ``no_path`` when the network does not connect the two outlets.
    """
    if origin.pk == destination.pk:
        return []
    links: dict[int, list[tuple[int, str, str, int, list[datetime.time]]]] = {}
    for from_id, to_id, from_code, to_code, minutes, times in OutletLink.objects.filter(
        from_outlet__is_active=True, to_outlet__is_active=True
    ).values_list(
        "from_outlet_id",
        "to_outlet_id",
        "from_outlet__code",
        "to_outlet__code",
        "transit_minutes",
        "departure_times",
    ):
        links.setdefault(from_id, []).append((to_id, from_code, to_code, minutes, _timetable(tuple(times))))
    handling = datetime.timedelta(minutes=handling_minutes)
    best: dict[int, datetime.datetime] = {origin.pk: ready_at}
    came_by: dict[int, tuple[int, Leg]] = {}
    queue: list[tuple[datetime.datetime, int]] = [(ready_at, origin.pk)]
    while queue:
        arrived_at, node = heapq.heappop(queue)
        if arrived_at > best[node]:
            continue
        if node == destination.pk:
            break
        ready = arrived_at if node == origin.pk else arrived_at + handling
        for to_id, from_code, to_code, minutes, times in links.get(node, ()):
            departs_at = next_departure(ready_at=ready, departure_times=times)
            arrives_at = departs_at + datetime.timedelta(minutes=minutes)
            if to_id not in best or arrives_at < best[to_id]:
                best[to_id] = arrives_at
                came_by[to_id] = (node, Leg(from_code, to_code, departs_at, arrives_at))
                heapq.heappush(queue, (arrives_at, to_id))
    if destination.pk not in came_by:
        raise ValidationFailed(
            "no_path",
            _("网络中没有从 %(origin)s 到 %(destination)s 的路线")
            % {"origin": origin.code, "destination": destination.code},
            field="destination_outlet",
        )
    legs: list[Leg] = []
    node = destination.pk
    while node != origin.pk:
        previous, leg = came_by[node]
        legs.append(leg)
        node = previous
    legs.reverse()
    return legs
