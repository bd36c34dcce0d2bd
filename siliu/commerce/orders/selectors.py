"""Orders, read: an order as its buyer, seller or placer sees it, the seller's orders to pack and
settlement statement; each scoped to the acting user."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from siliu.commerce.models import (
    BuyerAddress,
    Order,
    OrderLine,
    OrderStatus,
    Payout,
    PayoutStatus,
    Seller,
    Settlement,
    Shipment,
)
from siliu.core.errors import NotFound, PermissionRefused, ValidationFailed
from siliu.core.ids import MAX_ID
from siliu.core.money import allocate_fen
from siliu.core.permissions import Permission, user_can, user_outlet_ids
from siliu.core.roles import Actor
from siliu.finance.models import Account, Entry, EntrySide, Transfer
from siliu.logistics.models import Parcel, ParcelStatus
from siliu.logistics.parcels.selectors import JourneyStep, parcels_steps

#: Parcel statuses in which the goods have not left the seller (the network has not accepted them).

NOT_ACCEPTED = {ParcelStatus.CREATED, ParcelStatus.CANCELLED}
#: Platform commission on the goods, in basis points (3 %).
COMMISSION_BP = 300


def commission_split(goods_fen: int) -> tuple[int, int]:
    """``(commission, payable)`` of ``goods_fen``: :data:`COMMISSION_BP`, split by
    :func:`~siliu.core.money.allocate_fen` so that the two add up to the goods exactly."""
    commission_fen, payable_fen = allocate_fen(goods_fen, [COMMISSION_BP, 10_000 - COMMISSION_BP])
    return commission_fen, payable_fen


def seller_payable_code(seller: Seller) -> str:
    """The ledger code of ``seller``'s payable account (what the platform owes the seller)."""
    return f"seller:{seller.pk}:payable"


def label_url(tracking_number: str) -> str:
    """Where the seller prints a parcel's label (the logistics label API)."""
    return f"/api/v1/parcels/{tracking_number}/label.pdf"


