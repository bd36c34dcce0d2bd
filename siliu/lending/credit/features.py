"""What credit knows of a borrower: features read from the four flows, through their selectors only.

Every feature is about the borrower's conduct on the platform over the 12 months before the day of
the score. None is about who the borrower is: never gender, ethnicity, age or place of birth, and
nothing is read from a resident ID number (whose digits hold the birth date and place); a test holds
the field names and this module's imports to that (ADR 0020).
"""

import dataclasses
import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from siliu.commerce.catalog.selectors import seller_for
from siliu.commerce.orders.selectors import seller_payable_code, seller_track_record
from siliu.finance import chart
from siliu.finance.selectors import account_inflow_months
from siliu.logistics.claims.selectors import claim_count_for_parcels

#: The months a feature looks back over.
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class CreditFeatures:
    """A borrower's features on a day; a user who is no seller has zero sales, orders and claims.

    Attributes
    ----------
    sales_12m_fen
        Goods sold in orders completed in the last 12 months, in fen.
    sales_trend_percent
        Change of the last 6 months' sales on the 6 months before, in percent (−100 … ); 0 when there
        were no sales in either, 100 when there were none before.
    orders_completed_12m
        Orders completed in the last 12 months, a count.
    orders_cancelled_12m
        Orders placed in the last 12 months and cancelled, a count.
    claims_12m
        Claims filed in the last 12 months against parcels the borrower sent as a seller, a count.
    dispatch_days_average
        Mean time from an order's payment to the network's acceptance of its parcel, in days (one
        decimal); 0 when nothing was sent.
    months_on_platform
        Whole months since the borrower joined (the earlier of their account and their shop).
    wallet_inflow_months_12m
        Of the last 12 calendar months (this one included), those in which money came into the
        borrower's wallet or shop payable account, a count from 0 to 12.
    late_repayments_count
        The borrower's installments falling due in the last 12 months that were late: settled more
        than their loan's grace days after the due date, or still unsettled and more than the grace
        days past due at the end of the day of the score, a count (0 for a borrower who never
        borrowed here).
    """

    sales_12m_fen: int
    sales_trend_percent: int
    orders_completed_12m: int
    orders_cancelled_12m: int
    claims_12m: int
    dispatch_days_average: float
    months_on_platform: int
    wallet_inflow_months_12m: int
    late_repayments_count: int

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


#: Feature name → its label, as the model page and the admin show it.
FEATURE_LABELS = {
    "sales_12m_fen": _("近12个月销售额（分）"),
    "sales_trend_percent": _("近6个月销售额变化（%）"),
    "orders_completed_12m": _("近12个月完成订单数"),
    "orders_cancelled_12m": _("近12个月取消订单数"),
    "claims_12m": _("近12个月被理赔次数"),
    "dispatch_days_average": _("下单到发货平均天数"),
    "months_on_platform": _("在平台月数"),
    "wallet_inflow_months_12m": _("近12个月有收入的月数"),
    "late_repayments_count": _("以前贷款逾期次数"),
}
FEATURE_NAMES = tuple(field.name for field in dataclasses.fields(CreditFeatures))


#: Counts a borrower's late installments: ``(borrower_id=, since=, on=) -> int``. Loans are built on
#: credit, so credit cannot import them: the loans part registers its reader at start-up
#: (:mod:`siliu.hooks`, :func:`siliu.lending.loans.history.late_installment_count`).
LateInstallmentCounter = Callable[..., int]
_late_installment_counters: list[LateInstallmentCounter] = []


def late_installments_register(counter: LateInstallmentCounter) -> None:
    """Register the reader of late installments (once, at start-up)."""
    if counter not in _late_installment_counters:
        _late_installment_counters.append(counter)


def _late_installments(*, borrower_id: int, since: datetime.date, on: datetime.date) -> int:
    return sum(counter(borrower_id=borrower_id, since=since, on=on) for counter in _late_installment_counters)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def credit_features(*, user: AbstractBaseUser, on: datetime.date) -> CreditFeatures:
    """``user``'s features over the 12 months up to and including the business day ``on``.

    Reads orders (commerce), claims (logistics) and the ledger (finance) through their selectors; a
    user without a shop has zero sales, orders, claims and dispatch time."""
    until = _midnight(on + datetime.timedelta(days=1))
    half = _midnight(months_before(on, WINDOW_MONTHS // 2) + datetime.timedelta(days=1))
    since = _midnight(months_before(on, WINDOW_MONTHS) + datetime.timedelta(days=1))
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    joined_on = user.date_joined.astimezone(zone).date()  # type: ignore[attr-defined]
    codes = [chart.wallet_code(user_id=user.pk)]
    seller = seller_for(actor=user)  # type: ignore[arg-type]
    sales = trend = completed = cancelled = claims = 0
    dispatch = 0.0
    if seller is not None:
        codes.append(seller_payable_code(seller))
        joined_on = min(joined_on, seller.created_at.astimezone(zone).date())
        earlier = seller_track_record(seller=seller, since=since, until=half)
        recent = seller_track_record(seller=seller, since=half, until=until)
        sales = earlier.sales_fen + recent.sales_fen
        trend = _trend_percent(before=earlier.sales_fen, after=recent.sales_fen)
        completed = earlier.completed_count + recent.completed_count
        cancelled = earlier.cancelled_count + recent.cancelled_count
        claims = claim_count_for_parcels(
            parcel_ids=earlier.parcel_ids + recent.parcel_ids, since=since, until=until
        )
        days = earlier.dispatch_days + recent.dispatch_days
        dispatch = round(sum(days) / len(days), 1) if days else 0.0
    first_month = months_before(on.replace(day=1), WINDOW_MONTHS - 1)
    inflow_months = account_inflow_months(codes=codes, since=_midnight(first_month), until=until)
    return CreditFeatures(
        sales_12m_fen=sales,
        sales_trend_percent=trend,
        orders_completed_12m=completed,
        orders_cancelled_12m=cancelled,
        claims_12m=claims,
        dispatch_days_average=dispatch,
        months_on_platform=months_between(joined_on, on),
        wallet_inflow_months_12m=len(inflow_months),
        late_repayments_count=_late_installments(
            borrower_id=user.pk, since=months_before(on, WINDOW_MONTHS) + datetime.timedelta(days=1), on=on
        ),
    )


def _trend_percent(*, before: int, after: int) -> int:
    if before == 0:
        return 100 if after else 0
    return round((after - before) * 100 / before)
