"""The information flow's card on the start page (:mod:`siliu.core.start`): today's orders, up and
down, and parcels accepted, in the scope of whoever reads the figures (``insight.read``)."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.permissions import Permission, user_can, user_outlet_ids
from siliu.core.start import StartCard
from siliu.insight.dashboard.selectors import Period, outlet_sums, outlets_in


def start_cards(user: User) -> list[StartCard]:
    """今日订单 for who reads the figures: today's orders in their scope, and in the note how many
    went up and down and how many parcels were accepted; it opens the county dashboard."""
    if not user_can(user, Permission.INSIGHT_READ):
        return []
    today = timezone.localdate()
    within = user_outlet_ids(user, Permission.INSIGHT_READ)
    outlet_ids = list(outlets_in(None, within=within).values_list("pk", flat=True))
    totals: dict[str, int] = {}
    for measures in outlet_sums(Period(today, today), outlet_ids).values():
        for measure, value in measures.items():
            totals[measure] = totals.get(measure, 0) + value
    up, down = totals.get("orders_up", 0), totals.get("orders_down", 0)
    parcels = totals.get("parcels_up", 0) + totals.get("parcels_down", 0)
    return [
        StartCard(
            title=_("今日订单"),
            figure=str(up + down),
            url=reverse("insight:dashboard"),
            testid="start-insight-today",
            note=_("上行 %(up)d · 下行 %(down)d · 收寄邮件 %(parcels)d")
            % {"up": up, "down": down, "parcels": parcels},
        )
    ]
