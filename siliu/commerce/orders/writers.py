"""Writing a placed order: the stock taken under lock, the order, its parcels and its escrow, all or
nothing — by the Python engine (every database) or, on PostgreSQL, by one call of the PL/pgSQL
function ``siliu_place_order`` (migration ``commerce/0002_postgres_order_engine``).

:func:`siliu.commerce.orders.services.order_place` works the order out first from an unlocked read — lines,
prices, one quoted parcel per seller, the escrow hold — as an :class:`OrderPlan` of unsaved objects.
A writer then, in one transaction:

0. returns the id of the order the placer already placed with the same ``idempotency_key``, if
   there is one, and writes nothing;
1. locks the ordered products in ascending id order and refuses, product by product,
   ``product_unavailable`` (inactive, or the seller no longer verified) or ``insufficient_stock``;
   then takes the stock;
2. inserts the order, its lines and its two events (placed, paid);
3. issues the parcels' S10 numbers (each logistics product's range row locked from here to the end)
   and inserts the parcels, their ``created`` events and the shipments;
4. books the escrow hold through the ledger engine; a refusal (``exceeds_credits``…) undoes it all.
   A wallet never opened is not looked up beforehand: the ledger finds no such account, and the
   buyer is told what is true of it — it holds too little (``exceeds_credits``).

The shared rows — the S10 range and the escrow account — come last so that each is held only for
the end of the transaction. Both engines take the same locks in the same order, refuse with the same
codes and write the same rows; a PostgreSQL test places the same orders through both and compares
every column. ADR 0005 explains why there are two.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from siliu.commerce.models import Order, OrderEvent, OrderLine, PaymentMethod, Product, SellerStatus, Shipment
from siliu.core.bulk import mark_saved, row_json
from siliu.core.errors import Conflict, DomainError
from siliu.core.events import CASH_MOVED, ORDER_PLACED, event_append
from siliu.finance.services import (
    TransferRequest,
    transfer_error,
    transfer_request_json,
    transfers_create_batch,
)
from siliu.logistics.models import Parcel
from siliu.logistics.models import Product as LogisticsProduct
from siliu.logistics.parcels.services import parcel_created_event, parcels_save
from siliu.network.models import Outlet

#: SQLSTATE of a refusal raised by ``siliu_place_order``; MESSAGE is the code, DETAIL its subject.
REFUSAL_SQLSTATE = "SLORD"


@dataclass
class OrderPlan:
    """An order worked out and checked, not written: every object unsaved, parcels without numbers."""

    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent]
    #: Products as read (unlocked) with the quantity each line takes, in ascending id order.
    products: list[tuple[Product, int]]
    #: One parcel per seller, with its shipment (``shipment.parcel`` is the parcel).
    shipments: list[Shipment]
    hold: TransferRequest
    #: The station whose drawer takes the cash of a counter-cash order; :func:`order_place
    #: <siliu.commerce.orders.services.order_place>` passes it through the counter-cash gate first.
    cash_outlet: Outlet | None = None
    parcels: list[Parcel] = field(init=False)

    def __post_init__(self) -> None:
        self.parcels = [shipment.parcel for shipment in self.shipments]


def order_write(plan: OrderPlan) -> int | None:
    """Write ``plan`` with the engine of the database: PostgreSQL's function, else Python.

    The order's ``order.placed`` event goes in the same transaction (the outbox,
    :mod:`siliu.core.events`). Returns ``None`` once written, or the id of the order already placed
    with the plan's ``idempotency_key`` by the same placer (then nothing is written).
    """
    connection = connections[router.db_for_write(Order)]
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            existing = order_write_postgresql(plan)
            # The function books the escrow hold itself, past the ledger service that tells the outbox
            # of a counter's cash (the Python engine books it through that service).
            if existing is None and plan.cash_outlet is not None:
                event_append(CASH_MOVED, plan.hold.id, at=plan.order.created_at)
        else:
            existing = order_write_python(plan)
        if existing is None:
            event_append(ORDER_PLACED, plan.order.pk, at=plan.order.created_at)
    return existing


def _hold_refused(code: str, plan: OrderPlan) -> DomainError:
    if code == "debit_account_not_found" and plan.order.payment_method == PaymentMethod.WALLET:
        code = "exceeds_credits"
    return transfer_error(code)


# ---------------------------------------------------------------------------------------------------
# Python


def product_unavailable_error(product: Product) -> Conflict:
    """``product_unavailable``: inactive, or its seller not verified (as planned, or as found under lock)."""
    return Conflict("product_unavailable", _("%(name)s 暂不可购买") % {"name": product.name}, field="lines")


def insufficient_stock_error(product: Product, *, stock: int) -> Conflict:
    """``insufficient_stock``, naming what is left."""
    return Conflict(
        "insufficient_stock",
        _("%(name)s 库存不足（剩 %(stock)d %(unit)s）")
        % {"name": product.name, "stock": stock, "unit": product.unit},
        field="lines",
    )


@transaction.atomic
def order_write_python(plan: OrderPlan) -> int | None:
    """The Python engine (see the module's steps)."""
    order = plan.order
    if order.idempotency_key:
        existing = (
            Order.objects.filter(placed_by_id=order.placed_by_id, idempotency_key=order.idempotency_key)
            .values_list("pk", flat=True)
            .first()
        )
        if existing is not None:
            return existing
    quantities = {product.pk: quantity for product, quantity in plan.products}
    locked = {
        product.pk: product
        for product in Product.objects.select_for_update(of=("self",))
        .select_related("seller")
        .filter(pk__in=quantities)
        .order_by("pk")
    }
    for planned, quantity in plan.products:
        product = locked.get(planned.pk)
        if product is None or not product.is_active or product.seller.status != SellerStatus.VERIFIED:
            raise product_unavailable_error(planned)
        if product.stock < quantity:
            raise insufficient_stock_error(planned, stock=product.stock)
    for product in locked.values():
        product.stock -= quantities[product.pk]
    Product.objects.bulk_update(list(locked.values()), ["stock"])

    order.save(force_insert=True)
    OrderLine.objects.bulk_create(plan.lines)
    OrderEvent.objects.bulk_create(plan.events)
    parcels_save(plan.parcels, actor=order.placed_by, now=order.created_at)
    Shipment.objects.bulk_create(plan.shipments)
    hold = transfers_create_batch(transfers=[plan.hold], created_by=order.placed_by, now=order.created_at)
    if hold[0].error is not None:
        raise _hold_refused(hold[0].status, plan)
    return None


# ---------------------------------------------------------------------------------------------------
# PostgreSQL


def order_write_postgresql(plan: OrderPlan) -> int | None:
    """The PostgreSQL engine: one ``SELECT siliu_place_order(…)``. Outside a transaction that
    statement is its own transaction; inside one it runs in a savepoint, so a refusal undoes only it."""
    connection = connections[router.db_for_write(Order)]
    order = plan.order
    payload = {
        "order": row_json(plan.order),
        "lines": [row_json(line) for line in plan.lines],
        "events": [row_json(event) for event in plan.events],
        "stock": [{"product_id": product.pk, "quantity": quantity} for product, quantity in plan.products],
        "parcels": [row_json(parcel) for parcel in plan.parcels],
        "parcel_events": [
            row_json(parcel_created_event(parcel, actor=order.placed_by, now=order.created_at))
            for parcel in plan.parcels
        ],
        "shipments": [row_json(shipment) for shipment in plan.shipments],
        "hold": transfer_request_json(plan.hold),
        "now": order.created_at.isoformat(),
        "created_by": order.placed_by_id,
    }
    try:
        if connection.in_atomic_block:
            with transaction.atomic(using=connection.alias):
                written = _call(connection, payload)
        else:
            written = _call(connection, payload)
    except DatabaseError as error:
        refusal = _refusal(error, plan)
        if refusal is None:
            raise
        raise refusal from error
    if "existing_id" in written:
        return int(written["existing_id"])
    alias = connection.alias
    mark_saved(order, written["order_id"], alias=alias)
    for line, pk in zip(plan.lines, written["line_ids"], strict=True):
        line.order = order  # sets order_id, unknown when the line was made
        mark_saved(line, pk, alias=alias)
    for event, pk in zip(plan.events, written["event_ids"], strict=True):
        event.order = order
        mark_saved(event, pk, alias=alias)
    for parcel, pk, number in zip(plan.parcels, written["parcel_ids"], written["numbers"], strict=True):
        parcel.tracking_number = number
        mark_saved(parcel, pk, alias=alias)
    for shipment, pk in zip(plan.shipments, written["shipment_ids"], strict=True):
        shipment.order = order
        shipment.parcel = shipment.parcel  # sets parcel_id, unknown when the shipment was made
        mark_saved(shipment, pk, alias=alias)
    return None


def _call(connection: BaseDatabaseWrapper, payload: dict[str, object]) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT siliu_place_order(%s::jsonb)", [json.dumps(payload, separators=(",", ":"))])
        (written,) = cursor.fetchone()
    return written if isinstance(written, dict) else json.loads(written)


def _refusal(error: DatabaseError, plan: OrderPlan) -> DomainError | None:
    """The :class:`DomainError` for a refusal the function raised; ``None`` for any other error."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) != REFUSAL_SQLSTATE:
        return None
    code = cause.diag.message_primary or ""  # type: ignore[union-attr]
    detail = (cause.diag.message_detail or "").split(",")  # type: ignore[union-attr]
    products = {product.pk: product for product, _quantity in plan.products}
    if code == "product_unavailable":
        return product_unavailable_error(products[int(detail[0])])
    if code == "insufficient_stock":
        return insufficient_stock_error(products[int(detail[0])], stock=int(detail[1]))
    if code == "tracking_numbers_exhausted":
        product = LogisticsProduct.objects.get(pk=int(detail[0]))
        return Conflict(
            "tracking_numbers_exhausted",
            _("%(product)s 的邮件号段已用完，请配置新号段") % {"product": product.name},
        )
    return _hold_refused(code, plan)
