"""The ledger against a plain in-memory model, driven by hypothesis' rule-based state machine."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from siliu.core.errors import DomainError
from siliu.finance.models import Account, AccountType, Entry, EntrySide, PendingState, Transfer, TransferKind
from siliu.finance.services import (
    TransferRequest,
    pending_transfers_expire,
    transfer_create,
    transfers_create_batch,
)

# (code, type, allows_negative): two wallets, a cash drawer that cannot go negative, and capital.
ACCOUNTS = [
    ("w1", AccountType.LIABILITY, False),
    ("w2", AccountType.LIABILITY, False),
    ("cash", AccountType.ASSET, False),
    ("capital", AccountType.EQUITY, True),
]
DEBIT_NORMAL = {"cash"}
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@dataclass
class ModelAccount:
    allows_negative: bool
    debit_normal: bool
    counters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # dp, cp, dpend, cpend


@dataclass
class ModelPending:
    debit: str
    credit: str
    amount: int
    expires_at: datetime.datetime | None
    state: str = PendingState.PENDING


class LedgerMachine(RuleBasedStateMachine):
    pendings = Bundle("pendings")

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        for code, type_, allows_negative in ACCOUNTS:
            Account.objects.create(code=code, name=code, type=type_, allows_negative=allows_negative)
        self.model = {
            code: ModelAccount(allows_negative, code in DEBIT_NORMAL)
            for code, _t, allows_negative in ACCOUNTS
        }
        self.pending_model: dict[str, ModelPending] = {}
        self.done: dict[str, tuple[str, str, int]] = {}
        self.now = START
        self.serial = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def next_id(self) -> str:
        self.serial += 1
        return f"t{self.serial}"

    def expected_refusal(self, debit: str, credit: str, amount: int) -> str | None:
        d, c = self.model[debit], self.model[credit]
        if (
            not d.allows_negative
            and not d.debit_normal
            and d.counters[0] + d.counters[2] + amount > d.counters[1]
        ):
            return "exceeds_credits"
        if (
            not c.allows_negative
            and c.debit_normal
            and c.counters[1] + c.counters[3] + amount > c.counters[0]
        ):
            return "exceeds_debits"
        return None

    def create(self, **fields: object) -> str:
        try:
            return transfer_create(now=self.now, **fields).status  # type: ignore[arg-type]
        except DomainError as error:
            return error.code

    @rule(
        debit=st.sampled_from([code for code, *_ in ACCOUNTS]),
        credit=st.sampled_from([code for code, *_ in ACCOUNTS]),
        amount=st.integers(min_value=1, max_value=5_000),
    )
    def post_directly(self, debit: str, credit: str, amount: int) -> None:
        transfer_id = self.next_id()
        status = self.create(id=transfer_id, debit_account=debit, credit_account=credit, amount_fen=amount)
        if debit == credit:
            assert status == "accounts_must_be_different"
            return
        expected = self.expected_refusal(debit, credit, amount)
        assert status == (expected or "created")
        if expected is None:
            self.model[debit].counters[0] += amount
            self.model[credit].counters[1] += amount
            self.done[transfer_id] = (debit, credit, amount)

    @rule(
        target=pendings,
        debit=st.sampled_from(["w1", "w2", "capital"]),
        credit=st.sampled_from(["w1", "w2", "cash"]),
        amount=st.integers(min_value=1, max_value=5_000),
        timeout=st.sampled_from([0, 60, 3_600]),
    )
    def reserve(self, debit: str, credit: str, amount: int, timeout: int) -> str:
        transfer_id = self.next_id()
        status = self.create(
            id=transfer_id,
            debit_account=debit,
            credit_account=credit,
            amount_fen=amount,
            kind=TransferKind.PENDING,
            timeout_seconds=timeout,
        )
        if debit == credit:
            assert status == "accounts_must_be_different"
            return "missing"
        expected = self.expected_refusal(debit, credit, amount)
        assert status == (expected or "created")
        if expected is not None:
            return "missing"
        self.model[debit].counters[2] += amount
        self.model[credit].counters[3] += amount
        expires_at = self.now + datetime.timedelta(seconds=timeout) if timeout else None
        self.pending_model[transfer_id] = ModelPending(debit, credit, amount, expires_at)
        return transfer_id

    def resolve_expected(self, pending_id: str) -> str | None:
        pending = self.pending_model.get(pending_id)
        if pending is None:
            return "pending_transfer_not_found"
        if pending.state == PendingState.POSTED:
            return "pending_transfer_already_posted"
        if pending.state == PendingState.VOIDED:
            return "pending_transfer_already_voided"
        if pending.state == PendingState.EXPIRED or (
            pending.expires_at is not None and pending.expires_at <= self.now
        ):
            return "pending_transfer_expired"
        return None

    def release(self, pending: ModelPending) -> None:
        self.model[pending.debit].counters[2] -= pending.amount
        self.model[pending.credit].counters[3] -= pending.amount

    @rule(pending_id=pendings, fraction=st.sampled_from([None, 1, 2, 3]))
    def post(self, pending_id: str, fraction: int | None) -> None:
        pending = self.pending_model.get(pending_id)
        amount = None if fraction is None or pending is None else max(1, pending.amount // fraction)
        status = self.create(
            id=self.next_id(), kind=TransferKind.POST_PENDING, pending_id=pending_id, amount_fen=amount
        )
        expected = self.resolve_expected(pending_id)
        assert status == (expected or "created")
        if expected is None and pending is not None:
            self.release(pending)
            posted = pending.amount if amount is None else amount
            self.model[pending.debit].counters[0] += posted
            self.model[pending.credit].counters[1] += posted
            pending.state = PendingState.POSTED

    @rule(pending_id=consumes(pendings))
    def void(self, pending_id: str) -> None:
        status = self.create(id=self.next_id(), kind=TransferKind.VOID_PENDING, pending_id=pending_id)
        expected = self.resolve_expected(pending_id)
        assert status == (expected or "created")
        pending = self.pending_model.get(pending_id)
        if expected is None and pending is not None:
            self.release(pending)
            pending.state = PendingState.VOIDED

    @rule(seconds=st.sampled_from([30, 120, 7_200]))
    def time_passes_and_sweep_runs(self, seconds: int) -> None:
        self.now += datetime.timedelta(seconds=seconds)
        expired = pending_transfers_expire(now=self.now)
        due = [
            pending
            for pending in self.pending_model.values()
            if pending.state == PendingState.PENDING
            and pending.expires_at is not None
            and pending.expires_at <= self.now
        ]
        assert expired == len(due)
        for pending in due:
            self.release(pending)
            pending.state = PendingState.EXPIRED

    @rule(data=st.data())
    def retry_a_done_transfer(self, data: st.DataObject) -> None:
        if not self.done:
            return
        transfer_id = data.draw(st.sampled_from(sorted(self.done)))
        debit, credit, amount = self.done[transfer_id]
        assert (
            self.create(id=transfer_id, debit_account=debit, credit_account=credit, amount_fen=amount)
            == "exists"
        )
        changed = self.create(
            id=transfer_id, debit_account=debit, credit_account=credit, amount_fen=amount + 1
        )
        assert changed == "exists_with_different_fields"

    @rule(amounts=st.lists(st.integers(min_value=1, max_value=3_000), min_size=2, max_size=4))
    def linked_chain_from_w1(self, amounts: list[int]) -> None:
        ids = [self.next_id() for _amount in amounts]
        requests = [
            TransferRequest(
                id=ids[i],
                debit_account="w1",
                credit_account="w2",
                amount_fen=amount,
                linked=i < len(amounts) - 1,
            )
            for i, amount in enumerate(amounts)
        ]
        results = transfers_create_batch(transfers=requests, now=self.now)
        w1 = self.model["w1"].counters
        affordable = w1[0] + w1[2] + sum(amounts) <= w1[1]
        if affordable:
            assert [r.status for r in results] == ["created"] * len(amounts)
            w1[0] += sum(amounts)
            self.model["w2"].counters[1] += sum(amounts)
        else:
            assert {r.status for r in results} <= {"exceeds_credits", "linked_event_failed"}
            assert sum(r.status == "exceeds_credits" for r in results) == 1

    @invariant()
    def counters_match_the_model(self) -> None:
        actual = {
            a.code: [a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending]
            for a in Account.objects.filter(code__in=self.model)
        }
        assert actual == {code: account.counters for code, account in self.model.items()}

    @invariant()
    def debits_equal_credits_and_entries_sum_to_counters(self) -> None:
        totals = Account.objects.filter(code__in=self.model).aggregate(
            dp=Sum("debits_posted"),
            cp=Sum("credits_posted"),
            dpend=Sum("debits_pending"),
            cpend=Sum("credits_pending"),
        )
        assert totals["dp"] == totals["cp"]
        assert totals["dpend"] == totals["cpend"]
        for account in Account.objects.filter(code__in=self.model):
            sums = {
                side: Entry.objects.filter(account=account, side=side).aggregate(s=Sum("amount_fen"))["s"]
                or 0
                for side in EntrySide.values
            }
            assert (sums[EntrySide.DEBIT], sums[EntrySide.CREDIT]) == (
                account.debits_posted,
                account.credits_posted,
            )
            last = Entry.objects.filter(account=account).order_by("-id").first()
            assert (last.balance_fen if last else 0) == account.balance_fen
        assert Transfer.objects.filter(kind=TransferKind.PENDING, state=PendingState.PENDING).count() == sum(
            pending.state == PendingState.PENDING for pending in self.pending_model.values()
        )


@pytest.mark.django_db
def test_ledger_matches_the_in_memory_model() -> None:
    """Random transfers, reservations, posts, voids, expiries and retries agree with the model."""
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
