"""The whole stack on PostgreSQL goes on by itself after every database connection is killed (issue #18).

gunicorn (two sync workers with persistent connections), ``siliu worker`` and ``siliu scheduler`` run
against the test database while client threads place ledger transfers through the API, each with its
own ``Idempotency-Key``, retrying the same key after a 503 or a dropped connection. Mid-load, every
session the stack holds is ended with ``pg_terminate_backend`` (only sessions of this test database that
carry the stack's own ``application_name``), twice; then once more with the stack idle.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token

from siliu.core.tests.processes import (
    SILIU,
    free_port,
    healthz_ok,
    http,
    process_alive,
    processes_kill,
    wait_until,
)
from siliu.finance import chart
from siliu.finance.models import Account, AccountType, Entry, Transfer
from siliu.finance.selectors import trial_balance
from siliu.finance.tests.test_concurrency import assert_ledger_invariants
from siliu.schedule import SCHEDULE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLIENTS = 4
TRANSFERS_PER_CLIENT = 60
WALLETS = [f"wallet:blink{number}" for number in range(CLIENTS)]
#: Marks the stack's own sessions, so that the kill reaches them and nothing else.
STACK_APPLICATION = f"siliu-blink-stack-{os.getpid()}"
#: What a client may see on the way: an answer, a 503 while the database is away, a dropped connection.
ANSWERS_ALLOWED = {0, 200, 201, 503}


@dataclass
class Stack:
    base_url: str
    processes: dict[str, Any]
    logs: Path

    def alive(self) -> dict[str, bool]:
        return {name: process.poll() is None for name, process in self.processes.items()}

    def web_worker_pids(self) -> set[int]:
        """gunicorn's worker processes, read from the kernel (gunicorn would replace one that died)."""
        pid = self.processes["web"].pid
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def log_tails(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.iterdir())
        )


@dataclass
class Client:
    """One client thread's transfers: what it asked for and every answer it got."""

    number: int
    token: str
    base_url: str
    asked: dict[str, int] = field(default_factory=dict)  # key → amount
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → first 2xx body
    statuses: list[int] = field(default_factory=list)

    def send(self, key: str, amount_fen: int, *, deadline: float) -> tuple[int, Any]:
        """POST the transfer until it is answered with something other than 503 or a dropped line."""
        wallet = WALLETS[self.number]
        while True:
            status, body = http(
                "POST",
                f"{self.base_url}/api/v1/transfers",
                body={"debit_account": chart.CAPITAL, "credit_account": wallet, "amount_fen": amount_fen},
                headers={"Authorization": f"Token {self.token}", "Idempotency-Key": key},
            )
            self.statuses.append(status)
            if status not in (0, 503) or time.monotonic() > deadline:
                return status, body
            time.sleep(0.1)  # the same key again: the API books it at most once

    def run(self, *, deadline: float) -> None:
        rng = random.Random(self.number)
        for step in range(TRANSFERS_PER_CLIENT):
            key = f"blink-{self.number}-{step}"
            self.asked[key] = rng.randint(1, 500)
            status, body = self.send(key, self.asked[key], deadline=deadline)
            if status in (200, 201):
                self.acknowledged[key] = body


