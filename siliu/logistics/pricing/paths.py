"""The fastest path of a parcel through the network, by link timetables (earliest arrival).

Links leave at set local times (``OutletLink.departure_times``, every day) and take
``transit_minutes``; a link with no timetable leaves whenever a parcel is ready. At every node but the
last a parcel needs the product's handling time before it can leave again. Timetables are FIFO (leaving
later never arrives earlier), so Dijkstra on arrival time finds the earliest arrival exactly.
"""

import bisect
import datetime
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.logistics.pricing.reference import Link, reference, reference_reload
from siliu.network.models import Outlet


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


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _next_local_departure(local: datetime.datetime, departures: Sequence[datetime.time]) -> datetime.datetime:
    """The first of the daily ``departures`` (sorted local times) at or after ``local`` (a local time)."""
    index = bisect.bisect_left(departures, local.time())
    if index < len(departures):
        return datetime.datetime.combine(local.date(), departures[index], tzinfo=local.tzinfo)
    next_day = local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, departures[0], tzinfo=local.tzinfo)


def next_departure(*, ready_at: datetime.datetime, departure_times: list[datetime.time]) -> datetime.datetime:
    """The first scheduled departure at or after ``ready_at`` (local times, repeating daily)."""
    if not departure_times:
        return ready_at
    return _next_local_departure(ready_at.astimezone(local_zone()), sorted(departure_times))


def fastest_path(
    *,
    origin: Outlet,
    destination: Outlet,
    ready_at: datetime.datetime,
    handling_minutes: int,
) -> list[Leg]:
    """The legs of the earliest-arriving path from ``origin`` to ``destination``.

    ``ready_at`` is when the parcel is ready to leave the origin. Returns ``[]`` when origin and
    destination are the same outlet. The network is this process's :func:`reference` snapshot; when
    it finds no path it is built again once, in case a link was just added elsewhere.

    Raises
    ------
    ValidationFailed
        ``no_path`` when the network does not connect the two outlets.
    """
    if origin.pk == destination.pk:
        return []
    legs = _search(reference().links_from, origin.pk, destination.pk, ready_at, handling_minutes)
    if legs is None:
        legs = _search(reference_reload().links_from, origin.pk, destination.pk, ready_at, handling_minutes)
    if legs is None:
        raise ValidationFailed(
            "no_path",
            _("网络中没有从 %(origin)s 到 %(destination)s 的路线")
            % {"origin": origin.code, "destination": destination.code},
            field="destination_outlet",
        )
    return legs


def _search(
    links: dict[int, list[Link]],
    origin_id: int,
    destination_id: int,
    ready_at: datetime.datetime,
    handling_minutes: int,
) -> list[Leg] | None:
    """Dijkstra on arrival time, in local time throughout; ``None`` when nothing reaches the destination."""
    handling = datetime.timedelta(minutes=handling_minutes)
    start = ready_at.astimezone(local_zone())
    best: dict[int, datetime.datetime] = {origin_id: start}
    came_by: dict[int, tuple[int, Link, datetime.datetime]] = {}  # node → (previous, link, departure)
    queue: list[tuple[datetime.datetime, int]] = [(start, origin_id)]
    while queue:
        arrived_at, node = heapq.heappop(queue)
        if arrived_at > best[node]:
            continue
        if node == destination_id:
            break
        ready = arrived_at if node == origin_id else arrived_at + handling
        for link in links.get(node, ()):
            departs_at = _next_local_departure(ready, link.departures) if link.departures else ready
            arrives_at = departs_at + link.transit
            known = best.get(link.to_id)
            if known is None or arrives_at < known:
                best[link.to_id] = arrives_at
                came_by[link.to_id] = (node, link, departs_at)
                heapq.heappush(queue, (arrives_at, link.to_id))
    if destination_id not in came_by:
        return None
    legs: list[Leg] = []
    node = destination_id
    while node != origin_id:
        previous, link, departs_at = came_by[node]
        legs.append(Leg(link.from_code, link.to_code, departs_at, best[node]))
        node = previous
    legs.reverse()
    return legs
