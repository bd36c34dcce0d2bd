"""Delivery rounds, read: one plan (as its reader may see it), and a plan as data."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, user_can, user_can_at, user_can_everywhere
from siliu.core.roles import Actor
from siliu.logistics.models import RoundPlan, RoundPlanStatus
from siliu.logistics.rounds.planning import UNSERVED_REASONS


def round_plans_visible(*, actor: Actor) -> QuerySet[RoundPlan]:
    """The plans ``actor`` may read (``round.read``: everywhere, or of the outlets they operate),
    newest first."""
    plans = RoundPlan.objects.select_related("outlet").order_by("-created_at")
    if user_can_everywhere(actor, Permission.ROUND_READ):
        return plans
    if not user_can(actor, Permission.ROUND_READ):
        return plans.none()
    return plans.filter(outlet__operator_id=actor.pk)


def round_plan_get(*, plan_id: int, actor: Actor | None = None) -> RoundPlan:
    """The plan with ``plan_id``, if ``actor`` (when given) may read the rounds of its outlet
    (``round.read`` there); ``NotFound`` (``unknown_round_plan``) otherwise, so that a plan elsewhere
    is not told apart from none."""
    plan = RoundPlan.objects.select_related("outlet").filter(pk=plan_id).first()
    if plan is None or (actor is not None and not user_can_at(actor, Permission.ROUND_READ, plan.outlet)):
        raise NotFound("unknown_round_plan", _("没有编号为 %(id)s 的投递计划") % {"id": plan_id})
    return plan


def round_plan_data(plan: RoundPlan) -> dict[str, Any]:
    """A plan as the API shows it: status and progress, then the result once there is one."""
    result = plan.result or {}
    return {
        "id": plan.pk,
        "outlet": plan.outlet.code,
        "planned_on": plan.planned_on.isoformat(),
        "status": plan.status,
        "status_label": str(RoundPlanStatus(plan.status).label),
        "progress": plan.progress,
        "seconds": plan.seconds,
        "error": plan.error_message,
        "created_at": plan.created_at.isoformat(),
        "finished_at": plan.finished_at.isoformat() if plan.finished_at else None,
        "matrix_source": result.get("matrix_source"),
        "totals": result.get("totals"),
        "routes": result.get("routes", []),
        "unserved": [
            {**item, "reason_label": str(UNSERVED_REASONS.get(item["reason"], item["reason"]))}
            for item in result.get("unserved", [])
        ],
    }
