"""Writes to the outlet network."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, ValidationFailed
from siliu.core.roles import Role, user_has_role
from siliu.network.models import (
    CountyPost,
    OpeningHours,
    Outlet,
    OutletKind,
    OutletLink,
    Region,
    RegionLevel,
    parse_departure_times,
)

#: Which outlet kind may sit below which.
PARENT_KIND = {
    OutletKind.COUNTY_HUB: None,
    OutletKind.TOWNSHIP_OFFICE: OutletKind.COUNTY_HUB,
    OutletKind.VILLAGE_STATION: OutletKind.TOWNSHIP_OFFICE,
}


def _full_clean(instance: Region | Outlet | OutletLink | OpeningHours) -> None:
    """Run model validation, turning the first field error into a :class:`ValidationFailed`."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        code = "duplicate" if any("已存在" in m or "already exists" in m for m in messages) else "invalid"
        raise ValidationFailed(code, f"{field}: {messages[0]}", field=field) from None


@transaction.atomic
def region_create(*, code: str, name: str, level: RegionLevel, parent: Region | None = None) -> Region:
    """Create an administrative region; its code must extend its parent's.

    Raises
    ------
    ValidationFailed
        For a code of the wrong length, a parent of the wrong level, or a code already used.
    """
    region = Region(code=code, name=name, level=level, parent=parent)
    _full_clean(region)
    # A county's code shares its province's first two digits; deeper codes extend the parent's.
    prefix = (
        parent.code[:2] if level == RegionLevel.COUNTY and parent is not None else getattr(parent, "code", "")
    )
    if not code.startswith(prefix):
        raise ValidationFailed("invalid", _("下级区划代码应以上级代码开头"), field="code")
    region.save()
    return region


@transaction.atomic
def outlet_create(
    *,
    code: str,
    name: str,
    kind: OutletKind,
    region: Region,
    latitude: Decimal,
    longitude: Decimal,
    parent_outlet: Outlet | None = None,
    address: str = "",
    phone: str = "",
    operator: User | None = None,
    has_sign_language_service: bool = False,
    offers_home_pickup: bool = False,
    has_cash_counter: bool = False,
    offers_agency_services: bool = False,
) -> Outlet:
    """Create an outlet in the hierarchy hub → township office → village station.

    Raises
    ------
    ValidationFailed
        When the parent outlet's kind does not fit (``invalid_parent``), or any field is invalid.
    """
    expected_parent_kind = PARENT_KIND[OutletKind(kind)]
    parent_kind = parent_outlet.kind if parent_outlet is not None else None
    if parent_kind != expected_parent_kind:
        raise ValidationFailed(
            "invalid_parent",
            _("%(kind)s 的上级网点应为 %(parent)s")
            % {
                "kind": OutletKind(kind).label,
                "parent": OutletKind(expected_parent_kind).label if expected_parent_kind else _("无"),
            },
            field="parent_outlet",
        )
    outlet = Outlet(
        code=code,
        name=name,
        kind=kind,
        region=region,
        latitude=latitude,
        longitude=longitude,
        parent_outlet=parent_outlet,
        address=address,
        phone=phone,
        operator=operator,
        has_sign_language_service=has_sign_language_service,
        offers_home_pickup=offers_home_pickup,
        has_cash_counter=has_cash_counter,
        offers_agency_services=offers_agency_services,
    )
    _full_clean(outlet)
    outlet.save()
    return outlet


@transaction.atomic
def opening_hours_set(
    *,
    outlet: Outlet,
    periods: Iterable[tuple[int, datetime.time, datetime.time]],
) -> list[OpeningHours]:
    """Replace an outlet's opening hours with ``periods`` of ``(weekday, opens_at, closes_at)``.

    Raises
    ------
    ValidationFailed
        For a weekday outside 0–6, a period that closes before it opens, or overlapping periods.
    """
    rows = sorted(periods)
    for index, (weekday, opens_at, closes_at) in enumerate(rows):
        if not 0 <= weekday <= 6:
            raise ValidationFailed("invalid", _("星期应为 0（周一）到 6（周日）"), field="weekday")
        if closes_at <= opens_at:
            raise ValidationFailed("invalid", _("关门时间应晚于开门时间"), field="closes_at")
        if index and rows[index - 1][0] == weekday and rows[index - 1][2] > opens_at:
            raise ValidationFailed("invalid", _("同一天的营业时段不能重叠"), field="opens_at")
    OpeningHours.objects.filter(outlet=outlet).delete()
    return OpeningHours.objects.bulk_create(
        OpeningHours(outlet=outlet, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        for weekday, opens_at, closes_at in rows
    )


@transaction.atomic
def outlet_link_create(
    *,
    from_outlet: Outlet,
    to_outlet: Outlet,
    distance_km: Decimal,
    transit_minutes: int,
    departure_times: Sequence[str] = (),
    both_ways: bool = False,
    return_departure_times: Sequence[str] | None = None,
) -> list[OutletLink]:
    """Connect two outlets by road; with ``both_ways`` also the way back (its own departures).

    Raises
    ------
    ValidationFailed
        For a loop, a non-positive distance or time, or departure times that are not ascending "HH:MM".
    Conflict
        ``link_exists`` when the outlets are already linked in that direction.
    """
    if from_outlet.pk == to_outlet.pk:
        raise ValidationFailed("invalid", _("连线的起点和终点不能相同"), field="to_outlet")
    if distance_km <= 0:
        raise ValidationFailed("invalid", _("道路里程必须大于 0"), field="distance_km")
    if transit_minutes <= 0:
        raise ValidationFailed("invalid", _("运输时长必须大于 0"), field="transit_minutes")
    directions = [(from_outlet, to_outlet, list(departure_times))]
    if both_ways:
        back = list(departure_times if return_departure_times is None else return_departure_times)
        directions.append((to_outlet, from_outlet, back))
    links = []
    for origin, destination, times in directions:
        try:
            parse_departure_times(times)
        except ValueError as error:
            raise ValidationFailed("invalid", str(error), field="departure_times") from None
        if OutletLink.objects.filter(from_outlet=origin, to_outlet=destination).exists():
            raise Conflict(
                "link_exists",
                _("%(a)s 到 %(b)s 的连线已存在") % {"a": origin.code, "b": destination.code},
            )
        links.append(
            OutletLink.objects.create(
                from_outlet=origin,
                to_outlet=destination,
                distance_km=distance_km,
                transit_minutes=transit_minutes,
                departure_times=times,
            )
        )
    return links


@transaction.atomic
def county_post_create(*, user: User, county: Region) -> CountyPost:
    """Post a county manager to ``county``: their 本县 permissions then hold at the outlets in it.

    Raises
    ------
    ValidationFailed
        ``not_a_county`` (field ``county``) for a region that is not a county, ``not_county_manager``
        (field ``user``) for a user without the county manager role.
    """
    if county.level != RegionLevel.COUNTY:
        raise ValidationFailed("not_a_county", _("只能任职于县级区划"), field="county")
    if not user_has_role(user, Role.COUNTY_MANAGER):
        raise ValidationFailed("not_county_manager", _("只有县级管理员可以任职于县"), field="user")
    post, _created = CountyPost.objects.get_or_create(user=user, county=county)
    return post
