"""What the database itself refuses, whatever the service layer does."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from siliu.finance.models import Account, AccountType, Entry, PendingState, Transfer, TransferKind
from siliu.finance.services import transfer_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallets(
    make_account: Callable[..., Account], fund: Callable[[Account, int], None]
) -> tuple[Account, Account]:
    alice = make_account(code="wallet:alice")
    fund(alice, 1_000)
    return alice, make_account(code="wallet:bob")


def refused_by_database(action: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_wallet_cannot_go_negative_even_bypassing_the_service(wallets: tuple[Account, Account]) -> None:
    """A raw UPDATE pushing a wallet's debits past its credits violates a CheckConstraint."""
    alice, _bob = wallets
    refused_by_database(
        lambda: Account.objects.filter(pk=alice.pk).update(debits_posted=F("debits_posted") + 1_001)
    )
    refused_by_database(lambda: Account.objects.filter(pk=alice.pk).update(debits_pending=1_001))
    alice.refresh_from_db()
    assert (alice.debits_posted, alice.credits_posted, alice.debits_pending) == (0, 1_000, 0)
    # Exactly the balance is fine.
    Account.objects.filter(pk=alice.pk).update(debits_posted=600, debits_pending=400)


def test_debit_normal_account_cannot_go_negative_bypassing_the_service(
    make_account: Callable[..., Account],
) -> None:
    """A cash drawer (asset) whose credits would exceed its debits violates a CheckConstraint."""
    drawer = make_account(code="cash:X", type=AccountType.ASSET)
    refused_by_database(lambda: Account.objects.filter(pk=drawer.pk).update(credits_posted=1))


def test_account_counters_are_never_negative(make_account: Callable[..., Account]) -> None:
    """Even an account allowed a negative balance keeps non-negative counters."""
    account = make_account(code="x", allows_negative=True)
    refused_by_database(lambda: Account.objects.filter(pk=account.pk).update(credits_pending=-1))


def raw_transfer(wallets: tuple[Account, Account], fields: dict[str, object] | None = None) -> Transfer:
    """A transfer row written straight to the table, well formed unless ``fields`` say otherwise."""
    alice, bob = wallets
    fields = dict(fields or {})
    values: dict[str, object] = {
        "id": "raw",
        "debit_account": alice,
        "credit_account": alice if fields.pop("same_accounts", False) else bob,
        "amount_fen": 5,
        "created_at": timezone.now(),
        **fields,
    }
    return Transfer.objects.create(**values)


def test_a_well_formed_raw_transfer_row_is_accepted(wallets: tuple[Account, Account]) -> None:
    """The baseline of the next test: without a fault, the database takes the row."""
    raw_transfer(wallets)
    assert Transfer.objects.filter(pk="raw", amount_fen=5).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"amount_fen": 0},
        {"amount_fen": -1},
        {"same_accounts": True},
        {"id": "bad id"},
        {"kind": "bogus"},
        {"state": PendingState.PENDING},
        {"kind": TransferKind.PENDING},
        {"timeout_seconds": 5},
    ],
)
def test_transfer_rows_are_checked(wallets: tuple[Account, Account], fields: dict[str, object]) -> None:
    """Inserting a malformed transfer row directly is refused by a CheckConstraint."""
    refused_by_database(lambda: raw_transfer(wallets, fields))


def test_pending_transfer_resolved_once_by_unique_index(wallets: tuple[Account, Account]) -> None:
    """A second post/void row for the same pending transfer violates a unique index."""
    transfer_create(
        id="p",
        debit_account="wallet:alice",
        credit_account="wallet:bob",
        amount_fen=5,
        kind=TransferKind.PENDING,
    )
    transfer_create(id="v", kind=TransferKind.VOID_PENDING, pending_id="p")
    pending = Transfer.objects.get(pk="p")
    refused_by_database(
        lambda: Transfer.objects.create(
            id="again",
            kind=TransferKind.POST_PENDING,
            debit_account_id=pending.debit_account_id,
            credit_account_id=pending.credit_account_id,
            amount_fen=5,
            pending_transfer=pending,
            created_at=timezone.now(),
        )
    )


@pytest.mark.postgres
def test_posted_history_cannot_be_updated_or_deleted_on_postgresql(wallets: tuple[Account, Account]) -> None:
    """Triggers refuse UPDATE/DELETE of entries and transfers, and any change to a resolved pending."""
    transfer_create(id="t", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=5)
    transfer_create(
        id="p",
        debit_account="wallet:alice",
        credit_account="wallet:bob",
        amount_fen=5,
        kind=TransferKind.PENDING,
    )
    refused_by_database(lambda: Entry.objects.filter(transfer_id="t").update(amount_fen=6))
    refused_by_database(lambda: Entry.objects.filter(transfer_id="t").delete())
    refused_by_database(lambda: Transfer.objects.filter(pk="t").update(amount_fen=6))
    refused_by_database(lambda: Transfer.objects.filter(pk="t").update(reference="edited"))
    refused_by_database(lambda: Transfer.objects.filter(pk="p").update(amount_fen=6))
    refused_by_database(
        lambda: Transfer.objects.filter(pk="p").update(state=PendingState.POSTED, amount_fen=4)
    )
    with connection.cursor() as cursor, pytest.raises(IntegrityError), transaction.atomic():
        cursor.execute("DELETE FROM finance_transfer WHERE id = 'p'")
    # The one allowed change: pending → resolved, once.
    Transfer.objects.filter(pk="p").update(state=PendingState.VOIDED, resolved_at=timezone.now())
    refused_by_database(lambda: Transfer.objects.filter(pk="p").update(state=PendingState.POSTED))
    assert Entry.objects.filter(transfer_id="t").count() == 2


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL has the triggers; this documents SQLite's gap"
)
def test_on_sqlite_the_service_layer_is_the_only_guard_of_history(wallets: tuple[Account, Account]) -> None:
    """SQLite has no history triggers: a raw UPDATE of an entry succeeds, so only services may write."""
    transfer_create(id="t", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=5)
    assert Entry.objects.filter(transfer_id="t").update(amount_fen=6) == 2
