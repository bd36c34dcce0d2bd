"""合作共赢 (the win-win scorecard) under ``/insight/scorecard/``: the page, its exports (Excel, CSV) and
the monthly PDF report, for who holds ``insight.read`` (a county manager: their county)."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.core.permissions import Permission, user_can, user_outlet_ids
from siliu.insight.downloads import table_download
from siliu.insight.scorecard.exports import scorecard_csv, scorecard_xlsx
from siliu.insight.scorecard.report import monthly_report_pdf
from siliu.insight.scorecard.selectors import (
    Scorecard,
    monthly_report,
    report_month_parse,
    scorecard_build,
    scorecard_year_parse,
    scorecard_years,
)


@dataclass(frozen=True)
class Column:
    """A table's column header: its label and, if it sorts, the link that sorts by it and how the table
    is sorted by it now."""

    label: str
    end: bool = False
    url: str = ""
    state: str = ""  # "ascending", "descending" or ""


def _columns(
    request: HttpRequest, param: str, current: str, columns: list[tuple[str, str | None, bool]]
) -> list[Column]:
    """``columns`` as ``(label, sort key or None, right-aligned)`` → headers linking to the same page
    sorted by each key, the other query parameters kept."""
    headers = []
    for label, key, end in columns:
        if key is None:
            headers.append(Column(label, end))
            continue
        query = request.GET.copy()
        # Names A to Z first, figures largest first; a second click turns the order round.
        first = key if key == "name" else f"-{key}"
        flipped = f"-{key}" if first == key else key
        query[param] = flipped if current == first else first
        state = {key: "ascending", f"-{key}": "descending"}.get(current, "")
        headers.append(Column(label, end, f"?{query.urlencode()}", state))
    return headers


def report_url(month: datetime.date) -> str:
    return reverse("insight:scorecard-report", kwargs={"year": f"{month:%Y}", "month": f"{month:%m}"})


def _outlets(request: HttpRequest) -> frozenset[int] | None:
    if not user_can(request.user, Permission.INSIGHT_READ):
        raise PermissionDenied(Permission.INSIGHT_READ.label)
    return user_outlet_ids(request.user, Permission.INSIGHT_READ)


def _reader(request: HttpRequest) -> AbstractBaseUser:
    assert isinstance(request.user, AbstractBaseUser)  # login_required
    return request.user


def _scorecard(request: HttpRequest, today: datetime.date) -> Scorecard:
    """The scorecard the query asks for (``year``, ``sort``, ``farmer_sort``); raises ``ValidationFailed``."""
    outlet_ids = _outlets(request)
    return scorecard_build(
        year=scorecard_year_parse(request.GET.get("year"), today=today),
        today=today,
        outlet_ids=outlet_ids,
        station_sort=request.GET.get("sort"),
        farmer_sort=request.GET.get("farmer_sort"),
        reader=_reader(request),
    )


@login_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """The three tables of the year (stations, farmers, revenue by line), sortable, with the exports and
    the monthly report's link."""
    today = timezone.localdate()
    try:
        card = _scorecard(request, today)
    except ValidationFailed as error:
        card = None
        problem = error.message
    else:
        problem = ""
    previous_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    year = card.span.year if card is not None else today.year
    return render(
        request,
        "insight/scorecard/scorecard.html",
        {
            "card": card,
            "year": year,
            "station_columns": _columns(
                request,
                "sort",
                card.station_sort if card else "",
                [
                    (_("村级服务站"), "name", False),
                    (_("乡镇"), None, False),
                    (_("订单佣金"), "commission_fen", True),
                    (_("邮费"), "postage_fen", True),
                    (_("代理佣金"), "agency_commission_fen", True),
                    (_("带来收入合计"), "brought_in_fen", True),
                    (_("服务村民"), "villagers", True),
                    (_("订单（上行/下行）"), "orders", True),
                    (_("邮件"), "parcels", True),
                ],
            ),
            "farmer_columns": _columns(
                request,
                "farmer_sort",
                card.farmer_sort if card else "",
                [
                    (_("卖家"), "name", False),
                    (_("发货网点"), None, False),
                    (_("%(year)d年收入") % {"year": year}, "income_fen", True),
                    (_("去年同期"), "last_income_fen", True),
                    (_("增减"), "change_fen", True),
                    (_("增减幅度"), None, True),
                ],
            ),
            "problem": problem,
            "years": scorecard_years(today=today),
            "this_month": f"{today:%Y-%m}",
            "report_month": f"{previous_month:%Y-%m}",
            "report_url": report_url(previous_month),
        },
        status=400 if card is None else 200,
    )


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    today = timezone.localdate()
    try:
        card = _scorecard(request, today)
    except ValidationFailed as error:
        return HttpResponseBadRequest(error.message)
    return table_download(
        name=f"scorecard-{card.span.year}",
        kind=kind,
        xlsx=lambda: scorecard_xlsx(card),
        csv=lambda: scorecard_csv(card),
    )


@login_required
def scorecard_xlsx_export(request: HttpRequest) -> HttpResponse:
    """The year's three tables as an Excel workbook, one sheet each (amounts in yuan, exact)."""
    return _export(request, "xlsx")


@login_required
def scorecard_csv_export(request: HttpRequest) -> HttpResponse:
    """The year's three tables as one CSV file (UTF-8 with a byte-order mark, for Excel)."""
    return _export(request, "csv")


@login_required
def report_pdf(request: HttpRequest, year: str, month: str) -> HttpResponse:
    """The monthly report (月报) of ``report-YYYY-MM.pdf`` as a PDF, for the county manager to hand upward."""
    outlet_ids = _outlets(request)
    today = timezone.localdate()
    try:
        first = report_month_parse(int(year), int(month), today=today)
    except ValidationFailed as error:
        return HttpResponseBadRequest(error.message)
    report = monthly_report(month=first, today=today, outlet_ids=outlet_ids, reader=_reader(request))
    response = HttpResponse(monthly_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{first:%Y-%m}.pdf"'
    return response


@login_required
def report_for_month(request: HttpRequest) -> HttpResponse:
    """``?month=YYYY-MM`` (the page's month picker) → that month's report."""
    _outlets(request)
    value = request.GET.get("month", "")
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
    except ValueError:
        return HttpResponseBadRequest(_("月份格式应为 YYYY-MM"))
    return redirect(report_url(month))
