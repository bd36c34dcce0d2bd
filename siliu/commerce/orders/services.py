"""Orders, written: placing, escrow, cancellation, settlement and the hooks parcels call.

Money moves through the ledger only (:mod:`siliu.finance.services`); every transfer id is derived
from the order number, so a retried step books nothing twice.

Escrow, by payment method
-------------------------
- ``wallet``: placing the order holds the total on the buyer's wallet as a *pending* transfer
  ``order:<number>:escrow`` (wallet → ESCROW). Cancelling voids it; completion posts it.
- ``counter_cash``: the station operator takes the cash at the counter, booked at once as a posted
  transfer ``order:<number>:escrow-cash`` (outlet cash → ESCROW), admitted first by the station's
  counter-cash gate (day close, caps per transaction and per day). Cancelling refunds the buyer's
  *wallet* (ESCROW → wallet) — the drawer's cash has already been counted.

Either way the order is ``paid`` as soon as the escrow is held: both happen in the one transaction
that places it (a ``placed`` then a ``paid`` event are written).

Statuses
--------
``shipped`` is recorded lazily: logistics tells commerce only about deliveries and losses, so an order
moves paid → shipped → delivered when the last of its live parcels is delivered (both events written
then), and cancelling an order whose parcel has been accepted is refused. Pages and the API show an
order whose parcel has been accepted as shipped (:func:`siliu.commerce.orders.selectors.order_status_shown`).
A lost parcel refunds that seller's part; the order goes on with its other parcels and is
``refunded`` only when no live parcel remains.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.commerce import hooks as commerce_hooks
from siliu.commerce.catalog import identity
from siliu.commerce.catalog.services import required_text, seller_check_acts_for
from siliu.commerce.models import (
    ORDER_TRANSITIONS,
    PAYOUT_TRANSITIONS,
    BuyerAddress,
    Direction,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Payout,
    PayoutEvent,
    PayoutStatus,
    Product,
    Seller,
    SellerStatus,
    Settlement,
    Shipment,
)
from siliu.commerce.orders.selectors import (
    COMMISSION_BP as COMMISSION_BP,  # re-exported: the commission is part of the order's rules
)
from siliu.commerce.orders.selectors import (
    NOT_ACCEPTED,
    buyer_address_get,
    commission_split,
    order_held_by,
    order_parts_known,
    order_placed_with_key,
    order_visible_to,
    order_with_parts,
    seller_payable_code,
)
from siliu.commerce.orders.writers import (
    OrderPlan,
    insufficient_stock_error,
    order_write,
    product_unavailable_error,
)
from siliu.core import ids
from siliu.core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed
from siliu.core.events import event_append, order_status_kind
from siliu.core.money import MAX_AMOUNT_FEN, format_fen
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.core.roles import Actor, acting_user
from siliu.finance import chart
from siliu.finance.models import AccountType, Transfer, TransferKind
from siliu.finance.services import (
    CATEGORY_ORDER,
    CATEGORY_SELLER_WITHDRAW,
    TransferRequest,
    account_open,
    counter_cash_admit,
    system_account,
    transfer_create,
    transfer_id_is_valid,
    transfers_book,
    wallet_open,
)
from siliu.logistics.models import Parcel, ParcelStatus, PostagePayment
from siliu.logistics.parcels.services import Address, parcel_cancel, parcel_prepare
from siliu.logistics.pricing.quotes import QuoteRequest, outlet_active, outlet_active_by_id, parcel_quote
from siliu.network.models import Outlet, Region
from siliu.network.selectors import village_get, village_serving_outlet

#: The ledger category of payouts to a bank account (requested, paid, returned).
CATEGORY_SELLER_PAYOUT = "seller_payout"
#: Most lines one order may hold.
ORDER_LINE_LIMIT = 50
#: Days after delivery when an order the buyer has not confirmed completes by itself.
AUTO_COMPLETE_DAYS = 7
#: Logistics product used for each direction.
PARCEL_PRODUCT = {Direction.UPWARD: "ecommerce", Direction.DOWNWARD: "parcel"}


def escrow_hold_id(number: str) -> str:
    return f"order:{number}:escrow"


def escrow_cash_id(number: str) -> str:
    return f"order:{number}:escrow-cash"


def escrow_post_id(number: str) -> str:
    return f"order:{number}:escrow-post"


def seller_payable_open(*, seller: Seller) -> str:
    """The code of ``seller``'s payable account (a liability, never negative), opened on first use."""
    return account_open(
        code=seller_payable_code(seller),
        name=_("%(seller)s 应付货款") % {"seller": seller.name},
        type=AccountType.LIABILITY,
        owner_reference=f"seller:{seller.pk}",
    ).code


def _transition(
    order: Order, to_status: str, *, actor: Actor | None, now: datetime.datetime, note: str = ""
) -> None:
    """Move ``order`` to ``to_status`` along :data:`ORDER_TRANSITIONS`, writing its event."""
    if to_status not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(
            "invalid_transition",
            _("%(status)s 的订单不能变为 %(to)s")
            % {"status": OrderStatus(order.status).label, "to": OrderStatus(to_status).label},
        )
    OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=to_status,
        actor=acting_user(actor),
        occurred_at=now,
        note=note,
    )
    event_append(order_status_kind(to_status), order.pk, at=now)
    order.status = to_status


# ---------------------------------------------------------------------------------------------------
# Placing an order


def _lines_validate(lines: Sequence[tuple[int, int]]) -> dict[int, int]:
    if not lines:
        raise ValidationFailed("invalid", _("订单中没有商品"), field="lines")
    if len(lines) > ORDER_LINE_LIMIT:
        raise ValidationFailed(
            "invalid", _("每个订单最多 %(n)d 种商品") % {"n": ORDER_LINE_LIMIT}, field="lines"
        )
    quantities: dict[int, int] = {}
    for product_id, quantity in lines:
        if not isinstance(product_id, int) or not isinstance(quantity, int) or isinstance(quantity, bool):
            raise ValidationFailed("invalid", _("商品和数量须为整数"), field="lines")
        if not 0 < product_id <= ids.MAX_ID:
            raise ValidationFailed(
                "unknown_product", _("没有编号为 %(id)s 的商品") % {"id": product_id}, field="lines"
            )
        if quantity <= 0 or quantity > 10_000:
            raise ValidationFailed("invalid_quantity", _("数量应在 1 到 10000 之间"), field="lines")
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    return quantities


def _placer_may_take_cash(*, placed_by: AbstractBaseUser, outlet: Outlet | None) -> Outlet:
    if outlet is None:
        raise ValidationFailed(
            "invalid", _("站点现金代付须指定投递网点（本站）"), field="destination_outlet_code"
        )
    if not user_can_at(placed_by, Permission.ORDER_FOR_VILLAGER, outlet):
        raise PermissionRefused("not_outlet_operator", _("只有本站负责人可以代收现金下单"))
    if not outlet.has_cash_counter or not outlet.is_active:
        raise Conflict("outlet_has_no_cash_counter", _("该网点没有现金柜台"), field="destination_outlet_code")
    return outlet


