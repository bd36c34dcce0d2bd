"""The demo county's year of lending: loans of every method made through the services, their ledger in
balance, the scorecard trained from them, and what the demo logins find today."""

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

from siliu.finance import chart
from siliu.finance.models import Account
from siliu.finance.selectors import trial_balance
from siliu.lending.credit.models import Scorecard, ScorecardKind
from siliu.lending.loans.models import (
    ApplicationStatus,
    Loan,
    LoanApplication,
    LoanInstallment,
    LoanStatus,
    RepaymentSource,
)
from siliu.lending.models import RepaymentMethod
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_year_of_loans_and_a_card_trained_on_them(settings: Any) -> None:
    """Loans of every method, most of the scheduled ones closed, some overdue, a few written off; the
    ledger balanced and the interest receivable equal to what the open installments owe in interest and
    penalty; card v1 with its hold-out figures; the seller's loan due soon, one application for the
    officer, one for the county manager, and a villager's loan at the operator's station."""
    settings.DEBUG = True
    call_command(
        "demo", "--villages=24", "--orders=800", "--loans=200", "--round-seconds=0", stdout=StringIO()
    )
    loans = Loan.objects.exclude(status=LoanStatus.CONTRACTED)
    assert set(loans.values_list("method", flat=True)) == set(RepaymentMethod.values)
    # A credit line stays open until its maturity a year on: most of the scheduled loans are closed.
    scheduled = loans.exclude(method=RepaymentMethod.CREDIT_LINE)
    statuses = {status: scheduled.filter(status=status).count() for status in LoanStatus.values}
    assert statuses[LoanStatus.CLOSED] > statuses[LoanStatus.ACTIVE] + statuses[LoanStatus.WRITTEN_OFF]
    assert statuses[LoanStatus.WRITTEN_OFF] >= 1
    assert loans.filter(status=LoanStatus.ACTIVE, days_past_due__gt=0).count() >= 3
    # The officer has called the loans more than 30 days late (the collection list is not silent).
    late = loans.filter(status=LoanStatus.ACTIVE, days_past_due__gt=44)
    assert late.exists() and not late.filter(notes__isnull=True).exists()
    sources = set(Loan.objects.values_list("repayments__source", flat=True))
    assert {RepaymentSource.AUTO_DEBIT, RepaymentSource.WALLET, RepaymentSource.COUNTER_CASH} <= sources

    assert trial_balance().is_balanced
    receivable = Account.objects.get(code=chart.INTEREST_RECEIVABLE)
    owed = LoanInstallment.objects.filter(loan__status=LoanStatus.ACTIVE, settled_on__isnull=True).aggregate(
        total=Sum(
            F("interest_accrued_fen") + F("penalty_fen") - F("interest_paid_fen") - F("penalty_paid_fen")
        )
    )["total"]
    assert receivable.debits_posted - receivable.credits_posted == owed

    card = Scorecard.objects.get(version=1)
    assert card.kind == ScorecardKind.TRAINED
    assert {"auc", "ks", "gini", "baseline_auc"} <= set(card.metrics)
    assert card.refuse_below <= card.approve_from

    today = timezone.localdate()
    seller_loan = Loan.objects.get(borrower__username="seller", status=LoanStatus.ACTIVE)
    next_due = seller_loan.installments.filter(settled_on__isnull=True).order_by("n").first()
    assert next_due is not None and today < next_due.due_on <= today + datetime.timedelta(days=31)
    assert LoanApplication.objects.filter(status=ApplicationStatus.REVIEW).exists()
    second = LoanApplication.objects.get(status=ApplicationStatus.SECOND_REVIEW)
    assert second.reviewed_by is not None and second.reviewed_by.username == "loan_officer"
    station = Outlet.objects.get(operator__username="station_operator")
    assert Loan.objects.filter(
        outlet=station, status=LoanStatus.ACTIVE, borrower__username__startswith="c"
    ).exists()
