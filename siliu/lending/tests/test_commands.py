"""The lending commands: the nightly run by hand and the loan fund, with clear messages for bad input."""

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from siliu.lending.loans.models import LendingNight, Loan


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_fund_is_shown_and_added_to_in_yuan() -> None:
    """Empty, then 500,000.00 yuan; a bad amount is a command error and adds nothing."""
    assert run("lending_fund") == "loan fund holds ¥0.00\n"
    assert run("lending_fund", "--add", "500000") == "loan fund holds ¥500,000.00\n"
    with pytest.raises(CommandError, match="cannot add 'lots'"):
        run("lending_fund", "--add", "lots")
    assert run("lending_fund") == "loan fund holds ¥500,000.00\n"


def test_a_night_runs_for_a_past_day_and_refuses_today(lend: Callable[..., Loan]) -> None:
    """``--date`` runs that night and prints what it did; today has not ended; a bad date is named."""
    lend()
    printed = run("lending_night", "--date", "2026-01-11")
    assert printed.startswith("2026-01-11: 1 active loans, interest ¥3.22")
    assert LendingNight.objects.get().business_on == datetime.date(2026, 1, 11)
    with pytest.raises(CommandError, match="has not ended yet"):
        run("lending_night", "--date", timezone.localdate().isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("lending_night", "--date", "11/01/2026")
