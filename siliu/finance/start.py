"""Finance's cards on the start page (:mod:`siliu.core.start`): the cash in a station operator's drawer,
the auditor's trial balance."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext as _

from siliu.core.money import format_fen
from siliu.core.permissions import Permission, Scope, user_can_everywhere, user_scopes
from siliu.core.start import StartCard
from siliu.finance.selectors import counter_drawer_get, counter_outlets, day_closes_pending, trial_balance


def start_cards(user: User) -> list[StartCard]:
    """The drawer of each counter the user operates at their station (``counter.operate`` there); the
    day closes a county manager has to sign off (``counter.sign_off`` in their county); the trial
    balance for whoever reads the whole ledger."""
    cards: list[StartCard] = []
    if Scope.OWN_OUTLET in user_scopes(user, Permission.COUNTER_OPERATE):
        cards += [
            StartCard(
                title=_("钱箱现金 · %(outlet)s") % {"outlet": outlet.name},
                figure=format_fen(counter_drawer_get(outlet=outlet).closing_fen),
                url=reverse("finance:counter", args=[outlet.code]),
                testid="start-drawer",
                note=_("柜台收付与日结"),
            )
            for outlet in counter_outlets(user=user)
            if outlet.operator_id == user.pk
        ]
    if Scope.OWN_COUNTY in user_scopes(user, Permission.COUNTER_SIGN_OFF):
        cards.append(
            StartCard(
                title=_("待签核日结"),
                figure=str(day_closes_pending(actor=user).count()),
                url=reverse("finance:day-close-sign-offs"),
                testid="start-day-close-sign-offs",
                note=_("长短款超过限额的日结"),
            )
        )
    if user_can_everywhere(user, Permission.LEDGER_READ):
        balance = trial_balance()
        totals = {
            "debits": format_fen(balance.total_debits_posted),
            "credits": format_fen(balance.total_credits_posted),
        }
        cards.append(
            StartCard(
                title=_("试算平衡"),
                figure=_("平衡") if balance.is_balanced else _("不平衡"),
                url=reverse("finance:trial-balance"),
                testid="start-trial-balance",
                note=(
                    _("借方 %(debits)s ＝ 贷方 %(credits)s")
                    if balance.is_balanced
                    else _("借方 %(debits)s ≠ 贷方 %(credits)s")
                )
                % totals,
            )
        )
    return cards
