"""Run lending's nightly run (accrual, wallet debits, classification) for a business day, or catch up.

Without ``--date`` it runs every night not yet run up to yesterday (what the schedule does hourly);
with ``--date`` it runs that day (again, if it ran: nothing is added twice). For cron in production.
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from siliu.core.money import format_fen
from siliu.lending.loans.nightly import lending_night, lending_nights_due


class Command(BaseCommand):
    help = "Run lending's nightly run for --date (YYYY-MM-DD), or every night not yet run up to yesterday."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the business day to run (default: catch up to yesterday)")

    def handle(self, *args: Any, date: str | None, **options: Any) -> None:
        if date is None:
            nights = lending_nights_due()
        else:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
            if day >= timezone.localdate():
                raise CommandError(f"{day} has not ended yet: a night runs after its day")
            nights = [lending_night(on=day)]
        for night in nights:
            interest, penalty = format_fen(night.interest_accrued_fen), format_fen(night.penalty_accrued_fen)
            debited, provision = format_fen(night.debited_fen), format_fen(night.provision_change_fen)
            self.stdout.write(
                f"{night.business_on}: {night.loan_count} active loans, interest {interest}, "
                f"penalty {penalty}, {night.debited_count} wallet debits ({debited}), "
                f"provision change {provision}"
            )
        if not nights:
            self.stdout.write("nothing to run: every night up to yesterday has run")
