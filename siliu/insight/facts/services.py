"""Keeping the daily figures: fold the outbox in, rebuild days, and check one against the other.

The fold does not add up deltas carried by the events. An event names the row it happened to; the
fold reads which days, outlets and sellers that row counts toward now, and computes those figures
again from the flows' tables (:func:`~siliu.insight.facts.compute.figures_compute`). So a late scan,
an event seen twice or events folded out of order all come to the same figures, and a figure is
wrong only if a change reached no event — which the nightly check (:func:`facts_check`) would show
as a difference (ADR 0022).
"""

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from siliu.agency.catalogue import AgencyTransaction
from siliu.commerce.models import Direction, Order, Settlement, Shipment, TraceBatch
from siliu.core import events as kinds
from siliu.core.models import Event
from siliu.finance import chart
from siliu.finance.models import Transfer
from siliu.insight.facts.compute import Figures, Key, figures_compute, local_day
from siliu.insight.facts.measures import OUTLET, SELLER
from siliu.insight.models import FactCheck, OutletDay, SellerDay
from siliu.logistics.models import Claim, Parcel

FOLD_BATCH = 5000
#: The PostgreSQL advisory lock that lets one fold, check or rebuild write the figures at a time.
FIGURES_LOCK = 0x5349_4C49_5546  # "SILIUF"
#: How many differences a check keeps to show.
SAMPLE_SIZE = 20


class _Touched:
    """Which outlets and sellers each day must be computed again for."""

    def __init__(self) -> None:
        self.outlets: dict[datetime.date, set[int]] = defaultdict(set)
        self.sellers: dict[datetime.date, set[int]] = defaultdict(set)

    def outlet(self, moment: datetime.datetime | None, outlet_id: int | None) -> None:
        if moment is not None and outlet_id is not None:
            self.outlets[local_day(moment)].add(outlet_id)

    def seller(self, moment: datetime.datetime | None, seller_id: int | None) -> None:
        if moment is not None and seller_id is not None:
            self.sellers[local_day(moment)].add(seller_id)

    def days(self) -> list[datetime.date]:
        return sorted(set(self.outlets) | set(self.sellers))


def _ints(refs: Iterable[str]) -> list[int]:
    return [int(ref) for ref in refs if ref.isdigit()]


def _touched(events: Sequence[Event]) -> _Touched:
    """The figures the rows behind ``events`` count toward."""
    refs: dict[str, set[str]] = defaultdict(set)
    opened: list[Event] = []
    for event in events:
        family = event.kind.split(".", 1)[0]
        if event.kind == kinds.TRACE_OPENED:
            opened.append(event)
        else:
            refs[family].add(event.ref)
    touched = _Touched()
    _touched_orders(touched, _ints(refs["order"]))
    _touched_parcels(touched, _ints(refs["parcel"]))
    _touched_claims(touched, _ints(refs["claim"]))
    _touched_cash(touched, refs["cash"])
    for occurred_at, outlet_id in AgencyTransaction.objects.filter(number__in=refs["agency"]).values_list(
        "occurred_at", "outlet_id"
    ):
        touched.outlet(occurred_at, outlet_id)
    seller_of = dict(
        TraceBatch.objects.filter(code__in={e.ref for e in opened}).values_list("code", "seller_id")
    )
    for event in opened:
        touched.seller(event.occurred_at, seller_of.get(event.ref))
    return touched