def _with_parts(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("destination_outlet").prefetch_related(
        "lines__product",
        "lines__seller",
        Prefetch("shipments", queryset=Shipment.objects.select_related("parcel", "seller").order_by("pk")),
    )


def order_parts_known(order: Order, *, lines: list[OrderLine], shipments: list[Shipment]) -> None:
    """Give ``order`` the lines and shipments just written with it (each with its product, seller and
    parcel set) the way ``prefetch_related`` would, so it is shown without reading them back.
    ``order.refresh_from_db()`` forgets them."""
    known = {}
    for name, rows in (("lines", lines), ("shipments", shipments)):
        queryset = getattr(order, name).get_queryset()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        known[name] = queryset
    order._prefetched_objects_cache = known  # type: ignore[attr-defined]


def order_with_parts(*, pk: int) -> Order:
    """The order ``pk`` with its lines and shipments (and their products, sellers and parcels)."""
    return _with_parts(Order.objects.filter(pk=pk)).get()


def order_placed_with_key(*, placed_by: Actor, idempotency_key: str) -> Order | None:
    """The order ``placed_by`` placed with ``idempotency_key`` earlier, with its parts, if any."""
    if not idempotency_key:
        return None
    return _with_parts(
        Order.objects.filter(placed_by_id=placed_by.pk, idempotency_key=idempotency_key)
    ).first()


def order_status_shown(order: Order) -> str:
    """The status to show: a paid order whose parcel has been accepted is shown as shipped.

    ``shipped`` is written lazily (see :mod:`siliu.commerce.orders.services`); this keeps pages truthful
    in between. Needs the order's shipments with their parcels (prefetched by these selectors).
    """
    if order.status == OrderStatus.PAID and any(
        shipment.parcel.status not in NOT_ACCEPTED for shipment in order.shipments.all()
    ):
        return OrderStatus.SHIPPED
    return order.status


def order_held_by(order: Order, actor: Actor, permission: Permission) -> bool:
    """Whether ``actor`` holds ``permission`` (``order.read``, ``order.manage``) for ``order``: where it
    is delivered or at the home outlet of a seller in it (a county manager: in their county)."""
    places = user_outlet_ids(actor, permission)
    if places is None:
        return True
    return bool(places) and (
        order.destination_outlet_id in places
        or any(shipment.seller.home_outlet_id in places for shipment in order.shipments.all())
    )


def order_visible_to(order: Order, actor: Actor) -> bool:
    """Whether ``actor`` may see ``order``: its buyer, its placer, the sellers in it, and who holds
    ``order.read`` for it (:func:`order_held_by`: county managers in their county, auditors). Reads the
    order's shipments and their sellers (prefetched by :func:`order_get`) only when the actor is none
    of the first two."""
    return actor.is_authenticated and (
        actor.pk in (order.buyer_id, order.placed_by_id)
        or any(shipment.seller.user_id == actor.pk for shipment in order.shipments.all())
        or order_held_by(order, actor, Permission.ORDER_READ)
    )


def order_get(*, number: str, actor: Actor) -> Order:
    """One order, for those :func:`order_visible_to` admits.

    Raises
    ------
    NotFound
        ``unknown_order`` when there is no such order or the actor may not see it (not told apart).
    """
    order = _with_parts(Order.objects.filter(number=number.strip().upper())).first()
    if order is None or not order_visible_to(order, actor):
        raise NotFound(
            "unknown_order", _("没有订单号为 %(number)s 的订单") % {"number": number}, field="number"
        )
    return order


def buyer_orders(*, actor: Actor) -> QuerySet[Order]:
    """Orders the actor bought or placed (代购), newest first, with their shipments' parcels (what
    :func:`order_status_shown` needs; not their lines)."""
    if not actor.is_authenticated:
        return Order.objects.none()
    return Order.objects.filter(Q(buyer_id=actor.pk) | Q(placed_by_id=actor.pk)).prefetch_related(
        Prefetch("shipments", queryset=Shipment.objects.select_related("parcel").order_by("pk"))
    )


#: Orders still under way for their buyer: not yet paid, paid, shipped, delivered and not confirmed.
ORDERS_IN_PROGRESS = (OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
#: Parcel statuses of goods on their way: accepted by the network and not yet delivered.
PARCELS_ON_THE_WAY = (
    ParcelStatus.ACCEPTED,
    ParcelStatus.IN_TRANSIT,
    ParcelStatus.AT_DELIVERY_OFFICE,
    ParcelStatus.OUT_FOR_DELIVERY,
    ParcelStatus.AWAITING_PICKUP,
    ParcelStatus.DELIVERY_FAILED,
)


@dataclass(frozen=True)
class BuyerProgress:
    """What a buyer is waiting for: orders in progress and their parcels on the way."""

    order_count: int
    parcel_count: int


def buyer_progress(*, actor: Actor) -> BuyerProgress:
    """The actor's orders (bought or placed, as :func:`buyer_orders`) in progress, and the parcels of
    those orders that the network carries now."""
    if not actor.is_authenticated:
        return BuyerProgress(order_count=0, parcel_count=0)
    mine = Q(order__buyer_id=actor.pk) | Q(order__placed_by_id=actor.pk)
    return BuyerProgress(
        order_count=Order.objects.filter(Q(buyer_id=actor.pk) | Q(placed_by_id=actor.pk))
        .filter(status__in=ORDERS_IN_PROGRESS)
        .count(),
        parcel_count=Shipment.objects.filter(mine, parcel__status__in=PARCELS_ON_THE_WAY).count(),
    )


def orders_to_hand_over(*, parcels: QuerySet[Parcel]) -> QuerySet[Order]:
    """Orders with a parcel among ``parcels`` (those waiting at a station to be collected), not
    cancelled or refunded; each order once."""
    return (
        Order.objects.filter(shipments__parcel__in=parcels.values("pk"))
        .exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.REFUNDED))
        .distinct()
    )


@dataclass(frozen=True)
class PackingRow:
    """One parcel a seller has to pack: its order, lines, parcel number and label."""

    shipment: Shipment
    order: Order
    lines: list[tuple[str, int, str]]  # product name, quantity, unit

    @property
    def tracking_number(self) -> str:
        return self.shipment.parcel.tracking_number

    @property
    def label_url(self) -> str:
        return label_url(self.shipment.parcel.tracking_number)


