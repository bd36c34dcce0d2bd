"""Keep the information flow's daily figures by hand (the scheduler does the first two by itself).

- ``siliu insight_figures`` folds every event waiting in the outbox into the figures;
- ``siliu insight_figures --check [--from D] [--to D]`` rebuilds the days from the flows' tables,
  compares them with the figures kept, repairs any difference and says what differed (default:
  yesterday);
- ``siliu insight_figures --rebuild [--from D] [--to D]`` computes the days again and keeps them
  (default: everything from the first day anything happened to today), e.g. after restoring a backup.
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from siliu.insight.facts.services import events_fold_all, facts_check, facts_rebuild, history_days


def _day(value: str | None, option: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} 应为 YYYY-MM-DD / must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Fold the outbox into the daily figures; or --check / --rebuild days from the flows' tables."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--check", action="store_true", help="rebuild, compare and repair (default: yesterday)"
        )
        action.add_argument(
            "--rebuild", action="store_true", help="compute the days again (default: all history)"
        )
        parser.add_argument("--from", dest="day_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="day_to", help="last day, YYYY-MM-DD")

    def handle(
        self, *args: Any, check: bool, rebuild: bool, day_from: str | None, day_to: str | None, **options: Any
    ) -> None:
        start, end = _day(day_from, "--from"), _day(day_to, "--to")
        if not (check or rebuild):
            if start or end:
                raise CommandError("--from/--to go with --check or --rebuild")
            self.stdout.write(f"folded {events_fold_all()} events into the figures")
            return
        if check:
            yesterday = timezone.localdate() - datetime.timedelta(days=1)
            start, end = start or end or yesterday, end or start or yesterday
        else:
            known = history_days()
            if known is None and not (start and end):
                self.stdout.write("nothing has happened yet: no figures to rebuild")
                return
            start, end = start or known[0], end or known[1]  # type: ignore[index]
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}")
        if check:
            result = facts_check(start, end)
            self.stdout.write(f"{start}–{end}: {result.figures} figures, {result.differences} differed")
            for row in result.sample:
                self.stdout.write(
                    f"  {row['day']} {row['scope']} {row['id']} {row['measure']}: kept {row['kept']}, "
                    f"rebuilt {row['rebuilt']}"
                )
            if result.differences:
                self.stdout.write("the rebuilt figures are kept")
        else:
            self.stdout.write(f"{start}–{end}: {facts_rebuild(start, end)} figures rebuilt")
