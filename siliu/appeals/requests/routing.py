"""Where a request goes and by when it is owed an answer.

A request about a village is the business of the outlet that serves it: its active village station, or
where it has none its township's office (:func:`siliu.network.selectors.village_serving_outlet`, the
same rule that decides where the village's parcels are delivered). Each category has two response
times (``SILIU_APPEAL_DUE_HOURS``): hours from filing to be acknowledged, and to be resolved. They are
hours on the clock, not business days: a villager waiting counts the weekend too.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from siliu.appeals.models import AppealCategory
from siliu.core.errors import ValidationFailed
from siliu.network.models import Outlet, Region
from siliu.network.selectors import village_get, village_serving_outlet


@dataclass(frozen=True)
class Route:
    village: Region
    township: Region
    outlet: Outlet


def appeal_route(*, village_code: str) -> Route:
    """The village with ``village_code``, its township and the outlet that will handle a request there.

    Raises
    ------
    ValidationFailed
        ``village_required``, ``unknown_village`` or ``village_not_served``, on the ``village`` field.
    """
    if not (village_code or "").strip():
        raise ValidationFailed("village_required", _("请选择村"), field="village")
    village = village_get(code=village_code)
    outlet = village_serving_outlet(village=village)
    assert village.parent is not None  # a village always has its township (region_parent_unless_province)
    return Route(village=village, township=village.parent, outlet=outlet)


def appeal_due_hours(category: str) -> tuple[int, int]:
    """Hours from filing to acknowledge and to resolve a request of ``category``."""
    acknowledge, resolve = settings.SILIU_APPEAL_DUE_HOURS[AppealCategory(category)]
    return int(acknowledge), int(resolve)


def appeal_due(*, category: str, filed_at: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """When a request of ``category`` filed at ``filed_at`` is due to be acknowledged and resolved."""
    acknowledge, resolve = appeal_due_hours(category)
    return filed_at + datetime.timedelta(hours=acknowledge), filed_at + datetime.timedelta(hours=resolve)
