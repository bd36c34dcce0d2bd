"""Delivery rounds, read: one plan (as its reader may see it), and a plan as data."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, Scope, user_can_at, user_outlet_ids, user_scopes
from siliu.core.roles import Actor
from siliu.logistics.hooks import HomePickupContact, home_pickup_contacts
from siliu.logistics.models import (
    NON_DELIVERY_ACTIONS,
    NON_DELIVERY_REASONS,
    Parcel,
    RoundPlan,
    RoundPlanStatus,
    Vehicle,
)
from siliu.logistics.rounds.planning import UNSERVED_REASONS
from siliu.network.models import Outlet


def round_plans_visible(*, actor: Actor) -> QuerySet[RoundPlan]:
    """The plans ``actor`` may read (``round.read``: everywhere, or of the outlets that are their
    places: their county, their station, their van's outlet), newest first."""
    plans = RoundPlan.objects.select_related("outlet").order_by("-created_at")
    places = user_outlet_ids(actor, Permission.ROUND_READ)
    return plans if places is None else plans.filter(outlet_id__in=places)


def _latest_plans_on(outlet_ids: set[int], day: datetime.date) -> dict[int, RoundPlan]:
    """The latest finished plan of each of ``outlet_ids`` for ``day``, by outlet id."""
    latest: dict[int, RoundPlan] = {}
    for plan in (
        RoundPlan.objects.filter(outlet_id__in=outlet_ids, planned_on=day, status=RoundPlanStatus.DONE)
        .select_related("outlet")
        .order_by("-created_at", "-pk")
    ):
        latest.setdefault(plan.outlet_id, plan)
    return latest


def outlets_on_rounds_of(user: AbstractBaseUser) -> list[int]:
    """Ids of the outlets on the rounds ``user`` drives (本班次): the outlets of the active vans they
    drive, and the stops of those vans' routes in the latest finished plan of each such outlet for
    today (local date)."""
    vans = dict(Vehicle.objects.filter(driver_id=user.pk, is_active=True).values_list("pk", "outlet_id"))
    if not vans:
        return []
    codes = {
        stop["code"]
        for plan in _latest_plans_on(set(vans.values()), timezone.localdate()).values()
        for route in plan.result.get("routes", [])
        if route.get("vehicle", {}).get("id") in vans
        for stop in route["stops"]
    }
    stops = Outlet.objects.filter(code__in=codes).values_list("pk", flat=True) if codes else []
    return sorted(set(vans.values()) | set(stops))


@dataclass(frozen=True)
class RoundToday:
    """A courier's part of today's plan at one outlet: the routes of the vans they drive (none when the
    plan left their vans at home), with their stops and parcels."""

    plan: RoundPlan
    vehicle_names: list[str]
    route_count: int
    stop_count: int
    parcel_count: int


def rounds_driven_today(*, user: AbstractBaseUser) -> list[RoundToday]:
    """For each outlet of the active vans ``user`` drives that has a finished plan for today, the routes
    of those vans in its latest plan: their stops and parcels (deliveries and pickups); by outlet code."""
    vans = {
        van.pk: van
        for van in Vehicle.objects.filter(driver_id=user.pk, is_active=True).order_by("name", "pk")
    }
    rounds = []
    plans = _latest_plans_on({van.outlet_id for van in vans.values()}, timezone.localdate())
    for outlet_id, plan in plans.items():
        routes = [
            route for route in plan.result.get("routes", []) if route.get("vehicle", {}).get("id") in vans
        ]
        rounds.append(
            RoundToday(
                plan=plan,
                vehicle_names=[van.name for van in vans.values() if van.outlet_id == outlet_id],
                route_count=len(routes),
                stop_count=sum(len(route["stops"]) for route in routes),
                parcel_count=sum(route["parcel_count"] for route in routes),
            )
        )
    return sorted(rounds, key=lambda item: item.plan.outlet.code)


def routes_scannable_by(*, actor: Actor, plan: RoundPlan) -> set[int]:
    """Indexes of the routes of ``plan`` that ``actor`` may scan out and in (``round.scan``): all of
    them at the plan's outlet as one of their places (county, station); those of the vans they drive
    (本班次) otherwise. One query for the vans, however many routes."""
    routes = plan.result.get("routes", [])
    others = set(Scope) - {Scope.OWN_ROUND}
    if user_can_at(actor, Permission.ROUND_SCAN, plan.outlet, scopes=others):
        return set(range(len(routes)))
    if Scope.OWN_ROUND not in user_scopes(actor, Permission.ROUND_SCAN):
        return set()
    driven = set(
        Vehicle.objects.filter(driver_id=actor.pk, outlet_id=plan.outlet_id).values_list("pk", flat=True)
    )
    return {index for index, route in enumerate(routes) if route.get("vehicle", {}).get("id") in driven}


def round_plan_get(*, plan_id: int, actor: Actor | None = None) -> RoundPlan:
    """The plan with ``plan_id``, if ``actor`` (when given) may read the rounds of its outlet
    (``round.read`` there); ``NotFound`` (``unknown_round_plan``) otherwise, so that a plan elsewhere
    is not told apart from none."""
    plan = RoundPlan.objects.select_related("outlet").filter(pk=plan_id).first()
    if plan is None or (actor is not None and not user_can_at(actor, Permission.ROUND_READ, plan.outlet)):
        raise NotFound("unknown_round_plan", _("没有编号为 %(id)s 的投递计划") % {"id": plan_id})
    return plan


def round_plan_data(plan: RoundPlan) -> dict[str, Any]:
    """A plan as the API shows it: status and progress, then the result once there is one."""
    result = plan.result or {}
    return {
        "id": plan.pk,
        "outlet": plan.outlet.code,
        "planned_on": plan.planned_on.isoformat(),
        "status": plan.status,
        "status_label": str(RoundPlanStatus(plan.status).label),
        "progress": plan.progress,
        "seconds": plan.seconds,
        "error": plan.error_message,
        "created_at": plan.created_at.isoformat(),
        "finished_at": plan.finished_at.isoformat() if plan.finished_at else None,
        "matrix_source": result.get("matrix_source"),
        "totals": result.get("totals"),
        "routes": result.get("routes", []),
        "unserved": [
            {**item, "reason_label": str(UNSERVED_REASONS.get(item["reason"], item["reason"]))}
            for item in result.get("unserved", [])
        ],
        "search": result.get("search"),
    }


@dataclass(frozen=True)
class CourierRoute:
    """One route of today's plan driven by the courier, with what each stop hands over and takes."""

    plan: RoundPlan
    #: 0-based index of the route in ``plan.result["routes"]``.
    route_index: int
    #: The route as planned (``departed_at``, ``stops`` with ``arrives_at`` and ``arrived_at``), each stop
    #: with ``delivery_parcels`` and ``pickup_parcels``: dicts of ``tracking_number``, ``name`` (the
    #: recipient's for deliveries, the sender's for pickups), ``is_home_delivery``, ``status_label``.
    route: dict[str, Any]

    @property
    def route_number(self) -> int:
        return self.route_index + 1


def _parcel_row(parcel: Parcel, *, delivery: bool) -> dict[str, Any]:
    return {
        "tracking_number": parcel.tracking_number,
        "name": parcel.recipient_name if delivery else parcel.sender_name,
        "is_home_delivery": parcel.is_home_delivery,
        "status": parcel.status,
        "status_label": str(parcel.get_status_display()),
    }


def _home_pickup_row(
    planned: dict[str, Any] | None, contacts: dict[str, HomePickupContact]
) -> dict[str, Any] | None:
    """A home pickup stop as its driver reads it: what the plan says, the full phone and the request's
    state now (it may have been cancelled or collected since)."""
    if not planned:
        return None
    contact = contacts.get(planned["reference"])
    return {
        **planned,
        "phone": contact.phone if contact else planned.get("phone_masked", ""),
        "status": contact.status if contact else "",
        "status_label": contact.status_label if contact else "",
        "is_open": contact.is_open if contact else False,
    }


def courier_routes_today(*, actor: Actor, today: datetime.date | None = None) -> list[CourierRoute]:
    """The routes ``actor`` drives on ``today`` (local date by default): in the latest finished plan of
    each outlet of the active vans they drive (``Vehicle.driver``), the routes of those vans, stops in
    planned order with the parcels to deliver and to pick up at each, and at a home pickup stop (上门揽收,
    ``home_pickup``) the villager's label, window, goods and full phone (the driver calls them). Two
    queries, one for the parcels and one for the home pickups; none for someone who drives no van."""
    vans = dict(Vehicle.objects.filter(driver_id=actor.pk, is_active=True).values_list("pk", "outlet_id"))
    if not vans:
        return []
    plans = _latest_plans_on(set(vans.values()), today or timezone.localdate())
    found = [
        (plan, index, route)
        for plan in sorted(plans.values(), key=lambda plan: plan.outlet.code)
        for index, route in enumerate(plan.result.get("routes", []))
        if route.get("vehicle", {}).get("id") in vans
    ]
    numbers = {
        number
        for _plan, _index, route in found
        for stop in route["stops"]
        for number in (*stop["deliveries"], *stop["pickups"])
    }
    parcels = {
        parcel.tracking_number: parcel for parcel in Parcel.objects.filter(tracking_number__in=numbers)
    }
    contacts = home_pickup_contacts(
        references=[
            stop["home_pickup"]["reference"]
            for _plan, _index, route in found
            for stop in route["stops"]
            if stop.get("home_pickup")
        ]
    )
    routes = []
    for plan, index, route in found:
        stops = [
            {
                **stop,
                "number": position,
                "delivery_parcels": [
                    _parcel_row(parcels[number], delivery=True)
                    for number in stop["deliveries"]
                    if number in parcels
                ],
                "pickup_parcels": [
                    _parcel_row(parcels[number], delivery=False)
                    for number in stop["pickups"]
                    if number in parcels
                ],
                "home_pickup": _home_pickup_row(stop.get("home_pickup"), contacts),
            }
            for position, stop in enumerate(route["stops"], start=1)
        ]
        routes.append(CourierRoute(plan=plan, route_index=index, route={**route, "stops": stops}))
    return routes


def non_delivery_choices() -> dict[str, list[tuple[str, str]]]:
    """The reasons a delivery fails and what is done about it, as ``(code, words)`` for a form."""
    return {
        "reasons": [(code, str(label)) for code, label in NON_DELIVERY_REASONS.items()],
        "actions": [(code, str(label)) for code, label in NON_DELIVERY_ACTIONS.items()],
    }
