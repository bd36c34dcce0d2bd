"""Helpers for the tests that run Siliu's own processes: free ports, waiting, the ``siliu`` command."""

import contextlib
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

SILIU = [sys.executable, "-m", "siliu.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    """Call ``check`` every 0.1 s until it holds; fail after ``seconds``, saying ``what`` was awaited."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        time.sleep(0.1)


def http(
    method: str, url: str, *, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """``(status, JSON body or text)``; ``(0, reason)`` when the server could not be reached."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw, kind = answer.status, answer.read(), answer.headers.get_content_type()
    except urllib.error.HTTPError as error:
        status, raw, kind = error.code, error.read(), error.headers.get_content_type()
    except OSError as error:
        return 0, str(error)
    text = raw.decode(errors="replace")
    return status, json.loads(text) if kind == "application/json" and text else text


def healthz_ok(base_url: str) -> bool:
    return http("GET", f"{base_url}/healthz")[0] == 200


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def processes_kill(pids: Iterable[int]) -> None:
    """SIGKILL whichever of ``pids`` still run (clean-up after a failed test; never a broad kill)."""
    for pid in pids:
        if process_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
