"""Lending's cards on the start page (:mod:`siliu.core.start`): the loan officer's applications to
review and overdue loans, the county manager's applications waiting for the second approval."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext as _

from siliu.core.permissions import Permission, user_can
from siliu.core.start import StartCard
from siliu.lending.portfolio.selectors import approval_queue, overdue_figures, review_queue
from siliu.lending.templatetags.lending import bp_percent_filter


def start_cards(user: User) -> list[StartCard]:
    """待审核贷款申请 for who reviews (``loan.review``); 逾期贷款 with PAR30 for who collects
    (``loan.collect``); 待复核贷款 for who gives the second approval (``loan.approve``), each in the
    user's scope."""
    cards: list[StartCard] = []
    if user_can(user, Permission.LOAN_REVIEW):
        cards.append(
            StartCard(
                title=_("待审核贷款申请"),
                figure=str(review_queue(actor=user).count()),
                url=reverse("lending:review"),
                testid="start-loan-review",
                note=_("先提交的先审"),
            )
        )
    if user_can(user, Permission.LOAN_COLLECT):
        overdue = overdue_figures(actor=user)
        cards.append(
            StartCard(
                title=_("逾期贷款"),
                figure=str(overdue.loan_count),
                url=reverse("lending:collections"),
                testid="start-loans-overdue",
                note=_("PAR30 %(par)s") % {"par": bp_percent_filter(overdue.par30_bp)},
            )
        )
    if user_can(user, Permission.LOAN_APPROVE):
        cards.append(
            StartCard(
                title=_("待复核贷款"),
                figure=str(approval_queue(actor=user).count()),
                url=reverse("lending:approvals"),
                testid="start-loan-approvals",
                note=_("大额贷款的第二人复核"),
            )
        )
    return cards
