"""Credit pages: the borrower's consent (同意书, also given by a station operator for a villager), the
borrower's own score with its reasons, and the model page for loan officers and county managers."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import Conflict, DomainError, NotFound, PermissionRefused
from siliu.core.ids import MAX_ID
from siliu.core.names import person_name
from siliu.core.people import PersonMatch, people_search, person_get, person_match
from siliu.core.permissions import Permission, user_can
from siliu.lending.credit.features import FEATURE_LABELS
from siliu.lending.credit.models import ScoreRecord
from siliu.lending.credit.scorecards import bins_table
from siliu.lending.credit.selectors import (
    consent_in_force,
    consents_in_force,
    credit_borrowers,
    credit_monitoring,
    person_for_credit,
    scorecard_current,
)
from siliu.lending.credit.services import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    VISIT_NOTE_MAX_LENGTH,
    credit_consent_give,
    credit_consent_withdraw,
    credit_score_today,
    field_visit_record,
)


class ConsentForm(forms.Form):
    action = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])
    person = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("手机号、姓名或身份证号"), max_length=30)


@login_required
def consent_page(request: HttpRequest) -> HttpResponse:
    """The consent text and whether it is in force, with a button to give or withdraw it. A station
    operator (``credit.consent_for``) finds a villager as at the counter (phone, name or ID, masked)
    and gives or withdraws the villager's consent after the villager has read the text."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            subject = person_for_credit(user_id=person) if person else user
            if form.cleaned_data["action"] == "give":
                credit_consent_give(subject=subject, actor=user)
                messages.success(request, _("已同意使用平台数据评分。"))
            else:
                credit_consent_withdraw(subject=subject, actor=user)
                messages.success(request, _("已撤回同意，今后只能人工审核。"))
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("lending:credit-score" if subject.pk == user.pk else "lending:credit-consent")
    acts_for = user_can(user, Permission.CREDIT_CONSENT_FOR)
    search = PersonSearchForm(request.GET) if acts_for and "q" in request.GET else PersonSearchForm()
    matches: list[tuple[PersonMatch, bool]] = []
    search_error = ""
    if search.is_bound and search.is_valid():
        try:
            found = people_search(query=search.cleaned_data["q"], actor=user)
        except DomainError as error:
            search_error = error.message
        else:
            in_force = consents_in_force(subject_ids=[person.user_id for person in found])
            matches = [(person, person.user_id in in_force) for person in found]
    return render(
        request,
        "lending/credit/consent.html",
        {
            "consent": consent_in_force(subject=user),
            "consent_text": CONSENT_TEXT,
            "consent_version": CONSENT_VERSION,
            "form": form,
            "acts_for_villagers": acts_for,
            "records_visits": user_can(user, Permission.CREDIT_VISIT),
            "search": search,
            "matches": matches,
            "search_error": search_error,
        },
        status=400 if form.is_bound else 200,
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=gettext_lazy("走访日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=gettext_lazy("看到的情况"),
        max_length=VISIT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("如实记录：种养规模、经营情况、家里情况等。借款人和信贷员都能看到。"),
    )


@login_required
def visit_page(request: HttpRequest) -> HttpResponse:
    """A station operator records a visit to a borrower (``?person=<user_id>``, found on the consent
    page's search)."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    if not user_can(user, Permission.CREDIT_VISIT):
        raise PermissionDenied(_("需要站点运营员角色"))
    person_id = request.GET.get("person", "")
    subject = person_get(user_id=int(person_id)) if person_id.isdigit() and len(person_id) < 19 else None
    if subject is None:
        raise Http404(_("没有这个人"))
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            field_visit_record(
                subject=subject,
                actor=user,
                visited_on=form.cleaned_data["visited_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("走访记录已保存。"))
            return redirect("lending:credit-consent")
    return render(
        request,
        "lending/credit/visit.html",
        {"person": person_match(subject), "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def score_page(request: HttpRequest) -> HttpResponse:
    """The borrower's score and its three reasons (computed once a day), or, without consent, that
    only manual review is possible, with a link to the consent."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    return render(request, "lending/credit/score.html", {"record": _score_today(subject=user, actor=user)})


@login_required
def borrowers_page(request: HttpRequest) -> HttpResponse:
    """A loan officer's borrowers: those who consent (in a county manager's county, its sellers), with
    their latest score."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    if not user_can(user, Permission.CREDIT_READ):
        raise PermissionDenied(_("需要信贷员或县级管理员角色"))
    return render(request, "lending/credit/borrowers.html", {"borrowers": credit_borrowers(actor=user)})


@login_required
def borrower_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """One borrower's score today, its reasons and the latest field visit, as the borrower sees them."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    if not user_can(user, Permission.CREDIT_READ):
        raise PermissionDenied(_("需要信贷员或县级管理员角色"))
    try:
        subject = person_for_credit(user_id=user_id)
        record = _score_today(subject=subject, actor=user)
    except NotFound as error:
        raise Http404(error.message) from None
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    return render(
        request,
        "lending/credit/score.html",
        {"record": record, "subject": subject, "subject_name": person_name(subject)},
    )


def _score_today(*, subject: AbstractBaseUser, actor: AbstractBaseUser) -> ScoreRecord | None:
    """Today's score of ``subject``, or ``None`` without consent (manual review only)."""
    try:
        return credit_score_today(user=subject, actor=actor)
    except Conflict as error:
        if error.code != "no_consent":
            raise
        return None


@login_required
def model_page(request: HttpRequest) -> HttpResponse:
    """The card in use: version, kind, date, hold-out metrics beside the naive baseline, points per
    bin, and the monthly population stability index."""
    if not user_can(request.user, Permission.CREDIT_READ):
        raise PermissionDenied(_("需要信贷员或县级管理员角色"))
    card = scorecard_current()
    rows: list[dict[str, Any]] = bins_table(card.bins)
    for row in rows:
        row["label"] = FEATURE_LABELS[row["feature"]]
    monitoring = credit_monitoring(scorecard=card, on=timezone.localdate())
    return render(
        request,
        "lending/credit/model.html",
        {
            "card": card,
            "rows": rows,
            "monitoring": monitoring,
            "feature_labels": FEATURE_LABELS,
        },
    )
