"""Going on through a dropped database connection: the backoff, the scheduler, the worker, requests.

On SQLite a dropped connection is simulated by raising the error Django raises for one; the tests
marked ``postgres`` kill the connection for real with ``pg_terminate_backend``.
"""

import logging
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import Client
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from siliu.core import reconnect
from siliu.core.management.commands.worker import ReconnectingWorker
from siliu.core.reconnect import Backoff, database_retry
from siliu.schedule import SCHEDULE

# Closing a connection inside a test's transaction would end it: these run on committed data, and put
# the migrations' rows (role groups, the chart of accounts) back for the tests after them.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DROPPED = "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"


@task()
def answer_task() -> int:
    return 42


@task()
def own_connection_kill_task() -> None:
    """Ends this task's own database session, as an administrator or a fail-over would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` of the code under test, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(reconnect.time, "sleep", slept.append)
    return slept


def drops_first(calls: int, action: Callable[..., Any]) -> Callable[..., Any]:
    """``action``, except that its first ``calls`` calls raise as if the connection had dropped."""
    count = 0

    def flaky(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count <= calls:
            raise OperationalError(DROPPED)
        return action(*args, **kwargs)

    return flaky


def worker_for_batch() -> ReconnectingWorker:
    return ReconnectingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


# --- the backoff ------------------------------------------------------------------------------------


def test_backoff_doubles_from_half_a_second_to_ten() -> None:
    """Failures in a row wait 0.5, 1, 2, 4, 8, then 10 s each time."""
    clock = Clock()
    backoff = Backoff(clock=clock)
    waits = []
    for _ in range(7):
        waits.append(backoff.failure())
        clock.now += waits[-1]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_backoff_starts_again_after_a_quiet_spell() -> None:
    """A failure more than 30 s after the one before waits 0.5 s again; one within 30 s keeps doubling."""
    clock = Clock()
    backoff = Backoff(clock=clock)
    assert [backoff.failure(), backoff.failure(), backoff.failure()] == [0.5, 1.0, 2.0]
    clock.now += 30.0
    assert backoff.failure() == 4.0
    clock.now += 30.5
    assert backoff.failure() == 0.5


def test_backoff_counts_recent_failures() -> None:
    """failures_within(30) counts the failures of the last 30 s only."""
    clock = Clock()
    backoff = Backoff(clock=clock)
    for _ in range(3):
        backoff.failure()
        clock.now += 10.0
    assert backoff.failures_within(30) == 3
    clock.now += 5.0
    assert backoff.failures_within(30) == 2


@pytest.mark.parametrize(
    "fields", [{"first_seconds": 0.0}, {"first_seconds": 2.0, "most_seconds": 1.0}, {"quiet_seconds": -1.0}]
)
def test_backoff_refuses_nonsense(fields: dict[str, Any]) -> None:
    """A first wait of 0, a first wait above the longest, or a negative quiet spell is refused."""
    with pytest.raises(ValueError):
        Backoff(**fields)


# --- database_retry ---------------------------------------------------------------------------------


def test_database_retry_waits_and_tries_again(sleeps: list[float], caplog: pytest.LogCaptureFixture) -> None:
    """Two dropped connections: two log lines, waits of 0.5 and 1 s, then the action's value."""
    action = drops_first(2, lambda: "done")
    with caplog.at_level(logging.WARNING, logger="siliu.core.reconnect"):
        assert database_retry(action, who="tester", backoff=Backoff()) == "done"
    assert sleeps == [0.5, 1.0]
    assert caplog.messages == [
        "tester: database connection lost (OperationalError: server closed the connection unexpectedly); "
        "trying again in 0.5 s",
        "tester: database connection lost (OperationalError: server closed the connection unexpectedly); "
        "trying again in 1.0 s",
    ]


def test_database_retry_lets_other_errors_through(sleeps: list[float]) -> None:
    """An error that is not a dropped connection is raised at once, without a retry."""
    calls = []

    def action() -> None:
        calls.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        database_retry(action, who="tester", backoff=Backoff())
    assert (calls, sleeps) == ([1], [])


@pytest.mark.django_db
def test_database_retry_does_not_retry_inside_a_transaction(sleeps: list[float]) -> None:
    """Inside a transaction (here the test's own) a dropped connection is raised at once: the
    transaction is lost, and a retry on a connection that cannot be reopened would never end."""
    calls = []

    def action() -> None:
        calls.append(1)
        raise OperationalError(DROPPED)

    connection.ensure_connection()
    with pytest.raises(OperationalError):
        database_retry(action, who="tester", backoff=Backoff())
    assert (calls, sleeps) == ([1], [])


# --- the scheduler ----------------------------------------------------------------------------------


