"""Home pickups, written: a request filed (by the villager, or by their station's operator for them),
cancelled, missed, planned by a stored round plan, collected with the parcel accepted at the station.

Every change of status follows :data:`~siliu.agency.pickups.models.HOME_PICKUP_TRANSITIONS` and appends a
:class:`~siliu.agency.pickups.models.HomePickupEvent` in the same transaction; a refusal writes nothing.
"""

import datetime
from collections.abc import Sequence
from typing import Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.agency.pickups.models import (
    HOME_PICKUP_TRANSITIONS,
    OPEN_HOME_PICKUP_STATUSES,
    HomePickup,
    HomePickupEvent,
    HomePickupStatus,
    RemoteVillage,
)
from siliu.agency.pickups.selectors import home_pickup_quote, village_station
from siliu.core import ids
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.identity import mobile_validate
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor, acting_user
from siliu.logistics.hooks import HomePickupPlanned, HomePickupUnplanned
from siliu.logistics.models import Parcel, RoundPlan
from siliu.network.models import Outlet, OutletKind, Region, RegionLevel

ADDRESS_MAX_LENGTH: Final = 200
NAME_MAX_LENGTH: Final = 60
DESCRIPTION_MAX_LENGTH: Final = 200
NOTE_MAX_LENGTH: Final = 300
#: A home pickup is a parcel or a few, not freight: heavier goods are taken to the station.
MAX_WEIGHT_G: Final = 100_000
#: The shortest window a villager may give, and how many days ahead they may ask (today included).
MIN_WINDOW: Final = datetime.timedelta(minutes=30)
HORIZON_DAYS: Final = 7


def _number(now: datetime.datetime) -> str:
    return f"SM{timezone.localdate(now):%y%m%d}{ids.randbelow(10**8):08d}"


def _move(
    pickup: HomePickup,
    to_status: HomePickupStatus,
    *,
    actor: Actor | None,
    now: datetime.datetime,
    note: str = "",
) -> None:
    """Move ``pickup`` (locked by the caller) to ``to_status`` and append its event; the caller saves it.

    Raises
    ------
    Conflict
        ``invalid_transition`` for a move the table does not allow.
    """
    from_status = pickup.status
    if to_status not in HOME_PICKUP_TRANSITIONS[from_status]:
        raise Conflict(
            "invalid_transition",
            _("上门揽收单%(number)s%(before)s，不能改为%(after)s")
            % {
                "number": pickup.number,
                "before": HomePickupStatus(from_status).label if from_status else "",
                "after": to_status.label,
            },
            field="status",
        )
    pickup.status = to_status
    HomePickupEvent.objects.create(
        pickup=pickup,
        from_status=from_status,
        to_status=to_status,
        actor=acting_user(actor) if actor is not None else None,
        occurred_at=now,
        note=note[:NOTE_MAX_LENGTH],
    )


