"""Pages for partner couriers (staff and county managers): the partners, a manifest upload form that
shows every row error, and the monthly statement with CSV and Excel downloads."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import DomainError, NotFound, ValidationFailed
from siliu.core.permissions import Permission, user_can
from siliu.logistics.models import Partner
from siliu.logistics.partners.selectors import partner_get, partner_list
from siliu.logistics.partners.services import (
    MANIFEST_COLUMNS,
    ManifestRefused,
    manifest_receive,
    manifest_rows_from_csv,
)
from siliu.logistics.partners.statements import (
    PartnerStatement,
    partner_statement,
    statement_csv_response,
    statement_xlsx,
)
from siliu.logistics.pricing.paths import local_zone

#: Largest manifest file accepted by the upload form.
MANIFEST_FILE_MAX_BYTES = 2 * 1024 * 1024


class ManifestUploadForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("交接单号"), max_length=64)
    contact_phone = forms.CharField(
        label=gettext_lazy("交接联系人电话"),
        max_length=20,
        help_text=gettext_lazy("E.164 格式，如 +8613812345678"),
    )
    file = forms.FileField(label=gettext_lazy("交接清单（CSV）"))


def _require(request: HttpRequest, permission: Permission) -> None:
    if not user_can(request.user, permission):
        raise PermissionDenied(_("只有县级管理员可以管理合作快递"))


def _partner(code: str) -> Partner:
    try:
        return partner_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None


def _this_month() -> str:
    return timezone.now().astimezone(local_zone()).strftime("%Y-%m")


@login_required
def partner_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.PARTNER_READ)
    return render(
        request, "logistics/partners/list.html", {"partners": partner_list(), "month": _this_month()}
    )


@login_required
def partner_manifest_upload_page(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, Permission.PARTNER_MANAGE)
    partner = _partner(code)
    form = ManifestUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {
        "partner": partner,
        "form": form,
        "columns": MANIFEST_COLUMNS,
        "row_errors": [],
    }
    if request.method != "POST":
        return render(request, "logistics/partners/manifest_upload.html", context)
    if not form.is_valid():
        return render(request, "logistics/partners/manifest_upload.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > MANIFEST_FILE_MAX_BYTES:
            raise ValidationFailed("file_too_large", _("文件不能超过 2 MB"), field="file")
        result = manifest_receive(
            partner=partner,
            reference=form.cleaned_data["reference"],
            rows=manifest_rows_from_csv(upload.read()),
            contact_phone=form.cleaned_data["contact_phone"],
            received_by=request.user,
        )
    except ManifestRefused as refused:
        form.add_error(None, refused.message)
        context["row_errors"] = refused.row_errors
        return render(request, "logistics/partners/manifest_upload.html", context, status=400)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return render(request, "logistics/partners/manifest_upload.html", context, status=error.http_status)
    if result.created:
        messages.success(
            request,
            _("已接收交接单 %(reference)s：%(n)d 件邮件")
            % {"reference": result.manifest.reference, "n": result.manifest.parcel_count},
        )
    else:
        messages.info(
            request,
            _("交接单 %(reference)s 此前已接收，未重复入账") % {"reference": result.manifest.reference},
        )
    month = result.manifest.received_at.astimezone(local_zone()).strftime("%Y-%m")
    return redirect("logistics:partner-statement", code=partner.code, month=month)


def _statement(code: str, month: str) -> PartnerStatement:
    """The statement, or 404 for an unknown partner or a month that is not ``YYYY-MM``."""
    partner = _partner(code)
    try:
        return partner_statement(partner=partner, month=month)
    except ValidationFailed as error:
        raise Http404(error.message) from None


@login_required
def partner_statement_page(request: HttpRequest, code: str, month: str) -> HttpResponse:
    _require(request, Permission.PARTNER_READ)
    statement = _statement(code, month)
    local_start = statement.period_start.astimezone(local_zone())
    context = {
        "partner": statement.partner,
        "statement": statement,
        "previous_month": (local_start - datetime.timedelta(days=1)).strftime("%Y-%m"),
        "next_month": statement.period_end.astimezone(local_zone()).strftime("%Y-%m"),
    }
    return render(request, "logistics/partners/statement.html", context)


@login_required
def partner_statement_csv(request: HttpRequest, code: str, month: str) -> HttpResponse:
    _require(request, Permission.PARTNER_READ)
    return statement_csv_response(_statement(code, month))


@login_required
def partner_statement_xlsx(request: HttpRequest, code: str, month: str) -> HttpResponse:
    _require(request, Permission.PARTNER_READ)
    statement = _statement(code, month)
    response = HttpResponse(
        statement_xlsx(statement),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{statement.partner.code}-{statement.month}.xlsx"'
    )
    return response