def stack_sessions(database: str, *, kill: bool = False) -> int:
    """How many sessions of ``database`` carry the stack's application_name; with ``kill``, end them."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=database,
        application_name=f"{STACK_APPLICATION}-killer",
    ) as killer:
        row = killer.execute(
            "SELECT count(*) FILTER (WHERE NOT %s OR pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()",
            [kill, database, STACK_APPLICATION],
        ).fetchone()
    assert row is not None
    return int(row[0])


def sessions_kill(database: str) -> int:
    """End every session of ``database`` that carries the stack's application_name; how many."""
    return stack_sessions(database, kill=True)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """gunicorn, the worker and the scheduler (every 2 s) on this test's database; stopped afterwards."""
    settings = connection.settings_dict
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    database_url = (
        f"postgres://{quote(settings['USER'], safe='')}{password}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}?application_name={STACK_APPLICATION}"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SILIU_DEBUG": "0",
        "SILIU_SECRET_KEY": "blink-test-not-a-secret",
        "SILIU_CONN_MAX_AGE": "60",  # persistent connections: the kill finds them idle between requests
        "SILIU_HTTPS": "0",  # plain HTTP on loopback: no proxy ends TLS in front of this gunicorn
        "SILIU_USER_RATE": "100000/min",  # the load is the test's, not a client to throttle
        "SILIU_DATA_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    (tmp_path / "static").mkdir()  # STATIC_ROOT, which WhiteNoise looks in
    commands = {
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "siliu.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        "worker": [*SILIU, "worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"],
        "scheduler": [*SILIU, "scheduler", "--every", "2"],
    }
    processes: dict[str, Any] = {}
    for name, command in commands.items():
        with (logs / f"{name}.log").open("wb") as log:
            processes[name] = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    started = Stack(base_url=f"http://127.0.0.1:{port}", processes=processes, logs=logs)
    try:
        wait_until(lambda: healthz_ok(started.base_url), seconds=30, what="gunicorn to answer /healthz")
        yield started
    finally:
        web_workers = started.web_worker_pids() if processes["web"].poll() is None else set()
        for name, process in processes.items():
            if process.poll() is None:
                # gunicorn's SIGTERM waits for its idle workers' accept timeout; SIGINT stops them now.
                process.send_signal(signal.SIGINT if name == "web" else signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        processes_kill(web_workers)
        # Nothing of the stack may be left on the test database, which pytest-django drops at the end.
        wait_until(
            lambda: stack_sessions(connection.settings_dict["NAME"]) == 0, seconds=10, what="no stack session"
        )


@pytest.fixture
def staff_token(db: None) -> str:
    # A superuser holds every permission, whether the transfers API asks for staff or for ledger posting.
    user = get_user_model().objects.create_user("blink", is_staff=True, is_superuser=True)
    for wallet in WALLETS:
        Account.objects.create(code=wallet, name=wallet, type=AccountType.LIABILITY)
    return Token.objects.create(user=user).key


def test_stack_recovers_when_every_database_connection_is_killed(staff_token: str, stack: Stack) -> None:
    """Killed mid-load twice and once idle: /healthz is back within 5 s, no process died, the scheduled
    tasks run again, every acknowledged transfer exists once as asked, retries return it unchanged, and
    the ledger balances."""
    database = connection.settings_dict["NAME"]
    total = CLIENTS * TRANSFERS_PER_CLIENT
    deadline = time.monotonic() + 45
    clients = [Client(number, staff_token, stack.base_url) for number in range(CLIENTS)]
    web_workers = stack.web_worker_pids()
    threads = [threading.Thread(target=client.run, kwargs={"deadline": deadline}) for client in clients]
    for thread in threads:
        thread.start()

    def acknowledged(count: int) -> Callable[[], bool]:
        return lambda: sum(len(client.acknowledged) for client in clients) >= count

    killed: list[int] = []
    back_within: list[float] = []
    for enough in (total // 3, 2 * total // 3):
        wait_until(acknowledged(enough), seconds=30, what=f"{enough} acknowledged transfers")
        if not killed:  # the first time, every process holds a session, so that the kill reaches them all
            wait_until(lambda: stack_sessions(database) >= 4, seconds=10, what="four stack sessions")
        killed.append(sessions_kill(database))
        killed_at = time.monotonic()
        wait_until(lambda: healthz_ok(stack.base_url), seconds=5, what="/healthz after the kill")
        back_within.append(time.monotonic() - killed_at)
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 5))
    assert not any(thread.is_alive() for thread in threads), "clients still running at the deadline"

    # Two gunicorn workers, the worker and the scheduler each held a session when it was killed.
    assert killed[0] >= 4, (killed, stack.log_tails())
    assert max(back_within) < 5
    statuses = {status for client in clients for status in client.statuses}
    assert statuses <= ANSWERS_ALLOWED, (statuses, stack.log_tails())

    # Idle, with persistent connections: killed between requests, they are replaced at the next request.
    # Each gunicorn worker whose session died mid-request opens the next at its next request: ask until
    # both have one again (each /healthz goes to whichever worker accepts it first).
    wait_until(
        lambda: healthz_ok(stack.base_url) and stack_sessions(database) >= 4,
        seconds=10,
        what="a session in each of the four processes",
    )
    idle_killed_at = timezone.now()
    assert sessions_kill(database) >= 4
    for step in range(10):
        status, _body = http(
            "POST",
            f"{stack.base_url}/api/v1/transfers",
            body={"debit_account": chart.CAPITAL, "credit_account": WALLETS[0], "amount_fen": 1},
            headers={"Authorization": f"Token {staff_token}", "Idempotency-Key": f"blink-idle-{step}"},
        )
        assert status == 201, (step, status, stack.log_tails())

    # Nothing died: the same processes, and the same gunicorn workers, are still there.
    assert stack.alive() == {"web": True, "worker": True, "scheduler": True}, stack.log_tails()
    assert stack.web_worker_pids() == web_workers and all(process_alive(pid) for pid in web_workers)

    # The scheduler enqueued, and the worker ran, every periodic task after the last kill.
    def scheduled_tasks_ran() -> bool:
        ran = DBTaskResult.objects.filter(enqueued_at__gt=idle_killed_at, status="SUCCESSFUL")
        return set(ran.values_list("task_path", flat=True)) == {entry.task for entry in SCHEDULE}

    wait_until(scheduled_tasks_ran, seconds=15, what="every scheduled task to run after the kill")

    # Every acknowledged transfer exists once, as it was asked for; every key was acknowledged in the end.
    asked = {key: amount for client in clients for key, amount in client.asked.items()}
    acknowledged_bodies = {key: body for client in clients for key, body in client.acknowledged.items()}
    assert set(acknowledged_bodies) == set(asked)
    stored = {
        transfer.id: transfer
        for transfer in Transfer.objects.filter(id__startswith="blink-").select_related(
            "debit_account", "credit_account"
        )
    }
    assert set(stored) == set(asked) | {f"blink-idle-{step}" for step in range(10)}
    for key, amount in asked.items():
        transfer = stored[key]
        wallet = WALLETS[int(key.split("-")[1])]
        assert (transfer.debit_account.code, transfer.credit_account.code, transfer.amount_fen) == (
            chart.CAPITAL,
            wallet,
            amount,
        )
        assert acknowledged_bodies[key]["id"] == key and acknowledged_bodies[key]["amount_fen"] == amount
        assert Entry.objects.filter(transfer_id=key).count() == 2
    for number, wallet in enumerate(WALLETS):
        expected = sum(amount for key, amount in asked.items() if key.startswith(f"blink-{number}-"))
        expected += 10 if number == 0 else 0
        assert Account.objects.get(code=wallet).credits_posted == expected
        entries = Entry.objects.filter(account__code=wallet).aggregate(total=Sum("amount_fen"))["total"]
        assert entries == expected

    # A retry of any acknowledged key returns the very transfer first answered, and books nothing.
    client = clients[0]
    for key, body in list(client.acknowledged.items())[:20]:
        status, again = client.send(key, client.asked[key], deadline=time.monotonic() + 10)
        assert (status, again) == (200, body)
    assert Transfer.objects.filter(id__startswith="blink-").count() == len(stored)

    assert trial_balance().is_balanced
    assert_ledger_invariants()
