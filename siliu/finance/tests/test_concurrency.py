"""Concurrent transfers on PostgreSQL: hot accounts, duplicate sends, post/void races.

Each test runs real threads, each with its own database connection, against committed data
(``transaction=True``; ``serialized_rollback`` restores the migrations' data, such as the chart of
accounts and role groups, for the tests that follow). Afterwards the ledger's invariants are checked
from the rows themselves.
"""

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Q, Sum

from siliu.core.errors import DomainError
from siliu.finance import chart
from siliu.finance.models import Account, AccountType, Entry, EntrySide, PendingState, Transfer, TransferKind
from siliu.finance.services import TransferRequest, system_account, transfer_create, transfers_create_batch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8
PER_THREAD = 50
HOT = ["wallet:h0", "wallet:h1", "wallet:h2", "wallet:h3"]


def in_threads(work: Callable[[int], Any], count: int = THREADS) -> list[Any]:
    """Run ``work(thread_number)`` in ``count`` threads, each closing its connection at the end."""

    def run(number: int) -> Any:
        try:
            return work(number)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def send(**fields: Any) -> str:
    try:
        return transfer_create(**fields).status
    except DomainError as error:
        return error.code


def assert_ledger_invariants() -> None:
    """Debits equal credits; counters equal their entries and live reservations; no wallet negative."""
    totals = Account.objects.aggregate(
        debits=Sum("debits_posted"),
        credits=Sum("credits_posted"),
        debits_pending=Sum("debits_pending"),
        credits_pending=Sum("credits_pending"),
    )
    assert totals["debits"] == totals["credits"]
    assert totals["debits_pending"] == totals["credits_pending"]
    live = Transfer.objects.filter(kind=TransferKind.PENDING, state=PendingState.PENDING)
    for account in Account.objects.all():
        entries = Entry.objects.filter(account=account)
        debits = entries.filter(side=EntrySide.DEBIT).aggregate(s=Sum("amount_fen"))["s"] or 0
        credits = entries.filter(side=EntrySide.CREDIT).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert (account.debits_posted, account.credits_posted) == (debits, credits), account.code
        reserved_out = live.filter(debit_account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        reserved_in = live.filter(credit_account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert (account.debits_pending, account.credits_pending) == (reserved_out, reserved_in), account.code
        last = entries.order_by("-id").first()
        assert (last.balance_fen if last else 0) == account.balance_fen, account.code
        if account.code.startswith(chart.WALLET_PREFIX):
            assert account.balance_fen >= 0 and account.available_fen >= 0, account.code
    # Each posted transfer has exactly its two entries.
    posted = Transfer.objects.filter(kind__in=[TransferKind.POSTED, TransferKind.POST_PENDING])
    assert Entry.objects.count() == 2 * posted.count()


@pytest.fixture
def hot_accounts(db: None) -> None:
    capital = system_account(code=chart.CAPITAL)
    for code in HOT:
        Account.objects.create(code=code, name=code, type=AccountType.LIABILITY)
        transfer_create(id=f"fund-{code}", debit_account=capital.code, credit_account=code, amount_fen=20_000)


def test_hot_accounts_with_duplicate_sends(hot_accounts: None) -> None:
    """8 threads × 50 transfers among 4 hot wallets, a fifth of them resends: every ack exists once."""
    shared: list[dict[str, Any]] = []
    shared_lock = threading.Lock()

    def work(number: int) -> list[tuple[dict[str, Any], str]]:
        rng = random.Random(number)
        outcomes = []
        for step in range(PER_THREAD):
            with shared_lock:
                resend = shared and rng.random() < 0.2
                fields = dict(rng.choice(shared)) if resend else None
            if fields is None:
                debit, credit = rng.sample(HOT, 2)
                fields = {"id": f"c{number}-{step}", "debit_account": debit, "credit_account": credit}
                fields["amount_fen"] = rng.randint(1, 3_000)
                if rng.random() < 0.2:
                    fields["kind"] = TransferKind.PENDING
                with shared_lock:
                    shared.append(fields)
            outcomes.append((fields, send(**fields)))
        return outcomes

    results = [outcome for outcomes in in_threads(work) for outcome in outcomes]
    assert len(results) == THREADS * PER_THREAD
    allowed = {"created", "exists", "exceeds_credits"}
    assert {status for _fields, status in results} <= allowed, {status for _f, status in results} - allowed
    acknowledged: dict[str, dict[str, Any]] = {}
    created_count: dict[str, int] = {}
    for fields, status in results:
        if status in ("created", "exists"):
            acknowledged[fields["id"]] = fields
        if status == "created":
            created_count[fields["id"]] = created_count.get(fields["id"], 0) + 1
    assert set(created_count.values()) == {1}
    assert any(status == "exists" for _fields, status in results)
    stored = {
        t.id: t
        for t in Transfer.objects.filter(pk__in=acknowledged).select_related(
            "debit_account", "credit_account"
        )
    }
    assert set(stored) == set(acknowledged)
    for transfer_id, fields in acknowledged.items():
        transfer = stored[transfer_id]
        assert (transfer.debit_account.code, transfer.credit_account.code, transfer.amount_fen) == (
            fields["debit_account"],
            fields["credit_account"],
            fields["amount_fen"],
        )
    assert_ledger_invariants()


def test_first_sends_of_one_id_race(hot_accounts: None) -> None:
    """Eight threads send the same new id at the same instant: one ``created``, seven ``exists``."""
    barrier = threading.Barrier(THREADS)

    def work(number: int) -> str:
        connection.ensure_connection()
        barrier.wait()
        return send(id="same", debit_account="wallet:h0", credit_account="wallet:h1", amount_fen=77)

    statuses = in_threads(work)
    assert sorted(statuses) == ["created"] + ["exists"] * (THREADS - 1)
    assert Account.objects.get(code="wallet:h1").credits_posted == 20_077
    assert_ledger_invariants()


def test_same_id_different_accounts_race(hot_accounts: None) -> None:
    """Two first sends of one id naming disjoint accounts: one wins, the other is told it differs."""
    barrier = threading.Barrier(2)
    pairs = [("wallet:h0", "wallet:h1"), ("wallet:h2", "wallet:h3")]

    def work(number: int) -> str:
        connection.ensure_connection()
        barrier.wait()
        debit, credit = pairs[number]
        return send(id="contested", debit_account=debit, credit_account=credit, amount_fen=5)

    assert sorted(in_threads(work, 2)) == ["created", "exists_with_different_fields"]
    assert Transfer.objects.filter(pk="contested").count() == 1
    assert_ledger_invariants()


def test_post_and_void_race_resolves_each_pending_once(hot_accounts: None) -> None:
    """Threads race to post or void 40 reservations: each is resolved exactly once, by one winner."""
    pending_ids = [f"p{n}" for n in range(40)]
    for number, pending_id in enumerate(pending_ids):
        transfer_create(
            id=pending_id,
            debit_account=HOT[number % 4],
            credit_account=HOT[(number + 1) % 4],
            amount_fen=100 + number,
            kind=TransferKind.PENDING,
        )

    def work(number: int) -> list[tuple[str, str, str]]:
        rng = random.Random(100 + number)
        order = pending_ids[:]
        rng.shuffle(order)
        outcomes: list[tuple[str, str, str]] = []
        for pending_id in order:
            kind = TransferKind.POST_PENDING if number % 2 else TransferKind.VOID_PENDING
            amount = 50 if kind == TransferKind.POST_PENDING and rng.random() < 0.5 else None
            status = send(id=f"r{number}-{pending_id}", kind=kind, pending_id=pending_id, amount_fen=amount)
            outcomes.append((pending_id, kind, status))
        return outcomes

    results = [outcome for outcomes in in_threads(work) for outcome in outcomes]
    losers = {"pending_transfer_already_posted", "pending_transfer_already_voided"}
    for pending_id in pending_ids:
        statuses = [status for pid, _kind, status in results if pid == pending_id]
        assert statuses.count("created") == 1, (pending_id, statuses)
        assert set(statuses) - {"created"} <= losers
        winner = next(kind for pid, kind, status in results if pid == pending_id and status == "created")
        pending = Transfer.objects.get(pk=pending_id)
        assert pending.state == (
            PendingState.POSTED if winner == TransferKind.POST_PENDING else PendingState.VOIDED
        )
        assert pending.resolutions.count() == 1
    assert not Account.objects.filter(Q(debits_pending__gt=0) | Q(credits_pending__gt=0)).exists()
    assert_ledger_invariants()


def test_concurrent_batches_with_linked_chains(hot_accounts: None) -> None:
    """Four threads send batches of linked pairs that overdraw some wallets: chains stay whole."""

    def work(number: int) -> list[str]:
        rng = random.Random(200 + number)
        requests = []
        for pair in range(50):
            debit, credit = rng.sample(HOT, 2)
            amount = rng.randint(100, 2_000)
            requests.append(TransferRequest(f"b{number}-{pair}-a", debit, credit, amount, linked=True))
            requests.append(TransferRequest(f"b{number}-{pair}-b", credit, debit, amount // 2))
        return [result.status for result in transfers_create_batch(transfers=requests)]

    for statuses in in_threads(work, 4):
        for first, second in zip(statuses[::2], statuses[1::2], strict=True):
            assert (first == "created") == (second == "created"), (first, second)
    assert_ledger_invariants()
