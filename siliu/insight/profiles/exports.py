"""A seller's profile as tables for a spreadsheet: the months, the best sellers, the loans and the trace
batches, exactly as the page shows them (amounts in yuan, exact to the fen)."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from siliu.insight.downloads import Table, tables_csv, tables_xlsx, yuan
from siliu.insight.profiles.selectors import Profile


def profile_tables(profile: Profile) -> Iterator[Table]:
    """``(title, header, rows)`` of each table of the profile, in the page's order."""
    yield (
        _("按月明细"),
        [
            _("月份"),
            _("订单"),
            _("销售额（元）"),
            _("买家"),
            _("寄出邮件"),
            _("按时妥投率"),
            _("理赔"),
            _("已结算（元）"),
            _("已提现（元）"),
            _("溯源页打开"),
        ],
        [
            [
                _("合计") if month is profile.totals else f"{month.month:%Y-%m}",
                month.orders,
                yuan(month.gmv_fen),
                month.buyers,
                month.parcels_sent,
                month.on_time_percent,
                month.claims,
                yuan(month.settled_fen),
                yuan(month.withdrawn_fen),
                month.trace_opens,
            ]
            for month in [*profile.months, profile.totals]
        ],
    )
    yield (
        _("畅销商品"),
        [_("商品"), _("订单"), _("数量"), _("单位"), _("金额（元）")],
        [
            [item.name, item.orders, item.quantity, item.unit, yuan(item.amount_fen)]
            for item in profile.products
        ],
    )
    yield (
        _("贷款"),
        [
            _("合同编号"),
            _("产品"),
            _("状态"),
            _("合同金额（元）"),
            _("放款日"),
            _("未还本金（元）"),
            _("已还本金（元）"),
            _("已还利息及罚息（元）"),
            _("其中销售回款扣还（元）"),
        ],
        [
            [
                loan.number,
                loan.product_name,
                loan.status_label,
                yuan(loan.amount_fen),
                loan.disbursed_on.isoformat() if loan.disbursed_on else "",
                yuan(loan.outstanding_fen),
                yuan(loan.repaid_principal_fen),
                yuan(loan.repaid_interest_fen),
                yuan(loan.swept_fen),
            ]
            for loan in profile.loans
        ],
    )
    yield (
        _("溯源批次"),
        [_("溯源码"), _("产品"), _("采收/生产日期"), _("近12个月打开次数")],
        [
            [line.code, line.product_name, line.harvested_on.isoformat(), line.opens]
            for line in profile.trace_batches
        ],
    )


def _heading(profile: Profile) -> list[object]:
    return [_("经营概况"), profile.seller.name, f"{profile.date_from:%Y-%m-%d} – {profile.date_to:%Y-%m-%d}"]


def profile_xlsx(profile: Profile) -> bytes:
    return tables_xlsx(_heading(profile), profile_tables(profile))


def profile_csv(profile: Profile) -> str:
    return tables_csv(_heading(profile), profile_tables(profile))
