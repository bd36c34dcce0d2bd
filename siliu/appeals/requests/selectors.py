"""Requests, read: one as its requester or a handler sees it, the requester's list, and the handlers'
list (a station's, the county's), late and escalated first."""

import datetime
from typing import Final

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, AppealStatus
from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor

#: The handlers' list, as ``?show=`` names its views.
OPEN: Final = "open"
LATE: Final = "late"
ALL: Final = "all"
SHOWS: Final = {
    OPEN: gettext_lazy("待办"),
    LATE: gettext_lazy("超时、已升级"),
    ALL: gettext_lazy("全部"),
}


def late_filter(now: datetime.datetime) -> Q:
    """Open requests past a due time they have not met (acknowledge, or resolve), as a filter."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(status=AppealStatus.FILED, acknowledge_due_at__lte=now) | Q(resolve_due_at__lte=now)
    )


def appeal_is_late(appeal: Appeal, now: datetime.datetime) -> bool:
    """Whether ``appeal`` is open and past a due time it has not met."""
    if appeal.status == AppealStatus.FILED and appeal.acknowledge_due_at <= now:
        return True
    return appeal.status in OPEN_STATUSES and appeal.resolve_due_at <= now


def _appeals() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("village", "township", "outlet", "requester", "filed_by", "job")


def appeal_visible_to(appeal: Appeal, user: Actor) -> bool:
    """Its requester, who filed it for them, and whoever holds ``appeal.read`` at its outlet."""
    if not user.is_authenticated:
        return False
    if user.pk in (appeal.requester_id, appeal.filed_by_id):
        return True
    return user_can_at(user, Permission.APPEAL_READ, appeal.outlet)


def appeal_get(*, user: Actor, appeal_id: int) -> Appeal:
    """The request ``appeal_id`` as ``user`` may see it.

    Raises
    ------
    NotFound
        ``unknown_appeal`` when there is none or ``user`` may not see it.
    """
    appeal = _appeals().filter(pk=appeal_id).first()
    if appeal is None or not appeal_visible_to(appeal, user):
        raise NotFound("unknown_appeal", _("没有这件诉求"))
    return appeal


def appeal_by_token(*, token: str) -> Appeal:
    """The request whose link holds ``token`` (its requester's page, no login).

    Raises
    ------
    NotFound
        ``unknown_appeal``.
    """
    appeal = _appeals().filter(access_token=token).first() if token else None
    if appeal is None:
        raise NotFound("unknown_appeal", _("没有这件诉求"))
    return appeal


def appeal_list_mine(*, user: AbstractBaseUser) -> QuerySet[Appeal]:
    """The requests ``user`` filed or that were filed for them, newest first."""
    return _appeals().filter(requester_id=user.pk).order_by("-filed_at", "-pk")


def appeal_queue(*, user: Actor, show: str = OPEN, now: datetime.datetime | None = None) -> QuerySet[Appeal]:
    """The requests at the outlets where ``user`` holds ``appeal.read`` (a station's, a county's, all
    for an auditor): escalated and late first, then by the time they are due.

    ``show``: ``open`` (filed or acknowledged), ``late`` (open and past due, or escalated) or ``all``.

    Raises
    ------
    ValidationFailed
        ``invalid_show`` (``show``).
    """
    if show not in SHOWS:
        raise ValidationFailed(
            "invalid_show", _("应为 %(values)s 之一") % {"values": ", ".join(SHOWS)}, field="show"
        )
    now = now or timezone.now()
    appeals = _appeals()
    places = user_outlet_ids(user, Permission.APPEAL_READ)
    if places is not None:
        appeals = appeals.filter(outlet_id__in=places)
    if show == OPEN:
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif show == LATE:
        appeals = appeals.filter(late_filter(now) | Q(escalated_at__isnull=False, status__in=OPEN_STATUSES))
    return appeals.annotate(
        is_late=Case(
            When(late_filter(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by(F("escalated_at").asc(nulls_last=True), "-is_late", "resolve_due_at", "pk")


def appeal_history(*, appeal: Appeal) -> list[AppealEvent]:
    """What happened to ``appeal``, oldest first."""
    return list(appeal.events.select_related("actor", "job").order_by("occurred_at", "pk"))
