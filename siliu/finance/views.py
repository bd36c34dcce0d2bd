"""Pages of the funds flow: my wallet, an outlet's counter (cash and daily close), the trial balance."""

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
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.finance.forms import CounterCashForm, DayCloseForm
from siliu.finance.selectors import (
    account_entries,
    account_holds,
    counter_day_get,
    counter_outlets,
    trial_balance,
    wallet_get,
)
from siliu.finance.services import outlet_day_close, wallet_cash_in, wallet_cash_out
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
    if len(outlets) == 1:
        return redirect("finance:counter", code=outlets[0].code)
    return render(request, "finance/counter_index.html", {"outlets": outlets})


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
    context = {
        "outlet": outlet,
        "day": day,
        "cash_form": cash_form or CounterCashForm(),
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
            customer=form.cleaned_data["username"],
            amount_fen=form.cleaned_data["amount"],
            id=form.cleaned_data["idempotency_key"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_counter(request, outlet, cash_form=form, status=error.http_status)
    text = _("已为 %(user)s 存入 %(amount)s") if cash_in else _("已为 %(user)s 支取 %(amount)s")
    amount = format_fen(form.cleaned_data["amount"])
    messages.success(request, text % {"user": form.cleaned_data["username"].get_username(), "amount": amount})
    if result.status == "exists":
        messages.info(request, _("这笔业务此前已办理，未重复记账"))
    return redirect("finance:counter", code=outlet.code)


@login_required
@require_POST
def counter_close_submit(request: HttpRequest, code: str) -> HttpResponse:
    outlet = _counter_outlet(request, code)
    form = DayCloseForm(request.POST)
    if not form.is_valid():
        return _render_counter(request, outlet, close_form=form, status=400)
    try:
        close = outlet_day_close(
            outlet=outlet,
            business_on=form.cleaned_data["business_on"],
            counted_cash_fen=form.cleaned_data["counted_cash"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_counter(request, outlet, close_form=form, status=error.http_status)
    messages.success(
        request,
        _("%(day)s 已日结：账面 %(expected)s，实点 %(counted)s，长短款 %(difference)s")
        % {
            "day": close.business_on.isoformat(),
            "expected": format_fen(close.expected_cash_fen),
            "counted": format_fen(close.counted_cash_fen),
            "difference": format_fen(close.difference_fen),
        },
    )
    return redirect("finance:counter", code=outlet.code)


@login_required
def trial_balance_page(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Permission.LEDGER_READ):
        raise PermissionDenied(_("需要审计员角色"))
    return render(request, "finance/trial_balance.html", {"balance": trial_balance(), "now": timezone.now()})