def seller_shipments_to_pack(*, seller: Seller) -> QuerySet[Shipment]:
    """The seller's shipments of paid orders whose parcel the network has not accepted yet, oldest
    order first."""
    return Shipment.objects.filter(
        seller=seller, order__status=OrderStatus.PAID, parcel__status=ParcelStatus.CREATED
    ).order_by("order__created_at", "pk")


def seller_orders_to_pack(*, seller: Seller) -> list[PackingRow]:
    """The seller's parcels of paid orders not yet accepted by the network, oldest order first."""
    shipments = (
        seller_shipments_to_pack(seller=seller)
        .select_related("order", "parcel")
        .prefetch_related("order__lines__product")
    )
    return [
        PackingRow(
            shipment=shipment,
            order=shipment.order,
            lines=[
                (line.product.name, line.quantity, line.product.unit)
                for line in shipment.order.lines.all()
                if line.seller_id == seller.pk
            ],
        )
        for shipment in shipments
    ]


def seller_orders(*, seller: Seller) -> QuerySet[Shipment]:
    """Every shipment of the seller (its part of each order), newest order first."""
    return (
        Shipment.objects.filter(seller=seller)
        .select_related("order", "parcel")
        .order_by("-order__created_at", "-pk")
    )


@dataclass(frozen=True)
class SettlementStatement:
    rows: list[Settlement]
    goods_fen: int
    commission_fen: int
    postage_fen: int
    payable_fen: int


def seller_settlement_statement(*, seller: Seller) -> SettlementStatement:
    """Every settled order of the seller with its split, and the exact sums over them."""
    settlements = (
        Settlement.objects.filter(seller=seller).select_related("order").order_by("settled_at", "pk")
    )
    sums = settlements.aggregate(
        goods=Sum("goods_fen"),
        commission=Sum("commission_fen"),
        postage=Sum("postage_fen"),
        payable=Sum("payable_fen"),
    )
    return SettlementStatement(
        rows=list(settlements),
        goods_fen=sums["goods"] or 0,
        commission_fen=sums["commission"] or 0,
        postage_fen=sums["postage"] or 0,
        payable_fen=sums["payable"] or 0,
    )


def buyer_addresses(*, actor: Actor) -> QuerySet[BuyerAddress]:
    """The actor's saved addresses, the default first, with their villages and townships."""
    if not actor.is_authenticated:
        return BuyerAddress.objects.none()
    return BuyerAddress.objects.filter(user_id=actor.pk).select_related("village", "village__parent")


def buyer_address_get(*, actor: Actor, address_id: int) -> BuyerAddress:
    """One of the actor's saved addresses; nobody else's.

    Raises
    ------
    NotFound
        ``unknown_address`` (field ``address``) when the actor has no address with that id.
    """
    address = buyer_addresses(actor=actor).filter(pk=address_id).first() if 0 < address_id <= MAX_ID else None
    if address is None:
        raise NotFound("unknown_address", _("没有这个收货地址"), field="address")
    return address


@dataclass(frozen=True)
class ParcelRefund:
    """What a lost parcel's part of an order paid back to the buyer's wallet, and when."""

    amount_fen: int
    refunded_at: datetime.datetime


@dataclass(frozen=True)
class ShipmentFollowed:
    """One parcel of an order as its buyer follows it: the public journey and, if lost, the refund."""

    shipment: Shipment
    steps: list[JourneyStep]
    refund: ParcelRefund | None


