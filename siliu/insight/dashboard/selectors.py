"""The county dashboard's figures, read from the daily figures (:mod:`siliu.insight.models`) and, for
loans, from the loans themselves (a balance on a day, not a sum of days).

:func:`county_figures` names every figure as the API gives it (:data:`FIGURE_NAMES`); the pages, the
exports and ``GET /api/v1/insight/summary`` all read it.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.insight.facts.compute import day_bounds
from siliu.insight.models import OutletDay
from siliu.lending.models import Loan, LoanStatus
from siliu.network.models import Outlet, OutletKind, Region, RegionLevel

#: The longest period a dashboard shows at once.
MAX_PERIOD_DAYS = 3 * 366

#: Every figure of :func:`county_figures`, in the order the pages list them. Amounts end in ``_fen``,
#: rates are fractions (0.9731), ``*_per_10k`` per 10,000 parcels; ``None`` where there is nothing
#: to divide by.
FIGURE_NAMES = (
    "orders_up",
    "orders_down",
    "gmv_up_fen",
    "gmv_down_fen",
    "up_down_ratio",
    "commission_fen",
    "parcels",
    "parcels_up",
    "parcels_down",
    "parcels_delivered",
    "on_time_rate",
    "loss_damage_per_10k",
    "postage_fen",
    "postage_per_kg_fen",
    "claims_paid_fen",
    "stations",
    "active_stations",
    "agency_count",
    "agency_fee_fen",
    "cash_in_fen",
    "cash_out_fen",
    "loans_disbursed_fen",
    "loans_outstanding_fen",
    "par30_rate",
)
#: Figures the public page leaves out: a drawer's cash and the loans are the platform's business.
PRIVATE_FIGURES = frozenset(
    {"cash_in_fen", "cash_out_fen", "loans_disbursed_fen", "loans_outstanding_fen", "par30_rate"}
)


@dataclass(frozen=True)
class Period:
    """From ``date_from`` to ``date_to``, both included."""

    date_from: datetime.date
    date_to: datetime.date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        end = self.date_from - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)


def period_parse(date_from: str | None, date_to: str | None, *, today: datetime.date) -> Period:
    """The period asked for: by default the thirty days ending today.

    Raises ``ValidationFailed`` (``invalid_date`` on ``date_from``/``date_to``, ``invalid_period``,
    ``period_too_long``)."""

    def parse(value: str | None, field: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed("invalid_date", _("日期应为 YYYY-MM-DD"), field=field) from None

    end = parse(date_to, "date_to") or today
    start = parse(date_from, "date_from") or end - datetime.timedelta(days=29)
    if start > end:
        raise ValidationFailed("invalid_period", _("起始日期不能晚于截止日期"), field="date_from")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            "period_too_long", _("一次最多查看 %(n)d 天") % {"n": MAX_PERIOD_DAYS}, field="date_from"
        )
    return Period(start, end)


def township_parse(code: str | None) -> Region | None:
    """The township by its code, or None for the whole county. Raises ``ValidationFailed``
    (``unknown_township`` on ``township``)."""
    if not code:
        return None
    township = Region.objects.filter(code=code, level=RegionLevel.TOWNSHIP).first()
    if township is None:
        raise ValidationFailed("unknown_township", _("没有这个乡镇"), field="township")
    return township


def outlets_in(township: Region | None, *, within: Collection[int] | None = None) -> QuerySet[Outlet]:
    """The outlets of a township (its office and its villages' stations), or all; ``within`` narrows
    them to the outlets a user may see (None: all)."""
    outlets = Outlet.objects.all()
    if township is not None:
        outlets = outlets.filter(Q(region=township) | Q(region__parent=township))
    if within is not None:
        outlets = outlets.filter(pk__in=list(within))
    return outlets


def outlet_sums(period: Period, outlet_ids: Collection[int] | None) -> dict[int, dict[str, int]]:
    """Each outlet's figures summed over the period (outlets with none left out)."""
    rows = OutletDay.objects.filter(day__gte=period.date_from, day__lte=period.date_to)
    if outlet_ids is not None:
        rows = rows.filter(outlet_id__in=list(outlet_ids))
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for outlet_id, measure, value in (
        rows.order_by().values_list("outlet_id", "measure").annotate(total=Sum("value"))
    ):
        sums[outlet_id][measure] = value
    return sums


def township_name(station: Outlet) -> str:
    """The township a village station is in (its village's parent; load ``region__parent`` with it)."""
    region = station.region.parent or station.region
    return region.name


def _ratio(part: int, whole: int, *, digits: int = 4, scale: int = 1) -> float | None:
    return round(part * scale / whole, digits) if whole else None


def county_figures(
    period: Period,
    *,
    outlet_ids: Collection[int],
    sums: dict[int, dict[str, int]] | None = None,
    station_ids: Collection[int] | None = None,
) -> dict[str, Any]:
    """The dashboard's figures of the period over ``outlet_ids`` (named as :data:`FIGURE_NAMES`);
    ``sums``: their :func:`outlet_sums` of the period, and ``station_ids``: the active village
    stations among them, when the caller has them already (the figures of a year are a scan of every
    outlet's days, so a summary reads them once)."""
    if sums is None:
        sums = outlet_sums(period, outlet_ids)
    stations = set(
        station_ids
        if station_ids is not None
        else Outlet.objects.filter(
            pk__in=list(outlet_ids), kind=OutletKind.VILLAGE_STATION, is_active=True
        ).values_list("pk", flat=True)
    )
    totals: dict[str, int] = defaultdict(int)
    for measures in sums.values():
        for measure, value in measures.items():
            totals[measure] += value
    active = sum(1 for outlet_id in stations if any(sums.get(outlet_id, {}).values()))
    parcels = totals["parcels_up"] + totals["parcels_down"]
    loans = Loan.objects.filter(outlet_id__in=list(outlet_ids))
    start, end = _bounds(period)
    disbursed = loans.filter(disbursed_at__gte=start, disbursed_at__lt=end).aggregate(
        total=Sum("amount_fen")
    )["total"]
    book = loans.filter(status=LoanStatus.ACTIVE).aggregate(
        outstanding=Sum("principal_outstanding_fen"),
        par30=Sum("principal_outstanding_fen", filter=Q(days_past_due__gt=30)),
    )
    outstanding = book["outstanding"] or 0
    return {
        "orders_up": totals["orders_up"],
        "orders_down": totals["orders_down"],
        "gmv_up_fen": totals["gmv_up_fen"],
        "gmv_down_fen": totals["gmv_down_fen"],
        "up_down_ratio": _ratio(totals["gmv_up_fen"], totals["gmv_down_fen"], digits=2),
        "commission_fen": totals["commission_fen"],
        "parcels": parcels,
        "parcels_up": totals["parcels_up"],
        "parcels_down": totals["parcels_down"],
        "parcels_delivered": totals["parcels_delivered"],
        "on_time_rate": _ratio(totals["parcels_on_time"], totals["parcels_delivered"]),
        "loss_damage_per_10k": _ratio(
            totals["claims_loss"] + totals["claims_damage"], parcels, digits=2, scale=10_000
        ),
        "postage_fen": totals["postage_fen"],
        "postage_per_kg_fen": (
            round(totals["postage_fen"] * 1000 / totals["weight_g"]) if totals["weight_g"] else None
        ),
        "claims_paid_fen": totals["claims_paid_fen"],
        "stations": len(stations),
        "active_stations": active,
        "agency_count": totals["agency_count"],
        "agency_fee_fen": totals["agency_fee_fen"],
        "cash_in_fen": totals["cash_in_fen"],
        "cash_out_fen": totals["cash_out_fen"],
        "loans_disbursed_fen": disbursed or 0,
        "loans_outstanding_fen": outstanding,
        "par30_rate": _ratio(book["par30"] or 0, outstanding),
    }


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    return day_bounds(period.date_from, period.date_to)


def trend(current: Any, previous: Any) -> float | None:
    """The change against the previous period as a fraction (0.125 is +12.5 %), or None."""
    if not isinstance(current, int | float) or not isinstance(previous, int | float) or not previous:
        return None
    return round((current - previous) / previous, 4)


@dataclass(frozen=True)
class StationPoint:
    """A station on the map: where it is and how busy it was (orders and parcels in the period)."""

    code: str
    name: str
    township: str
    latitude: float | None
    longitude: float | None
    activity: int
    orders: int
    parcels: int


@dataclass(frozen=True)
class Summary:
    period: Period
    previous: Period
    township: Region | None
    figures: dict[str, Any]
    previous_figures: dict[str, Any]
    trends: dict[str, float | None]
    stations: list[StationPoint]


def county_summary(
    period: Period,
    *,
    township: Region | None = None,
    within: Collection[int] | None = None,
    public: bool = False,
) -> Summary:
    """Everything the dashboard shows: the figures, those of the period before, the trend of each,
    and the stations with their activity. ``public`` leaves out :data:`PRIVATE_FIGURES`."""
    outlets = list(outlets_in(township, within=within).select_related("region", "region__parent"))
    outlet_ids = [outlet.pk for outlet in outlets]
    # The whole county needs no list of its outlets in the query: every row is one of them.
    narrowed = None if township is None and within is None else outlet_ids
    sums = outlet_sums(period, narrowed)
    station_ids = [o.pk for o in outlets if o.kind == OutletKind.VILLAGE_STATION and o.is_active]
    figures = county_figures(period, outlet_ids=outlet_ids, sums=sums, station_ids=station_ids)
    before = county_figures(
        period.previous(),
        outlet_ids=outlet_ids,
        sums=outlet_sums(period.previous(), narrowed),
        station_ids=station_ids,
    )
    if public:
        figures = {name: value for name, value in figures.items() if name not in PRIVATE_FIGURES}
        before = {name: value for name, value in before.items() if name not in PRIVATE_FIGURES}
    stations = []
    for outlet in outlets:
        if outlet.kind != OutletKind.VILLAGE_STATION:
            continue
        measures = sums.get(outlet.pk, {})
        orders = measures.get("orders_up", 0) + measures.get("orders_down", 0)
        parcels = measures.get("parcels_up", 0) + measures.get("parcels_down", 0)
        stations.append(
            StationPoint(
                code=outlet.code,
                name=outlet.name,
                township=township_name(outlet),
                latitude=float(outlet.latitude) if outlet.latitude is not None else None,
                longitude=float(outlet.longitude) if outlet.longitude is not None else None,
                activity=orders + parcels,
                orders=orders,
                parcels=parcels,
            )
        )
    return Summary(
        period=period,
        previous=period.previous(),
        township=township,
        figures=figures,
        previous_figures=before,
        trends={name: trend(figures[name], before.get(name)) for name in figures},
        stations=stations,
    )
