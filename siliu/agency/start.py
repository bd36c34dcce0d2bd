"""Agency's card on the start page (:mod:`siliu.core.start`): today's 便民服务 at the station an
operator runs, and what the station earned from it."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext as _

from siliu.agency.counter.selectors import agency_day_get, agency_outlets
from siliu.core.money import format_fen
from siliu.core.permissions import Permission, Scope, user_scopes
from siliu.core.start import StartCard


def start_cards(user: User) -> list[StartCard]:
    """For each station with agency services the user operates (``agency.operate`` there): today's
    transactions and the station's share of their fees; it opens the station's 便民服务."""
    if Scope.OWN_OUTLET not in user_scopes(user, Permission.AGENCY_OPERATE):
        return []
    cards = []
    for outlet in agency_outlets(user=user):
        if outlet.operator_id != user.pk:
            continue
        day = agency_day_get(outlet=outlet)
        cards.append(
            StartCard(
                title=_("今日便民服务 · %(outlet)s") % {"outlet": outlet.name},
                figure=_("%(count)d 笔") % {"count": sum(line.count for line in day.lines)},
                url=reverse("agency:counter", args=[outlet.code]),
                testid="start-agency",
                note=_("本站佣金 %(fee)s") % {"fee": format_fen(day.station_fee_fen)},
            )
        )
    return cards
