"""The transfer engine: single transfers, idempotency, two-phase transfers, linked chains, batches."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from siliu.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from siliu.finance.models import Account, AccountType, Entry, EntrySide, PendingState, Transfer, TransferKind
from siliu.finance.services import (
    BATCH_LIMIT,
    TransferRequest,
    pending_transfers_expire,
    transfer_create,
    transfers_create_batch,
)
from siliu.finance.tests.conftest import Snapshot

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def alice(make_account: Callable[..., Account], fund: Callable[[Account, int], None]) -> Account:
    """A wallet-like liability holding ¥100.00."""
    account = make_account(code="wallet:alice")
    fund(account, 10_000)
    return account


@pytest.fixture
def bob(make_account: Callable[..., Account]) -> Account:
    return make_account(code="wallet:bob")


def counters(code: str) -> tuple[int, int, int, int]:
    account = Account.objects.get(code=code)
    return account.debits_posted, account.credits_posted, account.debits_pending, account.credits_pending


def refused(
    snapshot: Callable[[], Snapshot], code: str, error_class: type[DomainError], **fields: object
) -> DomainError:
    """Call transfer_create with ``fields``, expect ``code``, and check that nothing changed."""
    before = snapshot()
    with pytest.raises(error_class) as caught:
        transfer_create(**fields)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert snapshot() == before
    return caught.value


def test_posted_transfer_moves_money_and_writes_two_entries(alice: Account, bob: Account) -> None:
    """A posted transfer updates both accounts' posted counters and writes one entry per side."""
    result = transfer_create(
        id="t1", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=2_550
    )
    assert result.status == "created"
    assert counters("wallet:alice") == (2_550, 10_000, 0, 0)
    assert counters("wallet:bob") == (0, 2_550, 0, 0)
    entries = list(
        Entry.objects.filter(transfer_id="t1")
        .order_by("side")
        .values_list("account__code", "side", "amount_fen", "balance_fen")
    )
    assert entries == [
        ("wallet:bob", EntrySide.CREDIT, 2_550, 2_550),
        ("wallet:alice", EntrySide.DEBIT, 2_550, 7_450),
    ]


def test_identical_retry_returns_the_original_transfer(
    alice: Account, bob: Account, snapshot: Callable[[], Snapshot]
) -> None:
    """Sending the same id with the same fields again changes nothing and reports ``exists``."""
    first = transfer_create(
        id="t1", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=100
    )
    before = snapshot()
    again = transfer_create(
        id="t1", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=100
    )
    assert again.status == "exists"
    assert again.transfer is not None and first.transfer is not None
    assert again.transfer.pk == first.transfer.pk
    assert again.transfer.created_at == first.transfer.created_at
    assert snapshot() == before


@pytest.mark.parametrize(
    "changed",
    [
        {"amount_fen": 101},
        {"credit_account": "wallet:carol"},
        {"reference": "order:9"},
        {"category": "cash_in"},
    ],
)
def test_same_id_with_different_fields_is_refused(
    alice: Account,
    bob: Account,
    make_account: Callable[..., Account],
    snapshot: Callable[[], Snapshot],
    changed: dict[str, object],
) -> None:
    """Reusing an id for a different transfer is ``exists_with_different_fields`` and changes nothing."""
    make_account(code="wallet:carol")
    fields: dict[str, object] = {
        "id": "t1",
        "debit_account": "wallet:alice",
        "credit_account": "wallet:bob",
        "amount_fen": 100,
    }
    transfer_create(**fields)  # type: ignore[arg-type]
    refused(snapshot, "exists_with_different_fields", Conflict, **{**fields, **changed})


