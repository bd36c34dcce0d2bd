"""Recurring needs, acted on: a pattern taken as one job, and the job resolved, each in one transaction.

Taking a pattern puts its requests in a new :class:`Job` with the county manager's note (a filed request
is acknowledged with it, its requester told); resolving the job resolves every request in it that is
still open with one note, each with its own event and message (:mod:`siliu.appeals.requests.services`).
"""

import datetime
from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.appeals.models import JOB_TRANSITIONS, Appeal, AppealStatus, Job
from siliu.appeals.patterns.selectors import assignee_choices, job_get, pattern_get
from siliu.appeals.requests.services import NOTE_MAX_LENGTH, appeals_join_job, appeals_resolve_job
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.permissions import Permission, user_can, user_can_at


def _note(note: str, field: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("note_required", _("请写明办理安排"), field=field)
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed("too_long", _("最多 %(n)d 个字") % {"n": NOTE_MAX_LENGTH}, field=field)
    return note


@transaction.atomic
def pattern_take(
    *,
    actor: User,
    key: str,
    note: str,
    appeal_ids: Collection[int] | None = None,
    assignee_id: int | None = None,
    now: datetime.datetime | None = None,
) -> Job:
    """Take the recurring need ``key`` as one job: the requests ``appeal_ids`` of it (all of them when
    ``None``) join a new job with ``note`` and, optionally, an assignee among the township's operators.

    Raises
    ------
    PermissionRefused
        ``not_a_manager`` unless ``actor`` holds ``appeal.manage``.
    NotFound
        ``unknown_pattern``: no such pattern now (taken meanwhile, or fewer requests).
    ValidationFailed
        ``note_required`` / ``too_long`` (``note``); ``invalid_appeals`` (``appeal_ids``): none, or one
        not in the pattern; ``invalid_assignee`` (``assignee``).
    """
    now = now or timezone.now()
    if not user_can(actor, Permission.APPEAL_MANAGE):
        raise PermissionRefused("not_a_manager", _("需要县级管理员角色"))
    note = _note(note, "note")
    pattern = pattern_get(user=actor, key=key, now=now)
    members = {member.appeal.pk for member in pattern.members}
    chosen = set(members if appeal_ids is None else appeal_ids)
    if not chosen or not chosen <= members:
        raise ValidationFailed("invalid_appeals", _("请从这项共性诉求中选择要并案的诉求"), field="appeal_ids")
    assignee = None
    if assignee_id is not None:
        allowed = {user_id for user_id, _outlet in assignee_choices(township=pattern.township)} | {actor.pk}
        if assignee_id not in allowed:
            raise ValidationFailed("invalid_assignee", _("承办人应为该乡镇网点的负责人"), field="assignee")
        assignee = User.objects.get(pk=assignee_id)
    appeals = list(
        Appeal.objects.select_for_update(of=("self",)).filter(pk__in=chosen, job__isnull=True).order_by("pk")
    )
    if len(appeals) != len(chosen) or any(
        appeal.status in (AppealStatus.REJECTED, AppealStatus.WITHDRAWN) for appeal in appeals
    ):
        raise Conflict("pattern_changed", _("这项共性诉求刚有变化，请刷新后再并案"))
    job = Job.objects.create(
        category=pattern.category,
        township=pattern.township,
        note=note,
        assignee=assignee,
        created_by=actor,
        created_at=now,
    )
    appeals_join_job(appeals=appeals, job=job, actor=actor, now=now)
    return job


@transaction.atomic
def job_resolve(*, actor: User, job_id: int, resolution: str, now: datetime.datetime | None = None) -> Job:
    """Resolve a job: every request in it still open is resolved with ``resolution``.

    Raises
    ------
    NotFound
        ``unknown_job``.
    PermissionRefused
        ``not_your_appeal`` unless ``actor`` holds ``appeal.manage`` at every open request's outlet.
    ValidationFailed
        ``note_required`` / ``too_long`` (``resolution``).
    Conflict
        ``invalid_transition`` when the job is resolved already.
    """
    now = now or timezone.now()
    job = job_get(user=actor, job_id=job_id)
    job = Job.objects.select_for_update().get(pk=job.pk)
    resolution = _note(resolution, "resolution")
    if Job.Status.RESOLVED not in JOB_TRANSITIONS[job.status]:
        raise Conflict("invalid_transition", _("该并案已办结"))
    open_outlets = Appeal.objects.filter(job=job, status__in=(AppealStatus.FILED, AppealStatus.ACKNOWLEDGED))
    for appeal in open_outlets.select_related("outlet"):
        if not user_can_at(actor, Permission.APPEAL_MANAGE, appeal.outlet):
            raise PermissionRefused("not_your_appeal", _("并案中有不属于您管辖的诉求"))
    appeals_resolve_job(job=job, actor=actor, resolution=resolution, now=now)
    job.status = Job.Status.RESOLVED
    job.resolution = resolution
    job.resolved_at = now
    job.save(update_fields=["status", "resolution", "resolved_at"])
    return job