def _new_number(now: datetime.datetime) -> str:
    return f"SO{timezone.localdate(now):%y%m%d}{ids.randbelow(10**10):010d}"


def order_place(
    *,
    buyer: User,
    placed_by: User,
    lines: Sequence[tuple[int, int]],
    recipient: Address,
    destination_outlet_code: str | None = None,
    destination_region_code: str | None = None,
    payment_method: str = PaymentMethod.WALLET,
    idempotency_key: str = "",
    expected_total_fen: int | None = None,
    now: datetime.datetime | None = None,
) -> Order:
    """Place an order in one transaction: stock reserved, goods and postage priced, payment in escrow,
    one parcel per seller created, events written. The order is ``paid`` when it returns.

    The order is worked out from an unlocked read (:func:`_order_plan`) and written by
    :func:`~siliu.commerce.orders.writers.order_write` — one PL/pgSQL call on PostgreSQL — which locks
    the products in ascending id order and checks them again, so concurrent orders for the last units
    never oversell and never deadlock (ADR 0005). The same ``idempotency_key`` from the same placer
    returns the first order, with its lines and shipments, even when it could not be placed again now.
    ``wallet`` orders are placed by the buyer; ``counter_cash`` orders by the operator of the
    destination station (代购), who takes the cash into that station's drawer: that cash passes the
    station's counter-cash gate (:func:`~siliu.finance.services.counter_cash_admit`) in the transaction
    that writes the order, so it is refused, with nothing written, on a closed business day or over
    the station's caps, and counts toward the day's cash in. The order returned carries its lines and
    shipments as placed. ``expected_total_fen`` is the total the buyer was shown (by
    :func:`order_quote`): an order that would now cost anything else is refused, with nothing written.

    Raises
    ------
    ValidationFailed
        Bad lines (``lines``), quantities, recipient, destination, payment method, idempotency key, or
        lines of both directions in one order; ``unknown_product``; ``exceeds_transaction_cap``
        (``amount_fen``: a counter-cash order's total over the station's cap per transaction).
    PermissionRefused
        ``not_buyer`` (a wallet order placed for someone else), ``not_outlet_operator``.
    Conflict
        ``product_unavailable`` (inactive, or its seller not verified), ``insufficient_stock``
        (field ``lines``), ``exceeds_credits`` (the wallet cannot pay), ``outlet_has_no_cash_counter``;
        for a counter-cash order ``day_closed`` (the station's business day of ``now`` is closed) and
        ``exceeds_daily_cap`` (``amount_fen``: the station's cash in that day would pass its cap);
        ``postage_changed`` (field ``expected_total_fen``, the new postage and total in the message)
        when the total is no longer ``expected_total_fen``.
    """
    now = now or timezone.now()
    if len(idempotency_key) > 64:
        raise ValidationFailed("invalid", _("幂等键最多 64 个字符"), field="Idempotency-Key")
    try:
        plan = _order_plan(
            buyer=buyer,
            placed_by=placed_by,
            lines=lines,
            recipient=recipient,
            destination_outlet_code=destination_outlet_code,
            destination_region_code=destination_region_code,
            payment_method=payment_method,
            idempotency_key=idempotency_key,
            now=now,
        )
        _total_expected_check(plan.order, expected_total_fen=expected_total_fen)
        existing_id = _order_write(plan, now=now)
    except (DomainError, IntegrityError):
        # A retry of an order already placed answers with that order, even when the order could not
        # be placed again now (its units are sold: by the first attempt; the station's day is closed
        # or its cap filled), or when the first attempt committed while this one was running (the
        # key's unique index refused this one).
        existing = order_placed_with_key(placed_by=placed_by, idempotency_key=idempotency_key)
        if existing is not None:
            return existing
        raise
    if existing_id is not None:
        return order_with_parts(pk=existing_id)
    order_parts_known(plan.order, lines=plan.lines, shipments=plan.shipments)
    return plan.order


def _order_write(plan: OrderPlan, *, now: datetime.datetime) -> int | None:
    """Write ``plan`` (:func:`order_write`); a counter-cash order is first admitted by the station's
    counter-cash gate (:func:`~siliu.finance.services.counter_cash_admit`: day close, caps) in the same
    transaction, which holds the drawer's lock until the order and its cash are written."""
    if plan.cash_outlet is None:
        return order_write(plan)
    with transaction.atomic():
        counter_cash_admit(
            outlet=plan.cash_outlet,
            amount_fen=plan.order.total_fen,
            cash_in=True,
            transfer_id=plan.hold.id,
            now=now,
        )
        return order_write(plan)


def _order_plan(
    *,
    buyer: User,
    placed_by: User,
    lines: Sequence[tuple[int, int]],
    recipient: Address,
    destination_outlet_code: str | None,
    destination_region_code: str | None,
    payment_method: str,
    idempotency_key: str,
    now: datetime.datetime,
) -> OrderPlan:
    """Work the order out from an unlocked read of its products; :func:`order_write` takes the stock
    under lock and writes it.

    The steps refuse in this order, and none of them writes: the lines, the payment method and the
    destination, who may pay (:func:`_order_payer_check`), the products (:func:`_products_for_sale`),
    one direction (:func:`_order_direction`), then one priced and routed parcel per seller
    (:func:`_parcels_prepare`).
    """
    quantities = _lines_validate(lines)
    destination, cash_outlet = _order_payer_check(
        buyer=buyer,
        placed_by=placed_by,
        payment_method=payment_method,
        destination_outlet_code=destination_outlet_code,
        destination_region_code=destination_region_code,
    )
    products = _products_for_sale(quantities)
    direction = _order_direction(products)
    number = _new_number(now)
    by_seller: dict[int, list[Product]] = {}
    for product in products.values():
        by_seller.setdefault(product.seller_id, []).append(product)
    # Price and route every parcel before writing anything: a refusal here leaves nothing to undo.
    parcels = _parcels_prepare(
        by_seller=by_seller,
        quantities=quantities,
        direction=direction,
        recipient=recipient,
        destination_outlet_code=destination_outlet_code,
        destination_region_code=destination_region_code,
        placed_by=placed_by,
        now=now,
    )
    goods_by_seller = {
        seller_id: sum(product.price_fen * quantities[product.pk] for product in seller_products)
        for seller_id, seller_products in by_seller.items()
    }
    order = _order_build(
        number=number,
        direction=direction,
        buyer=buyer,
        placed_by=placed_by,
        payment_method=payment_method,
        recipient=recipient,
        destination=destination,
        first_parcel=next(iter(parcels.values())),
        goods_fen=sum(goods_by_seller.values()),
        postage_fen=sum(parcel.fee_fen for parcel in parcels.values()),
        idempotency_key=idempotency_key,
        now=now,
    )
    return OrderPlan(
        order=order,
        lines=[
            OrderLine(
                order=order,
                product=product,
                seller=product.seller,
                quantity=quantities[product.pk],
                unit_price_fen=product.price_fen,
                amount_fen=product.price_fen * quantities[product.pk],
            )
            for product in products.values()
        ],
        events=[
            OrderEvent(order=order, from_status=start, to_status=end, actor=placed_by, occurred_at=now)
            for start, end in (("", OrderStatus.PLACED), (OrderStatus.PLACED, OrderStatus.PAID))
        ],
        products=[(product, quantities[product.pk]) for product in products.values()],
        shipments=[
            Shipment(
                order=order,
                seller=by_seller[seller_id][0].seller,
                parcel=parcel,
                goods_fen=goods_by_seller[seller_id],
                postage_fen=parcel.fee_fen,
            )
            for seller_id, parcel in parcels.items()
        ],
        hold=_escrow_hold(order=order, cash_outlet=cash_outlet),
        cash_outlet=cash_outlet,
    )


