"""Pages of requests: filing (logged in, with a phone code, at the counter for a villager), the
requester's list and page (also by the link in their messages), one request with what a handler may
do, and the handlers' list (a station's, the county's), late and escalated first."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siliu.appeals.models import Appeal, AppealCategory, AppealStatus
from siliu.appeals.requests.selectors import (
    ALL,
    OPEN,
    SHOWS,
    appeal_by_token,
    appeal_get,
    appeal_history,
    appeal_is_late,
    appeal_list_mine,
    appeal_queue,
)
from siliu.appeals.requests.services import (
    NOTE_MAX_LENGTH,
    RATING_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    appeal_acknowledge,
    appeal_file,
    appeal_file_for_villager,
    appeal_file_with_code,
    appeal_rate,
    appeal_reject_duplicate,
    appeal_resolve,
    appeal_withdraw,
    phone_code_send,
)
from siliu.appeals.requests.throttles import code_send_wait
from siliu.core.errors import DomainError, NotFound, PermissionRefused
from siliu.core.identity import mobile_mask
from siliu.core.permissions import Permission, user_can, user_can_at, user_outlet_ids
from siliu.core.ratelimit import rate_limited_page, too_many_requests
from siliu.network.destinations import village_picker_context
from siliu.network.models import Outlet

PAGE_SIZE = 20


class AppealForm(forms.Form):
    """What a request says: its category, the village (the picker's ``township`` and ``village``), the
    words and an optional photo; with ``phone`` for a villager at the counter or a requester without an
    account, and ``code`` for the latter."""

    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20, required=False)
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=[("", gettext_lazy("请选择")), *AppealCategory.choices]
    )
    township = forms.CharField(required=False, max_length=12)
    village = forms.CharField(required=False, max_length=12)
    text = forms.CharField(
        label=gettext_lazy("要反映的事情"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_LENGTH,
    )
    photo = forms.ImageField(label=gettext_lazy("照片（可不传）"), required=False)

    PICKER_FIELDS = ("township", "village")

    def __init__(self, *args: Any, mode: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == "online":
            del self.fields["phone"], self.fields["code"]
        elif mode == "counter":
            del self.fields["code"]
            self.fields["phone"].label = gettext_lazy("村民手机号")
            self.fields["phone"].help_text = gettext_lazy("办理进展和评价链接用短信发到这个号码。")
            self.fields["phone"].required = True
        else:
            self.fields["phone"].required = True
            self.fields["phone"].help_text = gettext_lazy("先获取验证码；办理进展用短信告诉您。")
        for name, field in self.fields.items():
            if name in self.PICKER_FIELDS:
                continue
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("category", "text", "photo")]

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("phone", "code") if name in self.fields]

    def picker_context(self) -> dict[str, Any]:
        data = self.data if self.is_bound else self.initial
        return village_picker_context(
            township_code=str(data.get("township", "") or ""), village_code=str(data.get("village", "") or "")
        )


def _form_error(form: AppealForm, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _render_form(request: HttpRequest, form: AppealForm, *, status: int = 200, **extra: Any) -> HttpResponse:
    return render(
        request,
        "appeals/requests/new.html",
        {"form": form, "mode": form.mode, **form.picker_context(), **extra},
        status=status,
    )


@rate_limited_page(methods=("POST",))
def appeal_new_page(request: HttpRequest) -> HttpResponse:
    """File a request: logged in, or with a mobile number confirmed by a code sent to it."""
    mode = "online" if request.user.is_authenticated else "phone"
    form = AppealForm(request.POST or None, request.FILES or None, mode=mode)
    if request.method != "POST" or "pick" in request.POST:
        return _render_form(request, form)
    if mode == "phone" and "send_code" in request.POST:
        return _send_code(request, form)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    data = form.cleaned_data
    try:
        if isinstance(request.user, User):
            appeal = appeal_file(
                requester=request.user,
                category=data["category"],
                village_code=data["village"],
                text=data["text"],
                photo=data["photo"],
            )
        else:
            appeal = appeal_file_with_code(
                phone=data["phone"],
                code=data["code"],
                category=data["category"],
                village_code=data["village"],
                text=data["text"],
                photo=data["photo"],
            )
    except DomainError as error:
        _form_error(form, error)
        return _render_form(request, form, status=error.http_status)
    messages.success(request, _("诉求已提交，编号 %(number)d。") % {"number": appeal.pk})
    if mode == "online":
        return redirect("appeals:detail", appeal_id=appeal.pk)
    return redirect("appeals:by-token", token=appeal.access_token)


def _send_code(request: HttpRequest, form: AppealForm) -> HttpResponse:
    phone = form.data.get("phone", "")
    wait = code_send_wait(request, phone)
    if wait is not None:
        return too_many_requests(request, wait)
    form.errors.clear()  # the rest of the form is checked when it is submitted
    try:
        sent = phone_code_send(phone=phone)
    except DomainError as error:
        _form_error(form, error)
        return _render_form(request, form, status=error.http_status)
    return _render_form(request, form, code_sent_to=mobile_mask(sent.phone))


def _counter(request: HttpRequest) -> Outlet:
    """The station whose counter the operator files at: the first where they hold ``appeal.file_for``."""
    places = user_outlet_ids(request.user, Permission.APPEAL_FILE_FOR)
    if places is not None and not places:
        raise PermissionDenied(_("需要站点运营员角色"))
    outlets = Outlet.objects.select_related("region").filter(is_active=True)
    if places is not None:
        outlets = outlets.filter(pk__in=places)
    counter = outlets.order_by("code").first()
    if counter is None:
        raise PermissionDenied(_("您没有负责的站点"))
    return counter


@login_required
def appeal_counter_page(request: HttpRequest) -> HttpResponse:
    """A station operator files a request for a villager at the counter (代办诉求)."""
    if not user_can(request.user, Permission.APPEAL_FILE_FOR):
        raise PermissionDenied(_("需要站点运营员角色"))
    counter = _counter(request)
    initial = {"village": counter.region.code} if counter.region.level == "village" else {}
    form = AppealForm(request.POST or None, request.FILES or None, mode="counter", initial=initial)
    context: dict[str, Any] = {"counter": counter}
    if request.method != "POST" or "pick" in request.POST:
        return _render_form(request, form, **context)
    if not form.is_valid():
        return _render_form(request, form, status=400, **context)
    data = form.cleaned_data
    assert isinstance(request.user, User)
    try:
        appeal = appeal_file_for_villager(
            operator=request.user,
            counter=counter,
            phone=data["phone"],
            category=data["category"],
            village_code=data["village"],
            text=data["text"],
            photo=data["photo"],
        )
    except DomainError as error:
        _form_error(form, error)
        return _render_form(request, form, status=error.http_status, **context)
    messages.success(
        request,
        _("已为村民提交诉求，编号 %(number)d；办理进展将用短信发到 %(phone)s。")
        % {"number": appeal.pk, "phone": mobile_mask(appeal.phone)},
    )
    return redirect("appeals:detail", appeal_id=appeal.pk)


@login_required
def appeal_mine_page(request: HttpRequest) -> HttpResponse:
    """我的诉求: the requests the user filed or that were filed for them."""
    assert isinstance(request.user, User)
    page = Paginator(appeal_list_mine(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appeals/requests/mine.html", {"page": page})


def _appeal(request: HttpRequest, appeal_id: int) -> Appeal:
    try:
        return appeal_get(user=request.user, appeal_id=appeal_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _detail_context(request: HttpRequest, appeal: Appeal, *, token: str = "") -> dict[str, Any]:
    user = request.user
    is_requester = bool(token) or (user.is_authenticated and appeal.requester_id == user.pk)
    may_handle = user_can_at(user, Permission.APPEAL_HANDLE, appeal.outlet)
    return {
        "appeal": appeal,
        "history": appeal_history(appeal=appeal),
        "token": token,
        "is_requester": is_requester,
        "may_handle": may_handle,
        "is_late": appeal_is_late(appeal, timezone.now()),
        "phone_masked": mobile_mask(appeal.phone),
        "may_rate": is_requester and appeal.status == AppealStatus.RESOLVED,
        "may_withdraw": is_requester and appeal.status in (AppealStatus.FILED, AppealStatus.ACKNOWLEDGED),
        "may_acknowledge": may_handle and appeal.status == AppealStatus.FILED,
        "may_resolve": may_handle and appeal.status in (AppealStatus.FILED, AppealStatus.ACKNOWLEDGED),
        "note_max": NOTE_MAX_LENGTH,
        "text_max": TEXT_MAX_LENGTH,
        "rating_text_max": RATING_TEXT_MAX_LENGTH,
        "ratings": [5, 4, 3, 2, 1],
    }


@login_required
def appeal_detail_page(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """One request: what was asked, where it stands, its history; what its requester or a handler may
    do next."""
    appeal = _appeal(request, appeal_id)
    return render(request, "appeals/requests/detail.html", _detail_context(request, appeal))


@rate_limited_page()
def appeal_token_page(request: HttpRequest, token: str) -> HttpResponse:
    """The requester's page by the link in their messages, no login: see, rate, withdraw."""
    try:
        appeal = appeal_by_token(token=token)
    except NotFound as error:
        raise Http404(error.message) from None
    if request.method == "POST":
        _requester_act(request, appeal, token=token)
        return redirect("appeals:by-token", token=token)
    return render(request, "appeals/requests/detail.html", _detail_context(request, appeal, token=token))


def _requester_act(request: HttpRequest, appeal: Appeal, *, token: str = "") -> None:
    """Rate or withdraw, as the form's ``action`` says; the outcome is a flash message."""
    action = request.POST.get("action", "")
    try:
        if action == "withdraw":
            appeal_withdraw(appeal=appeal, actor=request.user, token=token)
            messages.success(request, _("诉求已撤回。"))
        elif action == "rate":
            rating = request.POST.get("rating", "")
            appeal_rate(
                appeal=appeal,
                actor=request.user,
                token=token,
                rating=int(rating) if rating.isdigit() and len(rating) == 1 else 0,
                text=request.POST.get("rating_text", ""),
            )
            messages.success(request, _("谢谢您的评价。"))
        else:
            messages.error(request, _("请选择要做的事"))
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)


