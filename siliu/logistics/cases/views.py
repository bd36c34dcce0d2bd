"""The exceptions page (异常邮件): flagged parcels with their cases, and a form per action."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siliu.core.errors import DomainError, PermissionRefused
from siliu.core.money import parse_yuan
from siliu.core.names import person_name
from siliu.core.permissions import Permission, user_can
from siliu.core.roles import Actor
from siliu.logistics.cases.selectors import exception_rows
from siliu.logistics.cases.services import (
    RESOLUTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    exception_case_assign,
    exception_case_claim,
    exception_case_contact,
    exception_case_note,
    exception_case_resolve,
)
from siliu.logistics.claims.services import DESCRIPTION_MAX_LENGTH
from siliu.logistics.models import ClaimKind, Parcel, ParcelException
from siliu.logistics.parcels.selectors import exception_counts, parcel_exceptions

PAGE_SIZE = 50


def _reads_exceptions(user: Actor) -> bool:
    return user_can(user, Permission.EXCEPTION_READ)


@user_passes_test(_reads_exceptions)
def exception_list_page(request: HttpRequest) -> HttpResponse:
    """Flagged parcels in the reader's places, oldest flag first, each with its case and actions."""
    kind = request.GET.get("kind", "")
    if kind and kind not in ParcelException.values:
        kind = ""
    page = Paginator(parcel_exceptions(actor=request.user, kind=kind or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "logistics/cases/exceptions.html",
        {
            "page": page,
            "rows": exception_rows(actor=request.user, parcels=list(page), now=timezone.now()),
            "kind": kind,
            "kinds": ParcelException.choices,
            "counts": exception_counts(actor=request.user),
            "claim_kinds": ClaimKind.choices,
            "text_max": TEXT_MAX_LENGTH,
            "resolution_max": RESOLUTION_MAX_LENGTH,
            "description_max": DESCRIPTION_MAX_LENGTH,
        },
    )


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(name, name) for name in ("assign", "note", "contact", "claim", "resolve")]
    )
    assignee = forms.CharField(max_length=150, required=False)
    text = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    party = forms.CharField(max_length=10, required=False)
    kind = forms.CharField(max_length=10, required=False)
    claimed_loss = forms.CharField(max_length=20, required=False, label=gettext_lazy("实际损失（元）"))
    description = forms.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False)
    resolution = forms.CharField(max_length=RESOLUTION_MAX_LENGTH, required=False)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("logistics:exceptions")


@login_required
@require_POST
def exception_act_submit(request: HttpRequest, number: str) -> HttpResponse:
    """One action on a flagged parcel's case, from a form of the exceptions page."""
    if not user_can(request.user, Permission.EXCEPTION_HANDLE):
        raise PermissionDenied(_("需要县级管理员角色"))
    parcel = (
        Parcel.objects.select_related("origin_outlet", "destination_outlet", "last_outlet")
        .filter(tracking_number=number.strip().upper())
        .first()
    )
    if parcel is None:
        raise Http404(_("没有这件邮件"))
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(message) for errors in form.errors.values() for message in errors)
        )
        return _back(request)
    data = form.cleaned_data
    action = data["action"]
    try:
        if action == "assign":
            assignee = User.objects.filter(username=data["assignee"]).first()
            if assignee is None:
                messages.error(request, _("请选择处理人"))
                return _back(request)
            exception_case_assign(parcel=parcel, assignee=assignee, actor=request.user)
            done = _("已指派给 %(name)s") % {"name": person_name(assignee)}
        elif action == "note":
            exception_case_note(parcel=parcel, text=data["text"], actor=request.user)
            done = _("备注已添加")
        elif action == "contact":
            exception_case_contact(parcel=parcel, party=data["party"], text=data["text"], actor=request.user)
            done = _("联系已记录")
        elif action == "claim":
            loss = parse_yuan(data["claimed_loss"], field="claimed_loss") if data["claimed_loss"] else 0
            case = exception_case_claim(
                parcel=parcel,
                kind=data["kind"],
                claimed_loss_fen=loss,
                description=data["description"],
                actor=request.user,
            )
            done = _("已为寄件人申请理赔 #%(id)d") % {"id": case.claim_id}
        else:
            exception_case_resolve(parcel=parcel, resolution=data["resolution"], actor=request.user)
            done = _("异常已解决")
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, f"{parcel.tracking_number}：{error.message}")
        return _back(request)
    messages.success(request, f"{parcel.tracking_number}：{done}")
    return _back(request)