@committed
def test_scheduler_goes_on_when_an_enqueue_loses_the_connection(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    """The first enqueue meets a dropped connection: the scheduler waits 0.5 s, and every task is
    enqueued exactly once."""
    monkeypatch.setattr(DatabaseBackend, "enqueue", drops_first(1, DatabaseBackend.enqueue))
    with caplog.at_level(logging.WARNING, logger="siliu.core.reconnect"):
        call_command("scheduler", "--once", stdout=(out := StringIO()))
    assert out.getvalue().strip() == f"enqueued {len(SCHEDULE)} tasks"
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(
        entry.task for entry in SCHEDULE
    )
    assert sleeps == [0.5]
    assert len(caplog.messages) == 1
    assert caplog.messages[0].startswith("scheduler: database connection lost (OperationalError:")


@pytest.mark.parametrize("every", ["0", "-1"])
def test_scheduler_refuses_an_interval_of_zero_or_less(every: str) -> None:
    """--every 0 would enqueue in a busy loop: refused."""
    with pytest.raises(CommandError, match="--every must be above 0 seconds"):
        call_command("scheduler", "--once", f"--every={every}")


# --- the worker -------------------------------------------------------------------------------------


@committed
def test_worker_goes_on_when_polling_loses_the_connection(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    """The worker's first poll meets a dropped connection: it waits, polls again and runs the task."""
    result = answer_task.enqueue()
    monkeypatch.setattr(DBTaskResult, "claim", drops_first(1, DBTaskResult.claim))
    worker_for_batch().run()
    stored = DBTaskResult.objects.get(pk=result.id)
    assert (stored.status, stored.return_value) == ("SUCCESSFUL", 42)
    assert sleeps[0] == 0.5


@committed
def test_worker_records_the_outcome_it_could_not_write(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    """The connection drops as the worker writes a task's outcome, and stays down through the library's
    own three tries: once it is back the task is written as failed, not left running, and the worker
    goes on to the next task."""
    first = answer_task.enqueue()
    monkeypatch.setattr(DBTaskResult, "set_successful", drops_first(1, DBTaskResult.set_successful))
    monkeypatch.setattr(DBTaskResult, "set_failed", drops_first(3, DBTaskResult.set_failed))
    second = answer_task.enqueue()
    worker_for_batch().run()
    failed = DBTaskResult.objects.get(pk=first.id)
    assert (failed.status, failed.exception_class_path) == ("FAILED", "django.db.utils.OperationalError")
    assert DBTaskResult.objects.get(pk=second.id).status == "SUCCESSFUL"
    assert 0.5 in sleeps


# --- requests ---------------------------------------------------------------------------------------


@pytest.fixture
def outlets_unreachable(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    """The outlet list's query meets a dropped connection, on the page and in the API."""

    def dropped(**filters: Any) -> None:
        raise OperationalError(DROPPED)

    monkeypatch.setattr("siliu.network.api.outlet_list", dropped)
    monkeypatch.setattr("siliu.network.views.outlet_list", dropped)


@pytest.mark.parametrize("debug", [False, True])
def test_api_answers_503_in_its_error_shape(
    client: Client, settings: Any, outlets_unreachable: None, debug: bool
) -> None:
    """An API request whose connection drops gets 503 with a code and Retry-After, in DEBUG too."""
    settings.DEBUG = debug
    response = client.get("/api/v1/outlets")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"code": "database_unavailable", "message": "数据库暂时不可用，请稍后重试"}
    english = client.get("/api/v1/outlets", headers={"accept-language": "en"})
    assert english.json()["message"] == "The database is unavailable for a moment; please try again."


@pytest.mark.parametrize("debug", [False, True])
def test_page_answers_a_plain_503_page(
    client: Client, settings: Any, outlets_unreachable: None, debug: bool
) -> None:
    """A page whose connection drops gets a plain 503 page, never a traceback, in DEBUG too."""
    settings.DEBUG = debug
    response = client.get("/network/outlets/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "暂时无法服务" in page and "数据库暂时不可用，请稍后重试" in page
    assert "Traceback" not in page and "OperationalError" not in page


# --- PostgreSQL: connections killed for real ---------------------------------------------------------


@pytest.fixture
def own_connection_kill() -> Iterator[Callable[[], None]]:
    """``kill()`` ends this test's own database session from another one, by its backend's pid."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    settings = connection.settings_dict

    def kill() -> None:
        with psycopg.connect(
            host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
        ) as other:
            # Only this test's own session: its pid, in its own database.
            other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = %s AND datname = %s",
                [pid, settings["NAME"]],
            )

    yield kill


@pytest.mark.postgres
@committed
def test_database_retry_reconnects_after_pg_terminate_backend(
    own_connection_kill: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    """After the session is killed the first query fails; database_retry opens a new one and goes on."""
    own_connection_kill()
    with caplog.at_level(logging.WARNING, logger="siliu.core.reconnect"):
        count = database_retry(Group.objects.count, who="tester", backoff=Backoff(first_seconds=0.1))
    assert count == Group.objects.count() > 0
    assert len(caplog.messages) == 1
    assert caplog.messages[0].startswith("tester: database connection lost (OperationalError:")


@pytest.mark.postgres
@committed
def test_worker_survives_a_task_that_kills_its_connection() -> None:
    """A task ends its own session: it is written as failed after the worker reconnects, and the next
    task runs."""
    killer = own_connection_kill_task.enqueue()
    after = answer_task.enqueue()
    worker_for_batch().run()
    failed = DBTaskResult.objects.get(pk=killer.id)
    assert (failed.status, failed.exception_class_path) == ("FAILED", "django.db.utils.OperationalError")
    assert DBTaskResult.objects.get(pk=after.id).status == "SUCCESSFUL"
