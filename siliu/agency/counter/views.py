"""代理业务 at the station counter (``/agency/``): pick a service, type the account and amount, check the
fee and what to collect or hand over, confirm; the transaction's page prints its receipt and can reverse
it the same day. Everyone who runs a counter with agency services (``agency.operate``) reaches it
from the menu."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.agency.catalogue import (
    AgencyService,
    AgencyTransaction,
    Direction,
    FeePayer,
    PaidWith,
    TransactionStatus,
)
from siliu.agency.counter.forms import AgencyForm
from siliu.agency.counter.receipts import agency_receipt_pdf, agency_receipt_rows
from siliu.agency.counter.selectors import (
    agency_day_get,
    agency_outlets,
    agency_transaction_get,
    outlet_services,
)
from siliu.agency.counter.services import agency_transact, agency_transaction_reverse, amounts_compute
from siliu.core.errors import DomainError, NotFound
from siliu.core.people import people_search, person_get, person_match
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.finance.forms import PersonSearchForm
from siliu.network.models import Outlet
from siliu.network.selectors import outlet_get

#: The service's error fields, as the form names them.
_FORM_FIELDS = {"amount_fen": "amount", "service": "service", "account": "account", "paid_with": "paid_with"}


@login_required
def agency_index_page(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Permission.AGENCY_OPERATE):
        raise PermissionDenied(_("只有开办代理业务的站点工作人员可以办理"))
    outlets = list(agency_outlets(user=request.user)[:200])
    if len(outlets) == 1:
        return redirect("agency:counter", code=outlets[0].code)
    return render(request, "agency/counter/index.html", {"outlets": outlets})


def _outlet(request: HttpRequest, code: str) -> Outlet:
    try:
        outlet = outlet_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    if not user_can_at(request.user, Permission.AGENCY_OPERATE, outlet):
        raise PermissionDenied(_("只能在自己的站点办理代理业务"))
    return outlet


def _preview(service: AgencyService, amount_fen: int) -> dict[str, object]:
    """The fee and what changes hands, as the confirmation shows them (the service books the same)."""
    amounts = amounts_compute(service=service, amount_fen=amount_fen)
    return {
        "fee_fen": amounts.fee_fen,
        "customer_pays_fee": service.fee_payer == FeePayer.CUSTOMER,
        "station_fee_fen": amounts.station_fee_fen,
        "customer_fen": amounts.customer_fen,
        "payout": service.is_payout,
    }


def _render(
    request: HttpRequest, outlet: Outlet, form: AgencyForm, *, status: int = 200, **extra: object
) -> HttpResponse:
    search = PersonSearchForm(request.GET) if "q" in request.GET else PersonSearchForm()
    matches, search_error = [], ""
    if search.is_bound and search.is_valid():
        try:
            matches = people_search(query=search.cleaned_data["q"], actor=request.user)
        except DomainError as error:
            search_error = error.message
    chosen_id = str(form["customer"].value() or request.GET.get("customer") or "")
    customer = person_get(user_id=int(chosen_id)) if chosen_id.isdigit() else None
    context = {
        "outlet": outlet,
        "form": form,
        "service": form.chosen,
        "day": agency_day_get(outlet=outlet),
        "search": search,
        "matches": matches,
        "search_error": search_error,
        "customer": person_match(customer) if customer is not None else None,
        "customer_id": customer.pk if customer is not None else "",
        **extra,
    }
    return render(request, "agency/counter/counter.html", context, status=status)


@login_required
def agency_counter_page(request: HttpRequest, code: str) -> HttpResponse:
    outlet = _outlet(request, code)
    initial: dict[str, object] = {}
    if request.GET.get("service"):
        initial["service"] = request.GET["service"]
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
        initial["paid_with"] = PaidWith.WALLET
    return _render(request, outlet, AgencyForm(initial=initial, services=outlet_services(outlet=outlet)))


@login_required
@require_POST
def agency_counter_submit(request: HttpRequest, code: str) -> HttpResponse:
    """The first post shows the confirmation (fee, what to collect or hand over); the second books."""
    outlet = _outlet(request, code)
    form = AgencyForm(request.POST, services=outlet_services(outlet=outlet))
    if not form.is_valid():
        return _render(request, outlet, form, status=400)
    data = form.cleaned_data
    service = form.services[data["service"]]
    if data["paid_with"] == PaidWith.WALLET and data["customer"] is None:
        form.add_error("paid_with", _("钱包支付须先查找并选择客户本人"))
        return _render(request, outlet, form, status=400)
    if not data["confirm"]:
        return _render(request, outlet, form, confirming=_preview(service, data["amount"]))
    try:
        made = agency_transact(
            outlet=outlet,
            service_code=service.code,
            account=data["account"],
            amount_fen=data["amount"],
            paid_with=data["paid_with"],
            customer=data["customer"],
            customer_name=data["customer_name"],
            number=data["number"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error(_FORM_FIELDS.get(error.field or ""), error.message)
        return _render(request, outlet, form, status=error.http_status)
    messages.success(request, _("已办理：%(service)s") % {"service": service.name})
    return redirect("agency:transaction", code=outlet.code, number=made.number)


def _transaction(request: HttpRequest, code: str, number: str) -> tuple[Outlet, AgencyTransaction]:
    outlet = _outlet(request, code)
    try:
        made = agency_transaction_get(number=number, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    if made.outlet_id != outlet.pk:
        raise Http404(_("本站没有这笔代理业务"))
    return outlet, made


@login_required
def agency_transaction_page(request: HttpRequest, code: str, number: str) -> HttpResponse:
    outlet, made = _transaction(request, code, number)
    context = {
        "outlet": outlet,
        "made": made,
        "rows": agency_receipt_rows(made=made),
        "reversible": made.status == TransactionStatus.DONE and made.business_on == timezone.localdate(),
    }
    return render(request, "agency/counter/transaction.html", context)


@login_required
def agency_receipt_view(request: HttpRequest, code: str, number: str) -> HttpResponse:
    _outlet_row, made = _transaction(request, code, number)
    response = HttpResponse(agency_receipt_pdf(made=made), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agency-{made.number}.pdf"'
    return response


@login_required
@require_POST
def agency_reverse_submit(request: HttpRequest, code: str, number: str) -> HttpResponse:
    outlet, made = _transaction(request, code, number)
    try:
        agency_transaction_reverse(
            number=made.number, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("agency:transaction", code=outlet.code, number=made.number)
    if made.direction == Direction.PAYMENT:
        messages.success(request, _("已冲正，请将款项退还客户"))
    else:
        messages.success(request, _("已冲正，请收回付给客户的现金"))
    return redirect("agency:transaction", code=outlet.code, number=made.number)
