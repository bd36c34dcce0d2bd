"""Enqueue the periodic tasks of :mod:`siliu.schedule` at their intervals until stopped.

A dropped database connection does not end it: the connection is checked after each sleep
(``CONN_HEALTH_CHECKS``), and one that dies under an enqueue is closed and the enqueue tried again after
a bounded backoff (:func:`siliu.core.reconnect.database_retry`).
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

from siliu.core.reconnect import Backoff, database_retry
from siliu.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Enqueue periodic background tasks (finance expiry, parcel exceptions, webhooks, COD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every task once and exit")
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="enqueue every task every SECONDS instead of at its own interval (demos and tests)",
        )

    def handle(self, *args: Any, once: bool, every: float | None, **options: Any) -> None:
        if every is not None and not every > 0:
            raise CommandError(f"--every must be above 0 seconds, not {every}")
        try:
            tasks = [(import_string(entry.task), every or entry.every_seconds) for entry in SCHEDULE]
        except ImportError as error:
            raise CommandError(f"a scheduled task cannot be imported: {error}") from None
        backoff = Backoff()
        next_run = [0.0] * len(tasks)
        try:
            while True:
                now = time.monotonic()
                for index, (task, every_seconds) in enumerate(tasks):
                    if now >= next_run[index]:
                        # Every scheduled task is safe to run twice, so an enqueue that may have been
                        # committed before the connection dropped is simply sent again.
                        database_retry(task.enqueue, who="scheduler", backoff=backoff)
                        next_run[index] = now + every_seconds
                if once:
                    self.stdout.write(f"enqueued {len(tasks)} tasks")
                    return
                time.sleep(1)
                # As before a request: a connection that died while we slept is replaced before use.
                close_old_connections()
        except KeyboardInterrupt:
            return