def _touched_orders(touched: _Touched, ids: list[int]) -> None:
    if not ids:
        return
    parts = defaultdict(list)
    for order_id, seller_id, home in (
        Shipment.objects.filter(order_id__in=ids)
        .order_by("pk")
        .values_list("order_id", "seller_id", "seller__home_outlet_id")
    ):
        parts[order_id].append((seller_id, home))
    for order in Order.objects.filter(pk__in=ids).only("created_at", "direction", "destination_outlet_id"):
        for seller_id, home in parts[order.pk]:
            touched.seller(order.created_at, seller_id)
            touched.outlet(order.created_at, home)
        if order.direction == Direction.DOWNWARD:
            touched.outlet(order.created_at, order.destination_outlet_id)
    for settlement in Settlement.objects.filter(order_id__in=ids).select_related("order", "seller"):
        touched.seller(settlement.settled_at, settlement.seller_id)
        down = settlement.order.direction == Direction.DOWNWARD
        touched.outlet(
            settlement.settled_at,
            settlement.order.destination_outlet_id if down else settlement.seller.home_outlet_id,
        )


def _touched_parcels(touched: _Touched, ids: list[int]) -> None:
    for row in Parcel.objects.filter(pk__in=ids).values(
        "accepted_at", "delivered_at", "origin_outlet_id", "destination_outlet_id", "shipment__seller_id"
    ):
        touched.outlet(row["accepted_at"], row["origin_outlet_id"])
        touched.outlet(row["delivered_at"], row["destination_outlet_id"] or row["origin_outlet_id"])
        touched.seller(row["accepted_at"], row["shipment__seller_id"])
        touched.seller(row["delivered_at"], row["shipment__seller_id"])


def _touched_claims(touched: _Touched, ids: list[int]) -> None:
    for row in Claim.objects.filter(pk__in=ids).values(
        "created_at", "paid_at", "parcel__origin_outlet_id", "parcel__shipment__seller_id"
    ):
        for moment in (row["created_at"], row["paid_at"]):
            touched.outlet(moment, row["parcel__origin_outlet_id"])
            touched.seller(moment, row["parcel__shipment__seller_id"])


def _touched_cash(touched: _Touched, ids: Collection[str]) -> None:
    if not ids:
        return
    for created_at, debit_code, debit_outlet, credit_code, credit_outlet in Transfer.objects.filter(
        pk__in=list(ids)
    ).values_list(
        "created_at",
        "debit_account__code",
        "debit_account__owner_outlet_id",
        "credit_account__code",
        "credit_account__owner_outlet_id",
    ):
        if debit_code.startswith(chart.OUTLET_CASH_PREFIX):
            touched.outlet(created_at, debit_outlet)
        if credit_code.startswith(chart.OUTLET_CASH_PREFIX):
            touched.outlet(created_at, credit_outlet)


def figures_store(
    figures: Figures,
    *,
    day_from: datetime.date,
    day_to: datetime.date,
    outlet_ids: Collection[int] | None,
    seller_ids: Collection[int] | None,
) -> None:
    """Replace the stored figures of those days, outlets and sellers (``None``: all) by ``figures``."""
    for model, scope, field, ids in (
        (OutletDay, OUTLET, "outlet_id", outlet_ids),
        (SellerDay, SELLER, "seller_id", seller_ids),
    ):
        if ids is not None and not ids:
            continue
        stale = model.objects.filter(day__gte=day_from, day__lte=day_to)
        if ids is not None:
            stale = stale.filter(**{f"{field}__in": list(ids)})
        stale.delete()
        rows: list[Any] = [
            model(day=day, measure=measure, value=value, **{field: subject})
            for (key_scope, day, subject, measure), value in sorted(figures.items())
            if key_scope == scope
        ]
        model.objects.bulk_create(rows, batch_size=2000)


