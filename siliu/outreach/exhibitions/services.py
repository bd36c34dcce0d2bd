"""Exhibitions, written. Each service is one transaction that checks everything before it writes, moves
the exhibition along :data:`~siliu.outreach.models.EXHIBITION_TRANSITIONS` and appends an
:class:`~siliu.outreach.models.ExhibitionEvent`; a refusal writes nothing."""

import datetime
from typing import IO, Final

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.identity import mobile_validate
from siliu.core.images import image_store
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor, acting_user
from siliu.network.models import Outlet, Region
from siliu.network.selectors import village_get, village_serving_outlet
from siliu.outreach.models import (
    EXHIBITION_TRANSITIONS,
    Exhibition,
    ExhibitionEvent,
    ExhibitionKind,
    ExhibitionStatus,
    VenueKind,
)
from siliu.outreach.stamps.selectors import stamp_issues_get

TITLE_MAX_LENGTH: Final = 100
VENUE_NAME_MAX_LENGTH: Final = 100
LEADER_MAX_LENGTH: Final = 40
CONTACT_NAME_MAX_LENGTH: Final = 40
REQUEST_NOTE_MAX_LENGTH: Final = 500
REASON_MAX_LENGTH: Final = 200
#: The most people one exhibition is counted with (a county's biggest school assembly is far fewer).
MAX_ATTENDANCE: Final = 100_000
#: How far ahead an exhibition is asked for or planned.
MAX_DAYS_AHEAD: Final = 366
#: Most photos one exhibition keeps.
MAX_PHOTOS: Final = 6


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def _text(value: str, *, field: str, max_length: int, required_code: str = "", message: str = "") -> str:
    text = (value or "").strip()
    if required_code and not text:
        raise ValidationFailed(required_code, message, field=field)
    if len(text) > max_length:
        raise ValidationFailed("too_long", _("最多 %(n)d 个字") % {"n": max_length}, field=field)
    return text