@login_required
@require_POST
def appeal_requester_submit(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The logged-in requester rates or withdraws their request."""
    _requester_act(request, _appeal(request, appeal_id))
    return redirect("appeals:detail", appeal_id=appeal_id)


@login_required
@require_POST
def appeal_handle_submit(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """A handler acknowledges, resolves or closes as a duplicate, as the form's ``action`` says."""
    if not user_can(request.user, Permission.APPEAL_HANDLE):
        raise PermissionDenied(_("需要站点运营员或县级管理员角色"))
    appeal = _appeal(request, appeal_id)
    action = request.POST.get("action", "")
    try:
        if action == "acknowledge":
            appeal_acknowledge(appeal=appeal, actor=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("已受理 %(number)d 号诉求。") % {"number": appeal.pk})
        elif action == "resolve":
            appeal_resolve(appeal=appeal, actor=request.user, resolution=request.POST.get("resolution", ""))
            messages.success(request, _("已办结 %(number)d 号诉求，已请提出人评价。") % {"number": appeal.pk})
        elif action == "duplicate":
            original = request.POST.get("duplicate_of", "")
            appeal_reject_duplicate(
                appeal=appeal,
                actor=request.user,
                duplicate_of_id=int(original) if original.isdigit() and len(original) < 12 else 0,
            )
            messages.success(request, _("已作为重复诉求合并。"))
        else:
            messages.error(request, _("请选择要做的事"))
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("appeals:detail", appeal_id=appeal_id)


@login_required
def appeal_queue_page(request: HttpRequest) -> HttpResponse:
    """诉求办理: the requests of the user's station (or county, or all for an auditor), late and
    escalated first."""
    if not user_can(request.user, Permission.APPEAL_READ):
        raise PermissionDenied(_("需要站点运营员、县级管理员或审计员角色"))
    show = request.GET.get("show", OPEN)
    if show not in SHOWS:
        show = OPEN
    page = Paginator(appeal_queue(user=request.user, show=show), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "appeals/requests/queue.html",
        {
            "page": page,
            "show": show,
            "shows": list(SHOWS.items()),
            "show_all": ALL,
            "may_file_for": user_can(request.user, Permission.APPEAL_FILE_FOR),
            "may_manage": user_can(request.user, Permission.APPEAL_MANAGE),
        },
    )
