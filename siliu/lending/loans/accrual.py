"""How interest and penalty accrue on an installment, and what it owes now: pure functions on rows in
memory (ADR 0021). The nightly run repeats :func:`accrue_installment` in SQL
(:func:`siliu.lending.loans.nightly.accrue_all`); a test compares the two."""

import datetime
from collections.abc import Sequence
from typing import Final

from siliu.lending.loans.allocation import Owed
from siliu.lending.loans.models import Loan, LoanInstallment
from siliu.lending.products import RepaymentMethod
from siliu.lending.schedules import BASIS_POINTS, DAYS_PER_YEAR

#: Day-based interest: fen × basis points × days ÷ this, rounded half up (annual rate ÷ 360 a day).
DAY_DIVISOR: Final = BASIS_POINTS * DAYS_PER_YEAR


def day_interest_fen(*, principal_fen: int, rate_bp: int, days: int) -> int:
    """Interest on ``principal_fen`` for ``days`` days at ``rate_bp`` a year (÷ 360 a day), half up."""
    return (principal_fen * rate_bp * days * 2 + DAY_DIVISOR) // (2 * DAY_DIVISOR)


def accrue_installment(installment: LoanInstallment, *, loan: Loan, on_day: int) -> tuple[int, int]:
    """Bring ``installment``'s accrued interest and penalty up to the end of the day ``on_day`` (an
    ordinal), in memory; return what was added (interest, penalty) in fen.

    The rules, which the nightly SQL repeats exactly: a scheduled installment's interest is recognised
    in proportion to the days of its period gone by (``interest × elapsed ÷ period days``, rounded down,
    so it is whole on the due date; one whose period has not begun is left as it is); a credit line's
    interest grows by the day on the principal drawn (annual rate ÷ 360, half up) until maturity;
    penalty interest grows by the day on the overdue principal at the penalty rate once the installment
    is more than ``grace_days`` late, counted from its due date."""
    interest_added = penalty_added = 0
    if installment.settled_on is not None:
        return 0, 0
    if loan.method == RepaymentMethod.CREDIT_LINE:
        through = min(on_day, installment.due_day)
        days = through - installment.accrued_through_day
        if days > 0:
            interest_added = day_interest_fen(
                principal_fen=installment.principal_owed_fen, rate_bp=loan.annual_rate_bp, days=days
            )
            installment.interest_fen += interest_added
            installment.interest_accrued_fen += interest_added
            installment.accrued_through_day = through
    elif installment.accrued_through_day < on_day and on_day > installment.due_day - installment.period_days:
        elapsed = max(0, min(installment.period_days, installment.period_days - installment.due_day + on_day))
        target = max(
            installment.interest_accrued_fen,
            min(installment.interest_fen, installment.interest_fen * elapsed // installment.period_days),
        )
        interest_added = target - installment.interest_accrued_fen
        installment.interest_accrued_fen = target
        installment.accrued_through_day = on_day
    if on_day - installment.due_day > loan.grace_days and installment.penalty_through_day < on_day:
        days = on_day - max(installment.penalty_through_day, installment.due_day)
        penalty_added = day_interest_fen(
            principal_fen=installment.principal_owed_fen, rate_bp=loan.penalty_rate_bp, days=days
        )
        installment.penalty_fen += penalty_added
        installment.penalty_through_day = on_day
    return interest_added, penalty_added


def owed_now(installments: Sequence[LoanInstallment], *, on: datetime.date, credit_line: bool) -> list[Owed]:
    """What each open installment owes now (accrued less paid); due once its date has come."""
    return [
        Owed(
            n=row.n,
            due=row.due_on <= on,
            penalty_fen=row.penalty_owed_fen,
            interest_fen=row.interest_owed_fen,
            principal_fen=row.principal_owed_fen,
        )
        for row in installments
        if row.settled_on is None
    ]