def _order_payer_check(
    *,
    buyer: User,
    placed_by: User,
    payment_method: str,
    destination_outlet_code: str | None,
    destination_region_code: str | None,
) -> tuple[Outlet | None, Outlet | None]:
    """The destination outlet (if one is named) and, for a counter-cash order, the outlet whose
    drawer takes the cash; refuses an unknown payment method or destination and a placer who may not
    pay this way."""
    if payment_method not in PaymentMethod.values:
        raise ValidationFailed("invalid", _("不支持的付款方式"), field="payment_method")
    if not destination_outlet_code and not destination_region_code:
        raise ValidationFailed("invalid", _("请指定投递网点或目的地"), field="destination_outlet_code")
    destination: Outlet | None = None
    if destination_outlet_code:
        # A station's operator and cash counter are read fresh for a counter-cash order.
        destination = (
            outlet_active(destination_outlet_code) if payment_method == PaymentMethod.WALLET else None
        ) or Outlet.objects.filter(code=destination_outlet_code).first()
        if destination is None:
            raise ValidationFailed(
                "unknown_outlet",
                _("没有代码为 %(code)s 的网点") % {"code": destination_outlet_code},
                field="destination_outlet_code",
            )
    if payment_method == PaymentMethod.WALLET:
        if placed_by.pk != buyer.pk:
            raise PermissionRefused("not_buyer", _("钱包付款的订单只能由买家本人下单"))
        return destination, None
    return destination, _placer_may_take_cash(placed_by=placed_by, outlet=destination)


def _products_for_sale(quantities: dict[int, int]) -> dict[int, Product]:
    """The ordered products by id (in id order) with their sellers; refuses an unknown product, one
    not for sale and one short of stock (as read now: the writer checks again under lock)."""
    products = {
        product.pk: product
        for product in Product.objects.select_related("seller", "seller__user")
        .filter(pk__in=quantities)
        .order_by("pk")
    }
    missing = sorted(set(quantities) - set(products))
    if missing:
        raise ValidationFailed(
            "unknown_product", _("没有编号为 %(id)s 的商品") % {"id": missing[0]}, field="lines"
        )
    for product in products.values():
        if not product.is_active or product.seller.status != SellerStatus.VERIFIED:
            raise product_unavailable_error(product)
    short = [product for product in products.values() if product.stock < quantities[product.pk]]
    if short:
        raise insufficient_stock_error(short[0], stock=short[0].stock)
    return products


def _order_direction(products: dict[int, Product]) -> Direction:
    """Farm produce up or goods down: one order carries one direction."""
    directions = {product.direction for product in products.values()}
    if len(directions) != 1:
        raise ValidationFailed("mixed_directions", _("农产品和下乡商品请分开下单"), field="lines")
    return Direction(directions.pop())


@dataclass(frozen=True)
class _ShipmentRequest:
    """What one seller's parcel of an order is priced and promised from."""

    seller: Seller
    home: Outlet
    request: QuoteRequest
    #: A pre-sale harvest leaves on its shipping date: the parcel is promised from then.
    ready_at: datetime.datetime | None


def _shipment_requests(
    *,
    by_seller: dict[int, list[Product]],
    quantities: dict[int, int],
    direction: Direction,
    destination_outlet_code: str | None,
    destination_region_code: str | None,
) -> dict[int, _ShipmentRequest]:
    """The quote request of each seller's parcel (by seller id, in id order), from the seller's home
    outlet: what both :func:`order_quote` and placing the order price, so that they agree to the fen."""
    requests: dict[int, _ShipmentRequest] = {}
    for seller_id, seller_products in sorted(by_seller.items()):
        seller = seller_products[0].seller
        home = outlet_active_by_id(seller.home_outlet_id) or seller.home_outlet
        ships_on = max(
            (product.ships_from for product in seller_products if product.is_presale and product.ships_from),
            default=None,
        )
        requests[seller_id] = _ShipmentRequest(
            seller=seller,
            home=home,
            request=QuoteRequest(
                product_code=PARCEL_PRODUCT[direction],
                origin_outlet_code=home.code,
                destination_outlet_code=destination_outlet_code or None,
                destination_region_code=None if destination_outlet_code else destination_region_code,
                weight_g=sum(quantities[product.pk] * product.weight_g for product in seller_products),
            ),
            ready_at=timezone.make_aware(datetime.datetime.combine(ships_on, datetime.time(8)))
            if ships_on is not None
            else None,
        )
    return requests


def _parcels_prepare(
    *,
    by_seller: dict[int, list[Product]],
    quantities: dict[int, int],
    direction: Direction,
    recipient: Address,
    destination_outlet_code: str | None,
    destination_region_code: str | None,
    placed_by: User,
    now: datetime.datetime,
) -> dict[int, Parcel]:
    """One quoted, routed, unsaved parcel per seller (by seller id, in id order), from the seller's
    home outlet; a pre-sale harvest is promised from its shipping date."""
    requests = _shipment_requests(
        by_seller=by_seller,
        quantities=quantities,
        direction=direction,
        destination_outlet_code=destination_outlet_code,
        destination_region_code=destination_region_code,
    )
    return {
        seller_id: parcel_prepare(
            request=shipment.request,
            sender=Address(shipment.seller.name, shipment.seller.contact_phone, shipment.home.name),
            recipient=recipient,
            postage_payment=PostagePayment.ORDER,
            sender_user=shipment.seller.user,  # the seller prints the label and follows the parcel
            actor=placed_by,
            now=now,
            ready_at=shipment.ready_at,
        )
        for seller_id, shipment in requests.items()
    }


