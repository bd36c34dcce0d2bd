"""Typed hooks through which parcels tell what happened to them to whoever must know: a higher flow
(commerce) or a higher part of logistics (partners); and through which delivery rounds and the station
learn of home pickups (上门揽收), which agency keeps.

Parcels never import commerce nor the parts above them. Those register their handlers once at
start-up (all registrations are listed in :mod:`siliu.hooks`); parcels call them inside the
transaction of the scan or decision that caused them, so an order's state and its parcel's never
disagree.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.core.roles import Actor
from siliu.logistics.models import Parcel, ParcelEvent, RoundPlan
from siliu.network.models import Outlet

#: Called with the parcels a scan batch has just delivered (final delivery, EMI).
ParcelsDelivered = Callable[[Sequence[Parcel], datetime.datetime], None]
#: Called with each (parcel, its EMI event) a scan batch has just delivered.
ParcelDeliveries = Callable[[Sequence[tuple[Parcel, ParcelEvent]], datetime.datetime], None]
#: Called with a parcel an approved loss claim has just declared lost.
ParcelLost = Callable[[Parcel, datetime.datetime], None]
#: Whether a user is a parcel's recipient as a higher flow knows it (the buyer of its order).
ParcelRecipient = Callable[[Parcel, AbstractBaseUser], bool]

_delivered: list[ParcelsDelivered] = []
_deliveries: list[ParcelDeliveries] = []
_lost: list[ParcelLost] = []
_recipients: list[ParcelRecipient] = []


def on_parcels_delivered(handler: ParcelsDelivered) -> None:
    if handler not in _delivered:
        _delivered.append(handler)


def on_parcel_deliveries(handler: ParcelDeliveries) -> None:
    if handler not in _deliveries:
        _deliveries.append(handler)


def on_parcel_lost(handler: ParcelLost) -> None:
    if handler not in _lost:
        _lost.append(handler)


def on_parcel_recipient(handler: ParcelRecipient) -> None:
    if handler not in _recipients:
        _recipients.append(handler)


def parcels_delivered(*, parcels: Sequence[Parcel], now: datetime.datetime) -> None:
    """Tell every registered flow that ``parcels`` were delivered (inside the caller's transaction)."""
    if parcels:
        for handler in _delivered:
            handler(parcels, now)


def parcel_deliveries(*, delivered: Sequence[tuple[Parcel, ParcelEvent]], now: datetime.datetime) -> None:
    """Tell every registered part of each delivery and its event (inside the caller's transaction)."""
    if delivered:
        for handler in _deliveries:
            handler(delivered, now)


def parcel_lost(*, parcel: Parcel, now: datetime.datetime) -> None:
    """Tell every registered flow that ``parcel`` is lost (inside the caller's transaction)."""
    for handler in _lost:
        handler(parcel, now)


def parcel_received_by(*, parcel: Parcel, user: AbstractBaseUser) -> bool:
    """Whether some registered flow knows ``user`` as the recipient of ``parcel`` (users carry no
    phone number, so the parcel's own recipient phone cannot say it)."""
    return any(handler(parcel, user) for handler in _recipients)


# --- home pickups (上门揽收), kept by agency ------------------------------------------------------


@dataclass(frozen=True)
class HomePickupStop:
    """A villager's goods to collect at home on a round: the stop is at the place of ``station`` (houses
    have no coordinates), within the villager's window, with a longer service time for the detour."""

    #: The request's number, how the stop is named in the plan, the scans and the station.
    reference: str
    #: The village station the request belongs to.
    station: Outlet
    weight_g: int
    #: The window on the planned day, seconds after local midnight.
    opens_at_s: int
    closes_at_s: int
    #: What the courier reads: the masked name, the village and the address.
    label: str
    #: What to collect, in the villager's words.
    description: str
    #: The contact phone masked (the full number is given to the driver only, through
    #: :func:`home_pickup_contacts`).
    phone_masked: str
    service_s: int


@dataclass(frozen=True)
class HomePickupPlanned:
    """A home pickup a stored plan serves: on the route of ``vehicle_name``, arriving ``arrives_at``."""

    reference: str
    vehicle_name: str
    arrives_at: str


@dataclass(frozen=True)
class HomePickupUnplanned:
    """A home pickup a stored plan could not serve, and why (a code of the planner's reasons)."""

    reference: str
    reason: str


@dataclass(frozen=True)
class HomePickupContact:
    """What the courier driving the round needs at the door: the full phone, and whether it is still to
    collect (it may have been cancelled since the plan)."""

    phone: str
    status: str
    status_label: str
    is_open: bool


#: The home pickups to make on the rounds to ``stations`` on ``planned_on`` (local date).
RoundHomePickups = Callable[[Sequence[Outlet], datetime.date], Sequence[HomePickupStop]]
#: Called when a plan is stored finished, inside the transaction that stores it, with the home pickups
#: it serves and those it could not.
RoundPlanStored = Callable[[RoundPlan, Sequence[HomePickupPlanned], Sequence[HomePickupUnplanned]], None]
#: Called when a parcel accepted at ``station`` closes the home pickup ``reference`` (same transaction).
HomePickupCollected = Callable[[str, Parcel, Outlet, Actor, datetime.datetime], None]
#: The open home pickups of a station, as ``(reference, words)`` for the acceptance form.
HomePickupsOpen = Callable[[Outlet], Sequence[tuple[str, str]]]
#: The contacts of home pickups by reference, for the courier driving the round.
HomePickupContacts = Callable[[Sequence[str]], Mapping[str, HomePickupContact]]

_round_home_pickups: list[RoundHomePickups] = []
_round_plan_stored: list[RoundPlanStored] = []
_home_pickup_collected: list[HomePickupCollected] = []
_home_pickups_open: list[HomePickupsOpen] = []
_home_pickup_contacts: list[HomePickupContacts] = []


def on_round_home_pickups(handler: RoundHomePickups) -> None:
    if handler not in _round_home_pickups:
        _round_home_pickups.append(handler)


def on_round_plan_stored(handler: RoundPlanStored) -> None:
    if handler not in _round_plan_stored:
        _round_plan_stored.append(handler)


def on_home_pickup_collected(handler: HomePickupCollected) -> None:
    if handler not in _home_pickup_collected:
        _home_pickup_collected.append(handler)


def on_home_pickups_open(handler: HomePickupsOpen) -> None:
    if handler not in _home_pickups_open:
        _home_pickups_open.append(handler)


def on_home_pickup_contacts(handler: HomePickupContacts) -> None:
    if handler not in _home_pickup_contacts:
        _home_pickup_contacts.append(handler)


def round_home_pickups(*, stations: Sequence[Outlet], planned_on: datetime.date) -> list[HomePickupStop]:
    """The home pickups every registered part asks the rounds to ``stations`` to make on ``planned_on``."""
    if not stations:
        return []
    return [stop for handler in _round_home_pickups for stop in handler(stations, planned_on)]


def round_plan_stored(
    *, plan: RoundPlan, planned: Sequence[HomePickupPlanned], unplanned: Sequence[HomePickupUnplanned]
) -> None:
    """Tell every registered part which home pickups ``plan`` serves and which it could not (inside the
    transaction that stores the plan)."""
    for handler in _round_plan_stored:
        handler(plan, planned, unplanned)


def home_pickup_collected(
    *, reference: str, parcel: Parcel, station: Outlet, actor: Actor, now: datetime.datetime
) -> None:
    """Close the home pickup ``reference`` with ``parcel``, accepted at ``station`` (inside the caller's
    transaction; a refusal raised by the handler undoes the acceptance too).

    Raises
    ------
    ValidationFailed
        ``unknown_home_pickup`` (field ``home_pickup``) when no part keeps home pickups.
    """
    if not _home_pickup_collected:
        raise ValidationFailed("unknown_home_pickup", _("没有这张上门揽收单"), field="home_pickup")
    for handler in _home_pickup_collected:
        handler(reference, parcel, station, actor, now)


def home_pickups_open(*, station: Outlet) -> list[tuple[str, str]]:
    """The home pickups still to collect at ``station``, as ``(reference, words)``."""
    return [choice for handler in _home_pickups_open for choice in handler(station)]


def home_pickup_contacts(*, references: Sequence[str]) -> dict[str, HomePickupContact]:
    """The contacts of the home pickups ``references`` (for the courier who drives to them)."""
    found: dict[str, HomePickupContact] = {}
    if references:
        for handler in _home_pickup_contacts:
            found.update(handler(references))
    return found
