"""``siliu outreach_demo``: the stamp catalogue and a year of exhibitions in the demo county."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.core.errors import DomainError
from siliu.outreach.demo import DEFAULT_SEED, demo_outreach


class Command(BaseCommand):
    help = (
        "为示范县生成邮票目录和一年的邮票展览活动（先运行 siliu demo）。"
        " Add the stamp catalogue and a year of stamp exhibitions to the demo county (after siliu demo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the last day of the year (YYYY-MM-DD)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = demo_outreach(today=options["today"], seed=options["seed"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"exhibitions: {written}")