def _total_expected_check(order: Order, *, expected_total_fen: int | None) -> None:
    """Refuse an order whose total is not what the buyer was shown (``postage_changed``)."""
    if expected_total_fen is None or expected_total_fen == order.total_fen:
        return
    raise Conflict(
        "postage_changed",
        _(
            "邮费或价格已变化：邮费现为 %(postage)s，合计 %(total)s"
            "（您确认的是 %(expected)s），请确认后重新提交"
        )
        % {
            "postage": format_fen(order.postage_fen),
            "total": format_fen(order.total_fen),
            "expected": format_fen(expected_total_fen),
        },
        field="expected_total_fen",
    )


@dataclass(frozen=True)
class ShipmentQuote:
    """One seller's parcel of a quoted order: its goods, weight, postage and promise."""

    seller: Seller
    goods_fen: int
    weight_g: int
    postage_fen: int
    promised_at: datetime.datetime


@dataclass(frozen=True)
class QuoteLine:
    product: Product
    quantity: int
    amount_fen: int


@dataclass(frozen=True)
class OrderQuote:
    """What an order would cost now: the goods, one parcel per seller and the total to pay."""

    lines: list[QuoteLine]
    shipments: list[ShipmentQuote]
    goods_fen: int
    postage_fen: int
    total_fen: int


def order_quote(
    *,
    buyer: User,
    lines: Sequence[tuple[int, int]],
    destination_outlet_code: str | None = None,
    destination_region_code: str | None = None,
    now: datetime.datetime | None = None,
) -> OrderQuote:
    """Price an order without placing it: the goods, each seller's parcel priced by the tariff the
    order will use (:func:`~siliu.logistics.pricing.quotes.parcel_quote` on the same request as
    :func:`order_place`), and the total. Writes nothing.

    Raises
    ------
    ValidationFailed, Conflict
        What :func:`order_place` raises for bad lines, destinations and products, and for a
        destination the network cannot reach or price.
    """
    now = now or timezone.now()
    quantities = _lines_validate(lines)
    _order_payer_check(
        buyer=buyer,
        placed_by=buyer,
        payment_method=PaymentMethod.WALLET,
        destination_outlet_code=destination_outlet_code,
        destination_region_code=destination_region_code,
    )
    products = _products_for_sale(quantities)
    direction = _order_direction(products)
    by_seller: dict[int, list[Product]] = {}
    for product in products.values():
        by_seller.setdefault(product.seller_id, []).append(product)
    requests = _shipment_requests(
        by_seller=by_seller,
        quantities=quantities,
        direction=direction,
        destination_outlet_code=destination_outlet_code,
        destination_region_code=destination_region_code,
    )
    shipments = []
    for seller_id, shipment in requests.items():
        quote = parcel_quote(request=shipment.request, now=now)
        promised_at = quote.promised_at
        if shipment.ready_at is not None and shipment.ready_at > now:
            promised_at = parcel_quote(request=shipment.request, now=shipment.ready_at).promised_at
        shipments.append(
            ShipmentQuote(
                seller=shipment.seller,
                goods_fen=sum(product.price_fen * quantities[product.pk] for product in by_seller[seller_id]),
                weight_g=shipment.request.weight_g,
                postage_fen=quote.fee_fen,
                promised_at=promised_at,
            )
        )
    quote_lines = [
        QuoteLine(product, quantities[product.pk], product.price_fen * quantities[product.pk])
        for product in products.values()
    ]
    goods_fen = sum(line.amount_fen for line in quote_lines)
    postage_fen = sum(shipment.postage_fen for shipment in shipments)
    return OrderQuote(
        lines=quote_lines,
        shipments=shipments,
        goods_fen=goods_fen,
        postage_fen=postage_fen,
        total_fen=goods_fen + postage_fen,
    )


def _order_build(
    *,
    number: str,
    direction: Direction,
    buyer: User,
    placed_by: User,
    payment_method: str,
    recipient: Address,
    destination: Outlet | None,
    first_parcel: Parcel,
    goods_fen: int,
    postage_fen: int,
    idempotency_key: str,
    now: datetime.datetime,
) -> Order:
    """The unsaved order, ``paid``: the escrow is held in the same transaction that writes it."""
    return Order(
        number=number,
        direction=direction,
        buyer=buyer,
        placed_by=placed_by,
        payment_method=payment_method,
        status=OrderStatus.PAID,
        recipient_name=recipient.name,
        recipient_phone=first_parcel.recipient_phone,
        recipient_address=recipient.address,
        destination_outlet=destination,
        destination_region_code=first_parcel.destination_region_code,
        goods_fen=goods_fen,
        postage_fen=postage_fen,
        total_fen=goods_fen + postage_fen,
        idempotency_key=idempotency_key,
        created_at=now,
        paid_at=now,
    )


def _escrow_hold(*, order: Order, cash_outlet: Outlet | None) -> TransferRequest:
    """The transfer that puts the order's total in escrow: a pending hold on the buyer's wallet, or
    the cash taken into ``cash_outlet``'s drawer, posted at once (the drawer is opened, if need be, by
    the counter-cash gate when the order is written: planning writes nothing)."""
    if cash_outlet is None:
        return TransferRequest(
            id=escrow_hold_id(order.number),
            debit_account=chart.wallet_code(user_id=order.buyer.pk),
            credit_account=chart.ESCROW,
            amount_fen=order.total_fen,
            kind=TransferKind.PENDING,
            category=CATEGORY_ORDER,
            reference=f"order:{order.number}",
        )
    return TransferRequest(
        id=escrow_cash_id(order.number),
        debit_account=chart.outlet_cash_code(outlet_code=cash_outlet.code),
        credit_account=chart.ESCROW,
        amount_fen=order.total_fen,
        category=CATEGORY_ORDER,
        reference=f"order:{order.number}",
    )


# ---------------------------------------------------------------------------------------------------
# Cancelling, delivery, confirmation


