"""The public face of the exhibitions (no personal data, rate-limited): the exhibitions held in a year,
and the coverage map and table of the villages that have had one and those that have not."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.core.ratelimit import rate_limited_page
from siliu.network.models import Region
from siliu.network.selectors import township_list
from siliu.outreach.coverage.selectors import (
    coverage_for_year,
    coverage_map_data,
    coverage_year_check,
    coverage_years,
)
from siliu.outreach.exhibitions.selectors import exhibitions_held


@dataclass(frozen=True)
class Filters:
    """The year and township asked for (``?year=&township=``), and whether the asking was bad."""

    year: int
    township: str
    townships: list[Region]
    status: int


def _filters(request: HttpRequest) -> Filters:
    status = 200
    try:
        year = coverage_year_check(request.GET.get("year"))
    except ValidationFailed as error:
        messages.error(request, error.message)
        year, status = coverage_year_check(None), 400
    townships = list(township_list())
    township = request.GET.get("township", "")
    if township and township not in {region.code for region in townships}:
        messages.error(request, _("没有这个乡镇"))
        township, status = "", 400
    return Filters(year=year, township=township, townships=townships, status=status)


@rate_limited_page()
def outreach_home_page(request: HttpRequest) -> HttpResponse:
    """邮票上的党史: the exhibitions held in a year (this one unless ``?year=``), in the county or a
    township, with the year's totals."""
    filters = _filters(request)
    return render(
        request,
        "outreach/coverage/home.html",
        {
            "filters": filters,
            "years": coverage_years(),
            "held": exhibitions_held(year=filters.year, township_code=filters.township),
            "coverage": coverage_for_year(year=filters.year, township_code=filters.township),
        },
        status=filters.status,
    )


@rate_limited_page()
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Which villages have had an exhibition held in the year and which have not: the map (covered
    green, not yet grey) and, per township, its villages, the covered ones and the share."""
    filters = _filters(request)
    coverage = coverage_for_year(year=filters.year, township_code=filters.township)
    return render(
        request,
        "outreach/coverage/coverage.html",
        {
            "filters": filters,
            "years": coverage_years(),
            "coverage": coverage,
            "map_data": coverage_map_data(coverage),
        },
        status=filters.status,
    )
