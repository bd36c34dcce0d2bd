"""群众诉求月报, for anyone: a month's requests by category and township, the share resolved in time
and the average rating, with no personal data; rate-limited like 县域概况."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from siliu.appeals.public.selectors import month_choices, month_figures, this_month
from siliu.core.errors import ValidationFailed
from siliu.core.ratelimit import rate_limited_page


@rate_limited_page()
def monthly_page(request: HttpRequest) -> HttpResponse:
    """The month of ``?month=YYYY-MM`` (this month by default)."""
    month = request.GET.get("month") or this_month()
    try:
        figures = month_figures(month=month)
    except ValidationFailed as error:
        return render(
            request,
            "appeals/public/monthly.html",
            {"error": error.message, "months": month_choices(), "month": this_month()},
            status=400,
        )
    return render(
        request,
        "appeals/public/monthly.html",
        {"figures": figures, "months": month_choices(), "month": month},
    )
