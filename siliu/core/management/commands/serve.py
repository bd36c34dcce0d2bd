"""Serve the platform: the web server and the background-task worker together; Ctrl-C stops both."""

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.core.roles import Role


class Command(BaseCommand):
    help = "Run the web server, the task worker and the scheduler together (development and demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        manage = [sys.executable, "-m", "siliu.cli"]
        processes = {
            "web": subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"]),
            "worker": subprocess.Popen([*manage, "db_worker", "--no-reload", "--queue-name", "default"]),
            "scheduler": subprocess.Popen([*manage, "scheduler"]),
        }
        self.stdout.write(self.style.SUCCESS(f"\n四流 Siliu: http://{host}:{port}/"))
        self.stdout.write(f"  API docs: http://{host}:{port}/api/docs/   admin: http://{host}:{port}/admin/")
        if settings.DEBUG and get_user_model().objects.filter(username=Role.COUNTY_MANAGER.value).exists():
            logins = ", ".join(["admin", *(role.value for role in Role)])
            self.stdout.write(f"  Demo logins (password siliu-demo): {logins}")
        self.stdout.write("  Ctrl-C stops the web server and the worker.\n")
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    """Treat SIGTERM (a service manager, `kill`) like Ctrl-C so the children are stopped too."""
    raise KeyboardInterrupt
