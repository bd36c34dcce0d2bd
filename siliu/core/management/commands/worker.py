"""``siliu worker``: django-tasks-db's ``db_worker`` that outlives a dropped database connection.

``db_worker`` checks its connection before each poll (``CONN_HEALTH_CHECKS``), so a connection killed
while it waits is replaced unnoticed; but one that dies under a query raises out of its loop and ends the
process, and a task whose outcome could not be written stays "running" for ever. This command runs the
same worker with the same options, and on such an error closes the connection, waits a bounded backoff,
records the interrupted task as failed and polls again.
"""

import os
from functools import partial
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from siliu.core.reconnect import DATABASE_DISCONNECTS, Backoff, database_retry


class ReconnectingWorker(Worker):
    """django-tasks-db's worker, carried on through dropped database connections."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.backoff = Backoff()

    def run(self) -> None:
        database_retry(super().run, who="worker", backoff=self.backoff)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DATABASE_DISCONNECTS as error:
            # The task ran (or began to), but its outcome could not be written: write it as failed once
            # the database answers again, or the task would show as running for ever. What the task
            # itself wrote was committed whole or not at all.
            database_retry(partial(db_task_result.set_failed, error), who="worker", backoff=self.backoff)


class Command(DatabaseWorkerCommand):
    help = "Run the background-task worker (db_worker's options), going on when the database drops."

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        # As db_worker's own handle, with the reconnecting worker in place of its Worker.
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the reloaded child
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
