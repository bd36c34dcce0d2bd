"""A seller's monthly statement as an Excel workbook: the month's settled orders with commission, its
payouts, and the payable account from opening to closing balance."""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from siliu.commerce.orders.selectors import MonthlyStatement

_YUAN = "#,##0.00"


def _yuan(amount_fen: int) -> Decimal:
    """Fen as exact yuan for a cell (a Decimal, never a float)."""
    return Decimal(amount_fen) / 100


def statement_xlsx(statement: MonthlyStatement) -> bytes:
    """Sheets 汇总 (opening + settled + returned − paid out = closing), 结算 (one row per settled order)
    and 提现 (the month's payout requests); amounts in yuan, exact to the fen."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = _("汇总")
    summary.append([_("卖家"), statement.seller.name])
    summary.append([_("月份"), f"{statement.month:%Y-%m}"])
    for label, amount in (
        (_("期初应付余额"), statement.opening_fen),
        (_("本月结算入账"), statement.settled_fen),
        (_("退回的提现"), statement.returned_fen),
        (_("本月提现"), -statement.paid_out_fen),
        (_("期末应付余额"), statement.closing_fen),
        (_("本月货款"), statement.goods_fen),
        (_("本月平台佣金"), statement.commission_fen),
    ):
        summary.append([label, _yuan(amount)])
        summary.cell(row=summary.max_row, column=2).number_format = _YUAN
    settled = workbook.create_sheet(_("结算"))
    settled.append([_("订单号"), _("结算时间"), _("货款"), _("平台佣金"), _("应付卖家")])
    for row in statement.rows:
        settled.append(
            [
                row.order.number,
                timezone.localtime(row.settled_at).strftime("%Y-%m-%d %H:%M"),
                _yuan(row.goods_fen),
                _yuan(row.commission_fen),
                _yuan(row.payable_fen),
            ]
        )
    payouts = workbook.create_sheet(_("提现"))
    payouts.append([_("申请时间"), _("金额"), _("开户行"), _("账号"), _("状态")])
    for payout in statement.payouts:
        payouts.append(
            [
                timezone.localtime(payout.requested_at).strftime("%Y-%m-%d %H:%M"),
                _yuan(payout.amount_fen),
                payout.bank_name,
                payout.account_number_masked,
                payout.get_status_display(),
            ]
        )
    for sheet in (settled, payouts):
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, Decimal):
                    cell.number_format = _YUAN
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