def order_shipments_followed(*, order: Order) -> list[ShipmentFollowed]:
    """Each shipment of ``order`` (as prefetched by :func:`order_get`) with its parcel's journey steps
    (:func:`~siliu.logistics.parcels.selectors.parcels_steps`) and, for a lost parcel, the refund the
    ledger booked for it (:func:`~siliu.commerce.orders.services.order_refund_for_lost_parcel`: the
    part paid back from escrow, or the whole hold voided when no parcel was left)."""
    shipments = list(order.shipments.all())
    steps = parcels_steps(parcel_ids=[shipment.parcel_id for shipment in shipments])
    lost = [shipment for shipment in shipments if shipment.parcel.status == ParcelStatus.LOST]
    refund_ids = {f"order:{order.number}:refund:{shipment.parcel.tracking_number}" for shipment in lost}
    void_id = f"order:{order.number}:escrow-void"
    transfers = {
        transfer_id: created_at
        for transfer_id, created_at in Transfer.objects.filter(
            pk__in=[*refund_ids, void_id] if lost else []
        ).values_list("id", "created_at")
    }
    followed = []
    for shipment in shipments:
        refund = None
        if shipment.parcel.status == ParcelStatus.LOST:
            refunded_at = transfers.get(
                f"order:{order.number}:refund:{shipment.parcel.tracking_number}"
            ) or transfers.get(void_id)
            if refunded_at is not None:
                refund = ParcelRefund(shipment.goods_fen + shipment.postage_fen, refunded_at)
        followed.append(ShipmentFollowed(shipment, steps.get(shipment.parcel_id, []), refund))
    return followed


# ---------------------------------------------------------------------------------------------------
# Sellers' money


@dataclass(frozen=True)
class SellerMoney:
    """A seller's money as the seller centre shows it, in fen.

    ``to_come_fen``: the seller's share (after commission) of orders paid but not yet completed, held in
    escrow; ``payable_fen``: settled and not yet withdrawn; ``payouts_pending_fen``: asked for to a bank
    account and not yet paid.
    """

    to_come_fen: int
    to_come_count: int
    payable_fen: int
    payouts_pending_fen: int


