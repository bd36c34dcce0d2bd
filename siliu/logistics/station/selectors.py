"""Reads for the station's parcels, scoped to the outlets where the actor holds ``station.operate``."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound, PermissionRefused, ValidationFailed
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor
from siliu.finance.services import business_day_bounds
from siliu.logistics.models import Parcel, ParcelStatus
from siliu.network.models import Outlet

PICKUP_CODE = re.compile(r"\d{6}")
#: A mainland mobile number as a villager says it (``13812345678``) or in E.164.
_MOBILE = re.compile(r"(?:\+?86)?(1\d{10})")


def pickup_return_days() -> int:
    """After how many days a parcel not collected is listed for return (``SILIU_PICKUP_RETURN_DAYS``)."""
    return int(getattr(settings, "SILIU_PICKUP_RETURN_DAYS", 7))


def stations_of(*, actor: Actor) -> QuerySet[Outlet]:
    """The active outlets where ``actor`` runs the station's parcels, by code."""
    places = user_outlet_ids(actor, Permission.STATION_OPERATE)
    outlets = Outlet.objects.filter(is_active=True).order_by("code")
    return outlets if places is None else outlets.filter(pk__in=places)


def station_get(*, actor: Actor, code: str = "") -> Outlet:
    """The station ``code`` (or the actor's first when empty), where ``actor`` holds ``station.operate``.

    Raises
    ------
    NotFound
        ``unknown_outlet`` (also for a station that is not the actor's: they learn nothing of it).
    PermissionRefused
        ``not_your_outlet`` when the actor runs no station at all.
    """
    if not code:
        first = stations_of(actor=actor).first()
        if first is None:
            raise PermissionRefused("not_your_outlet", _("您没有可管理的网点"), field="station")
        return first
    outlet = Outlet.objects.filter(code=code, is_active=True).first()
    if outlet is None or not user_can_at(actor, Permission.STATION_OPERATE, outlet):
        raise NotFound("unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field="station")
    return outlet


def parcels_waiting(*, station: Outlet) -> QuerySet[Parcel]:
    """Parcels that arrived at ``station`` for their recipient to collect (待取), oldest arrival first.

    A parcel waits from its arrival scan (EDH, 到达自提点) until it is delivered; its ``last_event_at``
    is the arrival while it waits."""
    return (
        Parcel.objects.filter(status=ParcelStatus.AWAITING_PICKUP, last_outlet=station)
        .defer("path")
        .order_by("last_event_at", "tracking_number")
    )


def parcels_to_return(*, station: Outlet, now: datetime.datetime) -> QuerySet[Parcel]:
    """Waiting parcels not collected within :func:`pickup_return_days` of their arrival (待退回)."""
    cutoff = now - datetime.timedelta(days=pickup_return_days())
    return parcels_waiting(station=station).filter(last_event_at__lte=cutoff)


def parcels_accepted_today(*, station: Outlet, now: datetime.datetime) -> QuerySet[Parcel]:
    """Parcels accepted at ``station`` on the business day of ``now`` (今日揽收), newest first."""
    start, end = business_day_bounds(timezone.localdate(now))
    return (
        Parcel.objects.filter(origin_outlet=station, accepted_at__gte=start, accepted_at__lt=end)
        .defer("path")
        .order_by("-accepted_at", "tracking_number")
    )


def phone_from_counter(value: str) -> str:
    """A recipient's phone as typed at the counter, in the form parcels store (``+8613812345678``).

    Raises
    ------
    ValidationFailed
        ``invalid_phone`` on field ``phone``.
    """
    match = _MOBILE.fullmatch(re.sub(r"[\s-]", "", value or ""))
    if match is None:
        raise ValidationFailed("invalid_phone", _("手机号应为 11 位数字，如 13812345678"), field="phone")
    return f"+86{match.group(1)}"


@dataclass(frozen=True)
class HandoverMatch:
    """The waiting parcels a code or phone finds at a station (one when a code is right)."""

    parcels: list[Parcel]
    by_code: bool


def handover_candidates(*, station: Outlet, code: str = "", phone: str = "") -> HandoverMatch:
    """The parcels waiting at ``station`` that ``code`` (a pickup code) or ``phone`` (the recipient's)
    names. Exactly one of the two is given.

    Raises
    ------
    ValidationFailed
        ``code_or_phone`` when neither or both are given; ``invalid_pickup_code`` / ``wrong_pickup_code``
        on field ``code``; ``invalid_phone`` / ``no_parcel_for_phone`` on field ``phone``.
    """
    code, phone = (code or "").strip(), (phone or "").strip()
    if bool(code) == bool(phone):
        raise ValidationFailed("code_or_phone", _("请填写取件码或收件人手机号（二选一）"), field="code")
    waiting = parcels_waiting(station=station)
    if code:
        if not PICKUP_CODE.fullmatch(code):
            raise ValidationFailed("invalid_pickup_code", _("取件码为 6 位数字"), field="code")
        parcels = list(waiting.filter(pickup_code=code))
        if not parcels:
            raise ValidationFailed("wrong_pickup_code", _("本站没有这个取件码的待取邮件"), field="code")
        return HandoverMatch(parcels, by_code=True)
    parcels = list(waiting.filter(recipient_phone=phone_from_counter(phone)))
    if not parcels:
        raise ValidationFailed("no_parcel_for_phone", _("本站没有这个手机号的待取邮件"), field="phone")
    return HandoverMatch(parcels, by_code=False)
