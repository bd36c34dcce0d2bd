"""The win-win scorecard (合作共赢) and the monthly report, read from the daily figures, the orders and the
ledger, over the outlets the reader may see (``insight.read``; a county manager: their county).

- each village station: what it brought in (order commission, postage, agency commission) and for whom
  it worked (villagers served, orders up and down, parcels);
- each farmer (cooperative, family farm, farmer): the income settled to it this year against the same
  days a year before;
- the county: revenue by business line, read off the ledger's income accounts.

A year is the calendar year, up to today when it is the current one; "last year" is the same days a
year earlier, so that a year under way is compared like with like.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.commerce.models import Direction, Order, OrderStatus, Seller, SellerKind
from siliu.core.errors import ValidationFailed
from siliu.finance import chart
from siliu.finance.models import Entry, EntrySide
from siliu.insight.dashboard.selectors import Period, county_figures, outlet_sums, township_name, trend
from siliu.insight.facts.compute import day_bounds
from siliu.insight.facts.measures import percent
from siliu.insight.models import SellerDay
from siliu.network.models import CountyPost, Outlet, OutletKind, Region, RegionLevel

#: The sellers the scorecard counts as farmers (a merchant sells goods down to the villages).
FARMER_KINDS = (SellerKind.COOPERATIVE, SellerKind.FAMILY_FARM, SellerKind.FARMER)
#: The first year the scorecard is asked for.
FIRST_YEAR = 2000
#: How many stations and farmers the monthly report lists.
REPORT_TOP = 10

#: The ledger's income accounts, one per business line, in the order the pages list them.
REVENUE_ACCOUNTS: tuple[tuple[str, Any], ...] = (
    (chart.POSTAGE_INCOME, gettext_lazy("邮费收入（寄递）")),
    (chart.PLATFORM_COMMISSION_INCOME, gettext_lazy("平台佣金收入（电商）")),
    (chart.AGENCY_COMMISSION_INCOME, gettext_lazy("代理业务佣金收入")),
    (chart.INTEREST_INCOME, gettext_lazy("利息收入（普惠金融）")),
    (chart.PENALTY_INCOME, gettext_lazy("罚息收入（普惠金融）")),
)

#: Columns a table may be sorted by (``?sort=`` for stations, ``?farmer_sort=`` for farmers).
STATION_SORTS = (
    "name",
    "brought_in_fen",
    "commission_fen",
    "postage_fen",
    "agency_commission_fen",
    "villagers",
    "orders",
    "parcels",
)
FARMER_SORTS = ("name", "income_fen", "last_income_fen", "change_fen")
STATION_SORT_DEFAULT = "-brought_in_fen"
FARMER_SORT_DEFAULT = "-income_fen"


@dataclass(frozen=True)
class YearSpan:
    """The days of ``year`` the scorecard reads (up to today in the current year), and the same days a
    year earlier."""

    year: int
    period: Period
    last: Period


def _year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_span(year: int, *, today: datetime.date) -> YearSpan:
    """The scorecard's span of ``year`` (see :class:`YearSpan`)."""
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), today)
    return YearSpan(year, Period(start, end), Period(_year_earlier(start), _year_earlier(end)))


def scorecard_year_parse(value: str | None, *, today: datetime.date) -> int:
    """The year asked for (``?year=``), by default the current one.

    Raises
    ------
    ValidationFailed
        ``invalid_year`` (field ``year``): not a year from :data:`FIRST_YEAR` to the current one.
    """
    if not value:
        return today.year
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= today.year:
        raise ValidationFailed(
            "invalid_year",
            _("年份应为 %(first)d 至 %(last)d 之间的四位数") % {"first": FIRST_YEAR, "last": today.year},
            field="year",
        )
    return int(value)


def scorecard_years(*, today: datetime.date) -> list[int]:
    """The years the year selector offers: from the first year with an order, newest first."""
    first = Order.objects.order_by("created_at").values_list("created_at", flat=True).first()
    since = max(FIRST_YEAR, min(first.year if first else today.year, today.year))
    return list(range(today.year, since - 1, -1))


def report_month_parse(year: int, month: int, *, today: datetime.date) -> datetime.date:
    """The first day of the report's month.

    Raises
    ------
    ValidationFailed
        ``invalid_month`` (field ``month``): no such month, before :data:`FIRST_YEAR` or after today's.
    """
    if not (year >= FIRST_YEAR and 1 <= month <= 12) or (year, month) > (today.year, today.month):
        raise ValidationFailed("invalid_month", _("月份应为 YYYY-MM，且不晚于本月"), field="month")
    return datetime.date(year, month, 1)


def month_period(month: datetime.date, *, today: datetime.date) -> Period:
    """The days of ``month``, up to today in the current month."""
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return Period(month, min(following - datetime.timedelta(days=1), today))


