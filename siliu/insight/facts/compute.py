"""The daily figures computed from the flows' own tables (the definitions are in
:mod:`siliu.insight.facts.measures`). Both the fold of the outbox and the nightly rebuild call
:func:`figures_compute`; they differ only in which days, outlets and sellers they ask for."""

import datetime
from collections import defaultdict
from collections.abc import Collection
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncDate

from siliu.agency.catalogue import AgencyTransaction, TransactionStatus
from siliu.commerce.models import Direction, Order, OrderStatus, Settlement, Shipment, TraceBatch
from siliu.core.events import TRACE_OPENED
from siliu.core.models import Event
from siliu.finance import chart
from siliu.finance.models import Transfer, TransferKind
from siliu.insight.facts.measures import OUTLET, SELLER
from siliu.logistics.models import Claim, ClaimKind, ClaimStatus, EventCode, Parcel, ParcelEvent

#: (scope, day, outlet or seller id, measure)
Key = tuple[str, datetime.date, int, str]
Figures = dict[Key, int]

#: Orders that no longer stand are not counted.
GONE = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
POSTED_KINDS = (TransferKind.POSTED, TransferKind.POST_PENDING)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(day_from: datetime.date, day_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From local midnight starting ``day_from`` to local midnight ending ``day_to``."""
    zone = local_zone()
    start = datetime.datetime.combine(day_from, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(day_to + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(local_zone()).date()


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=local_zone())


def _within(queryset: QuerySet, field: str, bounds: tuple[datetime.datetime, datetime.datetime]) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def _only(queryset: QuerySet, field: str, ids: Collection[int] | None) -> QuerySet:
    return queryset if ids is None else queryset.filter(**{f"{field}__in": list(ids)})


class _Sums:
    """Figures as they are added up: zeros are never kept."""

    def __init__(self) -> None:
        self.figures: Figures = defaultdict(int)

    def add(
        self, scope: str, day: datetime.date, subject: int | None, measures: dict[str, int | None]
    ) -> None:
        if subject is None:
            return
        for measure, value in measures.items():
            if value:
                self.figures[(scope, day, subject, measure)] += value


def figures_compute(
    day_from: datetime.date,
    day_to: datetime.date,
    *,
    outlet_ids: Collection[int] | None = None,
    seller_ids: Collection[int] | None = None,
) -> Figures:
    """Every non-zero figure of the days ``day_from``…``day_to`` for the outlets and sellers given
    (``None``: all of them; empty: none)."""
    bounds = day_bounds(day_from, day_to)
    sums = _Sums()
    if outlet_ids is None or outlet_ids:
        _outlet_orders(sums, bounds, outlet_ids)
        _outlet_parcels(sums, bounds, outlet_ids)
        _outlet_claims(sums, bounds, outlet_ids)
        _outlet_cash(sums, bounds, outlet_ids)
        _outlet_agency(sums, bounds, outlet_ids)
    if seller_ids is None or seller_ids:
        _seller_orders(sums, bounds, seller_ids)
        _seller_parcels(sums, bounds, seller_ids)
        _seller_trace_opens(sums, bounds, seller_ids)
    return dict(sums.figures)


def _outlet_orders(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    standing = _within(Order.objects.exclude(status__in=GONE), "created_at", bounds).order_by()
    down = _only(standing.filter(direction=Direction.DOWNWARD), "destination_outlet_id", ids)
    for row in down.values(d=_day("created_at"), o=F("destination_outlet_id")).annotate(
        n=Count("pk"), g=Sum("goods_fen")
    ):
        sums.add(OUTLET, row["d"], row["o"], {"orders_down": row["n"], "gmv_down_fen": row["g"]})
    up = standing.filter(direction=Direction.UPWARD).annotate(o=up_order_outlet())
    up = _only(up, "o", ids)
    for row in up.values("o", d=_day("created_at")).annotate(n=Count("pk"), g=Sum("goods_fen")):
        sums.add(OUTLET, row["d"], row["o"], {"orders_up": row["n"], "gmv_up_fen": row["g"]})
    settled = (
        _within(Settlement.objects.all(), "settled_at", bounds).order_by().annotate(o=settlement_outlet())
    )
    for row in _only(settled, "o", ids).values("o", d=_day("settled_at")).annotate(c=Sum("commission_fen")):
        sums.add(OUTLET, row["d"], row["o"], {"commission_fen": row["c"]})


def up_order_outlet() -> Subquery:
    """Where an order going up is kept: the home station of the seller of its first parcel."""
    return Subquery(
        Shipment.objects.filter(order=OuterRef("pk")).order_by("pk").values("seller__home_outlet_id")[:1]
    )


def ready_at(parcel: str) -> Coalesce:
    """When a delivered parcel was ready for its recipient: its first arrival at a pickup point
    (到达自提点), or its delivery. Whether it was on time is this against the promised time: how long
    the recipient then takes to come for it is not the network's."""
    arrival = (
        ParcelEvent.objects.filter(parcel_id=OuterRef(parcel), code=EventCode.AT_PICKUP_POINT)
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    field = "delivered_at" if parcel == "pk" else "parcel__delivered_at"
    return Coalesce(Subquery(arrival), field)


def settlement_outlet() -> Case:
    """Where a settlement's commission is kept: the station an order going down was delivered to, else
    the seller's home station."""
    return Case(
        When(order__direction=Direction.DOWNWARD, then=F("order__destination_outlet_id")),
        default=F("seller__home_outlet_id"),
    )


def _outlet_parcels(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    accepted = _only(_within(Parcel.objects.order_by(), "accepted_at", bounds), "origin_outlet_id", ids)
    for row in accepted.values(d=_day("accepted_at"), o=F("origin_outlet_id")).annotate(
        up=Count("pk", filter=Q(destination_outlet__isnull=True)),
        down=Count("pk", filter=Q(destination_outlet__isnull=False)),
        postage=Sum("postage_fen"),
        weight=Sum("chargeable_weight_g"),
    ):
        sums.add(
            OUTLET,
            row["d"],
            row["o"],
            {
                "parcels_up": row["up"],
                "parcels_down": row["down"],
                "postage_fen": row["postage"],
                "weight_g": row["weight"],
            },
        )
    delivered = _within(Parcel.objects.order_by(), "delivered_at", bounds).annotate(
        o=Coalesce("destination_outlet_id", "origin_outlet_id"), ready=ready_at("pk")
    )
    for row in (
        _only(delivered, "o", ids)
        .values("o", d=_day("delivered_at"))
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(ready__lte=F("promised_at"))))
    ):
        sums.add(
            OUTLET, row["d"], row["o"], {"parcels_delivered": row["n"], "parcels_on_time": row["on_time"]}
        )


def _outlet_claims(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    claims = _only(Claim.objects.order_by(), "parcel__origin_outlet_id", ids)
    filed = _within(claims.exclude(status=ClaimStatus.REJECTED), "created_at", bounds)
    for row in filed.values(d=_day("created_at"), o=F("parcel__origin_outlet_id")).annotate(
        loss=Count("pk", filter=Q(kind=ClaimKind.LOSS)), damage=Count("pk", filter=Q(kind=ClaimKind.DAMAGE))
    ):
        sums.add(OUTLET, row["d"], row["o"], {"claims_loss": row["loss"], "claims_damage": row["damage"]})
    paid = _within(claims, "paid_at", bounds)
    for row in paid.values(d=_day("paid_at"), o=F("parcel__origin_outlet_id")).annotate(
        paid=Sum("compensation_fen")
    ):
        sums.add(OUTLET, row["d"], row["o"], {"claims_paid_fen": row["paid"]})


def _outlet_cash(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    posted = _within(Transfer.objects.filter(kind__in=POSTED_KINDS).order_by(), "created_at", bounds)
    for side, measure in (("debit_account", "cash_in_fen"), ("credit_account", "cash_out_fen")):
        moves = _only(
            posted.filter(**{f"{side}__code__startswith": chart.OUTLET_CASH_PREFIX}),
            f"{side}__owner_outlet_id",
            ids,
        )
        for row in moves.values(d=_day("created_at"), o=F(f"{side}__owner_outlet_id")).annotate(
            a=Sum("amount_fen")
        ):
            sums.add(OUTLET, row["d"], row["o"], {measure: row["a"]})


def _outlet_agency(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    done = _within(
        AgencyTransaction.objects.filter(status=TransactionStatus.DONE).order_by(), "occurred_at", bounds
    )
    for row in (
        _only(done, "outlet_id", ids)
        .values(d=_day("occurred_at"), o=F("outlet_id"))
        .annotate(n=Count("pk"), a=Sum("fee_fen"))
    ):
        sums.add(OUTLET, row["d"], row["o"], {"agency_count": row["n"], "agency_fee_fen": row["a"]})


def _seller_orders(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    parts = _only(
        _within(Shipment.objects.exclude(order__status__in=GONE).order_by(), "order__created_at", bounds),
        "seller_id",
        ids,
    )
    for row in parts.values("seller_id", d=_day("order__created_at")).annotate(
        n=Count("pk"), g=Sum("goods_fen")
    ):
        sums.add(SELLER, row["d"], row["seller_id"], {"orders": row["n"], "gmv_fen": row["g"]})
    settled = _only(_within(Settlement.objects.order_by(), "settled_at", bounds), "seller_id", ids)
    for row in settled.values("seller_id", d=_day("settled_at")).annotate(
        p=Sum("payable_fen"), c=Sum("commission_fen")
    ):
        sums.add(SELLER, row["d"], row["seller_id"], {"settled_fen": row["p"], "commission_fen": row["c"]})


def _seller_parcels(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    shipments = _only(Shipment.objects.order_by(), "seller_id", ids)
    sent = _within(shipments, "parcel__accepted_at", bounds)
    for row in sent.values("seller_id", d=_day("parcel__accepted_at")).annotate(n=Count("pk")):
        sums.add(SELLER, row["d"], row["seller_id"], {"parcels_sent": row["n"]})
    delivered = _within(shipments, "parcel__delivered_at", bounds).annotate(ready=ready_at("parcel_id"))
    for row in delivered.values("seller_id", d=_day("parcel__delivered_at")).annotate(
        n=Count("pk"), on_time=Count("pk", filter=Q(ready__lte=F("parcel__promised_at")))
    ):
        sums.add(
            SELLER,
            row["d"],
            row["seller_id"],
            {"parcels_delivered": row["n"], "parcels_on_time": row["on_time"]},
        )
    claims = _within(
        Claim.objects.exclude(status=ClaimStatus.REJECTED).filter(parcel__shipment__isnull=False).order_by(),
        "created_at",
        bounds,
    )
    claims = _only(claims, "parcel__shipment__seller_id", ids)
    for row in claims.values(d=_day("created_at"), s=F("parcel__shipment__seller_id")).annotate(
        n=Count("pk")
    ):
        sums.add(SELLER, row["d"], row["s"], {"claims": row["n"]})


def _seller_trace_opens(
    sums: _Sums, bounds: tuple[datetime.datetime, datetime.datetime], ids: Collection[int] | None
) -> None:
    batches = _only(TraceBatch.objects.all(), "seller_id", ids)
    seller_of = dict(batches.values_list("code", "seller_id"))
    opens = _within(Event.objects.filter(kind=TRACE_OPENED).order_by(), "occurred_at", bounds)
    if ids is not None:
        opens = opens.filter(ref__in=list(seller_of))
    for row in opens.values("ref", d=_day("occurred_at")).annotate(n=Count("pk")):
        sums.add(SELLER, row["d"], seller_of.get(row["ref"]), {"trace_opens": row["n"]})
