"""Reads of exception cases: the flagged parcels with their cases, as the reader may see them."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.core.permissions import ROLE_PERMISSIONS, Permission, user_can_at
from siliu.core.roles import Actor
from siliu.logistics.models import ExceptionCase, ExceptionCaseEvent, ExceptionCaseStatus, Parcel
from siliu.logistics.parcels.selectors import masked_phone, parcel_handled_by, parcels_at


def parcel_places(parcel: Parcel) -> tuple[object, ...]:
    """Where a parcel is checked: where it starts, ends and was last seen."""
    return (parcel.origin_outlet, parcel.destination_outlet, parcel.last_outlet)


def exception_handled_by(parcel: Parcel, actor: Actor) -> bool:
    """Whether ``actor`` holds ``exception.handle`` at one of ``parcel``'s places."""
    return any(
        user_can_at(actor, Permission.EXCEPTION_HANDLE, outlet)  # type: ignore[arg-type]
        for outlet in parcel_places(parcel)
    )


def exception_case_open_for(parcel: Parcel) -> ExceptionCase | None:
    """The parcel's open case, if it has one."""
    return parcel.exception_cases.filter(status=ExceptionCaseStatus.OPEN).first()


def exception_case_latest(parcel: Parcel) -> ExceptionCase | None:
    """The parcel's open case, else its latest."""
    return exception_case_open_for(parcel) or parcel.exception_cases.order_by("-opened_at", "-pk").first()


def exception_parcel_get(*, number: str, actor: Actor, permission: Permission) -> Parcel:
    """A parcel in the exceptions of ``actor`` (flagged or with a case, where they hold ``permission``).

    Raises
    ------
    NotFound
        ``unknown_parcel`` (field ``number``) otherwise: numbers cannot be probed.
    """
    flagged = Parcel.objects.filter(Q(exception__gt="") | Q(exception_cases__isnull=False)).distinct()
    parcel = (
        parcels_at(flagged, actor=actor, permission=permission)
        .select_related("origin_outlet", "destination_outlet", "last_outlet")
        .filter(tracking_number=number.strip().upper())
        .first()
    )
    if parcel is None:
        raise NotFound(
            "unknown_parcel", _("没有邮件号为 %(number)s 的异常邮件") % {"number": number}, field="number"
        )
    return parcel


def exception_handler_candidates() -> QuerySet[User]:
    """Everyone whose role holds ``exception.handle`` somewhere (narrowed per parcel by the caller)."""
    roles = [role.value for role, held in ROLE_PERMISSIONS.items() if Permission.EXCEPTION_HANDLE in held]
    return (
        User.objects.filter(is_active=True, groups__in=Group.objects.filter(name__in=roles))
        .distinct()
        .order_by("username")
    )


@dataclass
class ExceptionRow:
    """A flagged parcel as the exceptions page shows it."""

    parcel: Parcel
    #: When it was last seen (its last scan, else its acceptance or creation): the silence starts here.
    since: datetime.datetime
    #: Whole days since then (0 today).
    days: int
    sender_phone: str
    recipient_phone: str
    case: ExceptionCase | None
    events: list[ExceptionCaseEvent] = field(default_factory=list)
    may_handle: bool = False
    handlers: list[User] = field(default_factory=list)


def exception_rows(
    *, actor: Actor, parcels: Sequence[Parcel], now: datetime.datetime | None = None
) -> list[ExceptionRow]:
    """One :class:`ExceptionRow` per parcel of a page of :func:`parcel_exceptions`: its open case (else
    the latest) with its events, how long it has been silent, the phones in full to who holds
    ``parcel.read`` at its places and masked to others, and whom a case there may be assigned to."""
    now = now or timezone.now()
    cases: dict[int, ExceptionCase] = {}
    for found in (
        ExceptionCase.objects.filter(parcel__in=[parcel.pk for parcel in parcels])
        .select_related("assignee", "claim")
        .order_by("opened_at", "pk")
    ):
        if found.parcel_id not in cases or cases[found.parcel_id].status != ExceptionCaseStatus.OPEN:
            cases[found.parcel_id] = found
    events: dict[int, list[ExceptionCaseEvent]] = {}
    for event in ExceptionCaseEvent.objects.filter(case__in=list(cases.values())).select_related("actor"):
        events.setdefault(event.case_id, []).append(event)
    candidates = list(exception_handler_candidates())
    rows = []
    for parcel in parcels:
        since = parcel.last_event_at or parcel.accepted_at or parcel.created_at
        full = parcel_handled_by(parcel, actor)
        may_handle = exception_handled_by(parcel, actor)
        case = cases.get(parcel.pk)
        rows.append(
            ExceptionRow(
                parcel=parcel,
                since=since,
                days=max((now - since).days, 0),
                sender_phone=parcel.sender_phone if full else masked_phone(parcel.sender_phone),
                recipient_phone=parcel.recipient_phone if full else masked_phone(parcel.recipient_phone),
                case=case,
                events=events.get(case.pk, []) if case else [],
                may_handle=may_handle,
                handlers=[user for user in candidates if exception_handled_by(parcel, user)]
                if may_handle
                else [],
            )
        )
    return rows