@pytest.mark.parametrize(
    ("fields", "code", "error_class"),
    [
        ({"amount_fen": 0}, "amount_must_be_positive", ValidationFailed),
        ({"amount_fen": -5}, "amount_must_be_positive", ValidationFailed),
        ({"amount_fen": None}, "amount_must_be_positive", ValidationFailed),
        ({"amount_fen": 10**15 + 1}, "amount_too_large", ValidationFailed),
        ({"credit_account": "wallet:alice"}, "accounts_must_be_different", ValidationFailed),
        ({"debit_account": "wallet:nobody"}, "debit_account_not_found", NotFound),
        ({"credit_account": "wallet:nobody"}, "credit_account_not_found", NotFound),
        ({"debit_account": None}, "debit_account_required", ValidationFailed),
        ({"id": ""}, "invalid_id", ValidationFailed),
        ({"id": "有空格 的编号"}, "invalid_id", ValidationFailed),
        ({"id": "x" * 65}, "invalid_id", ValidationFailed),
        ({"timeout_seconds": 60}, "timeout_reserved_for_pending_transfer", ValidationFailed),
        ({"pending_id": "p1"}, "pending_id_must_be_empty", ValidationFailed),
        ({"amount_fen": 10_001}, "exceeds_credits", Conflict),
    ],
)
def test_invalid_transfer_is_refused_and_changes_nothing(
    alice: Account,
    bob: Account,
    snapshot: Callable[[], Snapshot],
    fields: dict[str, object],
    code: str,
    error_class: type[DomainError],
) -> None:
    """Each malformed or unaffordable transfer gets its own code and leaves the ledger untouched."""
    base: dict[str, object] = {
        "id": "t1",
        "debit_account": "wallet:alice",
        "credit_account": "wallet:bob",
        "amount_fen": 500,
    }
    refused(snapshot, code, error_class, **{**base, **fields})


def test_wallet_can_spend_exactly_its_balance(alice: Account, bob: Account) -> None:
    """Spending the whole balance is allowed; one fen more is ``exceeds_credits``."""
    transfer_create(id="all", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=10_000)
    assert counters("wallet:alice") == (10_000, 10_000, 0, 0)
    with pytest.raises(Conflict) as caught:
        transfer_create(
            id="one-more", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=1
        )
    assert caught.value.code == "exceeds_credits"


def test_debit_normal_account_that_cannot_go_negative_refuses_overdraw(
    make_account: Callable[..., Account],
    fund: Callable[[Account, int], None],
    capital: Account,
    snapshot: Callable[[], Snapshot],
) -> None:
    """A cash drawer (asset) holding ¥5.00 cannot pay out ¥5.01: ``exceeds_debits``."""
    drawer = make_account(code="cash:T1", type=AccountType.ASSET)
    fund(drawer, 500)
    fields = {"id": "t1", "debit_account": capital.code, "credit_account": "cash:T1"}
    refused(snapshot, "exceeds_debits", Conflict, **fields, amount_fen=501)
    transfer_create(**fields, amount_fen=500)  # type: ignore[arg-type]
    assert counters("cash:T1") == (500, 500, 0, 0)


def test_account_allowed_negative_may_go_below_zero(capital: Account, bob: Account) -> None:
    """Capital (equity, may go negative) funds a wallet from nothing."""
    transfer_create(id="t1", debit_account=capital.code, credit_account="wallet:bob", amount_fen=700)
    capital.refresh_from_db()
    assert capital.balance_fen == -700


# --- two-phase transfers -------------------------------------------------------------------------


def pend(amount_fen: int = 3_000, *, id: str = "p1", timeout_seconds: int = 0) -> Transfer:
    result = transfer_create(
        id=id,
        debit_account="wallet:alice",
        credit_account="wallet:bob",
        amount_fen=amount_fen,
        kind=TransferKind.PENDING,
        timeout_seconds=timeout_seconds,
        now=NOW,
    )
    assert result.transfer is not None
    return result.transfer


def test_pending_transfer_reserves_without_posting(alice: Account, bob: Account) -> None:
    """A pending transfer moves the amount into the pending counters and lowers the available balance."""
    pending = pend(3_000)
    assert pending.state == PendingState.PENDING
    assert counters("wallet:alice") == (0, 10_000, 3_000, 0)
    assert counters("wallet:bob") == (0, 0, 0, 3_000)
    alice.refresh_from_db()
    assert (alice.balance_fen, alice.available_fen) == (10_000, 7_000)
    assert Entry.objects.filter(transfer=pending).count() == 0


def test_pending_reservation_counts_against_the_balance(
    alice: Account, bob: Account, snapshot: Callable[[], Snapshot]
) -> None:
    """With ¥30.00 reserved, spending ¥70.01 more is ``exceeds_credits``."""
    pend(3_000)
    refused(
        snapshot,
        "exceeds_credits",
        Conflict,
        id="t1",
        debit_account="wallet:alice",
        credit_account="wallet:bob",
        amount_fen=7_001,
    )


def test_post_pending_for_a_smaller_amount_releases_the_rest(alice: Account, bob: Account) -> None:
    """Posting ¥20.00 of a ¥30.00 reservation posts ¥20.00 and releases all ¥30.00 of pending."""
    pend(3_000)
    result = transfer_create(
        id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", amount_fen=2_000, now=NOW
    )
    assert result.transfer is not None and result.transfer.amount_fen == 2_000
    assert counters("wallet:alice") == (2_000, 10_000, 0, 0)
    assert counters("wallet:bob") == (0, 2_000, 0, 0)
    assert Transfer.objects.get(pk="p1").state == PendingState.POSTED
    assert list(
        Entry.objects.filter(transfer_id="post1").values_list("balance_fen", flat=True).order_by("side")
    ) == [2_000, 8_000]


