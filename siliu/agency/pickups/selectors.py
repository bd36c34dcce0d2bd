"""Home pickups, read: the price for a village, a villager's requests, a station's, and what the rounds
and the station's acceptance ask for through logistics' hooks."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.agency.pickups.models import (
    OPEN_HOME_PICKUP_STATUSES,
    HomePickup,
    HomePickupStatus,
    RemoteVillage,
)
from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.identity import mobile_mask, name_mask
from siliu.core.money import format_fen
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor
from siliu.logistics.hooks import HomePickupContact, HomePickupStop
from siliu.network.models import Outlet, OutletKind, Region
from siliu.network.selectors import village_get

#: The detour from the station to a house and back, with the hand-over: the stop's service time.
HOME_PICKUP_SERVICE_S = 20 * 60
#: What the round planner reports when it leaves a request out, in the villager's words.
UNPLANNED_REASONS = {
    "outside_shift": gettext_lazy("上门时段不在车辆班次内"),
    "too_heavy": gettext_lazy("物品重量超过车辆载重"),
    "out_of_reach": gettext_lazy("班次内无法往返"),
    "no_room": gettext_lazy("车辆运力或时间不足，改排下一班次"),
}


def home_pickup_standard_price_fen() -> int:
    """The price of a home pickup where the village is not on the remote list but its station offers it."""
    return int(getattr(settings, "SILIU_HOME_PICKUP_PRICE_FEN", 500))


@dataclass(frozen=True)
class HomePickupQuote:
    """Where a home pickup in ``village`` goes and what it costs."""

    village: Region
    station: Outlet
    price_fen: int
    #: The price comes from the remote villages' list (else it is the standard price).
    is_remote: bool
    note: str = ""


def village_station(*, village: Region) -> Outlet | None:
    """The active village station of ``village`` (its region is the village), the first by code."""
    return (
        Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, region=village, is_active=True)
        .order_by("code")
        .first()
    )


def home_pickup_quote(*, village_code: str) -> HomePickupQuote:
    """The station that would collect at home in the village ``village_code``, and the price.

    A village on the remote list (:class:`RemoteVillage`) pays its own price (0: free); another pays
    the standard price (``SILIU_HOME_PICKUP_PRICE_FEN``) if its station offers home pickup.

    Raises
    ------
    ValidationFailed
        ``unknown_village``; ``no_village_station`` when the village has no active station;
        ``home_pickup_not_offered`` when it is neither remote nor served by a station offering home
        pickup. All on field ``village``.
    """
    village = village_get(code=village_code)
    station = village_station(village=village)
    if station is None:
        raise ValidationFailed(
            "no_village_station",
            _("%(village)s没有村级服务站，无法上门揽收") % {"village": village.name},
            field="village",
        )
    remote = RemoteVillage.objects.filter(village=village).first()
    if remote is not None:
        return HomePickupQuote(village, station, remote.price_fen, True, remote.note)
    if station.offers_home_pickup:
        return HomePickupQuote(village, station, home_pickup_standard_price_fen(), False)
    raise ValidationFailed(
        "home_pickup_not_offered",
        _("%(village)s不是偏远村，%(station)s也不提供上门揽收：请到服务站寄件")
        % {"village": village.name, "station": station.name},
        field="village",
    )


def home_pickup_price_words(price_fen: int) -> str:
    return _("免费") if price_fen == 0 else format_fen(price_fen)


def home_pickups_of(*, user: Actor) -> QuerySet[HomePickup]:
    """The home pickups ``user`` asked for themselves, newest first."""
    return HomePickup.objects.filter(requester_id=user.pk).select_related("village", "station", "parcel")


def pickup_stations_of(*, actor: Actor) -> QuerySet[Outlet]:
    """The active village stations whose home pickups ``actor`` reads (``pickup.read``), by code."""
    places = user_outlet_ids(actor, Permission.PICKUP_READ)
    stations = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, is_active=True).order_by("code")
    return stations if places is None else stations.filter(pk__in=places)


def pickup_station_get(*, actor: Actor, code: str = "") -> Outlet | None:
    """The station ``code`` (or the actor's first, None when they read none) whose pickups ``actor`` reads.

    Raises
    ------
    NotFound
        ``unknown_outlet`` for a code that is not one of the actor's stations.
    """
    stations = pickup_stations_of(actor=actor)
    if not code:
        return stations.first()
    station = stations.filter(code=code).first()
    if station is None:
        raise NotFound("unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field="station")
    return station


#: The lists of a station's page: still to collect (today and overdue first), and closed ones.
STATION_TABS = ("open", "closed")


def station_home_pickups(*, station: Outlet, tab: str = "open") -> QuerySet[HomePickup]:
    """The home pickups of ``station``: ``open`` (requested or planned) by window, earliest first, or
    ``closed`` (collected or cancelled) newest first."""
    rows = HomePickup.objects.filter(station=station).select_related("village", "station", "parcel")
    if tab == "closed":
        return rows.exclude(status__in=OPEN_HOME_PICKUP_STATUSES).order_by("-created_at", "-pk")
    return rows.filter(status__in=OPEN_HOME_PICKUP_STATUSES).order_by(
        "window_on", "window_starts_at", "number"
    )


def home_pickup_get(*, number: str, actor: Actor) -> HomePickup:
    """The home pickup ``number``, if ``actor`` asked for it or reads its station's (``pickup.read``).

    Raises
    ------
    NotFound
        ``unknown_home_pickup``, also for one the actor may not see.
    """
    pickup = (
        HomePickup.objects.select_related("village", "station", "parcel")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if pickup is None or not (
        (pickup.requester_id is not None and pickup.requester_id == actor.pk)
        or user_can_at(actor, Permission.PICKUP_READ, pickup.station)
    ):
        raise NotFound("unknown_home_pickup", _("没有单号为 %(number)s 的上门揽收单") % {"number": number})
    return pickup


def home_pickup_label(pickup: HomePickup) -> str:
    """What a courier and a list read: the masked name, the village and the address."""
    return f"{name_mask(pickup.contact_name)} · {pickup.village.name} · {pickup.address}"


def home_pickup_window(pickup: HomePickup) -> str:
    return f"{pickup.window_on:%Y-%m-%d} {pickup.window_starts_at:%H:%M}–{pickup.window_ends_at:%H:%M}"


def unplanned_reason_words(pickup: HomePickup) -> str:
    """Why the last plan could not take the request, in words ("" when it did or none has tried)."""
    if not pickup.unplanned_reason or pickup.status != HomePickupStatus.REQUESTED:
        return ""
    return str(UNPLANNED_REASONS.get(pickup.unplanned_reason, pickup.unplanned_reason))


def _seconds(value: datetime.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


# --- what logistics asks through its hooks (registered in siliu.hooks) ---------------------------


def home_pickup_stops(stations: Sequence[Outlet], planned_on: datetime.date) -> list[HomePickupStop]:
    """Hook: the home pickups the rounds to ``stations`` make on ``planned_on``: the requests still to
    plan whose day has come (a missed or left-out one rolls on to the next round, in the same hours),
    and those already planned for that day (a plan made again keeps them)."""
    rows = (
        HomePickup.objects.filter(station__in=list(stations))
        .filter(
            Q(status=HomePickupStatus.REQUESTED, window_on__lte=planned_on)
            | Q(status=HomePickupStatus.PLANNED, planned_on=planned_on)
        )
        .select_related("village", "station")
        .order_by("window_on", "window_starts_at", "number")
    )
    return [
        HomePickupStop(
            reference=pickup.number,
            station=pickup.station,
            weight_g=pickup.weight_g,
            opens_at_s=_seconds(pickup.window_starts_at),
            closes_at_s=_seconds(pickup.window_ends_at),
            label=home_pickup_label(pickup),
            description=pickup.description,
            phone_masked=mobile_mask(pickup.contact_phone),
            service_s=HOME_PICKUP_SERVICE_S,
        )
        for pickup in rows
    ]


def home_pickups_open_at(station: Outlet) -> list[tuple[str, str]]:
    """Hook: the station's home pickups still to collect, as ``(number, words)`` for the acceptance form;
    the words say the price to collect with the postage."""
    return [
        (
            pickup.number,
            f"{pickup.number} · {home_pickup_label(pickup)} · {pickup.get_status_display()} · "
            + _("上门费 %(price)s") % {"price": home_pickup_price_words(pickup.price_fen)},
        )
        for pickup in station_home_pickups(station=station, tab="open")
    ]


def home_pickup_contacts(references: Sequence[str]) -> dict[str, HomePickupContact]:
    """Hook: the full phone and the state now of the home pickups ``references``, for the driver."""
    return {
        pickup.number: HomePickupContact(
            phone=pickup.contact_phone,
            status=pickup.status,
            status_label=str(pickup.get_status_display()),
            is_open=pickup.status in OPEN_HOME_PICKUP_STATUSES,
        )
        for pickup in HomePickup.objects.filter(number__in=list(references))
    }