def scope_outlet_ids(outlet_ids: Collection[int] | None) -> list[int]:
    """The outlets a reader may see as a list (``None``, everywhere: every outlet)."""
    if outlet_ids is None:
        return list(Outlet.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(outlet_ids)


def scope_name(outlet_ids: Collection[int] | None, *, reader: AbstractBaseUser | None = None) -> str:
    """What the reader sees, named: the counties of the outlets and those ``reader`` is posted to as
    county manager; ``None`` (everywhere): the network, named by its county if it has one."""
    if outlet_ids is None:
        counties = list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("name", flat=True))
        return counties[0] if len(counties) == 1 else _("全网")
    codes = {
        code[:6]
        for code in Outlet.objects.filter(pk__in=list(outlet_ids)).values_list("region__code", flat=True)
    }
    if reader is not None:
        codes |= set(CountyPost.objects.filter(user_id=reader.pk).values_list("county__code", flat=True))
    names = list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__in=codes)
        .order_by("code")
        .values_list("name", flat=True)
    )
    return "、".join(names) if names else _("（无辖区）")


Line = TypeVar("Line")


def lines_sorted(
    lines: Sequence[Line],
    sort: str | None,
    *,
    allowed: Sequence[str],
    default: str,
    tie: Callable[[Line], Any],
) -> tuple[list[Line], str]:
    """``lines`` sorted by the column ``sort`` names (``-`` first: descending), ties by ``tie``; an
    unknown column sorts by ``default``. Returns the lines and the sort applied."""
    key = sort or default
    if key.lstrip("-") not in allowed:
        key = default
    field = key.lstrip("-")
    ordered = sorted(lines, key=tie)
    ordered.sort(key=lambda line: getattr(line, field), reverse=key.startswith("-"))
    return ordered, key


# ---------------------------------------------------------------------------------------------------
# Stations


@dataclass(frozen=True)
class StationLine:
    """A village station over a period: what it brought in (fen) and for whom it worked."""

    outlet_id: int
    code: str
    name: str
    township: str
    commission_fen: int
    postage_fen: int
    agency_commission_fen: int
    #: Distinct buyers of orders going down delivered to the station in the period.
    villagers: int
    orders_up: int
    orders_down: int
    parcels: int

    @property
    def brought_in_fen(self) -> int:
        return self.commission_fen + self.postage_fen + self.agency_commission_fen

    @property
    def orders(self) -> int:
        return self.orders_up + self.orders_down


def station_lines(period: Period, outlet_ids: Collection[int] | None) -> list[StationLine]:
    """Every village station among ``outlet_ids`` (``None``: all) over ``period``, by code. Agency
    commission is the whole fee of the agency services handled there (the station's share and the
    platform's)."""
    stations = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).select_related(
        "region", "region__parent"
    )
    if outlet_ids is not None:
        stations = stations.filter(pk__in=list(outlet_ids))
    stations = stations.order_by("code")
    ids = [station.pk for station in stations]
    sums = outlet_sums(period, ids)
    start, end = day_bounds(period.date_from, period.date_to)
    villagers = dict(
        Order.objects.filter(
            direction=Direction.DOWNWARD,
            destination_outlet_id__in=ids,
            delivered_at__gte=start,
            delivered_at__lt=end,
        )
        .exclude(status=OrderStatus.REFUNDED)
        .order_by()
        .values("destination_outlet_id")
        .annotate(n=Count("buyer_id", distinct=True))
        .values_list("destination_outlet_id", "n")
    )
    lines = []
    for station in stations:
        measures = sums.get(station.pk, {})
        lines.append(
            StationLine(
                outlet_id=station.pk,
                code=station.code,
                name=station.name,
                township=township_name(station),
                commission_fen=measures.get("commission_fen", 0),
                postage_fen=measures.get("postage_fen", 0),
                agency_commission_fen=measures.get("agency_fee_fen", 0),
                villagers=villagers.get(station.pk, 0),
                orders_up=measures.get("orders_up", 0),
                orders_down=measures.get("orders_down", 0),
                parcels=measures.get("parcels_up", 0) + measures.get("parcels_down", 0),
            )
        )
    return lines


# ---------------------------------------------------------------------------------------------------
# Farmers


@dataclass(frozen=True)
class FarmerLine:
    """A farmer's income (settled goods less commission, fen) over the span and the same days a year
    earlier."""

    seller_id: int
    name: str
    kind_label: str
    station: str
    income_fen: int
    last_income_fen: int

    @property
    def change_fen(self) -> int:
        return self.income_fen - self.last_income_fen

    @property
    def change_rate(self) -> float | None:
        return trend(self.income_fen, self.last_income_fen)

    @property
    def change_percent(self) -> str:
        return percent(self.change_rate, signed=True)


