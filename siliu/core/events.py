"""The outbox every flow appends to (:class:`~siliu.core.models.Event`).

A service calls :func:`events_append` inside the transaction that changes its rows, so an event exists
exactly when the change committed. The information flow (``siliu.insight``) folds the events into its
daily figures and marks them folded; nothing else reads them. Kinds are ``<flow>.<what>``:

- ``order.placed``, ``order.<status>`` — ref: the order's id;
- ``parcel.scanned`` — ref: the parcel's id (one per parcel per scan batch);
- ``claim.<status>`` — ref: the claim's id;
- ``cash.moved`` — ref: a transfer's id that moved a counter's cash;
- ``trace.opened`` — ref: the trace batch's id (a buyer opened its public page);
- ``agency.transacted`` — ref: an agency transaction's number (made or reversed at a counter);
- ``appeal.<status>``, ``appeal.escalated`` — ref: a person's request's id (``siliu.appeals``).
"""

import datetime
from collections.abc import Iterable

from siliu.core.models import Event

ORDER_PLACED = "order.placed"
PARCEL_SCANNED = "parcel.scanned"
CASH_MOVED = "cash.moved"
TRACE_OPENED = "trace.opened"
AGENCY_TRANSACTED = "agency.transacted"


def order_status_kind(status: str) -> str:
    return f"order.{status}"


def claim_status_kind(status: str) -> str:
    return f"claim.{status}"


def appeal_status_kind(status: str) -> str:
    return f"appeal.{status}"


APPEAL_ESCALATED = "appeal.escalated"


def events_append(kind: str, refs: Iterable[object], *, at: datetime.datetime) -> None:
    """Append one ``kind`` event per ref, all at ``at``, in the caller's transaction."""
    rows = [Event(kind=kind, ref=str(ref), occurred_at=at) for ref in refs]
    if rows:
        Event.objects.bulk_create(rows)


def event_append(kind: str, ref: object, *, at: datetime.datetime) -> None:
    events_append(kind, [ref], at=at)
