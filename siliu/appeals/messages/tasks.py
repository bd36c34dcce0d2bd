"""Background work of the outbox (django-tasks): sending what is due."""

from django_tasks import task

from siliu.appeals.messages.services import messages_send


@task()
def messages_send_task(limit: int = 100) -> int:
    """Send the messages that are due (after each commit that queued some, and every minute for the
    retries); return how many were tried."""
    return messages_send(limit=limit)


def messages_send_soon() -> None:
    """Enqueue a send: registered in :mod:`siliu.hooks` to run after each commit that queued messages."""
    messages_send_task.enqueue()