def _figures_lock() -> None:
    """Wait for the figures, inside the caller's transaction: two folds refreshing the same outlet's
    day at once would each delete its rows and insert them again, and one would fail on the other's
    rows. On PostgreSQL a transaction-scoped advisory lock; SQLite lets one writer in at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FIGURES_LOCK])


def events_fold(*, limit: int = FOLD_BATCH, now: datetime.datetime | None = None) -> int:
    """Fold up to ``limit`` unfolded events into the figures, oldest first; the number folded.

    Runs in one transaction, one fold at a time (:func:`_figures_lock`); the events it takes are
    locked, and those committed while it runs wait for the next fold."""
    now = now or timezone.now()
    with transaction.atomic():
        _figures_lock()
        events = list(Event.objects.filter(folded_at__isnull=True).order_by("pk")[:limit])
        if not events:
            return 0
        touched = _touched(events)
        for day in touched.days():
            outlets, sellers = touched.outlets.get(day, set()), touched.sellers.get(day, set())
            figures = figures_compute(day, day, outlet_ids=outlets, seller_ids=sellers)
            figures_store(figures, day_from=day, day_to=day, outlet_ids=outlets, seller_ids=sellers)
        Event.objects.filter(pk__in=[event.pk for event in events]).update(folded_at=now)
    return len(events)


def events_fold_all(*, now: datetime.datetime | None = None) -> int:
    """Fold every unfolded event; the number folded."""
    total = 0
    while folded := events_fold(now=now):
        total += folded
    return total


def figures_stored(day_from: datetime.date, day_to: datetime.date) -> Figures:
    stored: Figures = {}
    for model, scope, field in ((OutletDay, OUTLET, "outlet_id"), (SellerDay, SELLER, "seller_id")):
        for day, subject, measure, value in model.objects.filter(
            day__gte=day_from, day__lte=day_to
        ).values_list("day", field, "measure", "value"):
            stored[(scope, day, subject, measure)] = value
    return stored


def figures_differences(stored: Figures, rebuilt: Figures) -> list[tuple[Key, int, int]]:
    """``(key, stored, rebuilt)`` for every figure the two disagree on."""
    return [
        (key, stored.get(key, 0), rebuilt.get(key, 0))
        for key in sorted(set(stored) | set(rebuilt))
        if stored.get(key, 0) != rebuilt.get(key, 0)
    ]


def facts_check(
    day_from: datetime.date,
    day_to: datetime.date,
    *,
    repair: bool = True,
    now: datetime.datetime | None = None,
) -> FactCheck:
    """Rebuild the days from the flows' tables, compare with the figures kept from the outbox, record
    the comparison, and (``repair``) keep the rebuilt figures."""
    now = now or timezone.now()
    with transaction.atomic():
        _figures_lock()
        rebuilt = figures_compute(day_from, day_to)
        differences = figures_differences(figures_stored(day_from, day_to), rebuilt)
        if differences and repair:
            figures_store(rebuilt, day_from=day_from, day_to=day_to, outlet_ids=None, seller_ids=None)
        return FactCheck.objects.create(
            day_from=day_from,
            day_to=day_to,
            checked_at=now,
            figures=len(rebuilt),
            differences=len(differences),
            sample=[
                {
                    "scope": key[0],
                    "day": key[1].isoformat(),
                    "id": key[2],
                    "measure": key[3],
                    "kept": kept,
                    "rebuilt": new,
                }
                for key, kept, new in differences[:SAMPLE_SIZE]
            ],
        )


def facts_rebuild(day_from: datetime.date, day_to: datetime.date) -> int:
    """Compute the days again from the flows' tables and keep them; the number of figures."""
    with transaction.atomic():
        _figures_lock()
        figures = figures_compute(day_from, day_to)
        figures_store(figures, day_from=day_from, day_to=day_to, outlet_ids=None, seller_ids=None)
    return len(figures)


def history_days() -> tuple[datetime.date, datetime.date] | None:
    """The first and last day anything happened on (the first order, parcel or transfer), or None."""
    firsts = [
        Order.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        Parcel.objects.filter(accepted_at__isnull=False)
        .order_by("accepted_at")
        .values_list("accepted_at", flat=True)
        .first(),
        Transfer.objects.order_by("created_at").values_list("created_at", flat=True).first(),
    ]
    known = [moment for moment in firsts if moment is not None]
    if not known:
        return None
    return local_day(min(known)), timezone.localdate()
