"""Pricing reference data, written: the trunk routes that carry parcels out of the county."""

from django.db import transaction
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.logistics.models import (
    TRUNK_ZONES,
    TrunkRoute,
)
from siliu.network.models import Outlet, OutletKind, parse_departure_times


@transaction.atomic
def trunk_route_set(*, hub: Outlet, zone: str, departure_times: list[str], transit_minutes: int) -> None:
    """Set how parcels leave ``hub`` towards an outside zone (creating or replacing the route).

    Raises
    ------
    ValidationFailed
        For an outlet that is not a county hub, a zone inside the county, bad times or a non-positive
        transit time.
    """
    if hub.kind != OutletKind.COUNTY_HUB:
        raise ValidationFailed("invalid", _("干线只能从县级中心发出"), field="hub")
    if zone not in TRUNK_ZONES:
        raise ValidationFailed("invalid", _("干线只通往县外区域"), field="zone")
    if transit_minutes <= 0:
        raise ValidationFailed("invalid", _("运输时长必须大于 0"), field="transit_minutes")
    try:
        parse_departure_times(departure_times)
    except ValueError as error:
        raise ValidationFailed("invalid", str(error), field="departure_times") from None
    TrunkRoute.objects.update_or_create(
        hub=hub, zone=zone, defaults={"departure_times": departure_times, "transit_minutes": transit_minutes}
    )
