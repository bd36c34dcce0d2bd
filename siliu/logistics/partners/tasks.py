"""Background work of partner couriers (django-tasks): sending proof-of-delivery webhooks."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django_tasks import task

from siliu.logistics.models import Parcel, ParcelEvent
from siliu.logistics.partners.webhooks import webhook_deliveries_queue, webhook_deliveries_send


@task()
def webhooks_deliver(limit: int = 100) -> int:
    """Send the partner proof-of-delivery webhooks that are due; return how many were attempted.

    Also enqueued when a scan batch that delivered partner parcels commits. Failures are retried
    with backoff by later runs; a network error never fails the task.
    """
    return webhook_deliveries_send(limit=limit).attempted


def webhooks_owe(delivered: Sequence[tuple[Parcel, ParcelEvent]], now: datetime.datetime) -> None:
    """The delivery hook of partner parcels (registered in :mod:`siliu.hooks`): owe each partner the
    proof of delivery inside the scan's transaction, and send it as soon as that transaction commits."""
    if webhook_deliveries_queue(delivered=delivered, now=now):
        transaction.on_commit(webhooks_deliver.enqueue, robust=True)