def _lock_order(number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise NotFound(
            "unknown_order", _("没有订单号为 %(number)s 的订单") % {"number": number}, field="number"
        )
    return order


def _refund_to_wallet(order: Order, *, amount_fen: int, id_suffix: str) -> TransferRequest:
    return TransferRequest(
        id=f"order:{order.number}:{id_suffix}",
        debit_account=chart.ESCROW,
        credit_account=wallet_open(user=order.buyer).code,
        amount_fen=amount_fen,
        category=CATEGORY_ORDER,
        reference=f"order:{order.number}",
    )


def _restock(order: Order) -> None:
    lines = list(order.lines.order_by("product_id"))
    products = {
        product.pk: product
        for product in Product.objects.select_for_update()
        .filter(pk__in=[line.product_id for line in lines])
        .order_by("pk")
    }
    for line in lines:
        products[line.product_id].stock += line.quantity
    Product.objects.bulk_update(list(products.values()), ["stock"])


@transaction.atomic
def order_cancel(
    *, number: str, actor: User, now: datetime.datetime | None = None, reason: str = ""
) -> Order:
    """Cancel an order before it ships: escrow voided (wallet) or refunded to the buyer's wallet (counter
    cash), stock restored, parcels cancelled.

    Raises
    ------
    NotFound
        ``unknown_order`` (also when the actor may not see it).
    PermissionRefused
        ``not_order_owner`` for a seller or anyone but the buyer, the placer or who holds
        ``order.manage`` for it (county managers in their county).
    Conflict
        ``already_shipped`` once a parcel has been accepted; ``invalid_transition`` when not paid/placed.
    """
    now = now or timezone.now()
    order = _lock_order(number)
    if not (
        actor.pk in (order.buyer_id, order.placed_by_id)
        or order_held_by(order, actor, Permission.ORDER_MANAGE)
    ):
        if not order_visible_to(order, actor):
            raise NotFound("unknown_order", _("没有订单号为 %(number)s 的订单") % {"number": number})
        raise PermissionRefused("not_order_owner", _("只有买家或下单人可以取消订单"))
    if OrderStatus.CANCELLED not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(
            "invalid_transition",
            _("%(status)s 的订单不能取消") % {"status": OrderStatus(order.status).label},
        )
    shipments = list(order.shipments.select_related("parcel").order_by("pk"))
    if any(shipment.parcel.status not in NOT_ACCEPTED for shipment in shipments):
        raise Conflict("already_shipped", _("包裹已收寄，订单不能取消，请在收货后申请售后"))
    for shipment in shipments:
        if shipment.parcel.status != ParcelStatus.CANCELLED:
            parcel_cancel(parcel=shipment.parcel, actor=actor, now=now)
    if order.status == OrderStatus.PAID:
        if order.payment_method == PaymentMethod.WALLET:
            request = _escrow_void(order)
        else:
            request = _refund_to_wallet(order, amount_fen=order.total_fen, id_suffix="refund")
        transfers_book([request], actor=actor, now=now)
    _restock(order)
    _transition(order, OrderStatus.CANCELLED, actor=actor, now=now, note=reason[:200])
    order.save(update_fields=["status"])
    return order


def _live_shipments(order: Order) -> list[Shipment]:
    return [
        shipment
        for shipment in order.shipments.select_related("parcel", "seller").order_by("pk")
        if shipment.parcel.status not in (ParcelStatus.LOST, ParcelStatus.CANCELLED)
    ]


def _deliver_if_done(order: Order, *, now: datetime.datetime) -> None:
    """Mark ``order`` delivered if every live parcel is delivered (via shipped, written lazily)."""
    live = _live_shipments(order)
    if not live or any(shipment.parcel.status != ParcelStatus.DELIVERED for shipment in live):
        return
    if order.status == OrderStatus.PAID:
        _transition(order, OrderStatus.SHIPPED, actor=None, now=now)
    if order.status == OrderStatus.SHIPPED:
        _transition(order, OrderStatus.DELIVERED, actor=None, now=now)
        order.delivered_at = max(
            (shipment.parcel.delivered_at for shipment in live if shipment.parcel.delivered_at), default=now
        )
        order.save(update_fields=["status", "delivered_at"])


def parcel_bought_by(parcel: Parcel, user: AbstractBaseUser) -> bool:
    """Hook: whether ``user`` bought the order ``parcel`` ships (its recipient, who may see its pickup
    code)."""
    return Shipment.objects.filter(parcel=parcel, order__buyer_id=user.pk).exists()


def orders_mark_delivered(parcels: Sequence[Parcel], now: datetime.datetime) -> None:
    """Hook: an order whose every parcel is delivered becomes delivered (inside the scan's transaction).

    Parcels that belong to no order (counter parcels) are ignored.
    """
    numbers = sorted(
        set(
            Shipment.objects.filter(parcel__in=[parcel.pk for parcel in parcels]).values_list(
                "order__number", flat=True
            )
        )
    )
    for order in Order.objects.select_for_update().filter(number__in=numbers).order_by("pk"):
        if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED):
            _deliver_if_done(order, now=now)


def order_refund_for_lost_parcel(parcel: Parcel, now: datetime.datetime) -> None:
    """Hook: a lost parcel refunds that seller's part of its order (goods and postage) to the buyer's
    wallet from escrow (inside the claim's transaction).

    When no live parcel remains, a still-pending wallet hold is voided and the order is ``refunded``;
    otherwise the hold is posted and the part paid back, and the order goes on with its other parcels
    (becoming ``delivered`` if they all are). An order already completed, cancelled or refunded has
    no escrow left and is not changed.
    """
    shipment = Shipment.objects.filter(parcel_id=parcel.pk).first()
    if shipment is None:
        return
    order = Order.objects.select_for_update().get(pk=shipment.order_id)
    if order.status not in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        return
    live = _live_shipments(order)
    part = shipment.goods_fen + shipment.postage_fen
    wallet_hold_pending = (
        order.payment_method == PaymentMethod.WALLET
        and not Transfer.objects.filter(pk=escrow_post_id(order.number)).exists()
    )
    requests: list[TransferRequest] = []
    if not live and wallet_hold_pending:
        requests.append(_escrow_void(order))
    else:
        if wallet_hold_pending:
            requests.append(_escrow_post(order))
        requests.append(
            _refund_to_wallet(order, amount_fen=part, id_suffix=f"refund:{parcel.tracking_number}")
        )
    transfers_book(requests, actor=None, now=now)
    if not live:
        _transition(order, OrderStatus.REFUNDED, actor=None, now=now, note=f"{parcel.tracking_number} 丢失")
        order.save(update_fields=["status"])
    else:
        OrderEvent.objects.create(
            order=order,
            from_status=order.status,
            to_status=order.status,
            occurred_at=now,
            note=f"{parcel.tracking_number} 丢失，已退款 {part} 分",
        )
        _deliver_if_done(order, now=now)


def _escrow_post(order: Order) -> TransferRequest:
    return TransferRequest(
        id=escrow_post_id(order.number),
        kind=TransferKind.POST_PENDING,
        pending_id=escrow_hold_id(order.number),
        category=CATEGORY_ORDER,
        reference=f"order:{order.number}",
    )


def _escrow_void(order: Order) -> TransferRequest:
    return TransferRequest(
        id=f"order:{order.number}:escrow-void",
        kind=TransferKind.VOID_PENDING,
        pending_id=escrow_hold_id(order.number),
        category=CATEGORY_ORDER,
        reference=f"order:{order.number}",
    )


@dataclass(frozen=True)
class SettlementSplit:
    seller: Seller
    goods_fen: int
    commission_fen: int
    postage_fen: int

    @property
    def payable_fen(self) -> int:
        return self.goods_fen - self.commission_fen


