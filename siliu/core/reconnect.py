"""Going on when the database drops a connection: the retry backoff, the long-running processes'
recovery, and what a request answers meanwhile.

PostgreSQL can close a connection at any moment: a restart, a fail-over, ``pg_terminate_backend``, a
network blink. Django replaces a dead connection only where it checks one before use
(``CONN_HEALTH_CHECKS``: at the start of each request and of each worker loop); a connection that dies
under a query raises ``OperationalError`` (``InterfaceError`` with some drivers) and stays broken until
it is closed. So the worker and the scheduler catch those two errors, close the connection, wait a
bounded backoff and go on (:func:`database_retry`), and a request answers 503 and leaves the retry to its
client (:class:`DatabaseOutageMiddleware`); writes are transactions, idempotent where the API says so,
so a retry neither loses nor doubles anything.
"""

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: What a dropped or unreachable database raises through Django (a locked SQLite file too: it passes).
DATABASE_DISCONNECTS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

#: Seconds a client is asked to wait before retrying a request the database could not answer.
RETRY_AFTER_SECONDS = 5

T = TypeVar("T")


@dataclass
class Backoff:
    """How long to wait after each of a run of failures.

    The first failure waits ``first_seconds``; each further one doubles the wait, up to ``most_seconds``;
    a failure more than ``quiet_seconds`` after the one before starts again from ``first_seconds``.

    Parameters
    ----------
    first_seconds : float
        The first wait, in seconds; above 0.
    most_seconds : float
        The longest wait, in seconds; at least ``first_seconds``.
    quiet_seconds : float
        Seconds without a failure after which the waits start again from the first; at least 0.
    clock : callable
        Monotonic time in seconds (tests pass their own).
    """

    first_seconds: float = 0.5
    most_seconds: float = 10.0
    quiet_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _wait_seconds: float = field(default=0.0, init=False, repr=False)
    _failed_at: deque[float] = field(default_factory=lambda: deque(maxlen=100), init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.first_seconds <= self.most_seconds:
            raise ValueError(
                f"need 0 < first_seconds <= most_seconds, not {self.first_seconds} and {self.most_seconds}"
            )
        if self.quiet_seconds < 0:
            raise ValueError(f"quiet_seconds must be at least 0, not {self.quiet_seconds}")

    def failure(self) -> float:
        """Record a failure now; the seconds to wait before trying again."""
        now = self.clock()
        if self._failed_at and now - self._failed_at[-1] > self.quiet_seconds:
            self._wait_seconds = 0.0
        self._failed_at.append(now)
        self._wait_seconds = (
            min(self.most_seconds, 2 * self._wait_seconds) if self._wait_seconds else self.first_seconds
        )
        return self._wait_seconds

    def failures_within(self, seconds: float) -> int:
        """How many failures were recorded in the last ``seconds`` (at most the last 100)."""
        now = self.clock()
        return sum(1 for failed_at in self._failed_at if now - failed_at <= seconds)


def database_retry(action: Callable[[], T], *, who: str, backoff: Backoff) -> T:
    """Run ``action`` until it gets through, however often the database connection drops under it.

    Each time ``action`` raises one of :data:`DATABASE_DISCONNECTS`, close this thread's connections (a
    broken one is never used again; the next query opens a new one), log one line, wait
    ``backoff.failure()`` seconds and call it again. ``action`` must be safe to repeat: whatever it did
    before the error was rolled back, or committed and harmless to do twice. Called inside a
    transaction, it does not retry: the transaction was lost with the connection, and only the code that
    began it can begin it again.

    Parameters
    ----------
    action : callable
        Takes no arguments; what it returns is returned.
    who : str
        Names the process in the log line (``"worker"``, ``"scheduler"``).
    backoff : Backoff
        The waits between tries, shared across calls so that a run of failures backs off.

    Raises
    ------
    Exception
        Whatever ``action`` raises other than a dropped connection, and a dropped connection inside a
        transaction, unchanged.
    """
    while True:
        try:
            return action()
        except DATABASE_DISCONNECTS as error:
            if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
                raise
            database_connections_close()
            wait_seconds = backoff.failure()
            logger.warning(
                "%s: database connection lost (%s); trying again in %.1f s",
                who,
                describe(error),
                wait_seconds,
            )
            time.sleep(wait_seconds)


def database_connections_close() -> None:
    """Close this thread's database connections, broken ones included, without raising."""
    for connection in connections.all(initialized_only=True):
        # Closing a dead connection may complain; it is closed all the same.
        with contextlib.suppress(DatabaseError):
            connection.close()


def describe(error: BaseException) -> str:
    """``OperationalError: terminating connection due to administrator command`` — one line."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


class DatabaseOutageMiddleware:
    """Answer 503 — never a 500 or a traceback — when the database connection drops under a request.

    The request's transaction is either committed whole or not at all, so the client may simply retry
    (with the same ``Idempotency-Key`` where the API takes one). Django closes the broken connection at
    the end of the request, and the next request on this thread starts on a new one (a dead persistent
    connection is caught by the health check at request start and never reaches a view).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_DISCONNECTS):
            return None
        logger.warning("%s %s: database unavailable (%s)", request.method, request.path, describe(exception))
        return database_unavailable_response(request)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the API's error shape under ``/api/``, a plain page elsewhere.

    The page is rendered without the request so that no context processor goes to the database.
    """
    response: HttpResponse
    if request.path.startswith("/api/"):
        message = _("数据库暂时不可用，请稍后重试")
        response = JsonResponse({"code": "database_unavailable", "message": str(message)}, status=503)
    else:
        response = HttpResponse(render_to_string("core/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
