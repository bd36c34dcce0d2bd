"""One seller's four flows on one page, month by month over the last twelve months.

Sales, parcels, settlement and trace pages opened come from the daily figures
(:class:`~siliu.insight.models.SellerDay`); what they cannot hold is read from the flows' own tables:
buyers and repeat buyers and the products sold (orders), withdrawals (the seller's payable account in
the ledger), the wallet and what is still payable (finance and commerce selectors), the loans (lending)
and each trace batch's opens (the outbox).

Who may look (:func:`profile_seller_for`): the seller's own user; who reads sellers there
(``seller.read``: a county manager in their county, an auditor); a loan officer (``credit.read``)
only while the seller consents to the use of their data (the consent of
:mod:`siliu.lending.credit`), as for their credit score.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from siliu.commerce.models import OrderLine, Seller, Shipment, TraceBatch
from siliu.commerce.orders.selectors import SellerMoney, seller_money, seller_payable_code
from siliu.commerce.orders.services import CATEGORY_SELLER_PAYOUT
from siliu.core.errors import NotFound, PermissionRefused
from siliu.core.events import TRACE_OPENED
from siliu.core.ids import MAX_ID
from siliu.core.models import Event
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.finance.models import Entry, EntrySide
from siliu.finance.selectors import wallet_get
from siliu.finance.services import CATEGORY_SELLER_WITHDRAW
from siliu.insight.facts.compute import GONE, day_bounds, local_day, local_zone
from siliu.insight.facts.measures import SELLER_MEASURES, percent
from siliu.insight.models import SellerDay
from siliu.lending.credit.selectors import consent_in_force
from siliu.lending.loans.models import LoanRepayment, LoanStatus, RepaymentSource
from siliu.lending.loans.selectors import loans_of

Viewer = AbstractBaseUser | AnonymousUser

#: How many months the profile spans, the current one included.
PROFILE_MONTHS = 12
#: How many products the page lists, best-selling first.
TOP_PRODUCTS = 10
#: A buyer with at least this many orders from the seller in the period is a repeat buyer.
REPEAT_ORDERS = 2
#: The seller's daily figures a month adds up (every one of :data:`SELLER_MEASURES`).
_MONTH_MEASURES = frozenset(measure.name for measure in SELLER_MEASURES)


def profile_seller_for(*, seller_id: int, actor: Viewer) -> Seller:
    """The seller ``seller_id`` if ``actor`` may see its profile.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` for who neither is the seller nor holds ``seller.read`` or ``credit.read``;
        ``no_consent`` for a loan officer while the seller has no consent in force.
    NotFound
        ``unknown_seller`` when there is no such seller, or it is outside a county manager's county
        (not told apart).
    """
    seller = (
        Seller.objects.select_related("user", "village", "village__parent", "home_outlet")
        .filter(pk=seller_id)
        .first()
        if 0 < seller_id <= MAX_ID
        else None
    )
    if seller is not None and actor.is_authenticated and seller.user_id == actor.pk:
        return seller
    if not (user_can(actor, Permission.SELLER_READ) or user_can(actor, Permission.CREDIT_READ)):
        raise PermissionRefused("not_allowed", _("只有县级管理员、审计员和信贷员可以查看卖家的经营概况"))
    unknown = NotFound("unknown_seller", _("没有这个卖家"), field="seller")
    if seller is None:
        raise unknown
    if user_can_at(actor, Permission.SELLER_READ, seller.home_outlet):
        return seller
    if user_can_at(actor, Permission.CREDIT_READ, seller.home_outlet):
        if consent_in_force(subject=seller.user) is None:
            raise PermissionRefused(
                "no_consent",
                _("该卖家没有签署或已撤回数据使用同意书，信贷员不能查看其经营概况。"),
            )
        return seller
    raise unknown


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_add(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``month`` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def profile_months(today: datetime.date, count: int = PROFILE_MONTHS) -> list[datetime.date]:
    """The first days of the ``count`` months ending with ``today``'s, oldest first."""
    current = month_start(today)
    return [month_add(current, offset) for offset in range(1 - count, 1)]


@dataclass
class ProfileMonth:
    """One month of the seller, amounts in fen."""

    month: datetime.date
    orders: int = 0
    gmv_fen: int = 0
    buyers: int = 0
    settled_fen: int = 0
    commission_fen: int = 0
    withdrawn_fen: int = 0
    parcels_sent: int = 0
    parcels_delivered: int = 0
    parcels_on_time: int = 0
    claims: int = 0
    trace_opens: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Parcels delivered by the promised time, as a fraction of those delivered."""
        return self.parcels_on_time / self.parcels_delivered if self.parcels_delivered else None

    @property
    def on_time_percent(self) -> str:
        return percent(self.on_time_rate)


@dataclass(frozen=True)
class ProductSold:
    """A product of the seller sold in the period: orders standing, quantity and amount (fen)."""

    product_id: int
    name: str
    unit: str
    orders: int
    quantity: int
    amount_fen: int


@dataclass(frozen=True)
class LoanLine:
    """One of the seller's loans: what was lent, what is still owed and what came back (fen)."""

    number: str
    product_name: str
    status: str
    status_label: str
    amount_fen: int
    disbursed_on: datetime.date | None
    maturity_on: datetime.date | None
    outstanding_fen: int
    days_past_due: int
    repaid_principal_fen: int
    repaid_interest_fen: int
    swept_fen: int

    @property
    def repaid_fen(self) -> int:
        return self.repaid_principal_fen + self.repaid_interest_fen


@dataclass(frozen=True)
class TraceLine:
    """A trace batch and how often its public page was opened in the period."""

    code: str
    product_name: str
    harvested_on: datetime.date
    opens: int


@dataclass(frozen=True)
class Profile:
    seller: Seller
    date_from: datetime.date
    date_to: datetime.date
    months: list[ProfileMonth]
    totals: ProfileMonth
    #: Distinct buyers in the whole period, and those of them with :data:`REPEAT_ORDERS` or more orders.
    buyers: int
    repeat_buyers: int
    products: list[ProductSold]
    money: SellerMoney
    wallet_fen: int
    loans: list[LoanLine]
    trace_batches: list[TraceLine]

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_buyers / self.buyers if self.buyers else None

    @property
    def repeat_percent(self) -> str:
        return percent(self.repeat_rate)

    @property
    def loans_outstanding_fen(self) -> int:
        return sum(loan.outstanding_fen for loan in self.loans)

    @property
    def loans_repaid_fen(self) -> int:
        return sum(loan.repaid_fen for loan in self.loans)

    def chart(self) -> dict[str, list[object]]:
        """The monthly series the page's charts draw (amounts in yuan, rates in per cent)."""
        return {
            "months": [f"{row.month:%Y-%m}" for row in self.months],
            "gmv_yuan": [row.gmv_fen / 100 for row in self.months],
            "orders": [row.orders for row in self.months],
            "parcels_sent": [row.parcels_sent for row in self.months],
            "parcels_on_time": [row.parcels_on_time for row in self.months],
            "parcels_late": [row.parcels_delivered - row.parcels_on_time for row in self.months],
            "claims": [row.claims for row in self.months],
        }


def seller_profile(*, seller: Seller, today: datetime.date) -> Profile:
    """``seller``'s twelve months ending ``today`` (Asia/Shanghai business days) across the four flows."""
    months = profile_months(today)
    date_from, date_to = months[0], today
    rows = {month: ProfileMonth(month) for month in months}
    for day, measure, value in SellerDay.objects.filter(
        seller=seller, day__gte=date_from, day__lte=date_to
    ).values_list("day", "measure", "value"):
        if measure in _MONTH_MEASURES:
            row = rows[month_start(day)]
            setattr(row, measure, getattr(row, measure) + value)
    bounds = day_bounds(date_from, date_to)
    buyers, repeat = _buyers(seller, bounds, rows)
    _withdrawals(seller, bounds, rows)
    ordered = [rows[month] for month in months]
    return Profile(
        seller=seller,
        date_from=date_from,
        date_to=date_to,
        months=ordered,
        totals=_totals(ordered, buyers),
        buyers=buyers,
        repeat_buyers=repeat,
        products=_products(seller, bounds),
        money=seller_money(seller=seller),
        wallet_fen=wallet_get(user=seller.user).balance_fen,
        loans=_loans(seller),
        trace_batches=_trace_batches(seller, bounds),
    )


def _totals(rows: list[ProfileMonth], buyers: int) -> ProfileMonth:
    """The period's sums (its first month as ``month``), with the period's distinct buyers."""
    total = ProfileMonth(rows[0].month)
    for row in rows:
        for name in (*_MONTH_MEASURES, "withdrawn_fen"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    total.buyers = buyers
    return total


def _buyers(
    seller: Seller,
    bounds: tuple[datetime.datetime, datetime.datetime],
    rows: dict[datetime.date, ProfileMonth],
) -> tuple[int, int]:
    """Distinct buyers of the seller's standing orders per month (into ``rows``), in the whole period,
    and how many of those bought :data:`REPEAT_ORDERS` times or more.

    Counted by the database: a busy seller's year is tens of thousands of orders, which took 250 ms to
    bring into Python one by one; grouped by month and buyer it is a few thousand rows at most
    (``bench/insight_bench.py``)."""
    parts = (
        Shipment.objects.filter(
            seller=seller, order__created_at__gte=bounds[0], order__created_at__lt=bounds[1]
        )
        .exclude(order__status__in=GONE)
        .order_by()
    )
    buyers_in: dict[datetime.date, int] = defaultdict(int)
    orders_of: dict[int, int] = defaultdict(int)
    for month, buyer_id, orders in (
        parts.annotate(month=TruncMonth("order__created_at", tzinfo=local_zone()))
        .values("month", "order__buyer_id")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("month", "order__buyer_id", "n")
    ):
        buyers_in[local_day(month)] += 1
        orders_of[buyer_id] += orders
    for month, count in buyers_in.items():
        if month in rows:
            rows[month].buyers = count
    return len(orders_of), sum(1 for orders in orders_of.values() if orders >= REPEAT_ORDERS)


def _withdrawals(
    seller: Seller,
    bounds: tuple[datetime.datetime, datetime.datetime],
    rows: dict[datetime.date, ProfileMonth],
) -> None:
    """What left the seller's payable account to the seller each month: withdrawals to the wallet or in
    cash and payouts to a bank account, less payouts rejected and returned (loan sweeps are the loans')."""
    entries = Entry.objects.filter(
        account__code=seller_payable_code(seller),
        created_at__gte=bounds[0],
        created_at__lt=bounds[1],
        transfer__category__in=(CATEGORY_SELLER_WITHDRAW, CATEGORY_SELLER_PAYOUT),
    ).values_list("created_at", "side", "amount_fen")
    for created_at, side, amount_fen in entries:
        month = month_start(local_day(created_at))
        if month in rows:
            rows[month].withdrawn_fen += amount_fen if side == EntrySide.DEBIT else -amount_fen


def _products(seller: Seller, bounds: tuple[datetime.datetime, datetime.datetime]) -> list[ProductSold]:
    lines = (
        OrderLine.objects.filter(
            seller=seller, order__created_at__gte=bounds[0], order__created_at__lt=bounds[1]
        )
        .exclude(order__status__in=GONE)
        .order_by()
        .values("product_id", "product__name", "product__unit")
        .annotate(orders=Count("order_id", distinct=True), quantity=Sum("quantity"), amount=Sum("amount_fen"))
        .order_by("-amount", "product_id")
    )
    return [
        ProductSold(
            product_id=line["product_id"],
            name=line["product__name"],
            unit=line["product__unit"],
            orders=line["orders"],
            quantity=line["quantity"],
            amount_fen=line["amount"],
        )
        for line in lines[:TOP_PRODUCTS]
    ]


def _loans(seller: Seller) -> list[LoanLine]:
    """The seller's loans (its user's), newest first, cancelled contracts left out."""
    loans = list(loans_of(borrower=seller.user).order_by("-contracted_at", "-pk"))
    repaid = {
        row["loan_id"]: row
        for row in LoanRepayment.objects.filter(loan__in=loans)
        .order_by()
        .values("loan_id")
        .annotate(
            principal=Sum("principal_fen"),
            interest=Sum("interest_fen"),
            penalty=Sum("penalty_fen"),
            swept=Sum("amount_fen", filter=Q(source=RepaymentSource.SWEEP)),
        )
    }
    lines = []
    for loan in loans:
        paid = repaid.get(loan.pk, {})
        lines.append(
            LoanLine(
                number=loan.number,
                product_name=loan.product.name,
                status=loan.status,
                status_label=str(LoanStatus(loan.status).label),
                amount_fen=loan.amount_fen,
                disbursed_on=local_day(loan.disbursed_at) if loan.disbursed_at else None,
                maturity_on=loan.maturity_on,
                outstanding_fen=loan.principal_outstanding_fen if loan.status == LoanStatus.ACTIVE else 0,
                days_past_due=loan.days_past_due if loan.status == LoanStatus.ACTIVE else 0,
                repaid_principal_fen=paid.get("principal") or 0,
                repaid_interest_fen=(paid.get("interest") or 0) + (paid.get("penalty") or 0),
                swept_fen=paid.get("swept") or 0,
            )
        )
    return lines


def _trace_batches(seller: Seller, bounds: tuple[datetime.datetime, datetime.datetime]) -> list[TraceLine]:
    batches = list(
        TraceBatch.objects.filter(seller=seller)
        .order_by("-harvested_on", "code")
        .values_list("code", "product_name", "harvested_on")
    )
    opens = dict(
        Event.objects.filter(
            kind=TRACE_OPENED,
            ref__in=[code for code, _name, _day in batches],
            occurred_at__gte=bounds[0],
            occurred_at__lt=bounds[1],
        )
        .order_by()
        .values("ref")
        .annotate(n=Count("pk"))
        .values_list("ref", "n")
    )
    return [TraceLine(code, name, day, opens.get(code, 0)) for code, name, day in batches]
