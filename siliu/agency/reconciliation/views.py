"""代理对账 pages (``/agency/reconciliation/``): the providers a county manager (or finance) reconciles with
their last statement days; a provider's statements and the import of a file; a statement with its
counts, totals and mismatches, a resolution form for each, and the settlement with a confirmation.
Auditors read them all (``agency.read``); only ``agency.reconcile`` writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.agency.catalogue import Provider
from siliu.agency.reconciliation.forms import MismatchResolveForm, StatementImportForm, StatementSettleForm
from siliu.agency.reconciliation.models import ItemKind
from siliu.agency.reconciliation.selectors import (
    item_get,
    provider_get,
    provider_overview,
    provider_statements,
    provider_within,
    statement_get,
    statement_summary,
)
from siliu.agency.reconciliation.services import mismatch_resolve, statement_import, statement_settle
from siliu.agency.reconciliation.statement_file import StatementRefused
from siliu.core.errors import DomainError, NotFound
from siliu.core.permissions import Permission, user_can


def _reader(request: HttpRequest) -> None:
    if not (
        user_can(request.user, Permission.AGENCY_READ) or user_can(request.user, Permission.AGENCY_RECONCILE)
    ):
        raise PermissionDenied(_("只有县域经理、财务和审计人员可以查看代理对账"))


def _reconciler(request: HttpRequest) -> None:
    if not user_can(request.user, Permission.AGENCY_RECONCILE):
        raise PermissionDenied(_("只有县域经理和财务人员可以办理代理对账"))


def _provider(request: HttpRequest, code: str) -> Provider:
    try:
        return provider_get(code=code, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None


def counts_text(counts: dict[str, int]) -> str:
    """The import's result in words: how many of each kind."""
    return "，".join(f"{kind.label} {counts.get(kind.value, 0)}" for kind in ItemKind)


@login_required
def reconciliation_index_page(request: HttpRequest) -> HttpResponse:
    _reader(request)
    context = {
        "overview": provider_overview(actor=request.user),
        "can_reconcile": user_can(request.user, Permission.AGENCY_RECONCILE),
    }
    return render(request, "agency/reconciliation/index.html", context)


def _provider_render(
    request: HttpRequest, provider: Provider, form: StatementImportForm, *, status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "provider": provider,
        "statements": provider_statements(provider=provider),
        "form": form,
        "can_reconcile": provider_within(request.user, Permission.AGENCY_RECONCILE, provider),
        **extra,
    }
    return render(request, "agency/reconciliation/provider.html", context, status=status)


@login_required
def reconciliation_provider_page(request: HttpRequest, code: str) -> HttpResponse:
    _reader(request)
    provider = _provider(request, code)
    return _provider_render(request, provider, StatementImportForm())


@login_required
@require_POST
def reconciliation_import_submit(request: HttpRequest, code: str) -> HttpResponse:
    _reconciler(request)
    provider = _provider(request, code)
    form = StatementImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _provider_render(request, provider, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = statement_import(
            provider=provider,
            business_on=form.cleaned_data["business_on"],
            content=upload.read(),
            file_name=upload.name or "",
            actor=request.user,
        )
    except StatementRefused as error:
        return _provider_render(
            request, provider, form, status=400, line_errors=error.line_errors, refusal=error.message
        )
    except DomainError as error:
        form.add_error("business_on" if error.field == "business_on" else "file", error.message)
        return _provider_render(request, provider, form, status=error.http_status)
    if result.created:
        messages.success(
            request,
            _("已导入对账单 %(n)d 行：%(counts)s")
            % {"n": result.statement.line_count, "counts": counts_text(result.counts)},
        )
    else:
        messages.info(
            request, _("这个文件已导入过，未作改动：%(counts)s") % {"counts": counts_text(result.counts)}
        )
    return redirect("agency:reconciliation-statement", statement_id=result.statement.pk)


def _statement_render(
    request: HttpRequest, statement_id: int, *, status: int = 200, **extra: object
) -> HttpResponse:
    try:
        statement = statement_get(statement_id=statement_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    summary = statement_summary(statement=statement)
    context = {
        "statement": statement,
        "summary": summary,
        "can_reconcile": provider_within(request.user, Permission.AGENCY_RECONCILE, statement.provider),
        "settle_form": extra.pop("settle_form", None) or StatementSettleForm(),
        **extra,
    }
    return render(request, "agency/reconciliation/statement.html", context, status=status)


@login_required
def reconciliation_statement_page(request: HttpRequest, statement_id: int) -> HttpResponse:
    _reader(request)
    return _statement_render(request, statement_id)


@login_required
@require_POST
def reconciliation_resolve_submit(request: HttpRequest, item_id: int) -> HttpResponse:
    _reconciler(request)
    try:
        item = item_get(item_id=item_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    form = MismatchResolveForm(request.POST)
    if not form.is_valid():
        return _statement_render(
            request, item.statement_id, status=400, failed_item=item.pk, resolve_form=form
        )
    try:
        mismatch_resolve(
            item=item,
            resolution=form.cleaned_data["resolution"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error("note" if error.field == "note" else "resolution", error.message)
        return _statement_render(
            request, item.statement_id, status=error.http_status, failed_item=item.pk, resolve_form=form
        )
    messages.success(request, _("已处理流水号 %(number)s 的差错") % {"number": item.number})
    return redirect("agency:reconciliation-statement", statement_id=item.statement_id)


@login_required
@require_POST
def reconciliation_settle_submit(request: HttpRequest, statement_id: int) -> HttpResponse:
    _reconciler(request)
    try:
        statement = statement_get(statement_id=statement_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    form = StatementSettleForm(request.POST)
    if not form.is_valid():
        return _statement_render(request, statement.pk, status=400, settle_form=form)
    try:
        settled = statement_settle(statement=statement, actor=request.user)
    except DomainError as error:
        form.add_error("confirm", error.message)
        return _statement_render(request, statement.pk, status=error.http_status, settle_form=form)
    messages.success(request, _("已结算 %(day)s") % {"day": settled.business_on.isoformat()})
    return redirect("agency:reconciliation-statement", statement_id=settled.pk)
