"""Pages of the funds flow: my wallet, an outlet's counter (villager lookup, cash, today's drawer,
receipts, the daily close and its sign-off), the trial balance."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.core.errors import DomainError, NotFound
from siliu.core.money import format_fen
from siliu.core.people import people_search, person_get, person_match
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.finance.forms import CounterCashForm, DayCloseForm, PersonSearchForm
from siliu.finance.receipts import day_close_pdf, receipt_pdf
from siliu.finance.selectors import (
    account_entries,
    account_holds,
    counter_day_get,
    counter_drawer_get,
    counter_line_get,
    counter_outlets,
    day_close_report,
    day_closes_pending,
    trial_balance,
    wallet_get,
)
from siliu.finance.services import (
    outlet_day_close,
    outlet_day_close_sign_off,
    wallet_cash_in,
    wallet_cash_out,
)
from siliu.network.models import Outlet
from siliu.network.selectors import outlet_get


@login_required
def wallet_page(request: HttpRequest) -> HttpResponse:
    wallet = wallet_get(user=request.user)  # type: ignore[arg-type]
    context: dict[str, object] = {"wallet": wallet, "holds": [], "page": None}
    if wallet.account is not None:
        context["holds"] = account_holds(account=wallet.account)
        context["page"] = Paginator(account_entries(account=wallet.account), 30).get_page(
            request.GET.get("page")
        )
    return render(request, "finance/wallet.html", context)


@login_required
def counter_index_page(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Permission.COUNTER_OPERATE):
        raise PermissionDenied(_("只有本网点负责人可以操作柜台现金"))
    outlets = list(counter_outlets(user=request.user)[:200])
    signs_off = user_can(request.user, Permission.COUNTER_SIGN_OFF)
    if len(outlets) == 1 and not signs_off:
        return redirect("finance:counter", code=outlets[0].code)
    return render(request, "finance/counter_index.html", {"outlets": outlets, "signs_off": signs_off})


def _counter_outlet(request: HttpRequest, code: str) -> Outlet:
    """The outlet, if the user may run its counter (``counter.operate`` there); 404/403 otherwise."""
    try:
        outlet = outlet_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    if not user_can_at(request.user, Permission.COUNTER_OPERATE, outlet):
        raise PermissionDenied(_("只有本网点负责人或工作人员可以操作柜台现金"))
    return outlet


def _render_counter(
    request: HttpRequest,
    outlet: Outlet,
    *,
    cash_form: CounterCashForm | None = None,
    close_form: DayCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    day = counter_day_get(outlet=outlet)
    search = PersonSearchForm(request.GET) if "q" in request.GET else PersonSearchForm()
    matches, search_error = [], ""
    if search.is_bound and search.is_valid():
        try:
            matches = people_search(query=search.cleaned_data["q"], actor=request.user)
        except DomainError as error:
            search_error = error.message
    cash_form = cash_form or CounterCashForm()
    chosen_id = str(cash_form["customer"].value() or request.GET.get("customer") or "")
    customer = person_get(user_id=int(chosen_id)) if chosen_id.isdigit() else None
    if customer is not None and not cash_form.is_bound:
        cash_form = CounterCashForm(initial={"customer": customer.pk})
    context = {
        "outlet": outlet,
        "day": day,
        "drawer": counter_drawer_get(outlet=outlet),
        "search": search,
        "matches": matches,
        "search_error": search_error,
        "customer": person_match(customer) if customer is not None else None,
        "cash_form": cash_form,
        "close_form": close_form or DayCloseForm(initial={"business_on": day.business_on}),
    }
    return render(request, "finance/counter.html", context, status=status)


@login_required
def counter_page(request: HttpRequest, code: str) -> HttpResponse:
    return _render_counter(request, _counter_outlet(request, code))


@login_required
@require_POST
def counter_cash_submit(request: HttpRequest, code: str) -> HttpResponse:
    outlet = _counter_outlet(request, code)
    form = CounterCashForm(request.POST)
    if not form.is_valid():
        return _render_counter(request, outlet, cash_form=form, status=400)
    cash_in = form.cleaned_data["direction"] == "in"
    service = wallet_cash_in if cash_in else wallet_cash_out
    try:
        result = service(
            outlet=outlet,
            customer=form.cleaned_data["customer"],
            amount_fen=form.cleaned_data["amount"],
            id=form.cleaned_data["idempotency_key"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_counter(request, outlet, cash_form=form, status=error.http_status)
    text = _("已为 %(user)s 存入 %(amount)s") if cash_in else _("已为 %(user)s 支取 %(amount)s")
    amount = format_fen(form.cleaned_data["amount"])
    messages.success(
        request, text % {"user": person_match(form.cleaned_data["customer"]).name, "amount": amount}
    )
    if result.status == "exists":
        messages.info(request, _("这笔业务此前已办理，未重复记账"))
    return redirect("finance:counter", code=outlet.code)


@login_required
@require_POST
def counter_close_submit(request: HttpRequest, code: str) -> HttpResponse:
    """The count (first post) is shown as the day's report to confirm; the confirmed post closes."""
    outlet = _counter_outlet(request, code)
    form = DayCloseForm(request.POST)
    if not form.is_valid():
        return _render_counter(request, outlet, close_form=form, status=400)
    business_on = form.cleaned_data["business_on"]
    counted_fen = form.cleaned_data["counted_cash"]
    if not form.cleaned_data["confirm"]:
        report = day_close_report(outlet=outlet, business_on=business_on, counted_fen=counted_fen)
        context = {"outlet": outlet, "report": report, "counted_cash": request.POST.get("counted_cash", "")}
        return render(request, "finance/counter_close_confirm.html", context)
    try:
        close = outlet_day_close(
            outlet=outlet, business_on=business_on, counted_cash_fen=counted_fen, actor=request.user
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_counter(request, outlet, close_form=form, status=error.http_status)
    text = _("%(day)s 已日结：账面 %(expected)s，实点 %(counted)s，长短款 %(difference)s")
    if close.needs_sign_off:
        text = _(
            "%(day)s 已提交日结：账面 %(expected)s，实点 %(counted)s，"
            "长短款 %(difference)s 超过限额，待县级管理员签核"
        )
    messages.success(
        request,
        text
        % {
            "day": close.business_on.isoformat(),
            "expected": format_fen(close.expected_cash_fen),
            "counted": format_fen(close.counted_cash_fen),
            "difference": format_fen(close.difference_fen),
        },
    )
    return redirect("finance:counter", code=outlet.code)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def counter_receipt_pdf(request: HttpRequest, code: str, transfer_id: str) -> HttpResponse:
    """The 58 mm receipt of one movement of the outlet's drawer (its operator)."""
    outlet = _counter_outlet(request, code)
    try:
        line = counter_line_get(outlet=outlet, transfer_id=transfer_id)
    except NotFound as error:
        raise Http404(error.message) from None
    return _pdf(receipt_pdf(outlet=outlet, line=line), "receipt.pdf")


def _close_outlet(request: HttpRequest, code: str) -> Outlet:
    """The outlet, if the user runs its counter or signs off its closes; 404/403 otherwise."""
    try:
        outlet = outlet_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    if not (
        user_can_at(request.user, Permission.COUNTER_OPERATE, outlet)
        or user_can_at(request.user, Permission.COUNTER_SIGN_OFF, outlet)
    ):
        raise PermissionDenied(_("只有本网点工作人员或本县县级管理员可以查看日结"))
    return outlet


@login_required
def day_close_report_pdf(request: HttpRequest, code: str, day: str) -> HttpResponse:
    """The day close report, 58 mm, for the outlet's operator and its county manager."""
    outlet = _close_outlet(request, code)
    try:
        business_on = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404(_("日期格式应为 YYYY-MM-DD")) from None
    report = day_close_report(outlet=outlet, business_on=business_on)
    return _pdf(day_close_pdf(report=report), f"day-close-{outlet.code}-{business_on.isoformat()}.pdf")


@login_required
def day_close_sign_offs_page(request: HttpRequest) -> HttpResponse:
    """Day closes waiting for the county manager's sign-off, each with its report."""
    if not user_can(request.user, Permission.COUNTER_SIGN_OFF):
        raise PermissionDenied(_("只有县级管理员可以签核日结"))
    reports = [
        day_close_report(outlet=close.outlet, business_on=close.business_on)
        for close in day_closes_pending(actor=request.user)[:50]
    ]
    return render(request, "finance/day_close_sign_offs.html", {"reports": reports})


@login_required
@require_POST
def day_close_sign_off_submit(request: HttpRequest, code: str, day: str) -> HttpResponse:
    try:
        outlet = outlet_get(code=code)
        business_on = datetime.date.fromisoformat(day)
    except (NotFound, ValueError):
        raise Http404(_("没有这个网点或日期")) from None
    try:
        sign_off = outlet_day_close_sign_off(outlet=outlet, business_on=business_on, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        if error.http_status == 403:
            raise PermissionDenied(error.message) from None
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            _("已签核 %(outlet)s %(day)s 的日结，长短款 %(difference)s 已入账")
            % {
                "outlet": outlet.name,
                "day": business_on.isoformat(),
                "difference": format_fen(sign_off.close.difference_fen),
            },
        )
    return redirect("finance:day-close-sign-offs")


@login_required
def trial_balance_page(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Permission.LEDGER_READ):
        raise PermissionDenied(_("需要审计员角色"))
    return render(request, "finance/trial_balance.html", {"balance": trial_balance(), "now": timezone.now()})
