"""Training from the platform's own loans: the table's rows and labels on a small history made through
the services, the policy's cut-offs, and the command's refusals."""

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from siliu.commerce.tests.conftest import Shop
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.finance.services import transfer_create
from siliu.lending.credit.models import Scorecard
from siliu.lending.credit.services import credit_consent_give, credit_consent_withdraw
from siliu.lending.credit.training import policy_cutoffs, synthetic_table
from siliu.lending.loans.history import loan_outcomes, loans_table
from siliu.lending.loans.models import Loan, LoanStatus
from siliu.lending.loans.nightly import lending_night
from siliu.lending.models import RepaymentMethod
from siliu.lending.tests.loan_fixtures import START


def _drain(user: User) -> None:
    wallet = Account.objects.get(code=chart.wallet_code(user_id=user.pk))
    transfer_create(
        id=f"test:drain:{user.pk}:{wallet.debits_posted}",
        debit_account=wallet.code,
        credit_account=chart.CAPITAL,
        amount_fen=wallet.credits_posted - wallet.debits_posted,
    )


def _nights(first: datetime.date, last: datetime.date) -> None:
    day = first
    while day <= last:
        lending_night(on=day)
        day += datetime.timedelta(days=1)


def test_the_table_labels_each_seasoned_scored_loan_by_whether_it_reached_90_days(
    lend: Callable[..., Loan], fund: Callable[[User, int], None]
) -> None:
    """A three-month loan repaid on time from the wallet (closed 10 April: good), then a second loan of
    15 April never paid (first installment due 15 May): at the end of 12 August it is 89 days past due
    and too young to count; at the end of 13 September, seasoned, 121 days: bad."""
    first = lend(amount_fen=300_000, term_months=3)
    borrower = first.borrower
    fund(borrower, 10_000)  # the interest, beside the money lent
    _nights(datetime.date(2026, 1, 11), datetime.date(2026, 4, 10))
    first.refresh_from_db()
    assert first.status == LoanStatus.CLOSED
    second = lend(amount_fen=300_000, term_months=3, now=START.replace(month=4, day=15))
    _drain(borrower)
    _nights(datetime.date(2026, 4, 16), datetime.date(2026, 9, 13))

    early = loan_outcomes(cutoff=datetime.date(2026, 8, 12))
    assert [(row.number, row.bad) for row in early] == [(first.number, False)]
    late = loan_outcomes(cutoff=datetime.date(2026, 9, 13))
    assert [(row.number, row.method, row.bad) for row in late] == [
        (first.number, RepaymentMethod.EQUAL_INSTALLMENT, False),
        (second.number, RepaymentMethod.EQUAL_INSTALLMENT, True),
    ]
    assert late[1].features == second.application.score_record.features  # type: ignore[union-attr]
    assert late[1].features["late_repayments_count"] == 0
    table = loans_table(cutoff=datetime.date(2026, 9, 13))
    assert list(table["bad"]) == [0, 1]
    assert list(table.columns)[-1] == "bad"


@pytest.fixture
def lend(lend: Callable[..., Loan], shop: Shop) -> Callable[..., Loan]:
    """The loan fixtures' ``lend``, for a borrower who consented (so each application is scored)."""
    user = shop.cooperative.user
    credit_consent_give(subject=user, actor=user)
    return lend


def test_a_loan_filed_without_consent_is_left_out(lend: Callable[..., Loan], shop: Shop) -> None:
    """Consent withdrawn before the application: no score record, so no row."""
    user = shop.cooperative.user
    credit_consent_withdraw(subject=user, actor=user)
    loan = lend(amount_fen=300_000, term_months=3)
    assert loan.application.score_record is None
    assert loan_outcomes(cutoff=datetime.date(2026, 12, 1)) == []


def test_the_cutoffs_refuse_where_the_bad_rate_doubles_and_approve_from_the_upper_quartile() -> None:
    """Ten held-out loans, 3 bad (30 %): below 520 two of three are bad (67 % > 60 %), below 540 two of
    four (50 %): refuse below 520; the eighth of the ten sorted (index 7) is 600. Four loans where no
    band below doubles the bad rate: nothing refused, approve from the fourth, 630."""
    scores = [500, 510, 515, 520, 530, 560, 560, 600, 650, 700]
    bad = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    assert policy_cutoffs(scores=scores, bad=bad) == (520, 600)
    assert policy_cutoffs(scores=[600, 610, 620, 630], bad=[0, 1, 0, 0]) == (600, 630)


def test_training_is_refused_with_too_few_rows_or_one_outcome(db: None, tmp_path: Path) -> None:
    """No loan old enough, a table of 40 rows, a table with no bad loan: each a clear error, and no
    card stored."""
    with pytest.raises(CommandError, match="no loan is old enough to show its outcome"):
        call_command("lending_train", from_loans=True)
    small = tmp_path / "small.csv"
    synthetic_table(count=40, seed=1).to_csv(small, index=False)
    with pytest.raises(CommandError, match=r"^40 rows: at least 60 are needed to train a card$"):
        call_command("lending_train", table=str(small))
    good = tmp_path / "good.csv"
    table = synthetic_table(count=200, seed=1)
    table["bad"] = 0
    table.to_csv(good, index=False)
    with pytest.raises(CommandError, match=r"^'bad' must hold both 0 and 1$"):
        call_command("lending_train", table=str(good))
    assert not Scorecard.objects.filter(version__gt=0).exists()