def settlement_split(*, goods_fen: int, postage_fen: int, seller: Seller) -> SettlementSplit:
    """One seller's part of an order: the commission of the goods and the seller's payable, split by
    :func:`~siliu.commerce.orders.selectors.commission_split` so that they add up to the goods exactly."""
    commission_fen, _payable = commission_split(goods_fen)
    return SettlementSplit(seller, goods_fen, commission_fen, postage_fen)


def _order_settle(order: Order, *, actor: Actor | None, now: datetime.datetime) -> None:
    """Post the escrow and split it into each live seller's payable, commission and postage income."""
    requests: list[TransferRequest] = []
    if order.payment_method == PaymentMethod.WALLET:
        requests.append(_escrow_post(order))
    settlements: list[Settlement] = []
    for shipment in _live_shipments(order):
        split = settlement_split(
            goods_fen=shipment.goods_fen, postage_fen=shipment.postage_fen, seller=shipment.seller
        )
        prefix = f"order:{order.number}:seller:{shipment.seller_id}"
        for suffix, account, amount in (
            ("payable", seller_payable_open(seller=shipment.seller), split.payable_fen),
            ("commission", chart.PLATFORM_COMMISSION_INCOME, split.commission_fen),
            ("postage", chart.POSTAGE_INCOME, split.postage_fen),
        ):
            if amount:
                requests.append(
                    TransferRequest(
                        id=f"{prefix}:{suffix}",
                        debit_account=chart.ESCROW,
                        credit_account=account,
                        amount_fen=amount,
                        category="settlement",
                        reference=f"order:{order.number}",
                    )
                )
        settlements.append(
            Settlement(
                order=order,
                seller=shipment.seller,
                goods_fen=split.goods_fen,
                commission_fen=split.commission_fen,
                postage_fen=split.postage_fen,
                payable_fen=split.payable_fen,
                settled_at=now,
            )
        )
    transfers_book(requests, actor=actor, now=now)
    Settlement.objects.bulk_create(settlements)
    commerce_hooks.sellers_settled(settlements=settlements, now=now)


def _complete(order: Order, *, actor: Actor | None, now: datetime.datetime, note: str) -> None:
    _transition(order, OrderStatus.COMPLETED, actor=actor, now=now, note=note)
    order.completed_at = now
    order.save(update_fields=["status", "completed_at"])
    _order_settle(order, actor=actor, now=now)


@transaction.atomic
def order_confirm(*, number: str, actor: User, now: datetime.datetime | None = None) -> Order:
    """The buyer confirms receipt: the order completes and is settled (escrow posted and split).

    Raises
    ------
    NotFound
        ``unknown_order`` (also when the actor may not see it).
    PermissionRefused
        ``not_buyer`` for anyone but the buyer or the placer.
    Conflict
        ``invalid_transition`` unless the order is delivered.
    """
    now = now or timezone.now()
    order = _lock_order(number)
    if actor.pk not in (order.buyer_id, order.placed_by_id):
        if not order_visible_to(order, actor):
            raise NotFound("unknown_order", _("没有订单号为 %(number)s 的订单") % {"number": number})
        raise PermissionRefused("not_buyer", _("只有买家可以确认收货"))
    _complete(order, actor=actor, now=now, note=_("买家确认收货"))
    return order


def orders_complete_due(
    *, now: datetime.datetime | None = None, days: int = AUTO_COMPLETE_DAYS, limit: int = 500
) -> int:
    """Complete and settle orders delivered ``days`` or more ago that the buyer has not confirmed.

    Each order is its own transaction (one refusal does not hold back the rest); returns how many
    completed. Safe to run twice at once: the order row is locked and its status checked again.
    """
    now = now or timezone.now()
    due = list(
        Order.objects.filter(
            status=OrderStatus.DELIVERED, delivered_at__lte=now - datetime.timedelta(days=days)
        )
        .order_by("delivered_at", "pk")
        .values_list("number", flat=True)[:limit]
    )
    completed = 0
    for number in due:
        try:
            with transaction.atomic():
                order = _lock_order(number)
                if order.status != OrderStatus.DELIVERED:
                    continue
                _complete(order, actor=None, now=now, note=_("送达 %(days)d 天后自动确认") % {"days": days})
                completed += 1
        except DomainError:
            continue  # refused by the ledger: stays due, and the others go on
    return completed


# ---------------------------------------------------------------------------------------------------
# Sellers' money


@transaction.atomic
def seller_withdraw(
    *,
    seller: Seller,
    amount_fen: int,
    to: str = "wallet",
    outlet: Outlet | None = None,
    actor: User,
    id: str,
    now: datetime.datetime | None = None,
) -> Transfer:
    """Pay out of ``seller``'s payable: into the seller user's wallet, or as cash at ``outlet``'s counter.

    ``id`` is the client's key; the transfer id is ``seller:<id>:withdraw:<id>``, so a retry pays once
    (and answers with the transfer made, even after the outlet's day is closed or its cap filled).
    Cash passes the outlet's counter-cash gate (:func:`~siliu.finance.services.counter_cash_admit`)
    and counts toward the day's cash out.

    Raises
    ------
    ValidationFailed
        ``invalid_amount`` (not positive), ``invalid`` (``to`` not wallet/cash, cash without outlet,
        bad id); ``exceeds_transaction_cap`` (``amount_fen``: cash over the outlet's cap per
        transaction).
    PermissionRefused
        ``not_seller`` (wallet: only the seller or who holds ``seller.act_for``), ``not_outlet_operator``
        (cash: only who holds ``counter.operate`` at the outlet hands out cash).
    Conflict
        ``exceeds_credits`` when the payable holds less; ``exceeds_debits`` when the drawer does; for
        cash ``day_closed`` (the outlet's business day of ``now`` is closed) and ``exceeds_daily_cap``
        (``amount_fen``: the outlet's cash out that day would pass its cap).
    """
    now = now or timezone.now()
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationFailed("invalid_amount", _("金额必须大于零"), field="amount_fen")
    transfer_id = f"seller:{seller.pk}:withdraw:{id}"
    if not id or len(id) > 40 or not transfer_id_is_valid(transfer_id):
        raise ValidationFailed("invalid", _("提现编号不正确"), field="id")
    if to == "wallet":
        if not (
            actor.pk == seller.user_id or user_can_at(actor, Permission.SELLER_ACT_FOR, seller.home_outlet)
        ):
            raise PermissionRefused("not_seller", _("只有卖家本人可以提现到钱包"))
        credit = wallet_open(user=seller.user).code
    elif to == "cash":
        if outlet is None:
            raise ValidationFailed("invalid", _("现金提现须指定网点"), field="outlet")
        if not user_can_at(actor, Permission.COUNTER_OPERATE, outlet):
            raise PermissionRefused("not_outlet_operator", _("只有本网点负责人可以支付现金"))
        credit = counter_cash_admit(
            outlet=outlet, amount_fen=amount_fen, cash_in=False, transfer_id=transfer_id, now=now
        ).code
    else:
        raise ValidationFailed("invalid", _("提现方式应为钱包或现金"), field="to")
    result = transfer_create(
        id=transfer_id,
        debit_account=seller_payable_open(seller=seller),
        credit_account=credit,
        amount_fen=amount_fen,
        category=CATEGORY_SELLER_WITHDRAW,
        reference=f"seller:{seller.pk}",
        created_by=actor,
        now=now,
    )
    assert result.transfer is not None
    return result.transfer