def _text(value: str, *, field: str, max_length: int, code: str, message: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > max_length:
        raise ValidationFailed(code, message % {"n": max_length}, field=field)
    return text


def _check_window(
    *,
    window_on: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    now: datetime.datetime,
) -> None:
    tz = timezone.get_current_timezone()
    starts = datetime.datetime.combine(window_on, starts_at, tzinfo=tz)
    ends = datetime.datetime.combine(window_on, ends_at, tzinfo=tz)
    if ends - starts < MIN_WINDOW:
        raise ValidationFailed(
            "invalid_window",
            _("上门时段的结束须比开始至少晚 %(minutes)d 分钟")
            % {"minutes": int(MIN_WINDOW.total_seconds() // 60)},
            field="window_ends_at",
        )
    if starts <= now:
        raise ValidationFailed("window_in_past", _("上门时段须在现在之后"), field="window_on")
    last = timezone.localdate(now) + datetime.timedelta(days=HORIZON_DAYS)
    if window_on > last:
        raise ValidationFailed(
            "window_too_far",
            _("只能预约 %(days)d 天内（%(last)s 之前）的上门揽收") % {"days": HORIZON_DAYS, "last": last},
            field="window_on",
        )


@transaction.atomic
def home_pickup_request(
    *,
    village_code: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    window_on: datetime.date,
    window_starts_at: datetime.time,
    window_ends_at: datetime.time,
    description: str,
    weight_g: int,
    actor: Actor,
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> HomePickup:
    """Ask for goods to be collected at home in a village (上门揽收): the request goes to the village's
    station at the price :func:`~siliu.agency.pickups.selectors.home_pickup_quote` gives, ``requested``
    until a round plan takes it. A villager asks for themselves; a station operator files it for a
    villager (``on_behalf``) at their own station (``pickup.request_for``).

    Raises
    ------
    ValidationFailed
        ``invalid_address`` (``address``), ``invalid_name`` (``contact_name``), ``invalid_phone``
        (``contact_phone``), ``invalid_description`` (``description``), ``invalid_weight``
        (``weight_g``), ``invalid_window`` (``window_ends_at``), ``window_in_past`` / ``window_too_far``
        (``window_on``), and what the quote refuses (``unknown_village``, ``no_village_station``,
        ``home_pickup_not_offered``, field ``village``).
    PermissionRefused
        ``not_your_outlet`` (``village``) when filing for someone at a station not the actor's.
    """
    now = now or timezone.now()
    address = _text(
        address,
        field="address",
        max_length=ADDRESS_MAX_LENGTH,
        code="invalid_address",
        message=_("请填写门牌地址（最多 %(n)d 个字）"),
    )
    contact_name = _text(
        contact_name,
        field="contact_name",
        max_length=NAME_MAX_LENGTH,
        code="invalid_name",
        message=_("请填写联系人姓名（最多 %(n)d 个字）"),
    )
    phone = mobile_validate(contact_phone, field="contact_phone")
    description = _text(
        description,
        field="description",
        max_length=DESCRIPTION_MAX_LENGTH,
        code="invalid_description",
        message=_("请写明要寄的物品（最多 %(n)d 个字）"),
    )
    if not 0 < weight_g <= MAX_WEIGHT_G:
        raise ValidationFailed(
            "invalid_weight",
            _("预估重量应在 1 克到 %(kg)d 千克之间") % {"kg": MAX_WEIGHT_G // 1000},
            field="weight_g",
        )
    _check_window(window_on=window_on, starts_at=window_starts_at, ends_at=window_ends_at, now=now)
    quote = home_pickup_quote(village_code=village_code)
    if on_behalf and not user_can_at(actor, Permission.PICKUP_REQUEST_FOR, quote.station):
        raise PermissionRefused("not_your_outlet", _("只能为本站所在村的村民预约上门揽收"), field="village")
    user = acting_user(actor)
    if user is None:
        raise PermissionRefused("login_required", _("请先登录"))
    pickup = HomePickup(
        number=_number(now),
        status="",
        village=quote.village,
        station=quote.station,
        address=address,
        contact_name=contact_name,
        contact_phone=phone,
        window_on=window_on,
        window_starts_at=window_starts_at,
        window_ends_at=window_ends_at,
        description=description,
        weight_g=weight_g,
        price_fen=quote.price_fen,
        is_remote=quote.is_remote,
        requester=None if on_behalf else user,
        filed_by=user,
        created_at=now,
    )
    # Created in the first state the table allows from nothing (""), with its event.
    pickup.status = HomePickupStatus.REQUESTED
    pickup.save()
    HomePickupEvent.objects.create(
        pickup=pickup,
        from_status="",
        to_status=HomePickupStatus.REQUESTED,
        actor=user,
        occurred_at=now,
        note=_("站点代约") if on_behalf else "",
    )
    return pickup


def _locked(pickup: HomePickup) -> HomePickup:
    return HomePickup.objects.select_for_update().select_related("station", "village").get(pk=pickup.pk)


@transaction.atomic
def home_pickup_cancel(
    *, pickup: HomePickup, actor: Actor, note: str = "", now: datetime.datetime | None = None
) -> HomePickup:
    """Cancel a home pickup before it is collected: by the villager who asked for it, or at its station
    (``pickup.request_for``).

    Raises
    ------
    PermissionRefused
        ``not_yours`` for anyone else.
    Conflict
        ``invalid_transition`` once collected or cancelled.
    """
    now = now or timezone.now()
    pickup = _locked(pickup)
    own = pickup.requester_id is not None and pickup.requester_id == actor.pk
    if not own and not user_can_at(actor, Permission.PICKUP_REQUEST_FOR, pickup.station):
        raise PermissionRefused("not_yours", _("只有预约人或本站工作人员可以取消上门揽收"))
    _move(pickup, HomePickupStatus.CANCELLED, actor=actor, now=now, note=note)
    pickup.save(update_fields=["status"])
    return pickup


@transaction.atomic
def home_pickup_miss(
    *, pickup: HomePickup, actor: Actor, note: str = "", now: datetime.datetime | None = None
) -> HomePickup:
    """Record that the courier could not collect a planned home pickup (nobody home, road closed…): it
    is ``missed`` and at once ``requested`` again, for the next round (two events).

    Raises
    ------
    PermissionRefused
        ``not_your_outlet`` unless ``actor`` holds ``pickup.request_for`` at its station.
    Conflict
        ``invalid_transition`` unless it is planned.
    """
    now = now or timezone.now()
    pickup = _locked(pickup)
    if not user_can_at(actor, Permission.PICKUP_REQUEST_FOR, pickup.station):
        raise PermissionRefused("not_your_outlet", _("只能登记本站的上门揽收"), field="station")
    _move(pickup, HomePickupStatus.MISSED, actor=actor, now=now, note=note)
    _move(pickup, HomePickupStatus.REQUESTED, actor=actor, now=now, note=_("改排下一班次"))
    pickup.missed_count += 1
    pickup.round_plan = None
    pickup.planned_on = None
    pickup.planned_vehicle = pickup.planned_arrives_at = ""
    pickup.save()
    return pickup


def home_pickups_mark_planned(
    plan: RoundPlan, planned: Sequence[HomePickupPlanned], unplanned: Sequence[HomePickupUnplanned]
) -> None:
    """Hook, inside the transaction that stores ``plan``: the home pickups it serves are ``planned`` on
    it (vehicle, arrival); those it left out stay or go back to ``requested`` with the reason. A request
    cancelled or collected while the plan was computed is left alone."""
    served = {item.reference: item for item in planned}
    left_out = {item.reference: item for item in unplanned}
    now = timezone.now()
    rows = HomePickup.objects.select_for_update().filter(number__in=[*served, *left_out]).order_by("pk")
    for pickup in rows:
        if pickup.status not in OPEN_HOME_PICKUP_STATUSES:
            continue
        if (item := served.get(pickup.number)) is not None:
            if pickup.status == HomePickupStatus.REQUESTED:
                _move(
                    pickup,
                    HomePickupStatus.PLANNED,
                    actor=plan.requested_by,
                    now=now,
                    note=_("%(day)s %(vehicle)s 约 %(time)s 到")
                    % {"day": plan.planned_on, "vehicle": item.vehicle_name, "time": item.arrives_at},
                )
            pickup.round_plan = plan
            pickup.planned_on = plan.planned_on
            pickup.planned_vehicle = item.vehicle_name[:40]
            pickup.planned_arrives_at = item.arrives_at[:5]
            pickup.unplanned_reason = ""
        else:
            reason = left_out[pickup.number].reason
            if pickup.status == HomePickupStatus.PLANNED:
                _move(pickup, HomePickupStatus.REQUESTED, actor=plan.requested_by, now=now, note=reason)
            pickup.round_plan = None
            pickup.planned_on = None
            pickup.planned_vehicle = pickup.planned_arrives_at = ""
            pickup.unplanned_reason = reason[:20]
        pickup.save()


def home_pickup_collect(
    reference: str, parcel: Parcel, station: Outlet, actor: Actor, now: datetime.datetime
) -> None:
    """Hook, inside the transaction that accepts ``parcel`` at ``station``: the home pickup
    ``reference`` of that station is ``collected`` with it.

    Raises
    ------
    ValidationFailed
        ``unknown_home_pickup`` (field ``home_pickup``) when the station has no such request.
    Conflict
        ``home_pickup_not_open`` (field ``home_pickup``) once collected or cancelled. Either refusal
        undoes the acceptance.
    """
    pickup = (
        HomePickup.objects.select_for_update()
        .filter(number=reference.strip().upper(), station=station)
        .first()
    )
    if pickup is None:
        raise ValidationFailed(
            "unknown_home_pickup",
            _("本站没有单号为 %(number)s 的上门揽收单") % {"number": reference},
            field="home_pickup",
        )
    if pickup.status not in OPEN_HOME_PICKUP_STATUSES:
        raise Conflict(
            "home_pickup_not_open",
            _("上门揽收单%(number)s%(status)s，不能再揽收")
            % {"number": pickup.number, "status": pickup.get_status_display()},
            field="home_pickup",
        )
    _move(pickup, HomePickupStatus.COLLECTED, actor=actor, now=now, note=parcel.tracking_number)
    pickup.parcel = parcel
    pickup.collected_at = now
    pickup.save()


# --- the demo ----------------------------------------------------------------------------------


@transaction.atomic
def demo_home_pickups(
    *, now: datetime.datetime | None = None, remote_share: int = 3, count: int = 6
) -> list[HomePickup]:
    """Give the demo county its home pickups, deterministically: every ``remote_share``-th village with
    a station (by code) is flagged remote (every other of those free, the rest ¥3.00), and ``count``
    requests are filed there by each station's operator for tomorrow and the day after, in morning
    and afternoon windows. Running it again adds nothing.

    Call it after the county, its stations' operators and the vans exist (e.g. at the end of
    ``siliu demo``): ``demo_home_pickups(now=<the demo's now>)``.
    """
    now = now or timezone.now()
    if HomePickup.objects.exists():
        return []
    stations = list(
        Outlet.objects.filter(
            kind=OutletKind.VILLAGE_STATION,
            is_active=True,
            region__level=RegionLevel.VILLAGE,
            operator__isnull=False,
        )
        .select_related("region", "operator")
        .order_by("code")
    )
    remote = stations[::remote_share]
    for index, station in enumerate(remote):
        RemoteVillage.objects.get_or_create(
            village=station.region,
            defaults={"price_fen": 0 if index % 2 == 0 else 300, "note": _("山区，距乡镇较远")},
        )
    people = ["王秀英", "李建国", "张桂兰", "刘志强", "陈玉梅", "杨德福", "赵春花", "黄永明"]
    goods = ["土鸡蛋两箱", "核桃一袋", "蜂蜜四瓶", "腊肉一箱", "干香菇两袋", "手工布鞋三双"]
    windows = [(datetime.time(9), datetime.time(11)), (datetime.time(14), datetime.time(16))]
    today = timezone.localdate(now)
    created: list[HomePickup] = []
    for index in range(min(count, len(remote) * 2)):
        station = remote[index % len(remote)]
        starts, ends = windows[index % 2]
        village: Region = station.region
        assert station.operator is not None and village_station(village=village) is not None
        with ids.seeded(f"home-pickup-{index}"):
            created.append(
                home_pickup_request(
                    village_code=village.code,
                    address=_("%(village)s%(group)d组%(house)d号")
                    % {"village": village.name, "group": index % 5 + 1, "house": 3 + index * 7},
                    contact_name=people[index % len(people)],
                    contact_phone=f"139{index:08d}",
                    window_on=today + datetime.timedelta(days=1 + index // len(remote) % 2),
                    window_starts_at=starts,
                    window_ends_at=ends,
                    description=goods[index % len(goods)],
                    weight_g=2_000 + 1_500 * (index % 4),
                    actor=station.operator,
                    on_behalf=True,
                    now=now,
                )
            )
    return created
