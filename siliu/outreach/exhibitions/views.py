"""Exhibition pages: the request form (anyone, rate-limited), and the
county's list, new-exhibition form and one exhibition with its plan, held and cancel forms."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.core.errors import DomainError, NotFound, PermissionRefused
from siliu.core.permissions import Permission, user_can
from siliu.core.ratelimit import EXHIBITION_REQUEST_THROTTLES, page_wait, too_many_requests
from siliu.outreach.exhibitions.forms import (
    CancelForm,
    ExhibitionForm,
    HoldForm,
    PhotoForm,
    PlanForm,
    RequestForm,
)
from siliu.outreach.exhibitions.selectors import (
    exhibition_get,
    exhibition_history,
    exhibition_list,
    exhibition_manageable,
    exhibition_phone_shown,
)
from siliu.outreach.exhibitions.services import (
    exhibition_cancel,
    exhibition_create,
    exhibition_hold,
    exhibition_photo_add,
    exhibition_plan,
    exhibition_request,
)
from siliu.outreach.models import Exhibition, ExhibitionStatus

#: Service fields → form fields, so that a refusal lands under the field it names.
_FORM_FIELDS = {"stamps": "stamps", "preferred_on": "preferred_on", "outlet": "outlet"}


def _refusal_to_form(form: forms.Form, error: DomainError) -> None:
    field = _FORM_FIELDS.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _request_context(form: RequestForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, **form.picker_context(), **extra}


def exhibition_request_page(request: HttpRequest) -> HttpResponse:
    """A school or a village asks for an exhibition; without a login, with a contact and a mobile
    number. Sending is limited per address (``exhibition_request``)."""
    form = RequestForm(request.POST or None, initial={"village": request.GET.get("village", "")})
    template = "outreach/exhibitions/request.html"
    if request.method != "POST" or request.POST.get("pick"):
        # The picker's no-script button reloads the form with the township's villages.
        return render(request, template, _request_context(form))
    wait = page_wait(request, EXHIBITION_REQUEST_THROTTLES)
    if wait is not None:
        return too_many_requests(request, wait, template=template, context=_request_context(form))
    if not form.is_valid():
        return render(request, template, _request_context(form), status=400)
    data = form.cleaned_data
    try:
        exhibition = exhibition_request(
            requester=request.user,
            village_code=data["village"],
            venue_kind=data["venue_kind"],
            venue_name=data["venue_name"],
            kind=data["kind"],
            preferred_on=data["preferred_on"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            note=data["note"],
        )
    except DomainError as error:
        _refusal_to_form(form, error)
        return render(request, template, _request_context(form), status=error.http_status)
    return render(request, template, _request_context(RequestForm(), filed=exhibition))


def _reader(request: HttpRequest) -> None:
    if not user_can(request.user, Permission.OUTREACH_READ):
        raise PermissionDenied(_("需要查看邮票展览活动的权限"))


def _manager(request: HttpRequest) -> None:
    if not user_can(request.user, Permission.OUTREACH_MANAGE):
        raise PermissionDenied(_("需要邮票展览的管理权限"))


@login_required
def exhibition_list_page(request: HttpRequest) -> HttpResponse:
    """The county's exhibitions (``outreach.read``), by status; requests waiting are counted."""
    _reader(request)
    status = request.GET.get("status", "")
    if status not in ("", *ExhibitionStatus.values):
        status = ""
    exhibitions = list(exhibition_list(user=request.user, status=status)[:200])
    return render(
        request,
        "outreach/exhibitions/list.html",
        {
            "exhibitions": exhibitions,
            "status": status,
            "statuses": ExhibitionStatus.choices,
            "requested_count": exhibition_list(user=request.user, status=ExhibitionStatus.REQUESTED).count(),
            "may_manage": user_can(request.user, Permission.OUTREACH_MANAGE),
        },
    )


