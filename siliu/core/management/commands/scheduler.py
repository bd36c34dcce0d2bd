"""Enqueue the periodic tasks of :mod:`siliu.schedule` at their intervals until stopped."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from siliu.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Enqueue periodic background tasks (finance expiry, parcel exceptions, webhooks, COD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every task once and exit")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        try:
            tasks = [(import_string(entry.task), entry.every_seconds) for entry in SCHEDULE]
        except ImportError as error:
            raise CommandError(f"a scheduled task cannot be imported: {error}") from None
        next_run = [0.0] * len(tasks)
        try:
            while True:
                now = time.monotonic()
                for index, (task, every) in enumerate(tasks):
                    if now >= next_run[index]:
                        task.enqueue()
                        next_run[index] = now + every
                if once:
                    self.stdout.write(f"enqueued {len(tasks)} tasks")
                    return
                time.sleep(1)
        except KeyboardInterrupt:
            return
