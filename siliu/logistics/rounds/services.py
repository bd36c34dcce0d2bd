"""Delivery rounds, written: a plan requested and moved through its states, the scans a round records as
the van leaves and reaches each stop, road distances imported, the demo vans.
"""

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor, Role, acting_user, user_has_role
from siliu.logistics import hooks
from siliu.logistics.models import (
    ROUND_PLAN_TRANSITIONS,
    EventCode,
    Parcel,
    ParcelStatus,
    RoadDistance,
    RoundPlan,
    RoundPlanStatus,
    Vehicle,
)
from siliu.logistics.parcels.services import ScanInput, ScanResult, scans_record
from siliu.logistics.rounds.planning import (
    MAX_SECONDS,
    MIN_SECONDS,
    RoundPlanningError,
    plan_home_pickups,
    round_outlet_get,
    round_problem_build,
)
from siliu.logistics.rounds.selectors import routes_scannable_by
from siliu.network.models import Outlet, OutletKind

# --- plans as rows -------------------------------------------------------------------------------

#: Plans still to finish: a second one for the same outlet and day waits for them.
OPEN_PLAN_STATUSES = (RoundPlanStatus.QUEUED, RoundPlanStatus.RUNNING)
#: How many queued or running plans one person may have at once.
OPEN_PLANS_PER_USER = 3
#: After this, a plan still queued or running is taken for stale (its worker died) and holds nothing back.
OPEN_PLAN_STALE_AFTER = datetime.timedelta(hours=1)


