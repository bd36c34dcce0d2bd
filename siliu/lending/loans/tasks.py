"""Background work of loans (django-tasks): the nightly run, enqueued hourly by :mod:`siliu.schedule`."""

from django_tasks import task

from siliu.lending.loans.nightly import lending_nights_due


@task()
def lending_nights_due_task() -> int:
    """Run the nights not yet run up to yesterday; return how many ran. Each night is one transaction
    that locks the active loans first, so two runs at once queue rather than double anything."""
    return len(lending_nights_due())
