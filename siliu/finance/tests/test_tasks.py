"""The expiry sweep as a django-tasks task and a management command."""

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command

from siliu.finance.models import Account, PendingState, Transfer, TransferKind
from siliu.finance.services import transfer_create
from siliu.finance.tasks import pending_transfers_expire_task

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def overdue(make_account: Callable[..., Account], fund: Callable[[Account, int], None]) -> None:
    wallet = make_account(code="wallet:a")
    fund(wallet, 1_000)
    make_account(code="wallet:b")
    for number in range(3):
        transfer_create(
            id=f"p{number}",
            debit_account="wallet:a",
            credit_account="wallet:b",
            amount_fen=100,
            kind=TransferKind.PENDING,
            timeout_seconds=60,
            now=LONG_AGO,
        )


def test_task_expires_every_overdue_reservation_in_small_batches(overdue: None) -> None:
    """Batches of two still expire all three overdue reservations and release 300 fen."""
    assert pending_transfers_expire_task.call(batch_size=2) == 3
    assert set(Transfer.objects.filter(kind=TransferKind.PENDING).values_list("state", flat=True)) == {
        PendingState.EXPIRED
    }
    assert Account.objects.get(code="wallet:a").debits_pending == 0


def test_management_command_reports_the_count(overdue: None) -> None:
    """``siliu finance_expire_pending`` runs the sweep and says how many expired."""
    out = StringIO()
    call_command("finance_expire_pending", stdout=out)
    assert out.getvalue().strip() == "expired 3 pending transfer(s)"
