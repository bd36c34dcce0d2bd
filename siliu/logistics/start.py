"""Logistics' cards on the start page (:mod:`siliu.core.start`): the station operator's parcels to hand
over, the courier's round, the county manager's exceptions, day and claims."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.permissions import Permission, Scope, user_scopes
from siliu.core.start import StartCard
from siliu.logistics.claims.selectors import claims_to_decide
from siliu.logistics.models import ParcelException
from siliu.logistics.parcels.selectors import exception_counts, parcel_day_counts
from siliu.logistics.rounds.selectors import rounds_driven_today
from siliu.logistics.station.selectors import (
    parcels_to_return,
    parcels_waiting,
    pickup_return_days,
    stations_of,
)
from siliu.network.selectors import outlets_in_counties_of


def start_cards(user: User) -> list[StartCard]:
    """The cards of the roles logistics serves, each where the user works: the stations they run
    (``station.operate`` there), their round (``round.read`` on it), their county (``exception.read``
    in it)."""
    cards: list[StartCard] = []
    if Scope.OWN_OUTLET in user_scopes(user, Permission.STATION_OPERATE):
        cards += _station_cards(user)
    if Scope.OWN_ROUND in user_scopes(user, Permission.ROUND_READ):
        cards += _round_cards(user)
    if Scope.OWN_COUNTY in user_scopes(user, Permission.EXCEPTION_READ):
        cards += _county_cards(user)
    return cards


def _station_cards(user: User) -> list[StartCard]:
    cards = []
    for station in stations_of(actor=user):
        if station.operator_id != user.pk:
            continue
        url = f"{reverse('logistics:station')}?station={station.code}"
        cards += [
            StartCard(
                title=_("待取邮件 · %(station)s") % {"station": station.name},
                figure=str(parcels_waiting(station=station).count()),
                url=url,
                testid="start-parcels-waiting",
                note=_("已到本站，等村民来取"),
            ),
            StartCard(
                title=_("待退回"),
                figure=str(parcels_to_return(station=station, now=timezone.now()).count()),
                url=f"{url}&tab=return",
                testid="start-parcels-to-return",
                note=_("超过 %(days)s 天没人来取") % {"days": pickup_return_days()},
            ),
        ]
    return cards


def _round_cards(user: User) -> list[StartCard]:
    rounds = rounds_driven_today(user=user)
    if not rounds:
        return [
            StartCard(
                title=_("今日班次"),
                figure="0",
                url=reverse("logistics:rounds"),
                testid="start-round",
                note=_("今天还没有排好的班次"),
            )
        ]
    cards = []
    for item in rounds:
        vans = "、".join(item.vehicle_names)
        cards.append(
            StartCard(
                title=_("今日班次 · %(outlet)s") % {"outlet": item.plan.outlet.name},
                figure=_("%(count)s 件") % {"count": item.parcel_count},
                url=reverse("logistics:round-plan", args=[item.plan.pk]),
                testid="start-round",
                note=_("%(vans)s，%(stops)s 个站点") % {"vans": vans, "stops": item.stop_count}
                if item.route_count
                else _("%(vans)s今天没有出车任务") % {"vans": vans},
            )
        )
    return cards


def _county_cards(user: User) -> list[StartCard]:
    exceptions = exception_counts(actor=user)
    exceptions_url = reverse("logistics:exceptions")
    day = parcel_day_counts(outlet_ids=outlets_in_counties_of(user), day=timezone.localdate())
    return [
        StartCard(
            title=_("长时间无扫描"),
            figure=str(exceptions[ParcelException.NO_SCAN]),
            url=f"{exceptions_url}?kind={ParcelException.NO_SCAN}",
            testid="start-exceptions-no-scan",
        ),
        StartCard(
            title=_("超过承诺时间"),
            figure=str(exceptions[ParcelException.OVERDUE]),
            url=f"{exceptions_url}?kind={ParcelException.OVERDUE}",
            testid="start-exceptions-overdue",
        ),
        StartCard(
            title=_("待审核理赔"),
            figure=str(claims_to_decide(user=user).count()),
            url=reverse("logistics:claim-review"),
            testid="start-claims",
        ),
        StartCard(
            title=_("今日收寄"),
            figure=str(day.accepted_count),
            url="",
            testid="start-accepted-today",
            note=_("本县网点今天收寄的邮件"),
        ),
        StartCard(
            title=_("今日妥投"),
            figure=str(day.delivered_count),
            url="",
            testid="start-delivered-today",
            note=_("本县网点今天妥投的邮件"),
        ),
    ]