def _settled(period: Period, seller_ids: list[int]) -> dict[int, int]:
    return dict(
        SellerDay.objects.filter(
            seller_id__in=seller_ids,
            measure="settled_fen",
            day__gte=period.date_from,
            day__lte=period.date_to,
        )
        .order_by()
        .values("seller_id")
        .annotate(total=Sum("value"))
        .values_list("seller_id", "total")
    )


def farmer_lines(period: Period, last: Period, outlet_ids: Collection[int] | None) -> list[FarmerLine]:
    """Every farmer whose home station is among ``outlet_ids`` (``None``: all), by name."""
    sellers = Seller.objects.filter(kind__in=FARMER_KINDS).select_related("home_outlet")
    if outlet_ids is not None:
        sellers = sellers.filter(home_outlet_id__in=list(outlet_ids))
    farmers = list(sellers.order_by("name", "pk"))
    ids = [seller.pk for seller in farmers]
    now, before = _settled(period, ids), _settled(last, ids)
    return [
        FarmerLine(
            seller_id=seller.pk,
            name=seller.name,
            kind_label=str(SellerKind(seller.kind).label),
            station=seller.home_outlet.name,
            income_fen=now.get(seller.pk, 0),
            last_income_fen=before.get(seller.pk, 0),
        )
        for seller in farmers
    ]


# ---------------------------------------------------------------------------------------------------
# Revenue by business line


@dataclass(frozen=True)
class RevenueLine:
    """An income account's net credits (fen) over the span and the same days a year earlier."""

    code: str
    label: str
    amount_fen: int
    last_amount_fen: int

    @property
    def change_percent(self) -> str:
        return percent(trend(self.amount_fen, self.last_amount_fen), signed=True)


