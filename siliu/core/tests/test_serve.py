"""``siliu serve`` keeps the web server, the worker and the scheduler running, and stops them together.

The :class:`Supervisor` tests run small Python children; the last test runs ``siliu serve`` itself on
its own SQLite file in a temporary ``SILIU_DATA_DIR``.
"""

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from siliu.core.reconnect import Backoff
from siliu.core.supervisor import GaveUp, Supervisor, exit_describe
from siliu.core.tests.processes import (
    SILIU,
    free_port,
    healthz_ok,
    process_alive,
    processes_kill,
    wait_until,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
STARTED = re.compile(r"^(\w+) started \(pid (\d+)\)$", re.MULTILINE)


def fast_backoff() -> Backoff:
    return Backoff(first_seconds=0.05, most_seconds=0.2)


class Lines(list[str]):
    def say(self, line: str) -> None:
        self.append(line)

    def pids(self) -> dict[str, int]:
        """The latest pid each child was started with."""
        return {name: int(pid) for name, pid in STARTED.findall("\n".join(self))}


@pytest.fixture
def supervised() -> Iterator[tuple[Supervisor, Lines, threading.Thread]]:
    """A supervisor of two sleepers, running in a thread; stopped (children and all) afterwards."""
    lines = Lines()
    supervisor = Supervisor({"first": SLEEPER, "second": SLEEPER}, say=lines.say, backoff=fast_backoff)
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    yield supervisor, lines, thread
    supervisor.request_stop()
    thread.join(timeout=15)
    processes_kill(lines.pids().values())


def test_exit_is_described_by_code_or_signal() -> None:
    """Popen's return codes read as an exit code or the signal's name."""
    assert [exit_describe(3), exit_describe(-9), exit_describe(-15)] == [
        "exit code 3",
        "killed by SIGKILL",
        "killed by SIGTERM",
    ]


def test_supervisor_starts_a_killed_child_again_and_leaves_the_other(
    supervised: tuple[Supervisor, Lines, threading.Thread],
) -> None:
    """SIGKILL one child: it is started again with a new pid; the other keeps its process."""
    supervisor, lines, _thread = supervised
    wait_until(lambda: len(supervisor.pids()) == 2, seconds=10, what="both children")
    before = supervisor.pids()
    os.kill(before["first"], signal.SIGKILL)
    wait_until(
        lambda: supervisor.pids().get("first", before["first"]) != before["first"],
        seconds=10,
        what="the first child to start again",
    )
    after = supervisor.pids()
    assert after["second"] == before["second"] and process_alive(before["second"])
    assert process_alive(after["first"]) and not process_alive(before["first"])
    assert "first stopped (killed by SIGKILL); starting it again in 0.1 s" in lines


def test_supervisor_stop_ends_every_child(supervised: tuple[Supervisor, Lines, threading.Thread]) -> None:
    """request_stop() ends run() and every child; none is started again."""
    supervisor, lines, thread = supervised
    wait_until(lambda: len(supervisor.pids()) == 2, seconds=10, what="both children")
    pids = supervisor.pids()
    supervisor.request_stop()
    thread.join(timeout=15)
    assert not thread.is_alive()
    assert not any(process_alive(pid) for pid in pids.values())
    assert lines[-1] == "Stopping…" and len(lines.pids()) == 2


def test_supervisor_gives_up_on_a_child_that_keeps_stopping() -> None:
    """A child that exits at once five times within 30 s: GaveUp, and the steady child is stopped too."""
    lines = Lines()
    supervisor = Supervisor(
        {"steady": SLEEPER, "broken": [sys.executable, "-c", "raise SystemExit(3)"]},
        say=lines.say,
        backoff=fast_backoff,
        poll_seconds=0.02,
    )
    try:
        with pytest.raises(GaveUp) as raised:
            supervisor.run()
        assert str(raised.value) == (
            "broken stopped 5 times within 30 s (last: exit code 3); giving up and stopping the rest"
        )
        assert [line for line in lines if line.startswith("broken stopped")] == [
            f"broken stopped (exit code 3); starting it again in {wait} s"
            for wait in ("0.1", "0.1", "0.2", "0.2")
        ]
        assert not process_alive(lines.pids()["steady"])
    finally:
        processes_kill(lines.pids().values())


def test_supervisor_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    """A child deaf to SIGTERM is killed once the stop timeout has passed."""
    ready = tmp_path / "ready"
    deaf = (
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "pathlib.Path(sys.argv[1]).touch(); time.sleep(60)"
    )
    lines = Lines()
    supervisor = Supervisor(
        {"deaf": [sys.executable, "-c", deaf, str(ready)]}, say=lines.say, stop_timeout_seconds=0.5
    )
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    try:
        wait_until(ready.exists, seconds=10, what="the child to ignore SIGTERM")
        supervisor.request_stop()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert not process_alive(lines.pids()["deaf"])
    finally:
        processes_kill(lines.pids().values())


def test_serve_starts_killed_children_again_and_stops_cleanly(tmp_path: Path) -> None:
    """`siliu serve` on its own SQLite file: SIGKILL the worker and the web server; each comes back with
    a new pid and the scheduler and the rounds worker keep theirs; SIGTERM then stops every process,
    leaving none."""
    environment = {**os.environ, "SILIU_DATA_DIR": str(tmp_path), "SILIU_DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    environment.pop("DATABASE_URL", None)
    migrate = [*SILIU, "migrate", "--noinput"]
    subprocess.run(migrate, env=environment, check=True, capture_output=True, timeout=180)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [*SILIU, "serve", "--port", str(port)], env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    seen: set[int] = set()

    def started() -> dict[str, int]:
        """The latest pid of each child, from serve's own lines."""
        pids = {name: int(pid) for name, pid in STARTED.findall(log.read_text())}
        seen.update(pids.values())
        return pids

    try:
        wait_until(lambda: len(started()) == 4, seconds=60, what="four children")
        assert set(started()) == {"web", "worker", "rounds", "scheduler"}
        wait_until(lambda: healthz_ok(base_url), seconds=60, what="/healthz")
        first = started()

        os.kill(first["worker"], signal.SIGKILL)
        os.kill(first["web"], signal.SIGKILL)
        wait_until(
            lambda: started()["worker"] != first["worker"] and started()["web"] != first["web"],
            seconds=30,
            what="a new worker and a new web server",
        )
        wait_until(lambda: healthz_ok(base_url), seconds=60, what="/healthz from the new web server")
        second = started()
        assert (second["scheduler"], second["rounds"]) == (first["scheduler"], first["rounds"])
        assert all(process_alive(pid) for pid in second.values())

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        assert not [pid for pid in seen if process_alive(pid)]
        text = log.read_text()
        assert "worker stopped (killed by SIGKILL); starting it again in 0.5 s" in text
        assert "web stopped (killed by SIGKILL); starting it again in 0.5 s" in text
        assert "scheduler stopped" not in text
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        processes_kill(seen)
