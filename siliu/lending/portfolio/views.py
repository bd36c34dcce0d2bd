"""The officer's and county manager's pages: 贷款审批 (the review queue), 贷款复核 (the second approval),
贷款组合 (the portfolio), 催收 (the collection list, a loan's notes, the write-off)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import DomainError, NotFound
from siliu.core.identity import mobile_mask
from siliu.core.money import format_fen
from siliu.core.permissions import Permission, user_can, user_can_at, user_can_everywhere
from siliu.lending.loans.models import ApplicationStatus, Loan, LoanApplication, LoanClass, LoanStatus
from siliu.lending.loans.services import (
    collection_note_add,
    loan_application_approve,
    loan_application_review,
    loan_write_off,
)
from siliu.lending.portfolio.forms import CollectionNoteForm, DecisionForm, WriteOffForm
from siliu.lending.portfolio.selectors import (
    QUEUE_PAGE,
    application_for,
    approval_queue,
    collection_list,
    collection_notes,
    collection_phone,
    loan_for,
    loan_installments,
    loan_owed,
    portfolio_summary,
    review_items,
    review_queue,
)

#: Collection list rows on one page.
COLLECTION_PAGE = 50


def _actor(request: HttpRequest, permission: Permission) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user_can(user, permission):
        raise PermissionDenied(permission.label)
    return user


def _second_approval_line() -> str:
    return format_fen(settings.SILIU_LENDING_SECOND_APPROVAL_FEN)


# ---------------------------------------------------------------------------------------------------
# 贷款审批


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    """The applications waiting for a loan officer (``loan.review``), oldest first, each with what the
    decision rests on and the buttons to approve or refuse."""
    user = _actor(request, Permission.LOAN_REVIEW)
    queue = review_queue(actor=user)
    return render(
        request,
        "lending/portfolio/review.html",
        {
            "items": review_items(list(queue[:QUEUE_PAGE])),
            "total": queue.count(),
            "shown": QUEUE_PAGE,
            "second_approval_fen": _second_approval_line(),
        },
    )


def _decide(
    request: HttpRequest,
    *,
    number: str,
    permission: Permission,
    template: str,
    back: str,
) -> HttpResponse:
    """One application's page, and the decision posted on it (the queue's buttons post here)."""
    user = _actor(request, permission)
    try:
        application = application_for(number=number, actor=user, permission=permission)
    except NotFound as error:
        raise Http404(error.message) from None
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            service = (
                loan_application_review if permission == Permission.LOAN_REVIEW else loan_application_approve
            )
            try:
                decided = service(
                    number=number, actor=user, approve=form.approve, note=form.cleaned_data["note"]
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.http_status
            else:
                messages.success(request, _decision_message(decided))
                return redirect(back)
        application.refresh_from_db()
    return render(
        request,
        template,
        {
            "item": review_items([application])[0],
            "form": form,
            "can_decide": _can_decide(application, user, permission),
            "second_approval_fen": _second_approval_line(),
        },
        status=status,
    )


def _can_decide(application: LoanApplication, user: AbstractBaseUser, permission: Permission) -> bool:
    if permission == Permission.LOAN_REVIEW:
        return application.status == ApplicationStatus.REVIEW
    return application.status == ApplicationStatus.SECOND_REVIEW and application.reviewed_by_id != user.pk


def _decision_message(application: LoanApplication) -> str:
    names = {"number": application.number}
    if application.status == ApplicationStatus.SECOND_REVIEW:
        return _("申请 %(number)s 已审核通过，金额较大，等待县级管理员复核。") % names
    if application.status == ApplicationStatus.APPROVED:
        return _("申请 %(number)s 已批准，合同已生成，等待借款人签约。") % names
    return _("申请 %(number)s 已拒绝，借款人会看到您写的原因。") % names


@login_required
def review_decide_page(request: HttpRequest, number: str) -> HttpResponse:
    """One application for review; approve or refuse it (``loan.review``)."""
    return _decide(
        request,
        number=number,
        permission=Permission.LOAN_REVIEW,
        template="lending/portfolio/review_one.html",
        back="lending:review",
    )


# ---------------------------------------------------------------------------------------------------
# 贷款复核


@login_required
def approvals_page(request: HttpRequest) -> HttpResponse:
    """The large applications an officer approved that wait for the county manager's second approval
    (``loan.approve`` in the county), with who reviewed them and their note; never offered to the one
    who reviewed."""
    user = _actor(request, Permission.LOAN_APPROVE)
    queue = approval_queue(actor=user)
    items = review_items(list(queue[:QUEUE_PAGE]))
    return render(
        request,
        "lending/portfolio/approvals.html",
        {
            "rows": [(item, item.application.reviewed_by_id != user.pk) for item in items],
            "total": queue.count(),
            "shown": QUEUE_PAGE,
            "second_approval_fen": _second_approval_line(),
        },
    )


@login_required
def approval_decide_page(request: HttpRequest, number: str) -> HttpResponse:
    """One application for the second approval; approve or refuse it (``loan.approve``)."""
    return _decide(
        request,
        number=number,
        permission=Permission.LOAN_APPROVE,
        template="lending/portfolio/approval_one.html",
        back="lending:approvals",
    )


# ---------------------------------------------------------------------------------------------------
# 贷款组合


@login_required
def portfolio_page(request: HttpRequest) -> HttpResponse:
    """The portfolio in the user's scope (``loan.read``): classes, PAR30/PAR90, buckets, totals, the
    last nightly run, and a chart of the principal outstanding by class."""
    user = _actor(request, Permission.LOAN_READ)
    summary = portfolio_summary(actor=user)
    chart = {
        "labels": [line.label for line in summary.by_class],
        "yuan": [line.outstanding_fen / 100 for line in summary.by_class],
    }
    return render(
        request,
        "lending/portfolio/portfolio.html",
        {
            "portfolio": summary,
            "chart": chart,
            "whole_network": user_can_everywhere(user, Permission.LOAN_READ),
        },
    )


# ---------------------------------------------------------------------------------------------------
# 催收


@login_required
def collections_page(request: HttpRequest) -> HttpResponse:
    """The overdue loans in the user's scope (``loan.read``), most days past due first; a loan officer
    (``loan.collect``) opens one to add a note."""
    user = _actor(request, Permission.LOAN_READ)
    pages = Paginator(collection_list(actor=user), COLLECTION_PAGE)
    page = pages.get_page(request.GET.get("page"))
    return render(
        request,
        "lending/portfolio/collections.html",
        {
            "page": page,
            "rows": [(loan, collection_phone(loan)) for loan in page.object_list],
            "today": timezone.localdate(),
            "can_collect": user_can(user, Permission.LOAN_COLLECT),
        },
    )


@login_required
def collection_page(request: HttpRequest, number: str) -> HttpResponse:
    """One loan as collection sees it: what is overdue, the installments, the notes; a loan officer
    adds a call, visit or promise (``loan.collect``); a county manager may go on to write off a loan
    classed 可疑 or 损失."""
    user = _actor(request, Permission.LOAN_COLLECT if request.method == "POST" else Permission.LOAN_READ)
    try:
        loan = loan_for(number=number, actor=user)
    except NotFound as error:
        raise Http404(error.message) from None
    form = CollectionNoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                collection_note_add(
                    number=number,
                    actor=user,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    promised_on=form.cleaned_data["promised_on"],
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.http_status
            else:
                messages.success(request, _("催收记录已保存。"))
                return redirect("lending:collection", number=number)
    return render(
        request, "lending/portfolio/collection.html", _loan_context(loan, user, form=form), status=status
    )


def _loan_context(loan: Loan, user: AbstractBaseUser, **extra: Any) -> dict[str, Any]:
    return {
        "loan": loan,
        "phone": _phone(loan),
        "owed": loan_owed(loan=loan),
        "installments": list(loan_installments(loan=loan)),
        "notes": list(collection_notes(loan=loan)[:50]),
        "today": timezone.localdate(),
        "can_collect": user_can_at(user, Permission.LOAN_COLLECT, loan.outlet)
        and loan.status == LoanStatus.ACTIVE,
        "can_write_off": _can_write_off(loan, user),
        **extra,
    }


def _phone(loan: Loan) -> str:
    profile = getattr(loan.borrower, "profile", None)
    return mobile_mask(profile.phone) if profile is not None else ""


def _can_write_off(loan: Loan, user: AbstractBaseUser) -> bool:
    return (
        loan.status == LoanStatus.ACTIVE
        and loan.classification in (LoanClass.DOUBTFUL, LoanClass.LOSS)
        and user_can_at(user, Permission.LOAN_WRITE_OFF, loan.outlet)
    )


@login_required
def write_off_page(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation step of a write-off (``loan.write_off`` in the loan's county): what it will do,
    a reason, and the button; the service refuses a loan not classed 可疑 or 损失."""
    user = _actor(request, Permission.LOAN_WRITE_OFF)
    try:
        loan = loan_for(number=number, actor=user)
    except NotFound as error:
        raise Http404(error.message) from None
    form = WriteOffForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                loan_write_off(number=number, actor=user, note=form.cleaned_data["note"])
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.http_status
            else:
                messages.success(request, _("贷款 %(number)s 已核销。") % {"number": number})
                return redirect("lending:collections")
    return render(
        request, "lending/portfolio/write_off.html", _loan_context(loan, user, form=form), status=status
    )
