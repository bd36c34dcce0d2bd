"""The reference data every quote reads, held in memory per process.

A quote needs the active outlets with their regions, the links between them with their timetables,
the logistics products, their tariffs and the trunk routes out of the county. These change a few
times a year (a new station, a timetable, next year's tariff) and are read for every parcel, so each
process keeps one :class:`Reference` and builds it again:

- at once, in this process, when any of those rows is saved or deleted (model signals, which the
  network and logistics services and the admin all go through);
- when it is older than :data:`RELOAD_SECONDS`, so a change made by another process reaches this one
  within that time;
- when a quote asks for an outlet or product the snapshot does not know, or finds no path: once, in
  case it was just created elsewhere, before the request is refused.

Tariffs carry their own ``effective_on`` dates and are chosen by date at quote time, so a tariff
entered ahead of its date is never quoted early. Objects handed out are shared between requests of
the process: read them, never change them. ADR 0005 explains why this is a snapshot with a short
life rather than a database-backed version counter.
"""

import datetime
import threading
import time
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from siliu.logistics.models import Product, Tariff, TrunkRoute
from siliu.network.models import Outlet, OutletKind, OutletLink, Region, parse_departure_times

#: Longest a process quotes from reference data another process may have changed.
RELOAD_SECONDS = 10.0


@dataclass(frozen=True)
class Link:
    """A directed road link as the path search walks it; ``departures`` sorted, empty = any time."""

    to_id: int
    from_code: str
    to_code: str
    transit: datetime.timedelta
    departures: tuple[datetime.time, ...]


@dataclass
class Reference:
    outlets_by_code: dict[str, Outlet]
    outlets_by_id: dict[int, Outlet]
    links_from: dict[int, list[Link]]
    products_by_code: dict[str, Product]
    #: Tariffs by (product id, zone), latest ``effective_on`` first.
    tariffs: dict[tuple[int, str], list[Tariff]]
    #: The active county hub (lowest id) and its trunk routes by zone.
    hub: Outlet | None
    trunks_by_zone: dict[str, TrunkRoute]
    loaded_at: float = field(default_factory=time.monotonic)

    def tariff_on(self, *, product_id: int, zone: str, on: datetime.date) -> Tariff | None:
        for tariff in self.tariffs.get((product_id, zone), ()):
            if tariff.effective_on <= on:
                return tariff
        return None


def _load() -> Reference:
    outlets = {
        outlet.code: outlet for outlet in Outlet.objects.select_related("region").filter(is_active=True)
    }
    links: dict[int, list[Link]] = {}
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
        departures = tuple(sorted(set(parse_departure_times(list(times)))))
        links.setdefault(from_id, []).append(
            Link(to_id, from_code, to_code, datetime.timedelta(minutes=minutes), departures)
        )
    tariffs: dict[tuple[int, str], list[Tariff]] = {}
    for tariff in Tariff.objects.order_by("product_id", "zone", "-effective_on"):
        tariffs.setdefault((tariff.product_id, tariff.zone), []).append(tariff)
    hub = min(
        (outlet for outlet in outlets.values() if outlet.kind == OutletKind.COUNTY_HUB),
        key=lambda outlet: outlet.pk,
        default=None,
    )
    return Reference(
        outlets_by_code=outlets,
        outlets_by_id={outlet.pk: outlet for outlet in outlets.values()},
        links_from=links,
        products_by_code={product.code: product for product in Product.objects.filter(is_active=True)},
        tariffs=tariffs,
        hub=hub,
        trunks_by_zone={trunk.zone: trunk for trunk in TrunkRoute.objects.filter(hub=hub)} if hub else {},
    )


_current: Reference | None = None
_lock = threading.Lock()


def _expired(snapshot: Reference) -> bool:
    return time.monotonic() - snapshot.loaded_at > RELOAD_SECONDS


def reference() -> Reference:
    """This process's reference data, built again when older than :data:`RELOAD_SECONDS`."""
    global _current
    snapshot = _current
    if snapshot is None or _expired(snapshot):
        with _lock:
            # Threads that waited for the lock use what the first of them built.
            snapshot = _current
            if snapshot is None or _expired(snapshot):
                snapshot = _current = _load()
    return snapshot


def reference_reload() -> Reference:
    """Build the reference data again now (after a miss that a change elsewhere may explain)."""
    global _current
    with _lock:
        snapshot = _current = _load()
    return snapshot


def reference_forget(**_kwargs: object) -> None:
    """Drop this process's reference data; the next quote builds it again."""
    global _current
    _current = None


def reference_signals_connect() -> None:
    """Forget the snapshot whenever a row it is built from is saved or deleted in this process."""
    for model in (Region, Outlet, OutletLink, Product, Tariff, TrunkRoute):
        post_save.connect(reference_forget, sender=model, dispatch_uid=f"reference:{model.__name__}:save")
        post_delete.connect(reference_forget, sender=model, dispatch_uid=f"reference:{model.__name__}:delete")
