"""Serve the platform: the web server, the task worker and the scheduler, each started again if it stops;
Ctrl-C (or SIGTERM) stops all three."""

import os
import signal
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from siliu.core.checks import static_files_collected_check
from siliu.core.roles import Role
from siliu.core.supervisor import GaveUp, Supervisor


class Command(BaseCommand):
    help = "Run the web server, the task worker and the scheduler together (development and demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        manage = [sys.executable, "-m", "siliu.cli"]
        web = [*manage, "runserver", "--noreload", f"{host}:{port}"]
        if settings.SILIU_STATIC_COLLECTED:
            # WhiteNoise serves the collected files (hashed, compressed, cached for good), not runserver.
            for error in static_files_collected_check(None):
                raise CommandError(f"{error.msg}; {error.hint} (`make run` does)")
            web.append("--nostatic")
        # Sellers' photos under MEDIA_ROOT: served by the web child here, by the web server in production.
        os.environ["SILIU_SERVE_MEDIA"] = "1"
        supervisor = Supervisor(
            {
                "web": web,
                "worker": [*manage, "worker", "--no-reload", "--queue-name", "default"],
                # Round planning is long solver work: its own worker, so periodic tasks never wait on it.
                "rounds": [*manage, "worker", "--no-reload", "--queue-name", "rounds"],
                "scheduler": [*manage, "scheduler"],
            },
            say=self._say,
        )
        self.stdout.write(self.style.SUCCESS(f"\n四流 Siliu: http://{host}:{port}/"))
        self.stdout.write(f"  API docs: http://{host}:{port}/api/docs/   admin: http://{host}:{port}/admin/")
        if settings.DEBUG and get_user_model().objects.filter(username=Role.COUNTY_MANAGER.value).exists():
            logins = ", ".join(["admin", *(role.value for role in Role)])
            self.stdout.write(f"  Demo logins (password siliu-demo): {logins}")
        connections.close_all()  # the supervisor itself needs no database: hold no idle connection
        self.stdout.write("  Ctrl-C stops the web server, the workers and the scheduler.\n")
        # A service manager stops us with SIGTERM; a closed terminal sends SIGHUP. Either way the children,
        # each in its own process group, hear it only from the supervisor.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda signum, frame: supervisor.request_stop())
        try:
            supervisor.run()
        except GaveUp as error:
            raise CommandError(str(error)) from None

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # one line at a time, also into a pipe or a log file
