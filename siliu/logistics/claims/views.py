"""Pages of claims: a sender's claim form and "my claims", one claim, and the county manager's list
with decide and pay buttons showing the computed compensation and the scan history."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siliu.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from siliu.core.money import format_fen, parse_yuan
from siliu.core.permissions import Permission, user_can
from siliu.logistics.claims.policy import ALL_BP
from siliu.logistics.claims.selectors import (
    OPEN,
    claim_decidable_by,
    claim_get,
    claim_history,
    claim_list,
    claim_review,
    claim_reviewer,
    claim_reviews,
)
from siliu.logistics.claims.services import (
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    claim_decide,
    claim_pay,
    claim_submit_for_number,
)
from siliu.logistics.models import Claim, ClaimKind, ClaimStatus

PAGE_SIZE = 20


class ClaimForm(forms.Form):
    """A claim as a sender types it: the loss in yuan, the damaged share in percent, one photo
    reference a line."""

    tracking_number = forms.CharField(label=gettext_lazy("邮件号"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("理赔类型"), choices=ClaimKind.choices)
    claimed_loss = forms.CharField(
        label=gettext_lazy("实际损失（元）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("丢失、损毁须填写；延误不必填写。"),
    )
    damage_share = forms.DecimalField(
        label=gettext_lazy("损毁比例（%）"),
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
        initial=100,
        required=False,
        help_text=gettext_lazy("仅损毁理赔：内件损毁的比例，100 表示全部损毁。"),
    )
    description = forms.CharField(
        label=gettext_lazy("说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
    )
    evidence = forms.CharField(
        label=gettext_lazy("照片引用（每行一个）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("损毁理赔至少一张照片。系统会自动附上邮件的全部扫描记录。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def clean_claimed_loss(self) -> int:
        text = (self.cleaned_data.get("claimed_loss") or "").strip()
        if not text:
            return 0
        try:
            amount_fen = parse_yuan(text, field="claimed_loss")
        except ValidationFailed as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if amount_fen < 0:
            raise forms.ValidationError(_("金额不能为负数"), code="invalid_amount")
        return amount_fen

    def clean_damage_share(self) -> int:
        percent = self.cleaned_data.get("damage_share")
        return ALL_BP if percent is None else int(percent * 100)

    def clean_evidence(self) -> list[str]:
        return [
            line.strip() for line in (self.cleaned_data.get("evidence") or "").splitlines() if line.strip()
        ]


#: Service fields → form fields, so a refusal lands under the field it names.
_FORM_FIELDS = {
    "tracking_number": "tracking_number",
    "kind": "kind",
    "claimed_loss_fen": "claimed_loss",
    "damage_share_bp": "damage_share",
    "description": "description",
    "evidence": "evidence",
}


@login_required
def claim_new_page(request: HttpRequest) -> HttpResponse:
    """The sender's claim form; ``?number=`` fills in the parcel."""
    form = ClaimForm(request.POST or None, initial={"tracking_number": request.GET.get("number", "")})
    context = {"form": form, "is_reviewer": claim_reviewer(request.user)}
    if request.method != "POST":
        return render(request, "logistics/claims/new.html", context)
    if not form.is_valid():
        return render(request, "logistics/claims/new.html", context, status=400)
    data = form.cleaned_data
    try:
        claim = claim_submit_for_number(
            tracking_number=data["tracking_number"],
            kind=data["kind"],
            claimant=request.user,
            claimed_loss_fen=data["claimed_loss"],
            damage_share_bp=data["damage_share"],
            description=data["description"],
            evidence=data["evidence"],
        )
    except DomainError as error:
        form.add_error(_FORM_FIELDS.get(error.field or ""), error.message)
        return render(request, "logistics/claims/new.html", context, status=error.http_status)
    messages.success(
        request,
        _("理赔已提交：%(number)s %(kind)s")
        % {"number": claim.parcel.tracking_number, "kind": ClaimKind(claim.kind).label},
    )
    return redirect("logistics:claim-detail", claim_id=claim.pk)


@login_required
def claim_list_page(request: HttpRequest) -> HttpResponse:
    """My claims, newest first."""
    page = Paginator(claim_list(user=request.user, mine=True), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "logistics/claims/list.html",
        {"page": page, "is_reviewer": claim_reviewer(request.user)},
    )


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", OPEN)
    return status if status in (OPEN, "", *ClaimStatus.values) else OPEN


@login_required
def claim_review_page(request: HttpRequest) -> HttpResponse:
    """The county manager's claims, open ones by default, each with its computed compensation."""
    if not claim_reviewer(request.user):
        raise PermissionDenied(_("需要县级管理员角色"))
    status = _status_filter(request)
    page = Paginator(claim_list(user=request.user, status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reviews = claim_reviews(claims=list(page))
    return render(
        request,
        "logistics/claims/review.html",
        {
            "page": page,
            "reviews": reviews,
            "decidable": {
                review.claim.pk for review in reviews if claim_decidable_by(review.claim, request.user)
            },
            "status": status,
            "statuses": [(OPEN, _("待处理")), *ClaimStatus.choices, ("", _("全部"))],
        },
    )


def _claim(request: HttpRequest, claim_id: int) -> Claim:
    try:
        return claim_get(user=request.user, claim_id=claim_id)
    except NotFound as error:
        raise Http404(error.message) from None


@login_required
def claim_detail_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """One claim: its parcel, evidence, compensation and history."""
    claim = _claim(request, claim_id)
    return render(
        request,
        "logistics/claims/detail.html",
        {
            "review": claim_review(claim=claim),
            "history": claim_history(claim=claim),
            "is_reviewer": claim_reviewer(request.user),
            "may_decide": claim_decidable_by(claim, request.user),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    """Back to where the form was (the review list or the claim), never off the site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("logistics:claim-review")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("核准")), ("reject", gettext_lazy("驳回"))]
    )
    note = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False)


@login_required
@require_POST
def claim_decide_submit(request: HttpRequest, claim_id: int) -> HttpResponse:
    if not user_can(request.user, Permission.CLAIM_DECIDE):
        raise PermissionDenied(_("需要县级管理员角色"))
    claim = _claim(request, claim_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(message) for errors in form.errors.values() for message in errors)
        )
        return _back(request)
    try:
        claim = claim_decide(
            claim=claim,
            approve=form.cleaned_data["decision"] == "approve",
            actor=request.user,
            note=form.cleaned_data["note"],
        )
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return _back(request)
    if claim.status == ClaimStatus.APPROVED:
        messages.success(
            request,
            _("理赔 #%(id)d 已核准，赔偿 %(amount)s")
            % {"id": claim.pk, "amount": format_fen(claim.compensation_fen)},
        )
    else:
        messages.success(request, _("理赔 #%(id)d 已驳回") % {"id": claim.pk})
    return _back(request)


@login_required
@require_POST
def claim_pay_submit(request: HttpRequest, claim_id: int) -> HttpResponse:
    if not user_can(request.user, Permission.CLAIM_DECIDE):
        raise PermissionDenied(_("需要县级管理员角色"))
    claim = _claim(request, claim_id)
    try:
        claim = claim_pay(claim=claim, actor=request.user)
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return _back(request)
    messages.success(
        request,
        _("理赔 #%(id)d 已赔付 %(amount)s") % {"id": claim.pk, "amount": format_fen(claim.compensation_fen)},
    )
    return _back(request)
