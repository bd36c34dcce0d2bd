"""Reads of the outlet network."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.permissions import Permission, user_outlet_ids
from siliu.network.models import CountyPost, OpeningHours, Outlet, OutletKind, OutletLink, Region, RegionLevel


def township_get(*, code: str) -> Region:
    """The township with administrative code ``code``.

    Raises
    ------
    ValidationFailed
        ``unknown_township`` (field ``township``) when there is none: it names a filter, so a bad one
        is bad input, not a missing page.
    """
    township = Region.objects.filter(code=code, level=RegionLevel.TOWNSHIP).first()
    if township is None:
        raise ValidationFailed(
            "unknown_township", _("没有代码为 %(code)s 的乡镇") % {"code": code}, field="township"
        )
    return township


#: The services an outlet may offer, as ``?service=`` names them: the flag on the outlet, and its label.
OUTLET_SERVICES: dict[str, tuple[str, Promise]] = {
    "sign_language": ("has_sign_language_service", _lazy("手语服务")),
    "home_pickup": ("offers_home_pickup", _lazy("上门揽收")),
    "cash_counter": ("has_cash_counter", _lazy("现金柜台")),
    "agency": ("offers_agency_services", _lazy("代理便民服务")),
}


def outlet_list(
    *,
    kind: str | None = None,
    township: str | None = None,
    search: str | None = None,
    service: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Outlet]:
    """Outlets filtered by kind, by township (its administrative code), by a service they offer
    (:data:`OUTLET_SERVICES`: ``sign_language`` finds the outlets with sign-language service) and by a
    search text.

    The search matches the outlet's code, name or address, or its region's name.

    Raises
    ------
    ValidationFailed
        ``invalid_kind`` for a kind that does not exist, ``unknown_township`` for an unknown township,
        ``invalid_service`` for a service that does not exist.
    """
    outlets = Outlet.objects.select_related("region", "region__parent", "parent_outlet")
    if not include_inactive:
        outlets = outlets.filter(is_active=True)
    if kind:
        if kind not in OutletKind.values:
            raise ValidationFailed(
                "invalid_kind",
                _("类型应为 %(kinds)s 之一") % {"kinds": ", ".join(OutletKind.values)},
                field="kind",
            )
        outlets = outlets.filter(kind=kind)
    if township:
        region = township_get(code=township)
        outlets = outlets.filter(Q(region=region) | Q(region__parent=region))
    if service:
        if service not in OUTLET_SERVICES:
            raise ValidationFailed(
                "invalid_service",
                _("服务应为 %(services)s 之一") % {"services": ", ".join(OUTLET_SERVICES)},
                field="service",
            )
        outlets = outlets.filter(**{OUTLET_SERVICES[service][0]: True})
    if search and search.strip():
        text = search.strip()
        outlets = outlets.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(address__icontains=text)
            | Q(region__name__icontains=text)
        )
    return outlets.order_by("kind", "code")


def outlet_get(*, code: str) -> Outlet:
    """The outlet with ``code``, with its opening hours and links loaded.

    Raises
    ------
    NotFound
        ``unknown_outlet`` when no outlet has that code.
    """
    outlet = (
        Outlet.objects.select_related("region", "region__parent", "parent_outlet")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at")),
            Prefetch(
                "outgoing_links",
                queryset=OutletLink.objects.select_related("to_outlet").order_by("to_outlet__code"),
            ),
        )
        .filter(code=code)
        .first()
    )
    if outlet is None:
        raise NotFound("unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field="code")
    return outlet


def outlets_scoped(
    outlets: QuerySet[Outlet], *, user: AbstractBaseUser | AnonymousUser, permission: Permission
) -> QuerySet[Outlet]:
    """``outlets`` narrowed to where ``user`` holds ``permission``: all of them when it holds
    everywhere, its places (its county, its station, its round) otherwise, none when it lacks it."""
    places = user_outlet_ids(user, permission)
    return outlets if places is None else outlets.filter(pk__in=places)


def outlets_operated_by(user: AbstractBaseUser) -> list[int]:
    """Ids of the outlets ``user`` operates (their places in the 本站 scope)."""
    return list(Outlet.objects.filter(operator_id=user.pk).values_list("pk", flat=True))


def outlets_in_counties_of(user: AbstractBaseUser) -> list[int]:
    """Ids of the outlets in the counties ``user`` manages (:class:`CountyPost`; 本县): an outlet is
    in a county when its region's code starts with the county's."""
    codes = list(CountyPost.objects.filter(user_id=user.pk).values_list("county__code", flat=True))
    if not codes:
        return []
    within = Q()
    for code in codes:
        within |= Q(region__code__startswith=code)
    return list(Outlet.objects.filter(within).values_list("pk", flat=True))


def outlet_operator_shown(outlet: Outlet) -> str | None:
    """Who runs ``outlet`` as the public sees it: the role (站点运营员, 网点负责人), never a private
    person's name; ``None`` when nobody is recorded."""
    if outlet.operator_id is None:
        return None
    if outlet.kind == OutletKind.VILLAGE_STATION:
        return _("站点运营员")
    return _("网点负责人")


