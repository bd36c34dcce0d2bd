"""The two implementations of the transfer engine agree: Python (SQLite's) and PL/pgSQL (PostgreSQL's).

On PostgreSQL both can run: each random batch is applied by the Python engine inside a savepoint,
the outcome recorded and rolled back, then applied by ``siliu_create_transfers``; results (codes and
the transfers returned), counters, transfer rows and entries must be identical. The whole suite
also runs on both databases; this test adds batches no hand-written test thought of.
"""

import datetime
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from django.db import DatabaseError, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siliu.finance import chart, services
from siliu.finance.models import Account, AccountType, Entry, Transfer, TransferKind
from siliu.finance.services import (
    TransferRequest,
    TransferResult,
    _evaluate,
    _evaluate_in_postgresql,
    system_account,
    transfer_create,
    transfers_create_batch,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

START = datetime.datetime(2026, 3, 1, 1, 0, tzinfo=datetime.UTC)
CODES = ["w1", "w2", "cash", "capital"]


def draw_batch(data: st.DataObject, history: list[TransferRequest]) -> list[TransferRequest]:
    """A batch mostly of plausible requests: new transfers, reservations and their posts and voids,
    retries of earlier requests (some altered), and now and then a bad shape or an unknown account."""
    batch: list[TransferRequest] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        seen = history + batch
        pending_ids = [r.id for r in seen if r.kind == TransferKind.PENDING]
        choice = data.draw(st.sampled_from(["posted", "pending", "resolve", "retry", "odd"]))
        linked = data.draw(st.booleans())
        if choice == "retry" and seen:
            request = data.draw(st.sampled_from(seen))
            change = data.draw(st.sampled_from(["none", "none", "amount", "reference", "linked", "credit"]))
            fields: dict[str, Any] = {}
            if change == "amount":
                fields["amount_fen"] = (request.amount_fen or 1) + 1
            elif change == "reference":
                fields["reference"] = "order:2"
            elif change == "linked":
                fields["linked"] = not request.linked
            elif change == "credit":
                fields["credit_account"] = data.draw(st.sampled_from(CODES))
            batch.append(replace(request, **fields))
            continue
        transfer_id = f"t{len(seen)}"
        if choice == "resolve" and pending_ids:
            amount = data.draw(st.one_of(st.none(), st.integers(min_value=1, max_value=3_000)))
            batch.append(
                TransferRequest(
                    transfer_id,
                    kind=data.draw(st.sampled_from([TransferKind.POST_PENDING, TransferKind.VOID_PENDING])),
                    pending_id=data.draw(st.sampled_from([*pending_ids, "t999"])),
                    amount_fen=amount,
                    debit_account=data.draw(st.sampled_from([None, None, *CODES])),
                    linked=linked,
                )
            )
            continue
        debit, credit = data.draw(st.permutations(CODES))[:2]
        amount = data.draw(st.integers(min_value=1, max_value=3_000))
        if choice == "odd":
            odd = data.draw(st.sampled_from(["id", "amount", "same", "unknown", "timeout", "big"]))
            transfer_id = "bad id" if odd == "id" else transfer_id
            amount = 0 if odd == "amount" else 10**15 + 1 if odd == "big" else amount
            credit = debit if odd == "same" else "nobody" if odd == "unknown" else credit
        pending = choice == "pending"
        batch.append(
            TransferRequest(
                transfer_id,
                debit,
                credit,
                amount,
                kind=TransferKind.PENDING if pending else TransferKind.POSTED,
                linked=linked,
                timeout_seconds=data.draw(st.sampled_from([0, 60])) if pending or choice == "odd" else 0,
                reference=data.draw(st.sampled_from(["", "order:1"])),
            )
        )
    return batch


Engine = Callable[..., list[TransferResult]]


def outcome(engine: Engine, batch: list[TransferRequest], now: datetime.datetime) -> tuple[Any, ...]:
    """What ``engine`` makes of ``batch``: results and the ledger afterwards (entry ids aside)."""
    try:
        with transaction.atomic():
            results = engine(batch, now=now, created_by=None, extra_account_ids=set())
    except DatabaseError as error:  # a row the database refuses (e.g. a negative timeout): both must
        return (type(error).__name__,)
    attnames = [field.attname for field in Transfer._meta.concrete_fields]
    return (
        [
            (
                result.index,
                result.id,
                result.status,
                None if result.transfer is None else [getattr(result.transfer, a) for a in attnames],
            )
            for result in results
        ],
        list(
            Account.objects.order_by("pk").values_list(
                "code", "debits_posted", "credits_posted", "debits_pending", "credits_pending"
            )
        ),
        list(Transfer.objects.order_by("pk").values_list(*attnames)),
        list(
            Entry.objects.order_by("pk").values_list(
                "account_id", "transfer_id", "side", "amount_fen", "balance_fen", "created_at"
            )
        ),
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_python_and_postgresql_engines_agree(data: st.DataObject) -> None:
    """Random batches (retries, two-phase, chains, bad shapes, overdrafts, expiry) give equal outcomes."""
    with transaction.atomic():
        for code in CODES:
            debit_normal = code == "cash"
            Account.objects.create(
                code=code,
                name=code,
                type=AccountType.ASSET if debit_normal else AccountType.LIABILITY,
                allows_negative=code == "capital",
            )
        transfers_create_batch(
            transfers=[
                TransferRequest("fund-w1", "capital", "w1", 8_000),
                TransferRequest("fund-cash", "cash", "capital", 8_000),
            ],
            now=START,
        )
        now = START
        history: list[TransferRequest] = []
        for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
            batch = draw_batch(data, history)
            history += batch
            now += datetime.timedelta(seconds=data.draw(st.sampled_from([0, 30, 60, 60])))
            savepoint = transaction.savepoint()
            in_python = outcome(_evaluate, batch, now)
            transaction.savepoint_rollback(savepoint)
            in_postgresql = outcome(_evaluate_in_postgresql, batch, now)
            assert in_postgresql == in_python
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pending_committed_while_waiting_for_a_lock_is_relocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A post that waits on an account while its pending transfer commits locks again, in order."""
    capital = system_account(code=chart.CAPITAL)
    for code in ("wallet:r1", "wallet:r2"):
        Account.objects.create(code=code, name=code, type=AccountType.LIABILITY)
    transfer_create(id="fund-r1", debit_account=capital.code, credit_account="wallet:r1", amount_fen=500)
    calls: list[set[int]] = []

    def counting(*args: Any, **kwargs: Any) -> list[TransferResult]:
        calls.append(set(kwargs["extra_account_ids"]))
        return _evaluate_in_postgresql(*args, **kwargs)

    monkeypatch.setattr(services, "_evaluate_in_postgresql", counting)
    holder = connections.create_connection("default")  # a second session holds wallet:r1's lock
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT count(*) FROM siliu_create_transfers(%s::jsonb, now(), NULL, '{}'::bigint[])",
                [
                    '[{"i":"p","d":"wallet:r1","c":"wallet:r2","a":200,"k":"pending","l":false,"t":0,"g":"","r":""}]'
                ],
            )

            def post() -> str:
                try:
                    return transfer_create(
                        id="post", kind=TransferKind.POST_PENDING, pending_id="p", debit_account="wallet:r1"
                    ).status
                finally:
                    connections.close_all()

            with ThreadPoolExecutor(max_workers=1) as pool:
                future = pool.submit(post)
                time.sleep(0.5)  # the post now waits for wallet:r1; "p" is not visible to it yet
                cursor.execute("COMMIT")
                assert future.result(timeout=10) == "created"
    finally:
        holder.close()
    r1, r2 = (Account.objects.get(code=code) for code in ("wallet:r1", "wallet:r2"))
    assert len(calls) == 2 and calls[0] == set() and calls[1] == {r1.pk, r2.pk}
    assert (r1.debits_posted, r1.debits_pending, r2.credits_posted, r2.credits_pending) == (200, 0, 200, 0)
    assert Transfer.objects.get(pk="p").state == "posted"