def _choice(value: str, *, choices: type[ExhibitionKind] | type[VenueKind], field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(f"invalid_{field}", _("请从列表中选择"), field=field)
    return value


def _village(code: str) -> Region:
    if not (code or "").strip():
        raise ValidationFailed("village_required", _("请选择乡镇和村"), field="village")
    return village_get(code=code)


def _date_ahead(value: datetime.date | None, *, today: datetime.date, field: str, required: bool) -> None:
    if value is None:
        if required:
            raise ValidationFailed("date_required", _("请填写日期"), field=field)
        return
    if value < today:
        raise ValidationFailed("date_in_past", _("日期不能早于今天"), field=field)
    if value > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed("date_too_far", _("只能安排一年以内的活动"), field=field)


def _outlet(*, code: str, village: Region, venue_kind: str) -> Outlet:
    """The outlet that answers for an exhibition: the one named (where it is held), or the one serving
    its village."""
    code = (code or "").strip()
    if not code:
        if venue_kind == VenueKind.OUTLET:
            raise ValidationFailed("outlet_required", _("在网点举办的活动请选择网点"), field="outlet")
        return village_serving_outlet(village=village)
    outlet = Outlet.objects.filter(code=code, is_active=True).first()
    if outlet is None:
        raise ValidationFailed("unknown_outlet", _("没有这个网点"), field="outlet")
    return outlet


def _check_manages(actor: Actor, outlet: Outlet) -> None:
    if not user_can_at(actor, Permission.OUTREACH_MANAGE, outlet):
        raise PermissionRefused(
            "not_outreach_manager", _("只有该网点所在县的县级管理员可以安排这次活动"), field="outlet"
        )


def _stamps(ids: list[int]) -> list[int]:
    if not ids:
        raise ValidationFailed("stamps_required", _("请至少选择一套展出的邮票"), field="stamps")
    return [issue.pk for issue in stamp_issues_get(ids=list(ids))]


def _move(exhibition: Exhibition, *, to: str) -> None:
    """Move ``exhibition`` to ``to`` if the table allows it (the caller saves it and appends the event).

    Raises
    ------
    Conflict
        ``exhibition_status`` when it does not.
    """
    before = exhibition.status
    if to not in EXHIBITION_TRANSITIONS[before]:
        raise Conflict(
            "exhibition_status",
            _("活动%(status)s，不能改为%(to)s")
            % {"status": ExhibitionStatus(before).label, "to": ExhibitionStatus(to).label}
            if before
            else _("新活动不能直接%(to)s") % {"to": ExhibitionStatus(to).label},
        )
    exhibition.status = to


def _event(
    exhibition: Exhibition, *, before: str, actor: Actor | None, now: datetime.datetime, note: str
) -> None:
    user: User | None = acting_user(actor) if actor is not None else None
    ExhibitionEvent.objects.create(
        exhibition=exhibition,
        from_status=before,
        to_status=exhibition.status,
        actor=user,
        occurred_at=now,
        note=note[:REASON_MAX_LENGTH],
    )


def _locked(exhibition: Exhibition) -> Exhibition:
    try:
        return (
            Exhibition.objects.select_for_update().select_related("village", "outlet").get(pk=exhibition.pk)
        )
    except Exhibition.DoesNotExist:
        raise NotFound("unknown_exhibition", _("没有这次活动")) from None


@transaction.atomic
def exhibition_request(
    *,
    requester: Actor,
    village_code: str,
    venue_kind: str,
    venue_name: str = "",
    kind: str = ExhibitionKind.EXHIBITION,
    preferred_on: datetime.date | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> Exhibition:
    """A school or a village asks for an exhibition or a talk (anyone may, logged in or not).

    Without an account the requester leaves a name and a mobile number, so that the county can call
    back; with one, both are optional. A school names itself. The exhibition is answered for by the
    outlet serving the village.

    Raises
    ------
    ValidationFailed
        ``village_required`` / ``unknown_village`` / ``village_not_served`` (``village``),
        ``invalid_venue_kind`` / ``invalid_kind``, ``venue_name_required`` (``venue_name``: a school),
        ``date_in_past`` / ``date_too_far`` (``preferred_on``), ``contact_required`` (``contact_name``) /
        ``invalid_phone`` (``contact_phone``), ``too_long``.
    """
    now = now or timezone.now()
    village = _village(village_code)
    venue_kind = _choice(venue_kind, choices=VenueKind, field="venue_kind")
    kind = _choice(kind, choices=ExhibitionKind, field="kind")
    venue_name = _text(venue_name, field="venue_name", max_length=VENUE_NAME_MAX_LENGTH)
    if venue_kind == VenueKind.SCHOOL and not venue_name:
        raise ValidationFailed("venue_name_required", _("请填写学校名称"), field="venue_name")
    _date_ahead(preferred_on, today=_today(now), field="preferred_on", required=False)
    anonymous = not requester.is_authenticated
    contact_name = _text(
        contact_name,
        field="contact_name",
        max_length=CONTACT_NAME_MAX_LENGTH,
        required_code="contact_required" if anonymous else "",
        message=_("请留下联系人姓名"),
    )
    phone = (contact_phone or "").strip()
    if phone or anonymous:
        phone = mobile_validate(phone, field="contact_phone")
    note = _text(note, field="note", max_length=REQUEST_NOTE_MAX_LENGTH)
    outlet = village_serving_outlet(village=village)
    place = venue_name or f"{village.parent.name if village.parent else ''}{village.name}"
    exhibition = Exhibition(
        title=_("%(place)s：邮票上的党史") % {"place": place},
        kind=kind,
        venue_kind=venue_kind,
        venue_name=venue_name,
        village=village,
        outlet=outlet,
        status="",
        scheduled_on=preferred_on,
        requester=acting_user(requester) if not anonymous else None,
        contact_name=contact_name,
        contact_phone=phone,
        request_note=note,
        created_at=now,
    )
    _move(exhibition, to=ExhibitionStatus.REQUESTED)
    exhibition.save()
    _event(exhibition, before="", actor=None if anonymous else requester, now=now, note=note)
    return exhibition


@transaction.atomic
def exhibition_create(
    *,
    actor: Actor,
    village_code: str,
    venue_kind: str,
    kind: str,
    title: str,
    scheduled_on: datetime.date | None,
    stamp_ids: list[int],
    leader_name: str,
    venue_name: str = "",
    outlet_code: str = "",
    now: datetime.datetime | None = None,
) -> Exhibition:
    """The county plans an exhibition nobody asked for: it starts planned.

    Raises
    ------
    PermissionRefused
        ``not_outreach_manager`` without ``outreach.manage`` at the outlet answering for it.
    ValidationFailed
        as :func:`exhibition_request` for the place; ``outlet_required`` / ``unknown_outlet``
        (``outlet``), ``title_required``, ``date_required`` / ``date_in_past`` / ``date_too_far``
        (``scheduled_on``), ``stamps_required`` / ``unknown_stamp`` (``stamps``), ``leader_required``
        (``leader_name``).
    """
    now = now or timezone.now()
    village = _village(village_code)
    venue_kind = _choice(venue_kind, choices=VenueKind, field="venue_kind")
    kind = _choice(kind, choices=ExhibitionKind, field="kind")
    outlet = _outlet(code=outlet_code, village=village, venue_kind=venue_kind)
    _check_manages(actor, outlet)
    venue_name = _text(venue_name, field="venue_name", max_length=VENUE_NAME_MAX_LENGTH)
    if venue_kind == VenueKind.SCHOOL and not venue_name:
        raise ValidationFailed("venue_name_required", _("请填写学校名称"), field="venue_name")
    title = _text(
        title,
        field="title",
        max_length=TITLE_MAX_LENGTH,
        required_code="title_required",
        message=_("请填写活动名称"),
    )
    _date_ahead(scheduled_on, today=_today(now), field="scheduled_on", required=True)
    stamps = _stamps(stamp_ids)
    leader_name = _text(
        leader_name,
        field="leader_name",
        max_length=LEADER_MAX_LENGTH,
        required_code="leader_required",
        message=_("请填写主讲人"),
    )
    exhibition = Exhibition(
        title=title,
        kind=kind,
        venue_kind=venue_kind,
        venue_name=venue_name,
        village=village,
        outlet=outlet,
        status="",
        scheduled_on=scheduled_on,
        leader_name=leader_name,
        created_at=now,
    )
    _move(exhibition, to=ExhibitionStatus.PLANNED)
    exhibition.save()
    exhibition.stamps.set(stamps)
    _event(exhibition, before="", actor=actor, now=now, note="")
    return exhibition


@transaction.atomic
def exhibition_plan(
    *,
    exhibition: Exhibition,
    actor: Actor,
    scheduled_on: datetime.date | None,
    stamp_ids: list[int],
    leader_name: str,
    title: str = "",
    kind: str = "",
    now: datetime.datetime | None = None,
) -> Exhibition:
    """Plan a requested exhibition: its date, the stamps shown and who leads it (and, if given, a new
    title and form).

    Raises
    ------
    PermissionRefused
        ``not_outreach_manager`` (at the outlet answering for it).
    Conflict
        ``exhibition_status`` unless it is requested.
    ValidationFailed
        ``date_required`` / ``date_in_past`` / ``date_too_far`` (``scheduled_on``), ``stamps_required`` /
        ``unknown_stamp`` (``stamps``), ``leader_required`` (``leader_name``), ``invalid_kind``,
        ``too_long``.
    """
    now = now or timezone.now()
    locked = _locked(exhibition)
    _check_manages(actor, locked.outlet)
    before = locked.status
    _move(locked, to=ExhibitionStatus.PLANNED)
    _date_ahead(scheduled_on, today=_today(now), field="scheduled_on", required=True)
    stamps = _stamps(stamp_ids)
    leader_name = _text(
        leader_name,
        field="leader_name",
        max_length=LEADER_MAX_LENGTH,
        required_code="leader_required",
        message=_("请填写主讲人"),
    )
    title = _text(title, field="title", max_length=TITLE_MAX_LENGTH)
    if kind:
        locked.kind = _choice(kind, choices=ExhibitionKind, field="kind")
    if title:
        locked.title = title
    locked.scheduled_on = scheduled_on
    locked.leader_name = leader_name
    locked.save()
    locked.stamps.set(stamps)
    _event(locked, before=before, actor=actor, now=now, note="")
    return locked


@transaction.atomic
def exhibition_hold(
    *,
    exhibition: Exhibition,
    actor: Actor,
    attendance_count: int | None,
    held_on: datetime.date | None = None,
    leader_name: str = "",
    now: datetime.datetime | None = None,
) -> Exhibition:
    """Record a planned exhibition as held, with the people counted there (0 is a count: nobody came).

    ``held_on`` is its planned date unless given; it cannot be after today. ``leader_name`` replaces
    the planned leader when someone else led it.

    Raises
    ------
    PermissionRefused
        ``not_outreach_manager`` (at the outlet answering for it).
    Conflict
        ``exhibition_status`` unless it is planned; ``not_yet_held`` (``held_on``) for a day to come.
    ValidationFailed
        ``attendance_required`` / ``invalid_attendance`` (``attendance_count``: a whole number 0–100000),
        ``too_long`` (``leader_name``).
    """
    now = now or timezone.now()
    locked = _locked(exhibition)
    _check_manages(actor, locked.outlet)
    before = locked.status
    _move(locked, to=ExhibitionStatus.HELD)
    if attendance_count is None:
        raise ValidationFailed("attendance_required", _("请填写参加人数"), field="attendance_count")
    if (
        isinstance(attendance_count, bool)
        or not isinstance(attendance_count, int)
        or not 0 <= attendance_count <= MAX_ATTENDANCE
    ):
        raise ValidationFailed(
            "invalid_attendance",
            _("参加人数应为 0–%(n)d 的整数") % {"n": MAX_ATTENDANCE},
            field="attendance_count",
        )
    held_on = held_on or locked.scheduled_on
    assert held_on is not None
    if held_on > _today(now):
        raise Conflict("not_yet_held", _("活动日期还没到，不能登记为已举办"), field="held_on")
    leader_name = _text(leader_name, field="leader_name", max_length=LEADER_MAX_LENGTH)
    locked.attendance_count = attendance_count
    locked.held_on = held_on
    if leader_name:
        locked.leader_name = leader_name
    locked.save()
    _event(locked, before=before, actor=actor, now=now, note=_("参加 %(n)d 人") % {"n": attendance_count})
    return locked


@transaction.atomic
def exhibition_cancel(
    *, exhibition: Exhibition, actor: Actor, reason: str, now: datetime.datetime | None = None
) -> Exhibition:
    """Cancel a requested or planned exhibition, saying why (the requester is told the reason).

    Raises
    ------
    PermissionRefused
        ``not_outreach_manager`` (at the outlet answering for it).
    Conflict
        ``exhibition_status`` once it is held or cancelled.
    ValidationFailed
        ``reason_required`` / ``too_long`` (``reason``).
    """
    now = now or timezone.now()
    locked = _locked(exhibition)
    _check_manages(actor, locked.outlet)
    before = locked.status
    _move(locked, to=ExhibitionStatus.CANCELLED)
    reason = _text(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        required_code="reason_required",
        message=_("请填写取消原因"),
    )
    locked.cancel_reason = reason
    locked.save()
    _event(locked, before=before, actor=actor, now=now, note=reason)
    return locked


@transaction.atomic
def exhibition_photo_add(*, exhibition: Exhibition, actor: Actor, upload: IO[bytes], size: int) -> Exhibition:
    """Add a photo of a planned or held exhibition (checked to be a picture, re-encoded without its
    EXIF, thumbnailed: :func:`siliu.core.images.image_store`).

    Raises
    ------
    PermissionRefused
        ``not_outreach_manager`` (at the outlet answering for it).
    Conflict
        ``photo_not_allowed`` for a requested or cancelled exhibition.
    ValidationFailed
        ``too_many_photos``, ``not_an_image``, ``photo_too_large`` (``photo``).
    """
    locked = _locked(exhibition)
    _check_manages(actor, locked.outlet)
    if locked.status not in (ExhibitionStatus.PLANNED, ExhibitionStatus.HELD):
        raise Conflict("photo_not_allowed", _("只能为已排期或已举办的活动上传照片"), field="photo")
    if len(locked.photos) >= MAX_PHOTOS:
        raise ValidationFailed(
            "too_many_photos", _("每次活动最多 %(n)d 张照片") % {"n": MAX_PHOTOS}, field="photo"
        )
    url = image_store(upload=upload, size=size, folder=f"exhibitions/{locked.pk}")
    locked.photos = [*locked.photos, url]
    locked.save(update_fields=["photos"])
    return locked