# ---------------------------------------------------------------------------------------------------
# Buyers' saved addresses

#: Most addresses one buyer may keep.
BUYER_ADDRESS_LIMIT = 20

_CN_MOBILE = re.compile(r"^\+861[3-9][0-9]{9}$")


def _mobile_normalize(value: str) -> str:
    """A mainland mobile number as E.164 (``13812345678`` → ``+8613812345678``); field ``phone``."""
    text = re.sub(r"[\s-]", "", value or "")
    if re.fullmatch(r"1[3-9][0-9]{9}", text):
        text = f"+86{text}"
    if not _CN_MOBILE.match(text):
        raise ValidationFailed(
            "invalid_phone",
            _("手机号应为 11 位中国大陆手机号，如 13812345678：%(value)s") % {"value": value},
            field="phone",
        )
    return text


def _text_required(value: str, *, field: str, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("required", _("请填写%(label)s") % {"label": label}, field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            "too_long", _("%(label)s最多 %(n)d 个字") % {"label": label, "n": max_length}, field=field
        )
    return text


@dataclass(frozen=True)
class AddressInput:
    """A saved address as typed: recipient, mobile, village code (chosen from the picker), detail."""

    name: str
    phone: str
    village_code: str
    detail: str


def _address_fields(data: AddressInput) -> dict[str, object]:
    return {
        "name": _text_required(data.name, field="name", label=_("收件人"), max_length=60),
        "phone": _mobile_normalize(data.phone),
        "village": village_get(code=data.village_code),
        "detail": _text_required(data.detail, field="detail", label=_("详细地址"), max_length=200),
    }


@transaction.atomic
def buyer_address_create(
    *, user: User, data: AddressInput, is_default: bool = False, now: datetime.datetime | None = None
) -> BuyerAddress:
    """Save an address for ``user``; the first one (or one asked to be) is the default.

    Raises
    ------
    ValidationFailed
        ``required``/``too_long`` (fields ``name``, ``detail``), ``invalid_phone`` (``phone``: not a
        mainland mobile), ``unknown_village`` (``village``), ``too_many_addresses`` (``address``).
    """
    fields = _address_fields(data)
    # The user's row serialises two saves of the same buyer (the default flag, the limit).
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = BuyerAddress.objects.filter(user=user)
    if existing.count() >= BUYER_ADDRESS_LIMIT:
        raise ValidationFailed(
            "too_many_addresses",
            _("最多保存 %(n)d 个收货地址") % {"n": BUYER_ADDRESS_LIMIT},
            field="address",
        )
    make_default = is_default or not existing.exists()
    if make_default:
        existing.filter(is_default=True).update(is_default=False)
    return BuyerAddress.objects.create(
        user=user, is_default=make_default, created_at=now or timezone.now(), **fields
    )


@transaction.atomic
def buyer_address_update(*, user: User, address_id: int, data: AddressInput) -> BuyerAddress:
    """Change one of ``user``'s addresses.

    Raises
    ------
    NotFound
        ``unknown_address`` for an address that is not the user's.
    ValidationFailed
        As :func:`buyer_address_create`.
    """
    address = buyer_address_get(actor=user, address_id=address_id)
    for name, value in _address_fields(data).items():
        setattr(address, name, value)
    address.save(update_fields=["name", "phone", "village", "detail"])
    return address


@transaction.atomic
def buyer_address_default_set(*, user: User, address_id: int) -> BuyerAddress:
    """Make one of ``user``'s addresses the default (the others stop being it).

    Raises
    ------
    NotFound
        ``unknown_address`` for an address that is not the user's.
    """
    address = buyer_address_get(actor=user, address_id=address_id)
    BuyerAddress.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])
    return address


