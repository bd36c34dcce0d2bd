"""``siliu plan-rounds --outlet CODE --date YYYY-MM-DD --seconds N``: plan a day's delivery rounds."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.core.errors import DomainError
from siliu.logistics.rounds.planning import (
    MAX_SECONDS,
    MIN_SECONDS,
    plan_lines,
    round_outlet_get,
    round_plan_compute,
)
from siliu.logistics.rounds.search import cpus_available, workers_parse
from siliu.logistics.rounds.services import parse_planned_on


class Command(BaseCommand):
    help = (
        "Plan the delivery rounds of a township office or the county hub for a day and print them "
        "(nothing is stored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--outlet", required=True, help="outlet code of the hub or a township office")
        parser.add_argument("--date", required=True, help="the day to plan, YYYY-MM-DD")
        parser.add_argument("--seconds", type=float, default=10, help="solver time budget (default 10)")
        parser.add_argument("--seed", type=int, default=0, help="solver seed (default 0)")
        parser.add_argument(
            "--workers",
            default=str(cpus_available()),
            help=f"searches at once, the best kept (default: the CPUs available, here {cpus_available()})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["seconds"]
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise CommandError(f"invalid_seconds: --seconds must be between {MIN_SECONDS} and {MAX_SECONDS}")
        try:
            workers = workers_parse(options["workers"])
        except ValueError as error:
            raise CommandError(f"invalid_workers: {error}") from None
        try:
            result = round_plan_compute(
                outlet=round_outlet_get(code=options["outlet"]),
                planned_on=parse_planned_on(options["date"]),
                seconds=seconds,
                seed=options["seed"],
                workers=workers,
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        for line in plan_lines(result):
            self.stdout.write(line)
