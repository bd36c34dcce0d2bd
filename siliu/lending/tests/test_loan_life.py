"""A loan from application to closing: decisions, disbursement, accrual, the four ways to repay."""

import datetime
from collections.abc import Callable

from django.contrib.auth.models import User

from siliu.finance import chart
from siliu.finance.models import Account
from siliu.finance.selectors import trial_balance
from siliu.lending.loans.models import Loan, LoanInstallment, LoanStatus
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import loan_repay_from_wallet
from siliu.lending.tests.loan_fixtures import START


def balance(code: str) -> int:
    account = Account.objects.get(code=code)
    return account.credits_posted - account.debits_posted


def test_a_loan_is_paid_into_the_wallet_from_the_fund(lend: Callable[..., Loan]) -> None:
    """10,000.00 yuan at 12 % over 12 months: the wallet gets it, the fund gives it, 12 installments of
    888.49 (the last takes the rest)."""
    loan = lend(amount_fen=1_000_000)
    assert loan.status == LoanStatus.ACTIVE
    assert balance(chart.wallet_code(user_id=loan.borrower_id)) == 1_000_000
    assert -balance(chart.loan_code(number=loan.number)) == 1_000_000
    rows = list(LoanInstallment.objects.filter(loan=loan).order_by("n"))
    assert [row.principal_fen + row.interest_fen for row in rows[:11]] == [88_849] * 11
    assert sum(row.principal_fen for row in rows) == 1_000_000
    assert trial_balance().is_balanced


def test_the_nightly_run_debits_the_first_installment_on_its_due_date(lend: Callable[..., Loan]) -> None:
    """Interest accrues night by night to 100.00 on 10 February; that night 888.49 leaves the wallet."""
    loan = lend(amount_fen=1_000_000)
    day = START.date()
    while day < datetime.date(2026, 2, 10):
        day += datetime.timedelta(days=1)
        lending_night(on=day)
    first = LoanInstallment.objects.get(loan=loan, n=1)
    assert (first.interest_accrued_fen, first.interest_paid_fen, first.principal_paid_fen) == (
        10_000,
        10_000,
        78_849,
    )
    assert first.settled_on == datetime.date(2026, 2, 10)
    assert balance(chart.wallet_code(user_id=loan.borrower_id)) == 1_000_000 - 88_849
    assert balance(chart.INTEREST_INCOME) == 10_000
    loan.refresh_from_db()
    assert loan.principal_outstanding_fen == 1_000_000 - 78_849
    assert trial_balance().is_balanced


def test_early_repayment_in_full_pays_interest_to_the_day_and_closes(
    lend: Callable[..., Loan], fund: Callable[[User, int], None]
) -> None:
    """Paid off 15 days in (of 31): principal plus 10,000 × 15 ÷ 31 = 48.38 of interest."""
    loan = lend(amount_fen=1_000_000)
    fund(loan.borrower, 10_000)
    repayment = loan_repay_from_wallet(
        number=loan.number,
        actor=loan.borrower,
        amount_fen=2_000_000,
        early=True,
        now=START + datetime.timedelta(days=15),
    )
    assert (repayment.principal_fen, repayment.interest_fen, repayment.penalty_fen) == (1_000_000, 4_838, 0)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.principal_outstanding_fen == 0
    assert balance(chart.INTEREST_RECEIVABLE) == 0
    assert trial_balance().is_balanced
