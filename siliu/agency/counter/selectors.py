"""Reads of the agency counter: the outlets a user runs agency services at, the services an outlet offers,
a business day's transactions and one transaction (scoped to who may see it)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.agency.catalogue import AgencyService, AgencyTransaction, Direction, TransactionStatus
from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor
from siliu.network.models import Outlet


def agency_outlets(*, user: Actor) -> QuerySet[Outlet]:
    """The active outlets offering agency services where ``user`` may run them (``agency.operate``)."""
    outlets = Outlet.objects.filter(is_active=True, offers_agency_services=True).order_by("code")
    within = user_outlet_ids(user, Permission.AGENCY_OPERATE)
    return outlets if within is None else outlets.filter(pk__in=within)


def outlet_services(*, outlet: Outlet) -> list[AgencyService]:
    """The services ``outlet`` offers today: offered there, active, their provider active; payments first,
    each kind in the order staff set them up (the common ones first in the demo)."""
    if not outlet.offers_agency_services:
        return []
    services = AgencyService.objects.filter(
        outlets__outlet=outlet, outlets__is_active=True, is_active=True, provider__is_active=True
    ).select_related("provider")
    return sorted(services, key=lambda service: (service.direction != Direction.PAYMENT, service.pk))


@dataclass(frozen=True)
class ServiceDayLine:
    service: str
    direction: str
    count: int
    amount_fen: int
    customer_fen: int
    station_fee_fen: int


@dataclass(frozen=True)
class AgencyDay:
    """An outlet's agency transactions on a business day (newest first) and their sums by service;
    reversed transactions are listed but not summed."""

    outlet: Outlet
    business_on: datetime.date
    transactions: list[AgencyTransaction]
    lines: list[ServiceDayLine]

    @property
    def station_fee_fen(self) -> int:
        return sum(line.station_fee_fen for line in self.lines)


def agency_day_get(*, outlet: Outlet, business_on: datetime.date | None = None) -> AgencyDay:
    """The agency day of ``outlet`` (default today, Asia/Shanghai); the caller checks the actor may see it."""
    business_on = business_on or timezone.localdate()
    transactions = list(
        AgencyTransaction.objects.filter(outlet=outlet, business_on=business_on)
        .select_related("service", "operator")
        .order_by("-occurred_at", "-id")
    )
    sums: dict[str, list[int]] = {}
    names: dict[str, tuple[str, str]] = {}
    for made in transactions:
        if made.status != TransactionStatus.DONE:
            continue
        names[made.service.code] = (made.service.name, made.direction)
        line = sums.setdefault(made.service.code, [0, 0, 0, 0])
        line[0] += 1
        line[1] += made.amount_fen
        line[2] += made.customer_fen
        line[3] += made.station_fee_fen
    lines = [
        ServiceDayLine(names[code][0], names[code][1], *sums[code])
        for code in sorted(sums, key=lambda code: (names[code][1] != Direction.PAYMENT, code))
    ]
    return AgencyDay(outlet=outlet, business_on=business_on, transactions=transactions, lines=lines)


def agency_transaction_get(*, number: str, actor: Actor) -> AgencyTransaction:
    """One transaction, if ``actor`` runs agency services at its outlet or reads them there
    (``agency.operate`` / ``agency.read``).

    Raises
    ------
    NotFound
        ``unknown_transaction`` (``number``) when there is none the actor may see (a transaction of
        another station is not found, not forbidden: its number says nothing about it).
    """
    made = (
        AgencyTransaction.objects.select_related("outlet", "service", "provider", "operator")
        .filter(number=number)
        .first()
    )
    if made is None or not (
        user_can_at(actor, Permission.AGENCY_OPERATE, made.outlet)
        or user_can_at(actor, Permission.AGENCY_READ, made.outlet)
    ):
        raise NotFound("unknown_transaction", _("没有这笔代理业务"), field="number")
    return made
