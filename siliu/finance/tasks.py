"""Background work of the ledger (django-tasks): the sweep that expires overdue pending transfers."""

from django_tasks import task

from siliu.finance.services import pending_transfers_expire


@task()
def pending_transfers_expire_task(batch_size: int = 500, max_batches: int = 100) -> int:
    """Expire every overdue pending transfer, ``batch_size`` per database transaction; return how many.

    Enqueue it every minute or so (``pending_transfers_expire_task.enqueue()``), or run
    ``siliu finance_expire_pending`` from cron; running it twice at once is safe.
    """
    total = 0
    for _batch in range(max_batches):
        expired = pending_transfers_expire(limit=batch_size)
        total += expired
        if expired < batch_size:
            break
    return total
