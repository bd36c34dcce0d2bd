"""Pages of lending: the loan products on offer and the schedule calculator."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from siliu.core.errors import ValidationFailed
from siliu.lending.forms import CalculatorForm
from siliu.lending.products import LoanProduct, RepaymentMethod
from siliu.lending.schedules import MAX_TERM_MONTHS, Schedule, schedule_build
from siliu.lending.selectors import loan_product_list

#: Which form field answers for a field :func:`schedule_build` refuses.
_FORM_FIELDS = {
    "method": "method",
    "amount_fen": "amount",
    "annual_rate_bp": "rate_percent",
    "term_months": "term_months",
    "start_date": "start_date",
    "harvest_months": "harvest_months",
}
#: The slider's range (yuan) when no product is chosen.
_SLIDER_YUAN = (1_000, 500_000)


@login_required
def products_page(request: HttpRequest) -> HttpResponse:
    return render(request, "lending/products.html", {"products": list(loan_product_list())})


@login_required
def calculator_page(request: HttpRequest) -> HttpResponse:
    products = [p for p in loan_product_list() if p.method != RepaymentMethod.CREDIT_LINE]
    today = timezone.localdate().isoformat()
    data: dict[str, str] | QueryDict
    if request.GET:
        data = request.GET.copy()
        data["start_date"] = data.get("start_date") or today
    else:
        # The example until the borrower asks for something else.
        data = {
            "method": RepaymentMethod.EQUAL_INSTALLMENT,
            "rate_percent": "12",
            "amount": "10000",
            "term_months": "12",
            "start_date": today,
        }
    form = CalculatorForm(data, products=products)
    schedule: Schedule | None = None
    if form.is_valid():
        try:
            schedule = schedule_build(
                method=form.cleaned_data["method"],
                amount_fen=form.cleaned_data["amount"],
                annual_rate_bp=form.annual_rate_bp,
                term_months=form.cleaned_data["term_months"],
                start_date=form.cleaned_data["start_date"],
                harvest_months=form.cleaned_data["harvest_months"],
            )
        except ValidationFailed as error:
            form.add_error(_FORM_FIELDS.get(error.field or ""), error.message)
    product = form.products.get(str(data.get("product") or ""))
    return render(
        request,
        "lending/calculator.html",
        {
            "form": form,
            "product": product,
            "schedule": schedule,
            "chart": _chart_data(schedule) if schedule else None,
            "slider": _slider(product),
        },
    )


def _slider(product: LoanProduct | None) -> dict[str, int]:
    if product is None:
        low, high = _SLIDER_YUAN
        return {
            "amount_min": low,
            "amount_max": high,
            "amount_step": 100,
            "term_min": 1,
            "term_max": MAX_TERM_MONTHS,
        }
    return {
        "amount_min": product.min_amount_fen // 100,
        "amount_max": product.max_amount_fen // 100,
        "amount_step": 100,
        "term_min": min(product.term_months),
        "term_max": max(product.term_months),
    }


def _chart_data(schedule: Schedule) -> dict[str, list[object]]:
    """Yuan per installment for the stacked bars (the table beside it holds the exact fen)."""
    rows = schedule.installments
    return {
        "labels": [row.n for row in rows],
        "principal": [row.principal_fen / 100 for row in rows],
        "interest": [row.interest_fen / 100 for row in rows],
    }
