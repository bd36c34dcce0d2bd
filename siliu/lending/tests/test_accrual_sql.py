"""The nightly accrual in SQL (:func:`nightly.accrue_all`) against the Python accrual each repayment uses
(:func:`accrual.accrue_installment`): the same interest, penalty and through-days on random loans of
every method, partly paid, overdue past their grace, accrued on random days (on SQLite and PostgreSQL)."""

import copy
import datetime
import random
from collections.abc import Callable
from itertools import count

import pytest

from siliu.lending.loans.accrual import accrue_installment
from siliu.lending.loans.models import Loan, LoanApplication, LoanInstallment, LoanStatus
from siliu.lending.loans.nightly import accrue_all
from siliu.lending.loans.services import installments_build
from siliu.lending.models import RepaymentMethod

FIELDS = ("interest_fen", "interest_accrued_fen", "accrued_through_day", "penalty_fen", "penalty_through_day")
_numbers = count(1)


def loan_clone(base: Loan, rng: random.Random) -> Loan:
    """A loan like ``base`` (its borrower, outlet and product) with random terms, lent on a random day
    of 2026, and its installments; a credit line has drawn a random part of its limit."""
    number = next(_numbers)
    application = LoanApplication.objects.get(pk=base.application_id)
    application.pk, application.number = None, f"LAX{number:08d}"
    application.save()
    method = rng.choice(list(RepaymentMethod.values))
    term = rng.choice([1, 3, 6, 12])
    loan = Loan.objects.get(pk=base.pk)
    loan.pk, loan.number, loan.application = None, f"LNX{number:08d}", application
    loan.method, loan.term_months = method, term
    loan.amount_fen = rng.randint(100, 5_000_000)
    loan.annual_rate_bp = rng.choice([0, 1, 435, 1200, 2399])
    loan.penalty_rate_bp = rng.choice([0, 1800, 3600])
    loan.grace_days = rng.choice([0, 3, 30])
    loan.harvest_months = list(range(1, 13)) if method == RepaymentMethod.SEASONAL else []
    start = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
    loan.start_on = start
    loan.save()
    rows = installments_build(loan, start_on=start)
    if method == RepaymentMethod.CREDIT_LINE:
        rows[0].principal_fen = rng.randint(0, loan.amount_fen)
    LoanInstallment.objects.bulk_create(rows)
    loan.principal_outstanding_fen = sum(row.principal_fen for row in rows)
    loan.save(update_fields=["principal_outstanding_fen"])
    return loan


def pay_some(row: LoanInstallment, rng: random.Random) -> None:
    """Pay a random part of what ``row`` owes now (never beyond it), sometimes all of it and settle."""
    if rng.random() < 0.15 and row.interest_accrued_fen == row.interest_fen:
        row.principal_paid_fen, row.interest_paid_fen = row.principal_fen, row.interest_accrued_fen
        row.penalty_paid_fen = row.penalty_fen
        row.settled_on = datetime.date.fromordinal(row.accrued_through_day)
        return
    row.principal_paid_fen = rng.randint(row.principal_paid_fen, row.principal_fen)
    row.interest_paid_fen = rng.randint(row.interest_paid_fen, row.interest_accrued_fen)
    row.penalty_paid_fen = rng.randint(row.penalty_paid_fen, row.penalty_fen)


def open_rows() -> list[LoanInstallment]:
    return list(
        LoanInstallment.objects.filter(loan__status=LoanStatus.ACTIVE, settled_on__isnull=True)
        .select_related("loan")
        .order_by("pk")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_the_nightly_sql_accrues_exactly_as_the_python(lend: Callable[..., Loan], seed: int) -> None:
    """Eight random loans, partly paid, accrued in Python to a random day, then three nights on later
    random days (some skipped, some past maturity and grace): every open installment's interest,
    accrued interest, penalty and through-days equal the Python accrual's, and so do the totals added."""
    rng = random.Random(seed)
    base = lend(RepaymentMethod.EQUAL_INSTALLMENT)
    loans = [loan_clone(base, rng) for _ in range(8)]
    day = max(loan.start_on for loan in loans if loan.start_on).toordinal() + rng.randint(0, 40)
    rows = list(LoanInstallment.objects.filter(loan__in=loans).select_related("loan"))
    for row in rows:
        accrue_installment(row, loan=row.loan, on_day=day - rng.randint(0, 30))
        if rng.random() < 0.6:
            pay_some(row, rng)
    LoanInstallment.objects.bulk_update(
        rows, [*FIELDS, "principal_paid_fen", "interest_paid_fen", "penalty_paid_fen", "settled_on"]
    )
    for _night in range(3):
        day += rng.choice([1, 1, 2, 7, 45, 200])
        expected = {}
        added = [0, 0]
        for row in open_rows():
            mirror = copy.copy(row)
            interest, penalty = accrue_installment(mirror, loan=row.loan, on_day=day)
            added = [added[0] + interest, added[1] + penalty]
            expected[row.pk] = tuple(getattr(mirror, name) for name in FIELDS)
        assert accrue_all(on=datetime.date.fromordinal(day)) == tuple(added)
        got = {row.pk: tuple(getattr(row, name) for name in FIELDS) for row in open_rows()}
        assert got == expected
        assert accrue_all(on=datetime.date.fromordinal(day)) == (0, 0)
        # Some repayments between nights change the principal owed, and so the next night's penalty.
        paid = [row for row in open_rows() if rng.random() < 0.3]
        for row in paid:
            pay_some(row, rng)
        LoanInstallment.objects.bulk_update(
            paid, ["principal_paid_fen", "interest_paid_fen", "penalty_paid_fen", "settled_on"]
        )
