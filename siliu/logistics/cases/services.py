"""Writes of exception cases: assign, note, contact, a claim for the sender, resolve.

Each service locks the parcel, checks that the actor holds ``exception.handle`` at one of its places
and that it is flagged, opens its case if it has none, and appends one event, in one transaction.
"""

import datetime
from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.names import person_name
from siliu.core.roles import Actor, acting_user
from siliu.logistics.cases.selectors import exception_case_open_for, exception_handled_by
from siliu.logistics.claims.services import claim_submit
from siliu.logistics.models import (
    ExceptionCase,
    ExceptionCaseEvent,
    ExceptionCaseEventKind,
    ExceptionCaseStatus,
    Parcel,
)

TEXT_MAX_LENGTH = 500
RESOLUTION_MAX_LENGTH = 300
Party = Literal["sender", "recipient"]


def _handler(actor: Actor) -> User:
    user = acting_user(actor)
    if user is None:
        raise PermissionRefused("login_required", _("请先登录"))
    return user


def _case(*, parcel: Parcel, actor: User, now: datetime.datetime) -> ExceptionCase:
    """The parcel's open case, opened now if it has none, the parcel locked first."""
    locked = (
        Parcel.objects.select_for_update(of=("self",))
        .select_related("origin_outlet", "destination_outlet", "last_outlet")
        .get(pk=parcel.pk)
    )
    if not exception_handled_by(locked, actor):
        raise PermissionRefused("not_your_exception", _("这件邮件不在您负责的范围内"))
    case = exception_case_open_for(locked)
    if case is not None:
        return case
    if not locked.exception:
        raise Conflict("parcel_not_flagged", _("这件邮件没有异常标记"), field="tracking_number")
    case = ExceptionCase.objects.create(parcel=locked, kind=locked.exception, opened_at=now)
    _event(case, ExceptionCaseEventKind.OPENED, actor, now, locked.get_exception_display())
    return case


def _event(
    case: ExceptionCase, kind: ExceptionCaseEventKind, actor: User, now: datetime.datetime, text: str
) -> None:
    ExceptionCaseEvent.objects.create(case=case, kind=kind, actor=actor, occurred_at=now, text=text)


def _text(text: str, *, field: str, required: bool = True, limit: int = TEXT_MAX_LENGTH) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed("text_required", _("请填写内容"), field=field)
    if len(text) > limit:
        raise ValidationFailed(
            "text_too_long", _("内容不能超过 %(limit)d 个字") % {"limit": limit}, field=field
        )
    return text


@transaction.atomic
def exception_case_assign(
    *, parcel: Parcel, assignee: User, actor: Actor, now: datetime.datetime | None = None
) -> ExceptionCase:
    """Give the parcel's case to ``assignee``, who must hold ``exception.handle`` at the parcel.

    Raises
    ------
    PermissionRefused
        ``not_your_exception`` when the actor may not handle this parcel.
    ValidationFailed
        ``assignee_cannot_handle`` on ``assignee`` when they may not.
    Conflict
        ``parcel_not_flagged`` when the parcel has no flag and no open case.
    """
    now = now or timezone.now()
    user = _handler(actor)
    case = _case(parcel=parcel, actor=user, now=now)
    if not assignee.is_active or not exception_handled_by(case.parcel, assignee):
        raise ValidationFailed(
            "assignee_cannot_handle", _("只能指派给有权处理这件邮件的人"), field="assignee"
        )
    case.assignee = assignee
    case.save(update_fields=["assignee"])
    _event(case, ExceptionCaseEventKind.ASSIGNED, user, now, person_name(assignee))
    return case


@transaction.atomic
def exception_case_note(
    *, parcel: Parcel, text: str, actor: Actor, now: datetime.datetime | None = None
) -> ExceptionCase:
    """Append a note (1–500 characters) to the parcel's case.

    Raises what :func:`exception_case_assign` raises for the actor and the parcel, and
    ``text_required`` / ``text_too_long`` on ``text``.
    """
    now = now or timezone.now()
    user = _handler(actor)
    text = _text(text, field="text")
    case = _case(parcel=parcel, actor=user, now=now)
    _event(case, ExceptionCaseEventKind.NOTE, user, now, text)
    return case


@transaction.atomic
def exception_case_contact(
    *, parcel: Parcel, party: str, text: str, actor: Actor, now: datetime.datetime | None = None
) -> ExceptionCase:
    """Record a call to the sender or the recipient and what was said (``text`` may be empty).

    Raises what :func:`exception_case_note` raises, and ``invalid_party`` on ``party``.
    """
    now = now or timezone.now()
    user = _handler(actor)
    labels = {"sender": _("已联系寄件人"), "recipient": _("已联系收件人")}
    if party not in labels:
        raise ValidationFailed("invalid_party", _("联系对象应为寄件人或收件人"), field="party")
    text = _text(text, field="text", required=False)
    case = _case(parcel=parcel, actor=user, now=now)
    _event(
        case,
        ExceptionCaseEventKind.CONTACTED,
        user,
        now,
        f"{labels[party]}：{text}" if text else labels[party],
    )
    return case


@transaction.atomic
def exception_case_claim(
    *,
    parcel: Parcel,
    kind: str,
    claimed_loss_fen: int,
    description: str,
    actor: Actor,
    now: datetime.datetime | None = None,
) -> ExceptionCase:
    """File a claim for the parcel's sender (:func:`~siliu.logistics.claims.services.claim_submit`,
    which needs ``claim.file_for`` at the parcel's origin) and link it to the case.

    Raises
    ------
    Conflict
        ``case_has_claim`` when the case already has one; what ``claim_submit`` raises otherwise.
    """
    now = now or timezone.now()
    user = _handler(actor)
    case = _case(parcel=parcel, actor=user, now=now)
    if case.claim_id is not None:
        raise Conflict("case_has_claim", _("这件邮件的异常已申请过理赔"))
    claim = claim_submit(
        parcel=case.parcel,
        kind=kind,
        claimant=user,
        claimed_loss_fen=claimed_loss_fen,
        description=description,
        now=now,
    )
    case.claim = claim
    case.save(update_fields=["claim"])
    _event(case, ExceptionCaseEventKind.CLAIM_OPENED, user, now, f"#{claim.pk} {claim.get_kind_display()}")
    return case


@transaction.atomic
def exception_case_resolve(
    *, parcel: Parcel, resolution: str, actor: Actor, now: datetime.datetime | None = None
) -> ExceptionCase:
    """Close the parcel's open case with what was done (1–300 characters).

    Raises what :func:`exception_case_note` raises on ``resolution``; ``NotFound`` ``no_open_case``
    when the parcel has no open case and is no longer flagged.
    """
    now = now or timezone.now()
    user = _handler(actor)
    resolution = _text(resolution, field="resolution", limit=RESOLUTION_MAX_LENGTH)
    try:
        case = _case(parcel=parcel, actor=user, now=now)
    except Conflict:
        raise NotFound("no_open_case", _("这件邮件没有待处理的异常")) from None
    if (
        ExceptionCaseStatus.RESOLVED
        not in ExceptionCase.ALLOWED_TRANSITIONS[ExceptionCaseStatus(case.status)]
    ):
        raise Conflict("case_resolved", _("这件异常已经解决"))
    case.status = ExceptionCaseStatus.RESOLVED
    case.resolution = resolution
    case.resolved_at = now
    case.save(update_fields=["status", "resolution", "resolved_at"])
    _event(case, ExceptionCaseEventKind.RESOLVED, user, now, resolution)
    return case
