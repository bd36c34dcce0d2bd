"""Lending's cards on the start page (:mod:`siliu.core.start`): the borrower's next repayment and a
contract waiting for signature."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from siliu.core.money import format_fen
from siliu.core.start import StartCard
from siliu.lending.loans.models import LoanStatus
from siliu.lending.loans.selectors import loan_summary, open_loans_of


def start_cards(user: User) -> list[StartCard]:
    """For a borrower: each active loan's next repayment (amount and date, or how late it is), and
    each contract waiting to be signed."""
    cards: list[StartCard] = []
    today = timezone.localdate()
    for loan in open_loans_of(borrower=user):
        url = reverse("lending:loan", args=[loan.number])
        if loan.status == LoanStatus.CONTRACTED:
            cards.append(
                StartCard(
                    title=_("待签约合同"),
                    figure=format_fen(loan.amount_fen),
                    url=url,
                    testid="start-loan-contract",
                    note=_("%(product)s，签约后放款到钱包") % {"product": loan.product.name},
                    mine=True,
                )
            )
            continue
        summary = loan_summary(loan, on=today)
        if loan.days_past_due:
            note = ngettext(
                "已逾期 %(days)d 天，请尽快还款", "已逾期 %(days)d 天，请尽快还款", loan.days_past_due
            ) % {"days": loan.days_past_due}
            figure = format_fen(summary.due_now_fen)
        elif summary.next_due_on is not None:
            note = _("%(day)s 到期") % {"day": summary.next_due_on.isoformat()}
            figure = format_fen(summary.next_due_fen)
        else:
            note, figure = _("目前没有待还款项"), format_fen(0)
        cards.append(
            StartCard(
                title=_("下次还款"), figure=figure, url=url, testid="start-loan-due", note=note, mine=True
            )
        )
    return cards
