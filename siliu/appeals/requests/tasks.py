"""Background work of requests (django-tasks): the escalation sweep."""

from django_tasks import task

from siliu.appeals.requests.services import appeals_escalate


@task()
def appeals_escalate_task() -> int:
    """Escalate the open requests past a due time to the county manager; return how many (every
    10 minutes, :mod:`siliu.schedule`)."""
    return appeals_escalate()
