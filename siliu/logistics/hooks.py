"""Typed hooks through which parcels tell what happened to them to whoever must know: a higher flow
(commerce) or a higher part of logistics (partners).

Parcels never import commerce nor the parts above them. Those register their handlers once at
start-up (all registrations are listed in :mod:`siliu.hooks`); parcels call them inside the
transaction of the scan or decision that caused them, so an order's state and its parcel's never
disagree.
"""

import datetime
from collections.abc import Callable, Sequence

from django.contrib.auth.models import AbstractBaseUser

from siliu.logistics.models import Parcel, ParcelEvent

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