def _income(period: Period) -> dict[str, int]:
    start, end = day_bounds(period.date_from, period.date_to)
    rows = (
        Entry.objects.filter(
            account__code__in=[code for code, _label in REVENUE_ACCOUNTS],
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .values("account__code")
        .annotate(
            credits=Sum("amount_fen", filter=Q(side=EntrySide.CREDIT)),
            debits=Sum("amount_fen", filter=Q(side=EntrySide.DEBIT)),
        )
    )
    return {row["account__code"]: (row["credits"] or 0) - (row["debits"] or 0) for row in rows}


def revenue_lines(period: Period, last: Period | None = None) -> list[RevenueLine]:
    """The income accounts' net credits (credits less debits: a refund of postage takes it back) over
    ``period`` and, if given, ``last``. The ledger is the platform's: one set of income accounts for the
    whole network."""
    now = _income(period)
    before = _income(last) if last is not None else {}
    return [
        RevenueLine(code, str(label), now.get(code, 0), before.get(code, 0))
        for code, label in REVENUE_ACCOUNTS
    ]


# ---------------------------------------------------------------------------------------------------
# The scorecard


@dataclass(frozen=True)
class Scorecard:
    span: YearSpan
    scope: str
    stations: list[StationLine]
    station_sort: str
    farmers: list[FarmerLine]
    farmer_sort: str
    revenue: list[RevenueLine]

    @property
    def station_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for line in self.stations:
            for name in ("commission_fen", "postage_fen", "agency_commission_fen", "brought_in_fen"):
                totals[name] += getattr(line, name)
            for name in ("villagers", "orders", "parcels"):
                totals[name] += getattr(line, name)
        return dict(totals)

    @property
    def farmer_totals(self) -> FarmerLine:
        return FarmerLine(
            seller_id=0,
            name="",
            kind_label="",
            station="",
            income_fen=sum(line.income_fen for line in self.farmers),
            last_income_fen=sum(line.last_income_fen for line in self.farmers),
        )

    @property
    def revenue_total(self) -> RevenueLine:
        return RevenueLine(
            "",
            _("合计"),
            sum(line.amount_fen for line in self.revenue),
            sum(line.last_amount_fen for line in self.revenue),
        )


def scorecard_build(
    *,
    year: int,
    today: datetime.date,
    outlet_ids: Collection[int] | None,
    station_sort: str | None = None,
    farmer_sort: str | None = None,
    reader: AbstractBaseUser | None = None,
) -> Scorecard:
    """The scorecard of ``year`` over ``outlet_ids`` (``None``: everywhere), each table sorted as asked
    (:data:`STATION_SORTS`, :data:`FARMER_SORTS`); ``reader`` names the scope (:func:`scope_name`)."""
    span = year_span(year, today=today)
    stations, station_key = lines_sorted(
        station_lines(span.period, outlet_ids),
        station_sort,
        allowed=STATION_SORTS,
        default=STATION_SORT_DEFAULT,
        tie=lambda line: line.code,
    )
    farmers, farmer_key = lines_sorted(
        farmer_lines(span.period, span.last, outlet_ids),
        farmer_sort,
        allowed=FARMER_SORTS,
        default=FARMER_SORT_DEFAULT,
        tie=lambda line: (line.name, line.seller_id),
    )
    return Scorecard(
        span=span,
        scope=scope_name(outlet_ids, reader=reader),
        stations=stations,
        station_sort=station_key,
        farmers=farmers,
        farmer_sort=farmer_key,
        revenue=revenue_lines(span.period, span.last),
    )


# ---------------------------------------------------------------------------------------------------
# The monthly report


#: The county figures the report prints, in order, with how each reads.
REPORT_FIGURES: tuple[tuple[str, Any, str], ...] = (
    ("orders_up", gettext_lazy("上行订单（农产品进城）"), "count"),
    ("gmv_up_fen", gettext_lazy("上行交易额"), "fen"),
    ("orders_down", gettext_lazy("下行订单（工业品下乡）"), "count"),
    ("gmv_down_fen", gettext_lazy("下行交易额"), "fen"),
    ("commission_fen", gettext_lazy("订单佣金"), "fen"),
    ("parcels", gettext_lazy("收寄邮件"), "count"),
    ("parcels_delivered", gettext_lazy("妥投邮件"), "count"),
    ("on_time_rate", gettext_lazy("按承诺时间妥投率"), "rate"),
    ("postage_fen", gettext_lazy("邮费"), "fen"),
    ("claims_paid_fen", gettext_lazy("赔付金额"), "fen"),
    ("active_stations", gettext_lazy("有业务的村级服务站"), "count"),
    ("loans_disbursed_fen", gettext_lazy("发放贷款"), "fen"),
    ("loans_outstanding_fen", gettext_lazy("贷款余额（当前）"), "fen"),
    ("par30_rate", gettext_lazy("PAR30（当前）"), "rate"),
)
#: Figures that are a balance today rather than a sum over the month: no month before to compare.
REPORT_BALANCES = frozenset({"loans_outstanding_fen", "par30_rate"})


@dataclass(frozen=True)
class ReportFigure:
    """A county figure of the month and the month before; ``change`` is the relative change of a count
    or an amount (0.125: +12.5 %), and of a rate the difference (0.042: 4.2 percentage points)."""

    name: str
    label: str
    kind: str  # "count", "fen" or "rate"
    value: Any
    previous: Any
    change: float | None

    @property
    def change_shown(self) -> str:
        if self.kind == "rate" and self.change is not None:
            return _("%(points)+.1f 个百分点") % {"points": self.change * 100}
        return percent(self.change, signed=True)


def _change(kind: str, value: Any, previous: Any) -> float | None:
    if kind == "rate":
        return None if value is None or previous is None else round(value - previous, 4)
    return trend(value, previous)


@dataclass(frozen=True)
class MonthlyReport:
    month: datetime.date
    period: Period
    previous: Period
    scope: str
    figures: list[ReportFigure]
    stations: list[StationLine]
    farmers: list[FarmerLine]
    revenue: list[RevenueLine]


def monthly_report(
    *,
    month: datetime.date,
    today: datetime.date,
    outlet_ids: Collection[int] | None,
    reader: AbstractBaseUser | None = None,
) -> MonthlyReport:
    """The month's county figures against the month before
    (:func:`~siliu.insight.dashboard.selectors.county_figures`), the stations that brought in most, the
    farmers paid most (against the same month a year before) and revenue by line (against the month
    before)."""
    period = month_period(month, today=today)
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    previous = month_period(previous_month, today=today)
    ids = scope_outlet_ids(outlet_ids)
    figures = county_figures(period, outlet_ids=ids)
    before = county_figures(previous, outlet_ids=ids)
    stations = sorted(
        station_lines(period, outlet_ids), key=lambda line: (-line.brought_in_fen, -line.orders, line.code)
    )
    last_year = Period(_year_earlier(period.date_from), _year_earlier(period.date_to))
    farmers = sorted(
        farmer_lines(period, last_year, outlet_ids), key=lambda line: (-line.income_fen, line.name)
    )
    return MonthlyReport(
        month=month,
        period=period,
        previous=previous,
        scope=scope_name(outlet_ids, reader=reader),
        figures=[
            ReportFigure(
                name,
                str(label),
                kind,
                figures[name],
                None if name in REPORT_BALANCES else before[name],
                None if name in REPORT_BALANCES else _change(kind, figures[name], before[name]),
            )
            for name, label, kind in REPORT_FIGURES
        ],
        stations=[line for line in stations if line.brought_in_fen or line.orders][:REPORT_TOP],
        farmers=[line for line in farmers if line.income_fen][:REPORT_TOP],
        revenue=revenue_lines(period, previous),
    )
