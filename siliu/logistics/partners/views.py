"""Pages for partner couriers (staff and county managers): the partners, registering and editing one
(its webhook secret shown once, when made), a manifest upload form that shows every row error, and the
monthly statement with CSV and Excel downloads."""

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
    partner_register,
    partner_secret_rotate,
    partner_update,
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


class PartnerForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("代码"),
        max_length=16,
        help_text=gettext_lazy("2–16 个小写字母、数字或连字符，如 sf"),
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60)
    number_pattern = forms.CharField(
        label=gettext_lazy("单号格式（正则）"),
        max_length=100,
        help_text=gettext_lazy("如 ^SF[0-9]{12}$；不得与 S10 号码重叠。"),
    )
    webhook_url = forms.CharField(
        label=gettext_lazy("妥投回传地址"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("https:// 开头；填写后生成签名密钥，只显示一次。"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("合作中"), required=False, initial=True)


def _secret_page(request: HttpRequest, partner: Partner, secret: str) -> HttpResponse:
    """The secret, this once; never cached, never shown again."""
    response = render(request, "logistics/partners/secret.html", {"partner": partner, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def partner_new_page(request: HttpRequest) -> HttpResponse:
    """Register a partner courier; with a webhook URL, its signing secret is shown on the next page."""
    _require(request, Permission.PARTNER_MANAGE)
    form = PartnerForm(request.POST or None)
    del form.fields["is_active"]  # a partner starts active
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = partner_register(
                code=data["code"],
                name=data["name"],
                number_pattern=data["number_pattern"],
                webhook_url=data["webhook_url"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已登记合作快递 %(name)s") % {"name": partner.name})
            if partner.webhook_secret:
                return _secret_page(request, partner, partner.webhook_secret)
            return redirect("logistics:partner-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "logistics/partners/form.html", {"form": form, "partner": None}, status=status)


@login_required
def partner_edit_page(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a partner (not its code); a secret made because a webhook URL was set is shown once."""
    _require(request, Permission.PARTNER_MANAGE)
    partner = _partner(code)
    initial = {
        "code": partner.code,
        "name": partner.name,
        "number_pattern": partner.number_pattern,
        "webhook_url": partner.webhook_url,
        "is_active": partner.is_active,
    }
    form = PartnerForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner, secret = partner_update(
                partner=partner,
                name=data["name"],
                number_pattern=data["number_pattern"],
                webhook_url=data["webhook_url"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已保存合作快递 %(name)s") % {"name": partner.name})
            if secret:
                return _secret_page(request, partner, secret)
            return redirect("logistics:partner-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "logistics/partners/form.html", {"form": form, "partner": partner}, status=status)


@login_required
def partner_secret_rotate_submit(request: HttpRequest, code: str) -> HttpResponse:
    """Make a new webhook secret (POST) and show it once."""
    _require(request, Permission.PARTNER_MANAGE)
    partner = _partner(code)
    if request.method != "POST":
        return redirect("logistics:partner-edit", code=partner.code)
    partner, secret = partner_secret_rotate(partner=partner)
    messages.success(request, _("已为 %(name)s 生成新的签名密钥") % {"name": partner.name})
    return _secret_page(request, partner, secret)


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
        request,
        "logistics/partners/list.html",
        {
            "partners": partner_list(),
            "month": _this_month(),
            "may_manage": user_can(request.user, Permission.PARTNER_MANAGE),
        },
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