def seller_money(*, seller: Seller) -> SellerMoney:
    """What is coming to ``seller`` (in escrow), what it may withdraw, and what is on its way to the bank."""
    live = Shipment.objects.filter(
        seller=seller, order__status__in=(OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    ).exclude(parcel__status__in=(ParcelStatus.LOST, ParcelStatus.CANCELLED))
    shares = [commission_split(goods_fen)[1] for goods_fen in live.values_list("goods_fen", flat=True)]
    account = Account.objects.filter(code=seller_payable_code(seller)).first()
    pending = Payout.objects.filter(seller=seller, status=PayoutStatus.REQUESTED).aggregate(
        s=Sum("amount_fen")
    )
    return SellerMoney(
        to_come_fen=sum(shares),
        to_come_count=len(shares),
        payable_fen=account.credits_posted - account.debits_posted if account else 0,
        payouts_pending_fen=pending["s"] or 0,
    )


def seller_payouts(*, seller: Seller) -> QuerySet[Payout]:
    """The seller's payout requests, newest first."""
    return Payout.objects.filter(seller=seller).order_by("-requested_at", "-pk")


def payouts_for_finance(*, actor: Actor, status: str | None = None) -> QuerySet[Payout]:
    """Every payout request, oldest first (the order they are paid in), for who holds ``payout.pay``.

    Raises
    ------
    PermissionRefused
        ``not_finance`` for anyone else.
    """
    if not user_can(actor, Permission.PAYOUT_PAY):
        raise PermissionRefused("not_finance", _("只有财务人员可以处理提现"))
    payouts = Payout.objects.select_related("seller").order_by("requested_at", "pk")
    return payouts.filter(status=status) if status else payouts


@dataclass(frozen=True)
class MonthlyStatement:
    """A seller's month on its payable account, in fen: ``opening + settled + returned − paid_out = closing``.

    ``settled`` are the completed orders' shares (``rows``, with their goods and commission);
    ``paid_out`` every withdrawal and payout request; ``returned`` rejected payouts coming back.
    """

    seller: Seller
    month: datetime.date
    rows: list[Settlement]
    goods_fen: int
    commission_fen: int
    opening_fen: int
    settled_fen: int
    returned_fen: int
    paid_out_fen: int
    closing_fen: int
    payouts: list[Payout]


def month_parse(text: str) -> datetime.date:
    """``"2026-11"`` → 1 November 2026.

    Raises
    ------
    ValidationFailed
        ``invalid_month`` (``month``).
    """
    try:
        month = datetime.datetime.strptime(text or "", "%Y-%m").date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        raise ValidationFailed("invalid_month", _("月份格式应为 YYYY-MM"), field="month") from None
    if month.year < 2000:
        raise ValidationFailed("invalid_month", _("月份格式应为 YYYY-MM"), field="month")
    return month


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    following = datetime.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return start, following


def seller_monthly_statement(*, seller: Seller, month: datetime.date) -> MonthlyStatement:
    """``seller``'s payable account over ``month`` (business days in ``TIME_ZONE``), read off its ledger
    entries, with the month's settlements and payout requests."""
    start, end = _month_bounds(month)
    entries = Entry.objects.filter(account__code=seller_payable_code(seller))

    def balance_before(moment: datetime.datetime) -> int:
        last = entries.filter(created_at__lt=moment).order_by("-created_at", "-pk").first()
        return last.balance_fen if last else 0

    month_entries = entries.filter(created_at__gte=start, created_at__lt=end)

    def total(**filters: str) -> int:
        return month_entries.filter(**filters).aggregate(s=Sum("amount_fen"))["s"] or 0

    rows = list(
        Settlement.objects.filter(seller=seller, settled_at__gte=start, settled_at__lt=end)
        .select_related("order")
        .order_by("settled_at", "pk")
    )
    return MonthlyStatement(
        seller=seller,
        month=month,
        rows=rows,
        goods_fen=sum(row.goods_fen for row in rows),
        commission_fen=sum(row.commission_fen for row in rows),
        opening_fen=balance_before(start),
        settled_fen=total(side=EntrySide.CREDIT, transfer__category="settlement"),
        returned_fen=total(side=EntrySide.CREDIT)
        - total(side=EntrySide.CREDIT, transfer__category="settlement"),
        paid_out_fen=total(side=EntrySide.DEBIT),
        closing_fen=balance_before(end),
        payouts=list(
            Payout.objects.filter(seller=seller, requested_at__gte=start, requested_at__lt=end).order_by(
                "requested_at", "pk"
            )
        ),
    )


@dataclass(frozen=True)
class SellerTrackRecord:
    """A seller's orders in a window ``[since, until)``, as credit reads them (no buyer's data).

    Attributes
    ----------
    sales_fen
        Goods (fen) of the seller's shipments in orders completed in the window.
    completed_count
        Orders with a line of the seller completed in the window.
    cancelled_count
        Orders with a line of the seller placed in the window and cancelled.
    dispatch_days
        Days from payment to the network's acceptance of the parcel, one per shipment paid in the
        window and accepted.
    parcel_ids
        The parcels of the seller's shipments paid in the window (to count claims against them).
    """

    sales_fen: int
    completed_count: int
    cancelled_count: int
    dispatch_days: list[float]
    parcel_ids: list[int]


def seller_track_record(
    *, seller: Seller, since: datetime.datetime, until: datetime.datetime
) -> SellerTrackRecord:
    """The seller's sales, completed and cancelled orders and dispatch times in ``[since, until)``."""
    orders = Order.objects.filter(lines__seller=seller).distinct()
    completed = orders.filter(
        status=OrderStatus.COMPLETED, completed_at__gte=since, completed_at__lt=until
    ).count()
    cancelled = orders.filter(
        status=OrderStatus.CANCELLED, created_at__gte=since, created_at__lt=until
    ).count()
    sales = Shipment.objects.filter(
        seller=seller,
        order__status=OrderStatus.COMPLETED,
        order__completed_at__gte=since,
        order__completed_at__lt=until,
    ).aggregate(total=Sum("goods_fen"))["total"]
    paid = Shipment.objects.filter(seller=seller, order__paid_at__gte=since, order__paid_at__lt=until)
    dispatch_days = [
        (accepted_at - paid_at).total_seconds() / 86_400
        for paid_at, accepted_at in paid.filter(parcel__accepted_at__isnull=False)
        .order_by("pk")
        .values_list("order__paid_at", "parcel__accepted_at")
        if paid_at is not None and accepted_at is not None
    ]
    return SellerTrackRecord(
        sales_fen=sales or 0,
        completed_count=completed,
        cancelled_count=cancelled,
        dispatch_days=dispatch_days,
        parcel_ids=list(paid.order_by("pk").values_list("parcel_id", flat=True)),
    )
