"""Reads of exhibitions: the county's list and one exhibition with its history (scoped to where the user
holds ``outreach.read``), and the public list of held ones, which names no person."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, F, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.identity import mobile_mask
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor
from siliu.outreach.models import Exhibition, ExhibitionEvent, ExhibitionStatus, StampIssue


def _with_places(exhibitions: QuerySet[Exhibition]) -> QuerySet[Exhibition]:
    return exhibitions.select_related("village__parent", "outlet").prefetch_related(
        Prefetch("stamps", queryset=StampIssue.objects.order_by("-issued_on", "series_number"))
    )


def exhibition_list(*, user: Actor, status: str = "") -> QuerySet[Exhibition]:
    """The exhibitions at the outlets where ``user`` holds ``outreach.read``: requests waiting first,
    then by date, latest first; with ``status``, those in it.

    Raises
    ------
    ValidationFailed
        ``invalid_status`` (``status``).
    """
    exhibitions = Exhibition.objects.all()
    places = user_outlet_ids(user, Permission.OUTREACH_READ)
    if places is not None:
        exhibitions = exhibitions.filter(outlet_id__in=places)
    if status:
        if status not in ExhibitionStatus.values:
            raise ValidationFailed("invalid_status", _("没有这个状态"), field="status")
        exhibitions = exhibitions.filter(status=status)
    waiting_first = Case(When(status=ExhibitionStatus.REQUESTED, then=Value(0)), default=Value(1))
    return _with_places(exhibitions).order_by(waiting_first, F("scheduled_on").desc(nulls_last=True), "-id")


def exhibition_get(*, user: Actor, exhibition_id: int) -> Exhibition:
    """One exhibition, if ``user`` holds ``outreach.read`` at its outlet.

    Raises
    ------
    NotFound
        ``unknown_exhibition`` when there is none the user may see.
    """
    exhibition = _with_places(Exhibition.objects.filter(pk=exhibition_id)).first()
    if exhibition is None or not user_can_at(user, Permission.OUTREACH_READ, exhibition.outlet):
        raise NotFound("unknown_exhibition", _("没有这次活动"))
    return exhibition


def exhibition_manageable(*, user: Actor, exhibition: Exhibition) -> bool:
    """Whether ``user`` may plan, record or cancel ``exhibition`` (``outreach.manage`` at its outlet)."""
    return user_can_at(user, Permission.OUTREACH_MANAGE, exhibition.outlet)


def exhibition_phone_shown(*, user: Actor, exhibition: Exhibition) -> str:
    """The requester's mobile number as ``user`` sees it: whole for whoever arranges the exhibition (they
    call back), masked for readers (the auditor)."""
    if exhibition_manageable(user=user, exhibition=exhibition):
        return exhibition.contact_phone
    return mobile_mask(exhibition.contact_phone)


def exhibition_history(*, exhibition: Exhibition) -> list[ExhibitionEvent]:
    """The exhibition's changes, oldest first, with who made them."""
    return list(exhibition.events.select_related("actor").order_by("occurred_at", "id"))


@dataclass(frozen=True)
class HeldExhibition:
    """A held exhibition as the public sees it: where, when, what was shown and how many came; no
    person's name or number, and no photos (they show people)."""

    title: str
    kind_label: str
    venue_label: str
    venue_name: str
    township_name: str
    village_name: str
    held_on: datetime.date
    stamps: list[str]
    attendance_count: int


def exhibitions_held(*, year: int, township_code: str = "") -> list[HeldExhibition]:
    """The exhibitions held in ``year`` (in the township with ``township_code``), newest first."""
    exhibitions = Exhibition.objects.filter(status=ExhibitionStatus.HELD, held_on__year=year)
    if township_code:
        exhibitions = exhibitions.filter(village__parent__code=township_code)
    return [
        HeldExhibition(
            title=exhibition.title,
            kind_label=exhibition.get_kind_display(),
            venue_label=exhibition.get_venue_kind_display(),
            venue_name=exhibition.venue_name,
            township_name=exhibition.village.parent.name if exhibition.village.parent else "",
            village_name=exhibition.village.name,
            held_on=exhibition.held_on or datetime.date.min,
            stamps=[f"{issue.series_number}《{issue.name}》" for issue in exhibition.stamps.all()],
            attendance_count=exhibition.attendance_count or 0,
        )
        for exhibition in _with_places(exhibitions).order_by("-held_on", "-id")
    ]