def test_post_pending_without_amount_posts_the_full_amount(alice: Account, bob: Account) -> None:
    """Leaving out the amount on post posts the whole reservation."""
    pend(3_000)
    transfer_create(id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", now=NOW)
    assert counters("wallet:alice") == (3_000, 10_000, 0, 0)


def test_void_pending_releases_the_reservation(alice: Account, bob: Account) -> None:
    """Voiding restores the available balance and posts nothing."""
    pend(3_000)
    transfer_create(id="void1", kind=TransferKind.VOID_PENDING, pending_id="p1", now=NOW)
    assert counters("wallet:alice") == (0, 10_000, 0, 0)
    assert counters("wallet:bob") == (0, 0, 0, 0)
    assert Transfer.objects.get(pk="p1").state == PendingState.VOIDED
    assert Entry.objects.filter(transfer_id="void1").count() == 0


@pytest.mark.parametrize(
    ("first", "second", "code"),
    [
        (TransferKind.POST_PENDING, TransferKind.POST_PENDING, "pending_transfer_already_posted"),
        (TransferKind.POST_PENDING, TransferKind.VOID_PENDING, "pending_transfer_already_posted"),
        (TransferKind.VOID_PENDING, TransferKind.POST_PENDING, "pending_transfer_already_voided"),
        (TransferKind.VOID_PENDING, TransferKind.VOID_PENDING, "pending_transfer_already_voided"),
    ],
)
def test_pending_transfer_is_resolved_at_most_once(
    alice: Account,
    bob: Account,
    snapshot: Callable[[], Snapshot],
    first: TransferKind,
    second: TransferKind,
    code: str,
) -> None:
    """A second post or void of one pending transfer (under a new id) is refused and changes nothing."""
    pend(3_000)
    transfer_create(id="r1", kind=first, pending_id="p1", now=NOW)
    refused(snapshot, code, Conflict, id="r2", kind=second, pending_id="p1", now=NOW)


@pytest.mark.parametrize(
    ("fields", "code", "error_class"),
    [
        ({"amount_fen": 3_001}, "exceeds_pending_transfer_amount", ValidationFailed),
        ({"pending_id": "nope"}, "pending_transfer_not_found", NotFound),
        ({"pending_id": "plain"}, "pending_transfer_not_pending", Conflict),
        ({"pending_id": None}, "pending_id_required", ValidationFailed),
        ({"pending_id": "post1"}, "pending_id_must_be_different", ValidationFailed),
        ({"debit_account": "wallet:bob"}, "pending_transfer_has_different_debit_account", ValidationFailed),
        (
            {"credit_account": "wallet:alice"},
            "pending_transfer_has_different_credit_account",
            ValidationFailed,
        ),
    ],
)
def test_invalid_post_is_refused(
    alice: Account,
    bob: Account,
    snapshot: Callable[[], Snapshot],
    fields: dict[str, object],
    code: str,
    error_class: type[DomainError],
) -> None:
    """Posts naming no, the wrong, or an unresolvable pending transfer are refused and change nothing."""
    pend(3_000)
    transfer_create(id="plain", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=1)
    base: dict[str, object] = {
        "id": "post1",
        "kind": TransferKind.POST_PENDING,
        "pending_id": "p1",
        "now": NOW,
    }
    refused(snapshot, code, error_class, **{**base, **fields})


def test_void_with_a_different_amount_is_refused(
    alice: Account, bob: Account, snapshot: Callable[[], Snapshot]
) -> None:
    """A void must release the whole reservation: another amount is refused."""
    pend(3_000)
    refused(
        snapshot,
        "pending_transfer_has_different_amount",
        ValidationFailed,
        id="v1",
        kind=TransferKind.VOID_PENDING,
        pending_id="p1",
        amount_fen=2_999,
        now=NOW,
    )


def test_expired_pending_transfer_cannot_be_posted(
    alice: Account, bob: Account, snapshot: Callable[[], Snapshot]
) -> None:
    """After its timeout a pending transfer refuses a post with ``pending_transfer_expired``."""
    pend(3_000, timeout_seconds=60)
    assert Transfer.objects.get(pk="p1").expires_at == NOW + datetime.timedelta(seconds=60)
    later = NOW + datetime.timedelta(seconds=60)
    refused(
        snapshot,
        "pending_transfer_expired",
        Conflict,
        id="post1",
        kind=TransferKind.POST_PENDING,
        pending_id="p1",
        now=later,
    )
    # One second before, it could still be posted.
    transfer_create(
        id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", now=later - datetime.timedelta(seconds=1)
    )


def test_expiry_sweep_releases_only_due_reservations(alice: Account, bob: Account) -> None:
    """The sweep expires overdue pending transfers, restores the balance, and leaves the others."""
    pend(1_000, id="soon", timeout_seconds=60)
    pend(2_000, id="later", timeout_seconds=3_600)
    pend(500, id="never")
    assert pending_transfers_expire(now=NOW + datetime.timedelta(minutes=5)) == 1
    assert dict(Transfer.objects.filter(kind=TransferKind.PENDING).values_list("pk", "state")) == {
        "soon": PendingState.EXPIRED,
        "later": PendingState.PENDING,
        "never": PendingState.PENDING,
    }
    assert counters("wallet:alice") == (0, 10_000, 2_500, 0)
    assert pending_transfers_expire(now=NOW + datetime.timedelta(minutes=5)) == 0
    with pytest.raises(Conflict) as caught:
        transfer_create(id="v", kind=TransferKind.VOID_PENDING, pending_id="soon", now=NOW)
    assert caught.value.code == "pending_transfer_expired"


def test_identical_retry_of_a_post_after_it_succeeded_is_exists(alice: Account, bob: Account) -> None:
    """Retrying the post itself (same id) is idempotent, unlike a post under a new id."""
    pend(3_000)
    transfer_create(id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", amount_fen=1_000, now=NOW)
    again = transfer_create(
        id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", amount_fen=1_000, now=NOW
    )
    assert again.status == "exists"
    assert counters("wallet:alice") == (1_000, 10_000, 0, 0)


# --- batches and linked chains --------------------------------------------------------------------


def req(
    id: str, amount_fen: int, *, linked: bool = False, debit: str = "wallet:alice", credit: str = "wallet:bob"
) -> TransferRequest:
    return TransferRequest(
        id=id, debit_account=debit, credit_account=credit, amount_fen=amount_fen, linked=linked
    )


def test_batch_reports_a_result_per_item(alice: Account, bob: Account) -> None:
    """Unlinked items succeed or fail on their own; each has its result, in order."""
    results = transfers_create_batch(
        transfers=[req("a", 1_000), req("b", 0), req("c", 20_000), req("d", 2_000), req("a", 1_000)]
    )
    assert [(r.index, r.id, r.status) for r in results] == [
        (0, "a", "created"),
        (1, "b", "amount_must_be_positive"),
        (2, "c", "exceeds_credits"),
        (3, "d", "created"),
        (4, "a", "exists"),
    ]
    assert counters("wallet:alice") == (3_000, 10_000, 0, 0)
    assert sorted(Transfer.objects.filter(pk__in=["a", "b", "c", "d"]).values_list("pk", flat=True)) == [
        "a",
        "d",
    ]


def test_later_items_see_earlier_items_of_the_same_batch(alice: Account, bob: Account) -> None:
    """Bob can spend in the same batch what Alice sent him in it; one fen more fails."""
    results = transfers_create_batch(
        transfers=[
            req("a", 4_000),
            req("b", 4_000, debit="wallet:bob", credit="wallet:alice"),
            req("c", 1, debit="wallet:bob", credit="wallet:alice"),
        ]
    )
    assert [r.status for r in results] == ["created", "created", "exceeds_credits"]
    assert counters("wallet:bob") == (4_000, 4_000, 0, 0)


def test_linked_chain_failure_rolls_back_the_whole_chain(
    alice: Account, bob: Account, snapshot: Callable[[], Snapshot]
) -> None:
    """When one member of a linked chain fails, none of the chain is applied; other items still are."""
    before = snapshot()
    results = transfers_create_batch(
        transfers=[
            req("c1", 1_000, linked=True),
            req("c2", 2_000, linked=True),
            req("c3", 99_999),
            req("solo", 300),
        ]
    )
    assert [r.status for r in results] == [
        "linked_event_failed",
        "linked_event_failed",
        "exceeds_credits",
        "created",
    ]
    assert counters("wallet:alice") == (300, 10_000, 0, 0)
    assert not Transfer.objects.filter(pk__in=["c1", "c2", "c3"]).exists()
    assert Entry.objects.count() == before[2] + 2


def test_linked_chain_succeeds_as_a_whole(alice: Account, bob: Account) -> None:
    """A chain whose members all succeed is applied in full, marked linked except the last."""
    results = transfers_create_batch(transfers=[req("c1", 1_000, linked=True), req("c2", 2_000)])
    assert [r.status for r in results] == ["created", "created"]
    assert dict(Transfer.objects.filter(pk__in=["c1", "c2"]).values_list("pk", "linked")) == {
        "c1": True,
        "c2": False,
    }
    assert counters("wallet:alice") == (3_000, 10_000, 0, 0)


def test_failed_chain_member_undoes_pending_resolution(alice: Account, bob: Account) -> None:
    """A post inside a failed chain leaves its pending transfer pending, to be posted later."""
    pend(3_000)
    results = transfers_create_batch(
        transfers=[
            TransferRequest(id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", linked=True),
            req("bad", 0),
        ],
        now=NOW,
    )
    assert [r.status for r in results] == ["linked_event_failed", "amount_must_be_positive"]
    assert Transfer.objects.get(pk="p1").state == PendingState.PENDING
    assert counters("wallet:alice") == (0, 10_000, 3_000, 0)
    transfer_create(id="post1", kind=TransferKind.POST_PENDING, pending_id="p1", now=NOW)
    assert counters("wallet:alice") == (3_000, 10_000, 0, 0)


def test_open_chain_at_end_of_batch_fails(alice: Account, bob: Account) -> None:
    """A batch whose last item is linked leaves the chain open: every member of that chain fails."""
    results = transfers_create_batch(
        transfers=[req("a", 1), req("b", 2, linked=True), req("c", 3, linked=True)]
    )
    assert [r.status for r in results] == ["created", "linked_event_chain_open", "linked_event_chain_open"]
    assert counters("wallet:alice") == (1, 10_000, 0, 0)
    assert not Transfer.objects.filter(pk__in=["b", "c"]).exists()


def test_pending_and_its_post_in_one_batch(alice: Account, bob: Account) -> None:
    """A batch may create a pending transfer and post it."""
    results = transfers_create_batch(
        transfers=[
            TransferRequest(
                id="p",
                debit_account="wallet:alice",
                credit_account="wallet:bob",
                amount_fen=900,
                kind=TransferKind.PENDING,
            ),
            TransferRequest(id="q", kind=TransferKind.POST_PENDING, pending_id="p", amount_fen=400),
        ]
    )
    assert [r.status for r in results] == ["created", "created"]
    assert Transfer.objects.get(pk="p").state == PendingState.POSTED
    assert counters("wallet:alice") == (400, 10_000, 0, 0)


def test_batch_size_limits(alice: Account, bob: Account, snapshot: Callable[[], Snapshot]) -> None:
    """An empty batch and one over 1,000 items are refused whole."""
    before = snapshot()
    with pytest.raises(ValidationFailed) as empty:
        transfers_create_batch(transfers=[])
    with pytest.raises(ValidationFailed) as large:
        transfers_create_batch(transfers=[req(f"t{i}", 1) for i in range(BATCH_LIMIT + 1)])
    assert (empty.value.code, large.value.code) == ("batch_empty", "batch_too_large")
    assert snapshot() == before


def test_full_batch_of_one_thousand(alice: Account, bob: Account) -> None:
    """1,000 transfers of 1 fen go through in one call."""
    results = transfers_create_batch(transfers=[req(f"t{i}", 1) for i in range(BATCH_LIMIT)])
    assert {r.status for r in results} == {"created"}
    assert counters("wallet:bob") == (0, 1_000, 0, 0)
    assert Entry.objects.filter(account__code="wallet:bob").order_by("-id").first().balance_fen == 1_000  # type: ignore[union-attr]


def test_transfer_records_time_and_actor(
    alice: Account, bob: Account, make_user: Callable[..., AbstractUser]
) -> None:
    """The transfer and its entries carry the batch's time; the actor is kept."""
    user = make_user()
    transfer_create(
        id="t1",
        debit_account="wallet:alice",
        credit_account="wallet:bob",
        amount_fen=1,
        created_by=user,
        now=NOW,
    )
    transfer = Transfer.objects.get(pk="t1")
    assert (transfer.created_at, transfer.created_by) == (NOW, user)
    assert set(Entry.objects.filter(transfer=transfer).values_list("created_at", flat=True)) == {NOW}
    assert timezone.is_aware(transfer.created_at)
