"""Background work of delivery rounds (django-tasks): planning a day's rounds, and queueing it."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from siliu.core.errors import DomainError
from siliu.core.roles import Actor
from siliu.logistics.models import RoundPlan, RoundPlanStatus
from siliu.logistics.rounds.planning import round_plan_compute
from siliu.logistics.rounds.services import round_plan_progress_set, round_plan_request, round_plan_transition


def round_plan_queue(
    *,
    outlet_code: str,
    planned_on: datetime.date,
    seconds: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> RoundPlan:
    """Queue the planning of ``outlet_code``'s rounds on ``planned_on``: the plan is recorded
    (:func:`~siliu.logistics.rounds.services.round_plan_request`, which refuses bad input) and
    :func:`round_plan_run` starts once that commits."""
    with transaction.atomic():
        plan = round_plan_request(
            outlet_code=outlet_code, planned_on=planned_on, seconds=seconds, actor=actor, now=now
        )
        plan_id = plan.pk
        transaction.on_commit(lambda: round_plan_run.enqueue(plan_id))
    return plan


#: The queue of round planning, apart from the periodic tasks' (``siliu serve`` runs a worker for each).
ROUNDS_QUEUE = "rounds"


@task(queue_name=ROUNDS_QUEUE)
def round_plan_run(plan_id: int) -> str:
    """Plan the rounds of :class:`RoundPlan` ``plan_id``: running → done with the result, or failed
    with the reason in words. Returns the final status.

    A plan that is not queued (already run, or picked up twice) is left alone. Unexpected errors are
    recorded as a failure too, so the page polling the plan never waits forever, and then re-raised
    for the worker's log.
    """
    plan = RoundPlan.objects.select_related("outlet").filter(pk=plan_id).first()
    if plan is None or plan.status != RoundPlanStatus.QUEUED:
        return plan.status if plan is not None else "missing"
    round_plan_transition(plan_id=plan_id, status=RoundPlanStatus.RUNNING, progress=1)
    try:
        result = round_plan_compute(
            outlet=plan.outlet,
            planned_on=plan.planned_on,
            seconds=plan.seconds,
            progress=lambda percent: round_plan_progress_set(plan_id=plan_id, progress=percent),
        )
    except DomainError as error:
        round_plan_transition(plan_id=plan_id, status=RoundPlanStatus.FAILED, error_message=error.message)
        return RoundPlanStatus.FAILED.value
    except Exception as error:
        round_plan_transition(
            plan_id=plan_id,
            status=RoundPlanStatus.FAILED,
            error_message=_("计算出错：%(error)s") % {"error": error},
        )
        raise
    round_plan_transition(plan_id=plan_id, status=RoundPlanStatus.DONE, progress=100, result=result)
    return RoundPlanStatus.DONE.value
