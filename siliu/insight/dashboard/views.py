"""县域统计 (``/insight/``, ``insight.read``): the county's figures for a period and a township, grouped by
flow with their trends, a chart of up against down, the stations on a map and in a table, and the same
as CSV and XLSX; and 县域概况 (``/county/``), the public page: no login, no cash, no loans, no person.

Both read :func:`~siliu.insight.dashboard.selectors.county_summary`; a bad date, period or township
is shown on the page with status 400.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.core.permissions import Permission, user_can, user_outlet_ids
from siliu.core.ratelimit import rate_limited_page
from siliu.insight.dashboard.exports import FIGURE_GROUPS, figure_lines, summary_csv, summary_xlsx
from siliu.insight.dashboard.selectors import (
    StationPoint,
    Summary,
    county_summary,
    period_parse,
    township_parse,
)
from siliu.insight.downloads import table_download
from siliu.network.models import Region
from siliu.network.selectors import township_list

#: Activity levels of the map's stations: none, then the thirds of the busiest station's activity.
ACTIVITY_LEVELS = 3


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user_can(user, Permission.INSIGHT_READ):
        raise PermissionDenied(Permission.INSIGHT_READ.label)
    return user


def _townships(within: frozenset[int] | None) -> list[Region]:
    """The townships with an outlet among ``within`` (None: every township with an outlet)."""
    townships = township_list()
    if within is not None:
        townships = townships.filter(Q(outlets__in=within) | Q(children__outlets__in=within)).distinct()
    return list(townships)


def _summary(
    request: HttpRequest, *, townships: list[Region], within: frozenset[int] | None, public: bool
) -> Summary:
    """The summary the GET parameters ask for. Raises ``ValidationFailed`` for a bad date or period,
    or a township that is not among ``townships`` (the user's)."""
    period = period_parse(
        request.GET.get("date_from"), request.GET.get("date_to"), today=timezone.localdate()
    )
    township = township_parse(request.GET.get("township"))
    if township is not None and township not in townships:
        raise ValidationFailed("unknown_township", _("没有这个乡镇"), field="township")
    return county_summary(period, township=township, within=within, public=public)


def _activity_levels(stations: list[StationPoint]) -> tuple[list[str], list[int]]:
    """The legend of the map's colours and each station's level in it: 0 for no business, then 1…3 for
    the thirds of the busiest station's activity."""
    busiest = max((station.activity for station in stations), default=0)
    levels = [-(-station.activity * ACTIVITY_LEVELS // busiest) if busiest else 0 for station in stations]
    labels = [_("无业务")]
    names = [_("较少"), _("一般"), _("较多")]
    for level in range(1, ACTIVITY_LEVELS + 1):
        low = (level - 1) * busiest // ACTIVITY_LEVELS + 1
        high = level * busiest // ACTIVITY_LEVELS
        name = names[level - 1]
        if low < high:
            name = _("%(name)s（%(low)d–%(high)d）") % {"name": name, "low": low, "high": high}
        elif low == high:
            name = _("%(name)s（%(count)d）") % {"name": name, "count": low}
        labels.append(name)
    return labels, levels


def _context(summary: Summary) -> dict[str, Any]:
    lines = {line.name: line for line in figure_lines(summary)}
    groups = [
        {"key": key, "title": title, "lines": [lines[name] for name in names if name in lines]}
        for key, title, names in FIGURE_GROUPS
    ]
    labels, levels = _activity_levels(summary.stations)
    figures, previous = summary.figures, summary.previous_figures
    return {
        "summary": summary,
        "groups": [group for group in groups if group["lines"]],
        "stations": sorted(summary.stations, key=lambda station: (-station.activity, station.code)),
        "flows_chart": {
            "labels": [_("上行（农产品进城）"), _("下行（工业品下乡）")],
            "series": [
                {
                    "name": _("本期"),
                    "yuan": [figures["gmv_up_fen"] / 100, figures["gmv_down_fen"] / 100],
                },
                {
                    "name": _("上期"),
                    "yuan": [previous["gmv_up_fen"] / 100, previous["gmv_down_fen"] / 100],
                },
            ],
        },
        "stations_map": {
            "levels": labels,
            "labels": {"orders": _("订单"), "parcels": _("邮件")},
            "stations": [
                {
                    "name": station.name,
                    "code": station.code,
                    "township": station.township,
                    "value": [station.longitude, station.latitude],
                    "orders": station.orders,
                    "parcels": station.parcels,
                    "level": level,
                }
                for station, level in zip(summary.stations, levels, strict=True)
                if station.longitude is not None and station.latitude is not None
            ],
        },
    }


def _page(
    request: HttpRequest, template: str, *, within: frozenset[int] | None, public: bool
) -> HttpResponse:
    townships = _townships(within)
    context: dict[str, Any] = {
        "townships": townships,
        "form": {key: request.GET.get(key, "") for key in ("date_from", "date_to", "township")},
    }
    try:
        summary = _summary(request, townships=townships, within=within, public=public)
    except ValidationFailed as error:
        context["error"] = error.message
        return render(request, template, context, status=400)
    context.update(_context(summary))
    context["form"] = {
        "date_from": f"{summary.period.date_from:%Y-%m-%d}",
        "date_to": f"{summary.period.date_to:%Y-%m-%d}",
        "township": summary.township.code if summary.township else "",
    }
    context["query"] = request.GET.urlencode()
    return render(request, template, context)


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """县域统计: the figures of the user's outlets (a county manager's county; everywhere for auditors and
    finance) for the period (default the thirty days ending today) and township asked for."""
    user = _reader(request)
    return _page(
        request,
        "insight/dashboard/dashboard.html",
        within=user_outlet_ids(user, Permission.INSIGHT_READ),
        public=False,
    )


@rate_limited_page()
def county_page(request: HttpRequest) -> HttpResponse:
    """县域概况, for anyone: the county's or a township's trade, parcels and stations, without the
    counters' cash or the loans."""
    return _page(request, "insight/dashboard/county.html", within=None, public=True)


def _export(request: HttpRequest, extension: str) -> HttpResponse:
    user = _reader(request)
    within = user_outlet_ids(user, Permission.INSIGHT_READ)
    try:
        summary = _summary(request, townships=_townships(within), within=within, public=False)
    except ValidationFailed as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    scope = summary.township.code if summary.township else "county"
    return table_download(
        name=f"insight-{scope}-{summary.period.date_from:%Y%m%d}-{summary.period.date_to:%Y%m%d}",
        kind=extension,
        xlsx=lambda: summary_xlsx(summary),
        csv=lambda: summary_csv(summary),
    )


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures and station table as CSV (same parameters as the page)."""
    return _export(request, "csv")


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures and station table as an XLSX workbook (same parameters as the page)."""
    return _export(request, "xlsx")
