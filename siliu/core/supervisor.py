"""Keep a few child processes running: start them, restart one that stops, stop them all together.

``siliu serve`` runs the web server, the task worker and the scheduler under a :class:`Supervisor`. A
child that stops, for whatever reason, is started again after a backoff while the others go on; only a
child that keeps stopping (five times within 30 s by default) makes the supervisor give up, stop the
rest and say so.
"""

import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from siliu.core.reconnect import Backoff


class GaveUp(Exception):
    """A child kept stopping; every child has been stopped."""


@dataclass
class _Child:
    name: str
    command: Sequence[str]
    backoff: Backoff
    process: subprocess.Popen[bytes] | None = None
    restart_at: float | None = None


class Supervisor:
    """Runs named commands as child processes and keeps each one running.

    Each child gets its own process group, so a Ctrl-C at the terminal reaches only the supervisor, which
    then stops the children itself, each with one SIGTERM (the worker finishes its task first) and, after
    ``stop_timeout_seconds``, SIGKILL.

    Parameters
    ----------
    commands : mapping of str to sequence of str
        Child name → command line, started in this order.
    say : callable
        Takes one line for the operator (starts, stops, restarts).
    backoff : callable
        Makes each child's :class:`~siliu.core.reconnect.Backoff` between restarts.
    give_up_after, give_up_within_seconds : int, float
        Give up when one child has stopped ``give_up_after`` times within ``give_up_within_seconds``.
    poll_seconds : float
        How often the children are looked at, in seconds.
    stop_timeout_seconds : float
        How long a child may take to stop after SIGTERM before it is killed, in seconds.
    """

    def __init__(
        self,
        commands: Mapping[str, Sequence[str]],
        *,
        say: Callable[[str], None],
        backoff: Callable[[], Backoff] = Backoff,
        give_up_after: int = 5,
        give_up_within_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        stop_timeout_seconds: float = 10.0,
    ) -> None:
        if give_up_after < 1 or give_up_within_seconds <= 0:
            raise ValueError("give_up_after must be at least 1 and give_up_within_seconds above 0")
        self.children = [_Child(name, list(command), backoff()) for name, command in commands.items()]
        self.say = say
        self.give_up_after = give_up_after
        self.give_up_within_seconds = give_up_within_seconds
        self.poll_seconds = poll_seconds
        self.stop_timeout_seconds = stop_timeout_seconds
        # A plain flag, not a threading.Event: a signal handler must not take a lock the interrupted
        # code may hold.
        self._stop_requested = False

    def run(self) -> None:
        """Start every child and keep them running until asked to stop, then stop them all.

        Returns once every child has stopped, after :meth:`request_stop` (a signal handler may call it)
        or a ``KeyboardInterrupt`` (Ctrl-C; a second one during the stop kills the children at once).

        Raises
        ------
        GaveUp
            When a child stopped ``give_up_after`` times within ``give_up_within_seconds``; the other
            children have been stopped.
        """
        try:
            for child in self.children:
                self._start(child)
            while not self._stop_requested:
                self._look_after(time.monotonic())
                time.sleep(self.poll_seconds)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def request_stop(self) -> None:
        """Make :meth:`run` stop the children and return (safe from a signal handler or another thread)."""
        self._stop_requested = True

    def pids(self) -> dict[str, int]:
        """The process id of each running child."""
        return {child.name: child.process.pid for child in self.children if child.process is not None}

    def stop(self) -> None:
        """SIGTERM every running child, wait for them, SIGKILL those that outlast the timeout."""
        processes = [child.process for child in self.children if child.process is not None]
        for child in self.children:
            child.process, child.restart_at = None, None
        if not processes:
            return
        self.say("Stopping…")
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + self.stop_timeout_seconds
        try:
            for process in processes:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            # Too slow, or a second Ctrl-C: no more waiting, but no child is left behind.
            for process in processes:
                if process.poll() is None:
                    process.kill()
                process.wait()

    def _start(self, child: _Child) -> None:
        child.process = subprocess.Popen(child.command, process_group=0)
        child.restart_at = None
        self.say(f"{child.name} started (pid {child.process.pid})")

    def _look_after(self, now: float) -> None:
        """Note the children that stopped and start again those whose wait is over."""
        for child in self.children:
            if child.process is not None:
                exit_code = child.process.poll()
                if exit_code is None:
                    continue
                child.process = None
                wait_seconds = child.backoff.failure()
                stopped_count = child.backoff.failures_within(self.give_up_within_seconds)
                if stopped_count >= self.give_up_after:
                    raise GaveUp(
                        f"{child.name} stopped {stopped_count} times within "
                        f"{self.give_up_within_seconds:g} s (last: {exit_describe(exit_code)}); "
                        "giving up and stopping the rest"
                    )
                self.say(
                    f"{child.name} stopped ({exit_describe(exit_code)}); "
                    f"starting it again in {wait_seconds:.1f} s"
                )
                child.restart_at = now + wait_seconds
            elif child.restart_at is not None and now >= child.restart_at:
                self._start(child)


def exit_describe(exit_code: int) -> str:
    """``exit code 1``, or ``killed by SIGKILL`` for a negative ``Popen.returncode``."""
    if exit_code >= 0:
        return f"exit code {exit_code}"
    try:
        return f"killed by {signal.Signals(-exit_code).name}"
    except ValueError:
        return f"killed by signal {-exit_code}"
