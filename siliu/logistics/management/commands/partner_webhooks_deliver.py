"""``siliu partner_webhooks_deliver``: send the partner proof-of-delivery webhooks that are due."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from siliu.logistics.partners.webhooks import webhook_deliveries_send


class Command(BaseCommand):
    help = "Send due proof-of-delivery webhooks to partner couriers (failures are retried with backoff)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=100, help="most messages to send in this run")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = webhook_deliveries_send(limit=options["limit"])
        self.stdout.write(
            f"attempted {summary.attempted}: delivered {summary.delivered}, "
            f"retrying {summary.retrying}, given up {summary.given_up}"
        )
