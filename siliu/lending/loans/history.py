"""Loans' history, read: how borrowers repaid their installments, and what became of each loan — for the
credit feature "earlier loans' repayment" and for training the scorecard on the platform's own loans.

Everything here is read as it stood at the end of a given day (``on`` / ``cutoff``): an installment
settled after that day counts as unsettled then, so a score or a training table computed later for an
earlier day gives the same answer.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from django.db.models import Q

from siliu.lending.credit.features import FEATURE_NAMES
from siliu.lending.loans.models import Loan, LoanInstallment, LoanStatus

if TYPE_CHECKING:
    import pandas as pd

#: A loan that reached this many days past due went bad (the scorecard's outcome).
BAD_DAYS_PAST_DUE: Final = 90


def late_installment_count(*, borrower_id: int, since: datetime.date, on: datetime.date) -> int:
    """How many of the borrower's installments falling due from ``since`` to ``on`` (both included)
    were late at the end of ``on``: settled more than the loan's ``grace_days`` after their due date,
    or still unsettled then and more than ``grace_days`` past due."""
    rows = LoanInstallment.objects.filter(
        loan__borrower_id=borrower_id, due_on__gte=since, due_on__lte=on
    ).values_list("due_on", "settled_on", "loan__grace_days")
    late = 0
    for due_on, settled_on, grace_days in rows:
        paid_on = settled_on if settled_on is not None and settled_on <= on else on
        if (paid_on - due_on).days > grace_days:
            late += 1
    return late


@dataclass(frozen=True)
class LoanOutcome:
    """A loan old enough to show its outcome, with the features it was scored on when applied for."""

    number: str
    method: str
    disbursed_on: datetime.date
    features: dict[str, float]
    bad: bool


def loan_outcomes(*, cutoff: datetime.date, seasoning_days: int = 120) -> list[LoanOutcome]:
    """The loans disbursed at least ``seasoning_days`` before ``cutoff`` (or already closed or written
    off by then) whose application was scored (a loan filed without consent has no score: left out).

    A loan is bad when it was written off, or any of its installments was settled more than
    :data:`BAD_DAYS_PAST_DUE` days after its due date, or was still unsettled at ``cutoff`` and more
    than that past due — that is, when it ever reached 90 days past due."""
    seasoned = cutoff - datetime.timedelta(days=seasoning_days)
    loans = list(
        Loan.objects.filter(
            application__score_record__isnull=False,
            disbursed_at__isnull=False,
            start_on__lte=cutoff,
        )
        .filter(
            Q(start_on__lte=seasoned)
            | Q(status__in=[LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF], closed_at__date__lte=cutoff)
        )
        .select_related("application__score_record")
        .order_by("start_on", "pk")
    )
    late: set[int] = set()
    for loan_id, due_on, settled_on in LoanInstallment.objects.filter(
        loan__in=loans, due_on__lt=cutoff
    ).values_list("loan_id", "due_on", "settled_on"):
        paid_on = settled_on if settled_on is not None and settled_on <= cutoff else cutoff
        if (paid_on - due_on).days > BAD_DAYS_PAST_DUE:
            late.add(loan_id)
    outcomes = []
    for loan in loans:
        record = loan.application.score_record
        assert record is not None and loan.start_on is not None
        written_off = loan.status == LoanStatus.WRITTEN_OFF and loan.closed_at is not None
        outcomes.append(
            LoanOutcome(
                number=loan.number,
                method=loan.method,
                disbursed_on=loan.start_on,
                features=dict(record.features),
                bad=written_off or loan.pk in late,
            )
        )
    return outcomes


def loans_table(*, cutoff: datetime.date) -> "pd.DataFrame":
    """The scorecard's training table from the platform's own loans as they stood at the end of
    ``cutoff`` (:func:`loan_outcomes`): one row a loan, the feature columns as scored when it was applied
    for and ``bad`` (1 when it ever reached 90 days past due or was written off)."""
    import pandas as pd  # loaded only to train (a second or two)

    from siliu.lending.credit.training import OUTCOME

    rows = [
        {**{name: float(outcome.features.get(name, 0)) for name in FEATURE_NAMES}, OUTCOME: int(outcome.bad)}
        for outcome in loan_outcomes(cutoff=cutoff)
    ]
    return pd.DataFrame(rows, columns=[*FEATURE_NAMES, OUTCOME])