def parse_planned_on(value: str) -> datetime.date:
    """A business date from "YYYY-MM-DD"; ``RoundPlanningError`` ``invalid_date`` otherwise."""
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise RoundPlanningError(
            "invalid_date", _("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value}, field="date"
        ) from None


def round_plan_horizon(*, now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The first and last day whose rounds may be planned at ``now``: from yesterday to
    ``settings.SILIU_ROUND_PLAN_HORIZON_DAYS`` days after today (local dates, Asia/Shanghai)."""
    today = timezone.localdate(now)
    return today - datetime.timedelta(days=1), today + datetime.timedelta(
        days=settings.SILIU_ROUND_PLAN_HORIZON_DAYS
    )


def _check_planned_on(planned_on: datetime.date, *, now: datetime.datetime) -> None:
    first, last = round_plan_horizon(now=now)
    if not first <= planned_on <= last:
        raise ValidationFailed(
            "planned_on_out_of_horizon",
            _("只能规划 %(first)s 至 %(last)s（昨天到 %(days)d 天后）的投递班次")
            % {
                "first": first.isoformat(),
                "last": last.isoformat(),
                "days": settings.SILIU_ROUND_PLAN_HORIZON_DAYS,
            },
            field="date",
        )


def _check_seconds(seconds: int) -> None:
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise RoundPlanningError(
            "invalid_seconds",
            _("计算时长应在 %(low)d 到 %(high)d 秒之间") % {"low": MIN_SECONDS, "high": MAX_SECONDS},
            field="seconds",
        )


@transaction.atomic
def round_plan_request(
    *,
    outlet_code: str,
    planned_on: datetime.date,
    seconds: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> RoundPlan:
    """Record a queued plan of ``outlet_code``'s rounds on ``planned_on``; :func:`round_plan_queue
    <siliu.logistics.rounds.tasks.round_plan_queue>` also starts the task once it commits.

    The input is checked now (the problem is built once and thrown away) so that a plan that could
    never start is refused here, with the field at fault, rather than failing in the background.

    Raises
    ------
    RoundPlanningError
        ``unknown_outlet``, ``not_a_round_outlet``, ``invalid_seconds`` and everything
        :func:`round_problem_build` raises.
    ValidationFailed
        ``planned_on_out_of_horizon`` (``planned_on``) for a day before yesterday or more than
        ``settings.SILIU_ROUND_PLAN_HORIZON_DAYS`` days after today (:func:`round_plan_horizon`, local
        dates of ``now``).
    PermissionRefused
        ``not_your_outlet`` when ``actor`` may not plan this outlet's rounds (``round.plan``).
    Conflict
        ``round_plan_already_open`` while a plan of the same outlet and day is queued or running;
        ``too_many_open_round_plans`` when the actor already has :data:`OPEN_PLANS_PER_USER` of them.
        Both keep one person from filling the task queue with solver time.
    """
    outlet = round_outlet_get(code=outlet_code)
    if actor is not None and not user_can_at(actor, Permission.ROUND_PLAN, outlet):
        raise PermissionRefused("not_your_outlet", _("只能规划本网点的投递班次"), field="outlet")
    _check_seconds(seconds)
    now = now or timezone.now()
    _check_planned_on(planned_on, now=now)
    round_problem_build(outlet=outlet, planned_on=planned_on)
    # A plan queued or running for longer than this is stale (its worker died): it holds nothing back.
    open_plans = RoundPlan.objects.filter(
        status__in=OPEN_PLAN_STATUSES, created_at__gte=now - OPEN_PLAN_STALE_AFTER
    )
    # Lock the outlet row so two requests for the same outlet and day cannot both find no open plan.
    # no_key: scans and parcels referring to the outlet (FOR KEY SHARE) are not held up meanwhile.
    Outlet.objects.select_for_update(no_key=True).filter(pk=outlet.pk).first()
    if open_plans.filter(outlet=outlet, planned_on=planned_on).exists():
        raise Conflict(
            "round_plan_already_open",
            _("该网点当天的投递计划正在排队或计算，请等它完成"),
            field="date",
        )
    requester = acting_user(actor)
    if requester is not None and open_plans.filter(requested_by=requester).count() >= OPEN_PLANS_PER_USER:
        raise Conflict(
            "too_many_open_round_plans",
            _("每人最多同时有 %(n)d 个排队或计算中的投递计划") % {"n": OPEN_PLANS_PER_USER},
        )
    plan = RoundPlan.objects.create(
        outlet=outlet,
        planned_on=planned_on,
        seconds=seconds,
        requested_by=acting_user(actor),
        created_at=now,
    )
    return plan


def round_plan_transition(
    *,
    plan_id: int,
    status: RoundPlanStatus,
    progress: int | None = None,
    result: dict[str, Any] | None = None,
    error_message: str = "",
    now: datetime.datetime | None = None,
) -> RoundPlan:
    """Move a plan to ``status`` (checked against :data:`ROUND_PLAN_TRANSITIONS`), locking its row.

    A plan stored done tells the part that keeps home pickups which of them it serves and which it left
    out (:func:`~siliu.logistics.hooks.round_plan_stored`), in the same transaction.

    Raises
    ------
    Conflict
        ``invalid_transition`` for a move the table does not allow.
    """
    with transaction.atomic():
        plan = RoundPlan.objects.select_for_update().get(pk=plan_id)
        if status != plan.status and status not in ROUND_PLAN_TRANSITIONS[plan.status]:
            raise Conflict(
                "invalid_transition",
                _("投递计划不能从 %(before)s 变为 %(after)s")
                % {"before": RoundPlanStatus(plan.status).label, "after": status.label},
            )
        plan.status = status
        if progress is not None:
            plan.progress = max(0, min(100, progress))
        if result is not None:
            plan.result = result
        if error_message:
            plan.error_message = error_message[:500]
        if status in (RoundPlanStatus.DONE, RoundPlanStatus.FAILED):
            plan.finished_at = now or timezone.now()
        plan.save()
        if status == RoundPlanStatus.DONE and result is not None:
            # The home pickups on the plan are planned in the transaction that stores it.
            planned, unplanned = plan_home_pickups(result)
            if planned or unplanned:
                hooks.round_plan_stored(plan=plan, planned=planned, unplanned=unplanned)
        return plan


def round_plan_progress_set(*, plan_id: int, progress: int) -> None:
    """Record how far a running plan is (a single UPDATE; never moves a finished plan)."""
    RoundPlan.objects.filter(pk=plan_id, status=RoundPlanStatus.RUNNING).update(
        progress=max(0, min(100, progress))
    )


# --- scans along a round -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundScanSummary:
    created: int
    duplicates: int
    refused: list[ScanResult]


def _locked_route(plan: RoundPlan, route_index: int, actor: Actor | None) -> tuple[RoundPlan, dict[str, Any]]:
    """``plan`` locked for update, and its route ``route_index`` (a dict inside ``plan.result``);
    ``actor`` (when given) must be allowed to scan that route (:func:`routes_scannable_by`: at the plan's
    outlet, or as the driver of the route's van)."""
    plan = RoundPlan.objects.select_for_update().select_related("outlet").get(pk=plan.pk)
    if plan.status != RoundPlanStatus.DONE:
        raise Conflict("round_plan_not_done", _("投递计划尚未完成"))
    routes = plan.result.get("routes", [])
    if not 0 <= route_index < len(routes):
        raise NotFound("unknown_route", _("计划中没有第 %(n)d 条线路") % {"n": route_index + 1})
    route: dict[str, Any] = routes[route_index]
    if actor is not None and route_index not in routes_scannable_by(actor=actor, plan=plan):
        raise PermissionRefused("not_your_round", _("只能扫描本网点或自己驾驶车辆的投递班次"))
    return plan, route


def _check_today(plan: RoundPlan, now: datetime.datetime) -> None:
    """A round is driven on its own day: a plan for another (local) day is refused, ``round_not_today``."""
    today = timezone.localdate(now)
    if plan.planned_on != today:
        raise Conflict(
            "round_not_today",
            _("这是 %(day)s 的投递计划，只能在当天出车和到站（今天是 %(today)s）")
            % {"day": plan.planned_on.isoformat(), "today": today.isoformat()},
        )


def _check_stop_in_order(route: dict[str, Any], stop_index: int) -> None:
    """A van reaches its stops after it left and in planned order: ``round_not_departed`` before the
    departure, ``round_stop_out_of_order`` while an earlier stop has not been reached."""
    if not route.get("departed_at"):
        raise Conflict("round_not_departed", _("请先出车，再到站"))
    for earlier, stop in enumerate(route["stops"][:stop_index]):
        if not stop.get("arrived_at"):
            raise Conflict(
                "round_stop_out_of_order",
                _("请按顺序到站：第 %(n)d 站（%(name)s）尚未到达")
                % {"n": earlier + 1, "name": stop.get("name", stop["code"])},
            )


def _round_scans_record(
    *,
    plan: RoundPlan,
    codes: Sequence[tuple[str, str]],
    outlet_code: str,
    actor: Actor | None,
    now: datetime.datetime,
) -> RoundScanSummary:
    """Record a scan at ``outlet_code`` for each ``(tracking number, event code)``, with event ids fixed
    per plan, parcel and code so that recording them again changes nothing."""
    scans = [
        ScanInput(
            event_id=f"round{plan.pk}:{number}:{code}",
            tracking_number=number,
            code=code,
            outlet_code=outlet_code,
            occurred_at=now,
            device_id=f"round-plan-{plan.pk}",
        )
        for number, code in codes
    ]
    # The round was checked against the plan's outlet (round.scan); its stops are other outlets.
    results = scans_record(scans=scans, actor=actor, now=now, outlet_checked=True) if scans else []
    return RoundScanSummary(
        created=sum(result.status == "created" for result in results),
        duplicates=sum(result.status == "duplicate" for result in results),
        refused=[result for result in results if not result.ok],
    )


@transaction.atomic
def round_depart(
    *, plan: RoundPlan, route_index: int, actor: Actor | None = None, now: datetime.datetime | None = None
) -> RoundScanSummary:
    """The van of route ``route_index`` leaves: scan every parcel on board out of the outlet.

    A parcel sorted in at the outlet (``in_transit``) gets EDE (离开处理中心); one held at the outlet
    as its delivery office (``at_delivery_office``) gets EDG (开始投递). Event ids are fixed per plan
    and parcel, so pressing the button twice records each scan once.

    Raises
    ------
    Conflict
        ``round_plan_not_done``; ``round_not_today`` for a plan of another day than ``now``'s (local
        date). ``NotFound`` ``unknown_route``. Nothing is written when refused.
    """
    now = now or timezone.now()
    plan, route = _locked_route(plan, route_index, actor)
    _check_today(plan, now)
    numbers = [number for stop in route["stops"] for number in stop["deliveries"]]
    statuses = dict(
        Parcel.objects.filter(tracking_number__in=numbers).values_list("tracking_number", "status")
    )
    summary = _round_scans_record(
        plan=plan,
        codes=[
            (
                number,
                EventCode.OUT_FOR_DELIVERY
                if statuses.get(number) == ParcelStatus.AT_DELIVERY_OFFICE
                else EventCode.OUT_OF_SORTING,
            )
            for number in numbers
        ],
        outlet_code=plan.outlet.code,
        actor=actor,
        now=now,
    )
    route["departed_at"] = route.get("departed_at") or now.isoformat()
    plan.save(update_fields=["result"])
    return summary


@transaction.atomic
def round_stop_arrive(
    *,
    plan: RoundPlan,
    route_index: int,
    stop_index: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> RoundScanSummary:
    """The van reaches a stop: scan the parcels it drops there in at the station.

    A parcel for home delivery gets EMG (到达投递网点: the station delivers it onwards); one the
    recipient collects at the station gets EDH (到达自提点). Idempotent like :func:`round_depart`.

    Stops are reached in planned order, after the van left, on the plan's day.

    Raises
    ------
    Conflict
        ``round_plan_not_done``; ``round_not_today`` (see :func:`round_depart`); ``round_not_departed``
        before the route's departure; ``round_stop_out_of_order`` while an earlier stop of the route has
        not been reached. ``NotFound`` ``unknown_route`` or ``unknown_stop``. Nothing is written when
        refused.
    """
    now = now or timezone.now()
    plan, route = _locked_route(plan, route_index, actor)
    if not 0 <= stop_index < len(route["stops"]):
        raise NotFound("unknown_stop", _("线路中没有第 %(n)d 站") % {"n": stop_index + 1})
    _check_today(plan, now)
    _check_stop_in_order(route, stop_index)
    stop = route["stops"][stop_index]
    home = dict(
        Parcel.objects.filter(tracking_number__in=stop["deliveries"]).values_list(
            "tracking_number", "is_home_delivery"
        )
    )
    summary = _round_scans_record(
        plan=plan,
        codes=[
            (number, EventCode.AT_DELIVERY_OFFICE if home.get(number) else EventCode.AT_PICKUP_POINT)
            for number in stop["deliveries"]
        ],
        outlet_code=stop["code"],
        actor=actor,
        now=now,
    )
    stop["arrived_at"] = stop.get("arrived_at") or now.isoformat()
    plan.save(update_fields=["result"])
    return summary


# --- road distances and demo vehicles ------------------------------------------------------------

ROAD_DISTANCE_COLUMNS = ("from_outlet", "to_outlet", "distance_m", "duration_s")


@transaction.atomic
def road_distances_import(*, text: str) -> int:
    """Import road distances from CSV text with the header ``from_outlet,to_outlet,distance_m,duration_s``.

    A pair already imported is replaced. All rows or none.

    Raises
    ------
    ValidationFailed
        ``invalid_csv`` naming the line and what is wrong with it.
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != ROAD_DISTANCE_COLUMNS:
        raise ValidationFailed(
            "invalid_csv",
            _("表头应为 %(columns)s") % {"columns": ",".join(ROAD_DISTANCE_COLUMNS)},
            field="file",
        )
    rows = list(reader)
    outlets = {
        outlet.code: outlet
        for outlet in Outlet.objects.filter(
            code__in={row[column] for row in rows for column in ("from_outlet", "to_outlet")}
        )
    }
    # By pair, so that a pair given twice keeps its last row, as it would row by row.
    pairs: dict[tuple[int, int], RoadDistance] = {}
    for line, row in enumerate(rows, start=2):
        try:
            start, end = outlets[row["from_outlet"]], outlets[row["to_outlet"]]
            distance_m, duration_s = int(row["distance_m"]), int(row["duration_s"])
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(
                "invalid_csv", _("第 %(line)d 行：网点编码未知或数字无效") % {"line": line}, field="file"
            ) from None
        if start.pk == end.pk or distance_m <= 0 or duration_s <= 0:
            raise ValidationFailed(
                "invalid_csv",
                _("第 %(line)d 行：起终点相同或里程、时间不为正") % {"line": line},
                field="file",
            )
        pairs[(start.pk, end.pk)] = RoadDistance(
            from_outlet=start, to_outlet=end, distance_m=distance_m, duration_s=duration_s
        )
    # One upsert instead of a read and a write per row: a county matrix has tens of thousands of pairs.
    RoadDistance.objects.bulk_create(
        pairs.values(),
        update_conflicts=True,
        unique_fields=["from_outlet", "to_outlet"],
        update_fields=["distance_m", "duration_s"],
    )
    return len(rows)


#: Demo vans: (name, capacity kg, shift start, shift end, cost per km in fen, trips).
DEMO_VANS = (
    ("面包车1号", 800, datetime.time(8, 30), datetime.time(17, 30), 120, 2),
    ("面包车2号", 600, datetime.time(13, 30), datetime.time(19, 30), 110, 1),
)


@transaction.atomic
@transaction.atomic
def vehicle_driver_set(*, vehicle: Vehicle, driver: User | None) -> Vehicle:
    """Make ``driver`` (a courier) the driver of ``vehicle``, or leave it with none: the van's routes
    become that courier's round (本班次).

    Raises
    ------
    ValidationFailed
        ``not_a_courier`` (field ``driver``) for a user without the courier role.
    """
    if driver is not None and not user_has_role(driver, Role.COURIER):
        raise ValidationFailed("not_a_courier", _("只有投递员可以驾驶投递车辆"), field="driver")
    vehicle.driver = driver
    vehicle.save(update_fields=["driver"])
    return vehicle


def demo_vehicles_create() -> list[Vehicle]:
    """Give the county hub two vans and each township office one or two, deterministically.

    Offices are taken in code order and every other one gets a second van, so the same county always
    gets the same fleet; running it again changes nothing.
    """
    outlets = Outlet.objects.filter(
        kind__in=[OutletKind.COUNTY_HUB, OutletKind.TOWNSHIP_OFFICE], is_active=True
    ).order_by("kind", "code")
    created: list[Vehicle] = []
    offices = 0
    for outlet in outlets:
        if outlet.kind == OutletKind.COUNTY_HUB:
            van_count = 2
        else:
            van_count = 2 if offices % 2 == 0 else 1
            offices += 1
        for name, capacity_kg, starts, ends, cost, trips in DEMO_VANS[:van_count]:
            vehicle, _created = Vehicle.objects.get_or_create(
                outlet=outlet,
                name=name,
                defaults={
                    "capacity_g": capacity_kg * 1000,
                    "shift_starts_at": starts,
                    "shift_ends_at": ends,
                    "cost_per_km_fen": cost,
                    "max_trips": trips,
                },
            )
            created.append(vehicle)
    return created