@transaction.atomic
def buyer_address_delete(*, user: User, address_id: int) -> None:
    """Delete one of ``user``'s addresses; when it was the default, the oldest left becomes it.

    Raises
    ------
    NotFound
        ``unknown_address`` for an address that is not the user's.
    """
    address = buyer_address_get(actor=user, address_id=address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        oldest = BuyerAddress.objects.filter(user=user).order_by("pk").first()
        if oldest is not None:
            oldest.is_default = True
            oldest.save(update_fields=["is_default"])


@dataclass(frozen=True)
class Destination:
    """Where a buyer's order goes: the outlet serving the chosen village, and the recipient when the
    destination is a saved address (``None``: the buyer types the recipient on the order)."""

    village: Region
    outlet: Outlet
    recipient: Address | None


def order_destination(
    *, buyer: User, address_id: int | None = None, village_code: str | None = None
) -> Destination:
    """The destination of a buyer's order, from one of the buyer's saved addresses or a village picked
    from the township → village list: the village's station (:func:`village_serving_outlet`).

    Raises
    ------
    ValidationFailed
        ``required`` (field ``village``) when neither is given, ``unknown_village``,
        ``village_not_served``.
    NotFound
        ``unknown_address`` for an address that is not the buyer's.
    """
    if address_id is not None:
        address = buyer_address_get(actor=buyer, address_id=address_id)
        township = address.village.parent.name if address.village.parent else ""
        return Destination(
            village=address.village,
            outlet=village_serving_outlet(village=address.village),
            recipient=Address(
                address.name, address.phone, f"{township}{address.village.name} {address.detail}"
            ),
        )
    if not village_code:
        raise ValidationFailed("required", _("请选择收货地址或乡镇和村"), field="village")
    village = village_get(code=village_code)
    return Destination(village=village, outlet=village_serving_outlet(village=village), recipient=None)


# ---------------------------------------------------------------------------------------------------
# Payouts to a bank account

#: Digits a bank account number may have: 12 (some rural credit cooperatives) to 25 (corporate accounts).
BANK_ACCOUNT_DIGITS = (12, 25)


def payout_hold_id(payout: Payout) -> str:
    return f"seller:{payout.seller_id}:payout:{payout.key}"


def bank_account_number_validate(account_number: str) -> str:
    """The account number as digits only (spaces and dashes dropped), :data:`BANK_ACCOUNT_DIGITS` long.

    Raises
    ------
    ValidationFailed
        ``invalid_account_number`` (``account_number``).
    """
    digits = (account_number or "").replace(" ", "").replace("-", "")
    low, high = BANK_ACCOUNT_DIGITS
    if not digits.isascii() or not digits.isdigit() or not low <= len(digits) <= high:
        raise ValidationFailed(
            "invalid_account_number",
            _("银行账号应为 %(low)d 到 %(high)d 位数字") % {"low": low, "high": high},
            field="account_number",
        )
    return digits


def bank_account_number_mask(digits: str) -> str:
    """``6222021234567890123`` → ``6222 **** **** 0123``: first and last four kept."""
    return f"{digits[:4]} **** **** {digits[-4:]}"


def _payout_transition(
    payout: Payout, to_status: str, *, actor: User, now: datetime.datetime, note: str
) -> None:
    if to_status not in PAYOUT_TRANSITIONS[payout.status]:
        raise Conflict(
            "invalid_transition",
            _("提现申请已是“%(status)s”状态") % {"status": payout.get_status_display()},
        )
    PayoutEvent.objects.create(
        payout=payout, from_status=payout.status, to_status=to_status, actor=actor, occurred_at=now, note=note
    )
    payout.status = to_status


@transaction.atomic
def payout_request(
    *,
    seller: Seller,
    actor: User,
    key: str,
    amount_fen: int,
    account_name: str,
    bank_name: str,
    account_number: str,
    now: datetime.datetime | None = None,
) -> Payout:
    """Ask for ``amount_fen`` of ``seller``'s payable to be paid to a bank account.

    The amount moves at once from the seller's payable to the payouts-pending account
    (``seller:<id>:payout:<key>``), so it cannot be withdrawn twice; finance staff then pay it
    (:func:`payout_mark_paid`) or reject it (:func:`payout_reject`). ``key`` is the client's: the same
    request sent again answers with the payout made the first time and books nothing.

    Raises
    ------
    PermissionRefused
        ``not_seller`` unless the actor is the seller or holds ``seller.act_for`` at its home outlet.
    ValidationFailed
        ``invalid_amount`` (``amount_fen``: not positive, or above the ledger's maximum), ``invalid``
        (``key``), ``required``/``too_long`` (``account_name``, ``bank_name``),
        ``invalid_account_number`` (``account_number``).
    Conflict
        ``exceeds_credits`` when the payable holds less; ``key_reused`` when ``key`` was used for a
        different request.
    """
    now = now or timezone.now()
    seller_check_acts_for(seller, actor)
    if (
        isinstance(amount_fen, bool)
        or not isinstance(amount_fen, int)
        or not 0 < amount_fen <= MAX_AMOUNT_FEN
    ):
        raise ValidationFailed("invalid_amount", _("金额必须大于零"), field="amount_fen")
    key = (key or "").strip()
    if not key or len(key) > 40 or not transfer_id_is_valid(f"seller:{seller.pk}:payout:{key}"):
        raise ValidationFailed("invalid", _("申请编号不正确"), field="key")
    account_name = required_text(account_name, field="account_name", max_length=60)
    bank_name = required_text(bank_name, field="bank_name", max_length=60)
    digits = bank_account_number_validate(account_number)
    existing = Payout.objects.filter(seller=seller, key=key).first()
    if existing is not None:
        same = (existing.amount_fen, existing.account_name, existing.bank_name) == (
            amount_fen,
            account_name,
            bank_name,
        ) and identity.id_number_decrypt(existing.account_number_encrypted) == digits
        if not same:
            raise Conflict("key_reused", _("该申请编号已用于另一笔提现"), field="key")
        return existing
    payout = Payout.objects.create(
        seller=seller,
        key=key,
        amount_fen=amount_fen,
        account_name=account_name,
        bank_name=bank_name,
        account_number_encrypted=identity.id_number_encrypt(digits),
        account_number_masked=bank_account_number_mask(digits),
        requested_by=actor,
        requested_at=now,
    )
    PayoutEvent.objects.create(
        payout=payout, to_status=PayoutStatus.REQUESTED, actor=actor, occurred_at=now, note=""
    )
    system_account(code=chart.SELLER_PAYOUTS_PENDING)
    transfer_create(
        id=payout_hold_id(payout),
        debit_account=seller_payable_open(seller=seller),
        credit_account=chart.SELLER_PAYOUTS_PENDING,
        amount_fen=amount_fen,
        category=CATEGORY_SELLER_PAYOUT,
        reference=f"seller:{seller.pk}",
        created_by=actor,
        now=now,
    )
    return payout


def _payout_lock(payout_id: int) -> Payout:
    payout = Payout.objects.select_for_update().select_related("seller").filter(pk=payout_id).first()
    if payout is None:
        raise NotFound("unknown_payout", _("没有这笔提现申请"))
    return payout


def _payout_decide(
    *, payout_id: int, actor: User, paid: bool, note: str, now: datetime.datetime | None
) -> Payout:
    now = now or timezone.now()
    if not user_can(actor, Permission.PAYOUT_PAY):
        raise PermissionRefused("not_finance", _("只有财务人员可以处理提现"))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationFailed("too_long", _("最多 %(n)d 个字符") % {"n": 200}, field="note")
    payout = _payout_lock(payout_id)
    target = PayoutStatus.PAID if paid else PayoutStatus.REJECTED
    _payout_transition(payout, target, actor=actor, now=now, note=note)
    payout.decided_by = actor
    payout.decided_at = now
    payout.note = note
    payout.save(update_fields=["status", "decided_by", "decided_at", "note"])
    if paid:
        system_account(code=chart.BANK)
        suffix, credit = "paid", chart.BANK
    else:
        suffix, credit = "returned", seller_payable_open(seller=payout.seller)
    transfer_create(
        id=f"{payout_hold_id(payout)}:{suffix}",
        debit_account=chart.SELLER_PAYOUTS_PENDING,
        credit_account=credit,
        amount_fen=payout.amount_fen,
        category=CATEGORY_SELLER_PAYOUT,
        reference=f"seller:{payout.seller_id}",
        created_by=actor,
        now=now,
    )
    return payout


@transaction.atomic
def payout_mark_paid(
    *, payout_id: int, actor: User, note: str = "", now: datetime.datetime | None = None
) -> Payout:
    """Finance staff have sent the money: the amount leaves payouts-pending for the bank.

    Raises
    ------
    PermissionRefused
        ``not_finance`` without ``payout.pay``.
    NotFound
        ``unknown_payout``.
    Conflict
        ``invalid_transition`` when the payout is already paid or rejected.
    ValidationFailed
        ``too_long`` (``note``).
    """
    return _payout_decide(payout_id=payout_id, actor=actor, paid=True, note=note, now=now)


@transaction.atomic
def payout_reject(
    *, payout_id: int, actor: User, note: str = "", now: datetime.datetime | None = None
) -> Payout:
    """Finance staff cannot pay it (a wrong account, say): the amount goes back to the seller's payable.

    Raises
    ------
    as :func:`payout_mark_paid`.
    """
    return _payout_decide(payout_id=payout_id, actor=actor, paid=False, note=note, now=now)
