"""Background work of parcels (django-tasks): cash-on-delivery remittance and the exception sweep.

Each task is small and calls one service; enqueue them periodically (``task.enqueue()`` from a
scheduler, or the management commands from cron). Running one twice at once is safe.
"""

from django_tasks import task

from siliu.logistics.parcels.cod import REMIT_BATCH_LIMIT, cod_remit_due
from siliu.logistics.parcels.exceptions import parcel_exceptions_flag


@task()
def cod_remit(batch_size: int = REMIT_BATCH_LIMIT, max_batches: int = 100) -> int:
    """Remit cash on delivery whose delivery is final (24 h, no open claim); return parcels remitted.

    Enqueue it hourly or so. Each batch is one transaction; parcels the ledger refuses stay due.
    """
    total = 0
    for _batch in range(max_batches):
        result = cod_remit_due(limit=batch_size)
        total += len(result.remitted)
        if not result.remitted or len(result.remitted) + len(result.refused) < batch_size:
            break
    return total


@task()
def parcel_exceptions_sweep() -> dict[str, int]:
    """Flag parcels past their promise or silent too long, and clear flags that no longer hold."""
    return parcel_exceptions_flag()
