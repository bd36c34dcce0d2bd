"""Background work of orders (django-tasks): completing delivered orders the buyer has not confirmed."""

from django_tasks import task

from siliu.commerce.orders.services import AUTO_COMPLETE_DAYS, orders_complete_due


@task()
def orders_complete_due_task(
    days: int = AUTO_COMPLETE_DAYS, batch_size: int = 500, max_batches: int = 100
) -> int:
    """Complete and settle orders delivered ``days`` ago and not confirmed; return how many.

    Enqueue it hourly (see :mod:`siliu.schedule`). Each order is its own transaction; running it
    twice at once is safe.
    """
    total = 0
    for _batch in range(max_batches):
        completed = orders_complete_due(days=days, limit=batch_size)
        total += completed
        if completed < batch_size:
            break
    return total
