"""Reads of the borrower's side of a loan: who may see a loan or an application, what is due, what
paying off today would cost (nothing here writes)."""

import copy
import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, user_can_at
from siliu.lending.loans.accrual import accrue_installment, owed_now
from siliu.lending.loans.allocation import owed_total
from siliu.lending.loans.models import (
    Loan,
    LoanApplication,
    LoanInstallment,
    LoanRepayment,
    LoanStatus,
)
from siliu.lending.products import RepaymentMethod

Viewer = AbstractBaseUser | AnonymousUser

#: Loans the borrower still has something to do with (sign, repay).
OPEN_STATUSES = (LoanStatus.CONTRACTED, LoanStatus.ACTIVE)


def loan_visible_to(*, loan: Loan, user: Viewer) -> bool:
    """The borrower; a station operator at the loan's station (``loan.apply_for``); whoever reads
    loans there (``loan.read``)."""
    if not user.is_authenticated:
        return False
    return (
        user.pk == loan.borrower_id
        or user_can_at(user, Permission.LOAN_APPLY_FOR, loan.outlet)
        or user_can_at(user, Permission.LOAN_READ, loan.outlet)
    )


def loan_get_for(*, number: str, user: Viewer) -> Loan:
    """The loan ``number`` if ``user`` may see it (:func:`loan_visible_to`).

    Raises
    ------
    NotFound
        ``unknown_loan``: no such loan, or someone else's.
    """
    loan = (
        Loan.objects.select_related("outlet", "product", "borrower", "application")
        .filter(number=number[:20])
        .first()
    )
    if loan is None or not loan_visible_to(loan=loan, user=user):
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number[:20]})
    return loan


def loans_of(*, borrower: Viewer) -> QuerySet[Loan]:
    """The borrower's loans, newest first (cancelled contracts left out)."""
    return (
        Loan.objects.filter(borrower_id=borrower.pk)
        .exclude(status=LoanStatus.CANCELLED)
        .select_related("product", "outlet")
    )


def applications_of(*, user: Viewer) -> QuerySet[LoanApplication]:
    """Applications ``user`` made or filed for someone else, newest first."""
    return LoanApplication.objects.filter(Q(applicant_id=user.pk) | Q(filed_by_id=user.pk)).select_related(
        "product", "applicant", "filed_by"
    )


def application_get_for(*, number: str, user: Viewer) -> LoanApplication:
    """The application ``number`` if ``user`` made it, filed it, or reads loans at its outlet.

    Raises
    ------
    NotFound
        ``unknown_application``.
    """
    application = (
        LoanApplication.objects.select_related("product", "outlet", "applicant", "filed_by")
        .filter(number=number[:20])
        .first()
    )
    visible = application is not None and (
        user.pk in (application.applicant_id, application.filed_by_id)
        or user_can_at(user, Permission.LOAN_READ, application.outlet)
    )
    if application is None or not visible:
        raise NotFound("unknown_application", _("没有编号为 %(number)s 的申请") % {"number": number[:20]})
    return application


def application_loan(application: LoanApplication) -> Loan | None:
    """The loan drawn from an approved application, if any."""
    return Loan.objects.filter(application=application).first()


def _stored(loan: Loan) -> list[LoanInstallment]:
    return list(LoanInstallment.objects.filter(loan=loan).order_by("n"))


def _accrued_copies(
    loan: Loan, on: datetime.date, stored: list[LoanInstallment] | None = None
) -> list[LoanInstallment]:
    rows = [copy.copy(row) for row in (_stored(loan) if stored is None else stored)]
    for row in rows:
        accrue_installment(row, loan=loan, on_day=on.toordinal())
    return rows


def loan_owed_quote(
    loan: Loan,
    on: datetime.date | None = None,
    *,
    early: bool,
    stored: list[LoanInstallment] | None = None,
) -> int:
    """What may be collected for ``loan`` on ``on`` (default today): what is due (penalty, interest,
    principal), or with ``early`` everything owed that day. Accrues copies in memory (of ``stored``
    when the caller has read the installments already); writes nothing."""
    if loan.status != LoanStatus.ACTIVE:
        return 0
    on = on or timezone.localdate()
    credit_line = loan.method == RepaymentMethod.CREDIT_LINE
    owed = owed_now(_accrued_copies(loan, on, stored), on=on, credit_line=credit_line)
    return owed_total(owed, early=early or credit_line)


def loan_payoff_quote(loan: Loan, on: datetime.date | None = None) -> int:
    """What paying ``loan`` off in full on ``on`` (default today) costs: all principal left, the
    interest accrued to that day, any penalty. Accrues copies of the installments; writes nothing."""
    return loan_owed_quote(loan, on, early=True)


@dataclass(frozen=True)
class InstallmentRow:
    """An installment as the borrower reads it."""

    installment: LoanInstallment
    paid_fen: int
    left_fen: int
    overdue: bool


@dataclass(frozen=True)
class LoanSummary:
    """A loan with what is due next and now, and the payoff amount today."""

    loan: Loan
    next_due_on: datetime.date | None
    next_due_fen: int
    due_now_fen: int
    payoff_fen: int

    @property
    def overdue(self) -> bool:
        return self.loan.days_past_due > 0


def installment_rows(
    loan: Loan, *, on: datetime.date | None = None, stored: list[LoanInstallment] | None = None
) -> list[InstallmentRow]:
    """The stored installments with what was paid, what is left (interest to its full amount) and
    whether each is overdue on ``on``."""
    on = on or timezone.localdate()
    rows = []
    for row in _stored(loan) if stored is None else stored:
        paid = row.principal_paid_fen + row.interest_paid_fen + row.penalty_paid_fen
        left = (
            row.principal_owed_fen + (row.interest_fen - row.interest_paid_fen) + row.penalty_owed_fen
            if row.settled_on is None
            else 0
        )
        rows.append(
            InstallmentRow(
                installment=row,
                paid_fen=paid,
                left_fen=left,
                overdue=row.settled_on is None and row.due_on < on and left > 0,
            )
        )
    return rows


def loan_summary(loan: Loan, *, on: datetime.date | None = None) -> LoanSummary:
    """``loan`` with its next due date and amount (the first installment not settled), what is due
    now and the payoff today."""
    on = on or timezone.localdate()
    if loan.status != LoanStatus.ACTIVE:
        return LoanSummary(loan=loan, next_due_on=None, next_due_fen=0, due_now_fen=0, payoff_fen=0)
    stored = _stored(loan)  # one read of the installments for the three figures
    rows = installment_rows(loan, on=on, stored=stored)
    upcoming = next((row for row in rows if row.left_fen > 0), None)
    return LoanSummary(
        loan=loan,
        next_due_on=upcoming.installment.due_on if upcoming else None,
        next_due_fen=upcoming.left_fen if upcoming else 0,
        due_now_fen=loan_owed_quote(loan, on, early=False, stored=stored),
        payoff_fen=loan_owed_quote(loan, on, early=True, stored=stored),
    )


def repayments_of(loan: Loan) -> QuerySet[LoanRepayment]:
    """The loan's repayments, newest first, with the outlet of counter cash."""
    return LoanRepayment.objects.filter(loan=loan).select_related("outlet", "taken_by")


def open_loans_of(*, borrower: Viewer) -> QuerySet[Loan]:
    """The borrower's loans waiting for signature or being repaid."""
    return loans_of(borrower=borrower).filter(status__in=OPEN_STATUSES)