def outlet_counts() -> dict[str, int]:
    """Active outlets per kind, every kind present (zero when none)."""
    counts = dict.fromkeys(OutletKind.values, 0)
    rows = Outlet.objects.filter(is_active=True).values("kind").annotate(count=Count("pk"))
    counts.update({row["kind"]: row["count"] for row in rows})
    return counts


def township_list() -> QuerySet[Region]:
    """Townships that have at least one outlet, for filter menus."""
    return (
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .filter(Q(outlets__isnull=False) | Q(children__outlets__isnull=False))
        .distinct()
        .order_by("code")
    )


def network_map_data(*, service: str | None = None) -> dict[str, Any]:
    """Outlets with coordinates, the services each offers and the links between them, shaped for the
    ECharts map; with ``service``, only the outlets offering it (see :func:`outlet_list`).

    Links are returned once per pair of outlets (the two directions drawn as one road).

    Raises
    ------
    ValidationFailed
        ``invalid_service`` for a service that does not exist.
    """
    outlets = [
        {
            "code": outlet.code,
            "name": outlet.name,
            "kind": outlet.kind,
            "value": [float(outlet.longitude), float(outlet.latitude)],
            "services": [name for name, (flag, _label) in OUTLET_SERVICES.items() if getattr(outlet, flag)],
        }
        for outlet in outlet_list(service=service).order_by("code")
    ]
    roads: dict[tuple[str, str], dict[str, Any]] = {}
    for from_code, to_code, distance_km in OutletLink.objects.filter(
        from_outlet__is_active=True, to_outlet__is_active=True
    ).values_list("from_outlet__code", "to_outlet__code", "distance_km"):
        pair = (min(from_code, to_code), max(from_code, to_code))
        roads.setdefault(pair, {"source": pair[0], "target": pair[1], "distance_km": float(distance_km)})
    return {
        "outlets": outlets,
        "links": list(roads.values()),
        "kinds": [{"value": kind.value, "label": str(kind.label)} for kind in OutletKind],
        "services": {name: str(label) for name, (_flag, label) in OUTLET_SERVICES.items()},
    }


def outlet_choices() -> list[tuple[str, str]]:
    """Active outlets as (code, words) for a select, hub first, then each township's office and its
    stations: "青龙镇邮政所", "青龙镇 · 王家沟村服务站"."""
    outlets = Outlet.objects.filter(is_active=True).select_related("parent_outlet").order_by("code")
    choices = []
    for outlet in outlets:
        parent = outlet.parent_outlet
        if outlet.kind == OutletKind.VILLAGE_STATION and parent is not None:
            choices.append((outlet.code, f"{parent.name} · {outlet.name}"))
        else:
            choices.append((outlet.code, outlet.name))
    return choices


def village_list() -> QuerySet[Region]:
    """Every village with its township, by township then village code (the checkout's village picker)."""
    return Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent").order_by("code")


def village_get(*, code: str) -> Region:
    """The village with administrative code ``code``, with its township.

    Raises
    ------
    ValidationFailed
        ``unknown_village`` (field ``village``) when there is none.
    """
    village = (
        Region.objects.filter(code=(code or "").strip(), level=RegionLevel.VILLAGE)
        .select_related("parent")
        .first()
    )
    if village is None:
        raise ValidationFailed(
            "unknown_village", _("没有代码为 %(code)s 的村") % {"code": code}, field="village"
        )
    return village


def village_serving_outlet(*, village: Region) -> Outlet:
    """The outlet that delivers to ``village``: its active village station, or where it has none the
    active township office of its township.

    Raises
    ------
    ValidationFailed
        ``village_not_served`` (field ``village``) when neither exists.
    """
    outlets = Outlet.objects.filter(is_active=True).select_related("region")
    station = outlets.filter(region=village, kind=OutletKind.VILLAGE_STATION).order_by("code").first()
    if station is None and village.parent_id is not None:
        station = (
            outlets.filter(region_id=village.parent_id, kind=OutletKind.TOWNSHIP_OFFICE)
            .order_by("code")
            .first()
        )
    if station is None:
        raise ValidationFailed(
            "village_not_served", _("%(village)s 暂无网点投递") % {"village": village.name}, field="village"
        )
    return station
