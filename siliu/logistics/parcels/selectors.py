"""Parcels, read: who may see which parcel, the journey (public and for claims), exceptions; scoped to
who is asking."""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor
from siliu.finance.services import business_day_bounds
from siliu.logistics import hooks
from siliu.logistics.models import (
    NON_DELIVERY_ACTIONS,
    NON_DELIVERY_REASONS,
    EventCode,
    Parcel,
    ParcelEvent,
    ParcelException,
    ParcelStatus,
)
from siliu.network.models import Outlet, RegionLevel


def parcel_visible_to(parcel: Parcel, actor: Actor) -> bool:
    """Whether ``actor`` may see ``parcel`` in full: its sender, or who holds ``parcel.read`` where
    the parcel starts, ends or was last seen (a station operator at their station, a courier on their
    round, a county manager in their county, an auditor everywhere)."""
    return (actor.is_authenticated and parcel.sender_user_id == actor.pk) or parcel_handled_by(parcel, actor)


def parcel_handled_by(parcel: Parcel, actor: Actor) -> bool:
    """Whether ``actor`` handles ``parcel`` (``parcel.read`` where it starts, ends or was last seen),
    as opposed to merely having sent it: handlers see its pickup code."""
    return any(
        user_can_at(actor, Permission.PARCEL_READ, outlet)
        for outlet in (parcel.origin_outlet, parcel.destination_outlet, parcel.last_outlet)
    )


def parcels_at(parcels: QuerySet[Parcel], *, actor: Actor, permission: Permission) -> QuerySet[Parcel]:
    """``parcels`` narrowed to those starting, ending or last seen where ``actor`` holds
    ``permission`` (all of them when it holds everywhere)."""
    places = user_outlet_ids(actor, permission)
    if places is None:
        return parcels
    return parcels.filter(
        Q(origin_outlet_id__in=places) | Q(destination_outlet_id__in=places) | Q(last_outlet_id__in=places)
    )


def parcel_get(*, number: str, actor: Actor) -> Parcel:
    """A parcel in full (addresses, phones) for its sender and for those who handle it
    (:func:`parcel_visible_to`).

    Raises
    ------
    NotFound
        ``unknown_parcel`` when there is no such parcel or the actor may not see it (the two are not
        told apart, so numbers cannot be probed).
    """
    parcel = (
        Parcel.objects.select_related(
            "product", "origin_outlet", "destination_outlet", "last_outlet", "partner"
        )
        .filter(tracking_number=number.strip().upper())
        .first()
    )
    if parcel is None or not parcel_visible_to(parcel, actor):
        raise NotFound(
            "unknown_parcel", _("没有邮件号为 %(number)s 的邮件") % {"number": number}, field="number"
        )
    return parcel


def parcel_list(*, actor: Actor) -> QuerySet[Parcel]:
    """Parcels the actor sent, and those they handle (:func:`parcel_visible_to`); newest first."""
    parcels = Parcel.objects.select_related("product", "origin_outlet", "destination_outlet", "last_outlet")
    if not actor.is_authenticated:
        return parcels.none()
    if user_outlet_ids(actor, Permission.PARCEL_READ) is None:
        return parcels
    handled = parcels_at(parcels, actor=actor, permission=Permission.PARCEL_READ)
    return parcels.filter(Q(sender_user_id=actor.pk) | Q(pk__in=handled.values("pk")))


@dataclass(frozen=True)
class ParcelDayCounts:
    """Parcels accepted at and delivered by a set of outlets on one business day."""

    accepted_count: int
    delivered_count: int


def parcel_day_counts(*, outlet_ids: Collection[int], day: datetime.date) -> ParcelDayCounts:
    """How many parcels were accepted at ``outlet_ids`` (their origin) and delivered by them (their
    destination) on the business ``day`` (Asia/Shanghai)."""
    start, end = business_day_bounds(day)
    return ParcelDayCounts(
        accepted_count=Parcel.objects.filter(
            origin_outlet_id__in=outlet_ids, accepted_at__gte=start, accepted_at__lt=end
        ).count(),
        delivered_count=Parcel.objects.filter(
            destination_outlet_id__in=outlet_ids,
            status=ParcelStatus.DELIVERED,
            delivered_at__gte=start,
            delivered_at__lt=end,
        ).count(),
    )


@dataclass(frozen=True)
class JourneyStep:
    code: str
    label: str
    occurred_at: datetime.datetime
    place: str
    note: str


@dataclass(frozen=True)
class PublicJourney:
    """What anyone with the number may see: no names, phones or street addresses."""

    tracking_number: str
    product: str
    status: str
    status_label: str
    origin: str
    destination: str
    promised_at: datetime.datetime
    delivered_at: datetime.datetime | None
    steps: list[JourneyStep]


def _places(outlet_ids: set[int]) -> dict[int, str]:
    """Place names ("青龙镇 王家村服务站") of outlets, in one query of plain values."""
    places = {}
    for pk, name, level, parent_name in Outlet.objects.filter(pk__in=outlet_ids).values_list(
        "pk", "name", "region__level", "region__parent__name"
    ):
        places[pk] = f"{parent_name} {name}" if level == RegionLevel.VILLAGE and parent_name else name
    return places


#: (parcel id, code, occurred_at, outlet id, reason code, action code) of one event.
_EventRow = tuple[int, str, datetime.datetime, int | None, str, str]


