"""A loan driven through random nights, wallet repayments (due and early), counter payments and draws,
through the services: the loan's books agree with its installments after every step."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from siliu.core.errors import DomainError
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.finance.selectors import trial_balance
from siliu.finance.services import system_account, transfer_create
from siliu.lending.loans.models import Loan, LoanInstallment, LoanRepayment, LoanStatus
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import credit_line_draw, loan_repay_at_counter, loan_repay_from_wallet
from siliu.lending.models import RepaymentMethod
from siliu.lending.tests.loan_fixtures import START
from siliu.logistics.tests.conftest import SHANGHAI, operator_at  # noqa: F401
from siliu.network.models import Outlet

#: (what happens, a number): nights come often and skip up to 75 days, days pass without a night (the
#: repayments accrue for themselves), so installments fall due and, with the wallet spent, overdue.
ACTIONS = st.tuples(
    st.sampled_from(
        ["night", "night", "wait", "wait", "wallet", "early", "counter", "counter", "draw", "spend"]
    ),
    st.integers(1, 400_000),
)


def balance(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return account.balance_fen if account else 0


def loan_state(loan: Loan) -> tuple[object, ...]:
    """Everything a collection or a draw writes: the loan's row, its installments, its repayments and
    the ledger's accounts."""
    return (
        Loan.objects.filter(pk=loan.pk).values_list("status", "principal_outstanding_fen").get(),
        list(LoanInstallment.objects.filter(loan=loan).order_by("n").values()),
        LoanRepayment.objects.filter(loan=loan).count(),
        list(Account.objects.order_by("code").values_list("code", "debits_posted", "credits_posted")),
    )


def assert_books_agree(loan: Loan) -> None:
    """Principal repaid = amount − outstanding; no installment paid beyond what it owes; the interest
    receivable is what the installments owe in interest and penalty; the loan's account is its
    outstanding principal; the trial balance balances."""
    loan.refresh_from_db()
    rows = list(LoanInstallment.objects.filter(loan=loan))
    drawn = sum(row.principal_fen for row in rows)
    paid = sum(row.principal_paid_fen for row in rows)
    if loan.method != RepaymentMethod.CREDIT_LINE:
        assert drawn == loan.amount_fen
    assert paid == drawn - loan.principal_outstanding_fen
    repaid = LoanRepayment.objects.filter(loan=loan).aggregate(s=Sum("principal_fen"))["s"] or 0
    assert repaid == paid
    for row in rows:
        assert 0 <= row.principal_paid_fen <= row.principal_fen
        assert 0 <= row.interest_paid_fen <= row.interest_accrued_fen <= row.interest_fen
        assert 0 <= row.penalty_paid_fen <= row.penalty_fen
        if row.settled_on is not None:
            assert row.principal_owed_fen == row.interest_owed_fen == row.penalty_owed_fen == 0
    owed = LoanInstallment.objects.aggregate(
        s=Sum(F("interest_accrued_fen") + F("penalty_fen") - F("interest_paid_fen") - F("penalty_paid_fen"))
    )["s"]
    assert balance(chart.INTEREST_RECEIVABLE) == (owed or 0)
    assert balance(chart.loan_code(number=loan.number)) == loan.principal_outstanding_fen
    assert (loan.status == LoanStatus.CLOSED) == (
        loan.principal_outstanding_fen == 0 and all(row.settled_on is not None for row in rows)
    )
    assert trial_balance().is_balanced


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(list(RepaymentMethod.values)),
    amount_fen=st.sampled_from([100_000, 1_000_000, 2_345_678]),
    term_months=st.sampled_from([3, 6, 12]),
    actions=st.lists(ACTIONS, min_size=1, max_size=10),
)
def test_a_loan_s_books_agree_after_any_sequence_of_events(
    lend: Callable[..., Loan],
    operator_at: Callable[[str], User],  # noqa: F811
    method: str,
    amount_fen: int,
    term_months: int,
    actions: list[tuple[str, int]],
) -> None:
    """Whatever the order of nights, repayments, counter payments and draws, after each step the books
    agree (:func:`assert_books_agree`)."""
    if method == RepaymentMethod.SEASONAL:
        term_months = 12  # the harvest months (September, October) must fall within the term
    with transaction.atomic():
        loan = lend(method, amount_fen=amount_fen, term_months=term_months)
        borrower = loan.borrower
        operator = operator_at(loan.outlet.code)
        station = Outlet.objects.get(pk=loan.outlet_id)
        today = START.date()
        system_account(code=chart.CAPITAL)
        for kind, value in actions:
            if kind == "night":
                night_of = today + datetime.timedelta(days=value % 75)
                today = night_of + datetime.timedelta(days=1)
                night = lending_night(
                    on=night_of, now=datetime.datetime.combine(today, datetime.time(0, 30), SHANGHAI)
                )
                event("night debited" if night.debited_count else "night debited nothing")
                assert_books_agree(loan)
                continue
            if kind == "wait":
                today += datetime.timedelta(days=value % 60)
                continue
            now = datetime.datetime.combine(today, datetime.time(14), tzinfo=SHANGHAI)
            if kind == "spend":
                # The borrower spends from the wallet, so that nights may find nothing to debit.
                wallet = chart.wallet_code(user_id=borrower.pk)
                if spent := min(value * 10, balance(wallet)):
                    transfer_create(
                        id=f"test:spend:{loan.number}:{today}:{spent}",
                        debit_account=wallet,
                        credit_account=chart.CAPITAL,
                        amount_fen=spent,
                        now=now,
                    )
                continue
            before = loan_state(loan)
            try:
                if kind in ("wallet", "early"):
                    loan_repay_from_wallet(
                        number=loan.number, actor=borrower, amount_fen=value, early=kind == "early", now=now
                    )
                elif kind == "counter":
                    loan_repay_at_counter(
                        number=loan.number,
                        actor=operator,
                        outlet=station,
                        amount_fen=value % 60_000 + 1,
                        now=now,
                    )
                elif method == RepaymentMethod.CREDIT_LINE:
                    credit_line_draw(number=loan.number, actor=borrower, amount_fen=value, now=now)
                event(f"{kind} taken")
            except DomainError as error:
                event(f"{kind} refused: {error.code}")
                assert loan_state(loan) == before  # a refusal writes nothing
            assert_books_agree(loan)
        transaction.set_rollback(True)
