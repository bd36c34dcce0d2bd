"""Background work of the figures (django-tasks), enqueued by :mod:`siliu.schedule`: the outbox folded
in every few seconds, and each finished day checked against a rebuild once."""

import datetime

from django.utils import timezone
from django_tasks import task

from siliu.insight.facts.services import events_fold_all, facts_check
from siliu.insight.models import FactCheck


@task()
def events_fold_task() -> int:
    """Fold the outbox into the figures; the number of events folded."""
    return events_fold_all()


@task()
def yesterday_check_task() -> int:
    """Check yesterday's figures against a rebuild once (repairing them); the differences found, or
    -1 when yesterday was already checked."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if FactCheck.objects.filter(day_from__lte=yesterday, day_to__gte=yesterday).exists():
        return -1
    return facts_check(yesterday, yesterday).differences