@login_required
def exhibition_new_page(request: HttpRequest) -> HttpResponse:
    """Plan an exhibition nobody asked for (``outreach.manage``)."""
    _manager(request)
    form = ExhibitionForm(
        request.POST or None, initial={"village": request.GET.get("village", ""), "kind": "exhibition"}
    )
    template = "outreach/exhibitions/new.html"
    if request.method != "POST" or request.POST.get("pick"):
        return render(request, template, {"form": form, **form.picker_context()})
    if not form.is_valid():
        return render(request, template, {"form": form, **form.picker_context()}, status=400)
    data = form.cleaned_data
    try:
        exhibition = exhibition_create(
            actor=request.user,
            village_code=data["village"],
            venue_kind=data["venue_kind"],
            venue_name=data["venue_name"],
            outlet_code=data["outlet"],
            kind=data["kind"],
            title=data["title"],
            scheduled_on=data["scheduled_on"],
            stamp_ids=data["stamps"],
            leader_name=data["leader_name"],
        )
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        _refusal_to_form(form, error)
        return render(request, template, {"form": form, **form.picker_context()}, status=error.http_status)
    messages.success(request, _("已排期：%(title)s") % {"title": exhibition.title})
    return redirect("outreach:exhibition", exhibition_id=exhibition.pk)


def _exhibition(request: HttpRequest, exhibition_id: int) -> Exhibition:
    try:
        return exhibition_get(user=request.user, exhibition_id=exhibition_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _detail(
    request: HttpRequest, exhibition: Exhibition, *, status: int = 200, **forms_given: forms.Form
) -> HttpResponse:
    plan_initial = {
        "title": exhibition.title,
        "kind": exhibition.kind,
        "scheduled_on": exhibition.scheduled_on,
        "leader_name": exhibition.leader_name,
        "stamps": [issue.pk for issue in exhibition.stamps.all()],
    }
    return render(
        request,
        "outreach/exhibitions/detail.html",
        {
            "exhibition": exhibition,
            "history": exhibition_history(exhibition=exhibition),
            "may_manage": exhibition_manageable(user=request.user, exhibition=exhibition),
            "phone": exhibition_phone_shown(user=request.user, exhibition=exhibition),
            "plan_form": forms_given.get("plan_form") or PlanForm(initial=plan_initial),
            "hold_form": forms_given.get("hold_form") or HoldForm(),
            "cancel_form": forms_given.get("cancel_form") or CancelForm(),
            "photo_form": forms_given.get("photo_form") or PhotoForm(),
        },
        status=status,
    )


@login_required
def exhibition_page(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    """One exhibition: where, when, the stamps, the requester's contact, its history; the county
    manager's forms for the next step."""
    _reader(request)
    return _detail(request, _exhibition(request, exhibition_id))


def _act(
    request: HttpRequest, exhibition_id: int, form: forms.Form, name: str, act: Any, done: str
) -> HttpResponse:
    """Run ``act(exhibition, data)`` for a valid ``form``; back to the page with the refusal under its
    field, or on to it with ``done``."""
    _manager(request)
    exhibition = _exhibition(request, exhibition_id)
    if not form.is_valid():
        return _detail(request, exhibition, status=400, **{name: form})
    try:
        exhibition = act(exhibition, form.cleaned_data)
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        _refusal_to_form(form, error)
        return _detail(request, exhibition, status=error.http_status, **{name: form})
    messages.success(request, done)
    return redirect("outreach:exhibition", exhibition_id=exhibition.pk)


@login_required
@require_POST
def exhibition_plan_submit(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    return _act(
        request,
        exhibition_id,
        PlanForm(request.POST),
        "plan_form",
        lambda exhibition, data: exhibition_plan(
            exhibition=exhibition,
            actor=request.user,
            scheduled_on=data["scheduled_on"],
            stamp_ids=data["stamps"],
            leader_name=data["leader_name"],
            title=data["title"],
            kind=data["kind"],
        ),
        _("已排期"),
    )


@login_required
@require_POST
def exhibition_hold_submit(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    return _act(
        request,
        exhibition_id,
        HoldForm(request.POST),
        "hold_form",
        lambda exhibition, data: exhibition_hold(
            exhibition=exhibition,
            actor=request.user,
            attendance_count=data["attendance_count"],
            held_on=data["held_on"],
            leader_name=data["leader_name"],
        ),
        _("已登记举办和参加人数"),
    )


@login_required
@require_POST
def exhibition_cancel_submit(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    return _act(
        request,
        exhibition_id,
        CancelForm(request.POST),
        "cancel_form",
        lambda exhibition, data: exhibition_cancel(
            exhibition=exhibition, actor=request.user, reason=data["reason"]
        ),
        _("活动已取消"),
    )


@login_required
@require_POST
def exhibition_photo_submit(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    return _act(
        request,
        exhibition_id,
        PhotoForm(request.POST, request.FILES),
        "photo_form",
        lambda exhibition, data: exhibition_photo_add(
            exhibition=exhibition, actor=request.user, upload=data["photo"], size=data["photo"].size
        ),
        _("照片已上传"),
    )
