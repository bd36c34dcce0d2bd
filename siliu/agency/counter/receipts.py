"""The receipt of an agency transaction, on the counter's 58 mm slip
(:func:`siliu.finance.receipts.slip_pdf`): the service and provider, the customer's account (a card or
ID number masked), the amount, the fee and what changed hands, in figures and 大写, the number and who
handled it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.agency.catalogue import AgencyTransaction, Direction, FeePayer, TransactionStatus
from siliu.core.identity import name_mask
from siliu.core.money import fen_in_capitals, format_fen
from siliu.core.names import person_name
from siliu.finance.receipts import slip_pdf


def agency_receipt_rows(*, made: AgencyTransaction) -> list[tuple[str, str]]:
    """What the receipt says under the outlet's name (also shown on the transaction's page)."""
    payment = made.direction == Direction.PAYMENT
    rows = [
        (_("时间"), timezone.localtime(made.occurred_at).strftime("%Y-%m-%d %H:%M:%S")),
        (_("业务"), made.service.name),
        (_("委托方"), made.provider.name),
        (made.service.get_account_kind_display(), made.account_display),
    ]
    if made.customer_name:
        rows.append((_("客户"), name_mask(made.customer_name)))
    rows.append((_("缴费金额") if payment else _("领取金额"), format_fen(made.amount_fen)))
    if made.fee_payer == FeePayer.CUSTOMER and made.fee_fen:
        rows.append((_("手续费"), format_fen(made.fee_fen)))
    rows += [
        (_("实收现金") if payment else _("实付现金"), format_fen(made.customer_fen))
        if made.paid_with == "cash"
        else (_("钱包支付"), format_fen(made.customer_fen)),
        (_("大写"), fen_in_capitals(made.customer_fen)),
        (_("流水号"), made.number),
        (_("经办"), person_name(made.operator)),
    ]
    if made.status == TransactionStatus.REVERSED:
        rows += [("", ""), (_("状态"), _("已冲正")), (_("冲正原因"), made.reversal_reason)]
    return rows


def agency_receipt_pdf(*, made: AgencyTransaction) -> bytes:
    """The 58 mm receipt of ``made`` under its outlet's name and address."""
    title = _("代收业务回单") if made.direction == Direction.PAYMENT else _("代付业务回单")
    return slip_pdf(title, made.outlet, agency_receipt_rows(made=made))