def _events(parcel_ids: Collection[int]) -> list[_EventRow]:
    """The events of parcels as plain values, each parcel's in the order they happened."""
    return list(
        ParcelEvent.objects.filter(parcel_id__in=parcel_ids)
        .order_by("parcel_id", "occurred_at", "id")
        .values_list("parcel_id", "code", "occurred_at", "outlet_id", "reason_code", "action_code")
    )


def _step(event: _EventRow, places: dict[int, str]) -> JourneyStep:
    _parcel_id, code, occurred_at, outlet_id, reason_code, action_code = event
    note = ""
    if code == EventCode.DELIVERY_FAILED:
        note = f"{NON_DELIVERY_REASONS.get(reason_code, reason_code)} · " + str(
            NON_DELIVERY_ACTIONS.get(action_code, action_code)
        )
    return JourneyStep(
        code=code,
        label=str(EventCode(code).label),
        occurred_at=occurred_at,
        place=places.get(outlet_id, "") if outlet_id else "",
        note=note,
    )


def parcels_steps(*, parcel_ids: Collection[int]) -> dict[int, list[JourneyStep]]:
    """The public journey steps (see :func:`parcel_journey`) of several parcels by parcel id, in two
    queries whatever their number; a parcel without events is left out."""
    events = _events(parcel_ids)
    places = _places({event[3] for event in events if event[3]})
    steps: dict[int, list[JourneyStep]] = {}
    for event in events:
        steps.setdefault(event[0], []).append(_step(event, places))
    return steps


def parcel_journey(*, number: str) -> PublicJourney:
    """The public journey of a parcel: its events in the order they happened, with places and times.

    Built from plain values in three small queries: it is the busiest public read.

    Raises
    ------
    NotFound
        ``unknown_parcel`` when no parcel has that number.
    """
    row = (
        Parcel.objects.filter(tracking_number=number.strip().upper())
        .values_list(
            "pk",
            "tracking_number",
            "product__name",
            "status",
            "origin_outlet_id",
            "destination_outlet_id",
            "destination_region_code",
            "promised_at",
            "delivered_at",
        )
        .first()
    )
    if row is None:
        raise NotFound(
            "unknown_parcel", _("没有邮件号为 %(number)s 的邮件") % {"number": number}, field="number"
        )
    (
        pk,
        tracking_number,
        product,
        status,
        origin_id,
        destination_id,
        region_code,
        promised_at,
        delivered_at,
    ) = row
    events = _events([pk])
    places = _places(
        {origin_id, *(e[3] for e in events if e[3]), *([destination_id] if destination_id else [])}
    )
    steps = [_step(event, places) for event in events]
    return PublicJourney(
        tracking_number=tracking_number,
        product=str(product),
        status=status,
        status_label=str(ParcelStatus(status).label),
        origin=places.get(origin_id, ""),
        destination=places.get(destination_id, "") if destination_id else region_code,
        promised_at=promised_at,
        delivered_at=delivered_at,
        steps=steps,
    )


def parcel_exceptions(*, actor: Actor, kind: str | None = None) -> QuerySet[Parcel]:
    """Parcels flagged by the exception sweep where ``actor`` reads exceptions (``exception.read``:
    their county, or everywhere), oldest flag first, with their last known place."""
    parcels = Parcel.objects.exclude(exception="").select_related(
        "product", "last_outlet", "origin_outlet", "destination_outlet"
    )
    parcels = parcels_at(parcels, actor=actor, permission=Permission.EXCEPTION_READ)
    if kind:
        parcels = parcels.filter(exception=kind)
    return parcels.order_by("exception_flagged_at", "pk")


def exception_counts(*, actor: Actor) -> dict[str, int]:
    """Flagged parcels per kind, every kind present, as :func:`parcel_exceptions` scopes them."""
    flagged = parcels_at(
        Parcel.objects.exclude(exception=""), actor=actor, permission=Permission.EXCEPTION_READ
    )
    counts = dict.fromkeys(ParcelException.values, 0)
    rows = flagged.values("exception").annotate(count=Count("pk"))
    counts.update({row["exception"]: row["count"] for row in rows})
    return counts


#: While a parcel is in one of these, its recipient has no more use for its pickup code.
_CODE_SPENT = (ParcelStatus.DELIVERED, ParcelStatus.CANCELLED, ParcelStatus.LOST)


def pickup_code_for_recipient(*, number: str, actor: Actor) -> str:
    """The pickup code of parcel ``number`` if ``actor`` is its recipient (the buyer of its order, see
    :func:`siliu.logistics.hooks.parcel_received_by`) and it is still to be collected; else ``""``.
    Anonymous users and everyone else never see it: the public tracking page shows nothing personal."""
    if not actor.is_authenticated:
        return ""
    parcel = Parcel.objects.only("pk", "pickup_code", "status").filter(tracking_number=number).first()
    if parcel is None or parcel.status in _CODE_SPENT:
        return ""
    return parcel.pickup_code if hooks.parcel_received_by(parcel=parcel, user=actor) else ""


def masked_phone(phone: str) -> str:
    """``+8613912345678`` → ``+86 139****5678``: enough to recognise, not to call."""
    if phone.startswith("+86") and len(phone) == 14:
        return f"+86 {phone[3:6]}****{phone[-4:]}"
    return f"{phone[:4]}****{phone[-4:]}" if len(phone) > 8 else "****"
