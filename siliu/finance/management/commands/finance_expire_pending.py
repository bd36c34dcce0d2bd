"""``siliu finance_expire_pending``: release pending transfers whose timeout has passed."""

from typing import Any

from django.core.management.base import BaseCommand

from siliu.finance.tasks import pending_transfers_expire_task


class Command(BaseCommand):
    help = "Expire overdue pending ledger transfers (releases their reservations)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = pending_transfers_expire_task.call()
        self.stdout.write(f"expired {expired} pending transfer(s)")
