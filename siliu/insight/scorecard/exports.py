"""The scorecard's tables for a spreadsheet: an Excel workbook with a sheet per table, or one CSV file with
the tables one after the other. Amounts in yuan, exact to the fen; names of stations and sellers, and
nothing else about a person."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from siliu.insight.scorecard.selectors import Scorecard

_YUAN = "#,##0.00"


def _yuan(amount_fen: int) -> Decimal:
    """Fen as exact yuan (a Decimal, never a float)."""
    return Decimal(amount_fen) / 100


Table = tuple[str, list[str], list[list[object]]]


def scorecard_tables(card: Scorecard) -> Iterator[Table]:
    """``(title, header, rows)`` of each table, in the page's order and sort."""
    yield (
        _("村级服务站"),
        [
            _("站点代码"),
            _("村级服务站"),
            _("乡镇"),
            _("订单佣金（元）"),
            _("邮费（元）"),
            _("代理佣金（元）"),
            _("带来收入合计（元）"),
            _("服务村民"),
            _("上行订单"),
            _("下行订单"),
            _("邮件"),
        ],
        [
            [
                line.code,
                line.name,
                line.township,
                _yuan(line.commission_fen),
                _yuan(line.postage_fen),
                _yuan(line.agency_commission_fen),
                _yuan(line.brought_in_fen),
                line.villagers,
                line.orders_up,
                line.orders_down,
                line.parcels,
            ]
            for line in card.stations
        ],
    )
    yield (
        _("农户收入"),
        [
            _("卖家"),
            _("类型"),
            _("发货网点"),
            _("%(year)d年收入（元）") % {"year": card.span.year},
            _("去年同期（元）"),
            _("增减（元）"),
            _("增减幅度"),
        ],
        [
            [
                line.name,
                line.kind_label,
                line.station,
                _yuan(line.income_fen),
                _yuan(line.last_income_fen),
                _yuan(line.change_fen),
                line.change_percent,
            ]
            for line in card.farmers
        ],
    )
    yield (
        _("县域收入（按业务）"),
        [_("业务"), _("%(year)d年（元）") % {"year": card.span.year}, _("去年同期（元）"), _("增减幅度")],
        [
            [line.label, _yuan(line.amount_fen), _yuan(line.last_amount_fen), line.change_percent]
            for line in [*card.revenue, card.revenue_total]
        ],
    )


def _heading(card: Scorecard) -> list[object]:
    period = card.span.period
    return [
        _("合作共赢记分卡"),
        card.scope,
        f"{period.date_from:%Y-%m-%d} – {period.date_to:%Y-%m-%d}",
    ]


def scorecard_xlsx(card: Scorecard) -> bytes:
    """A sheet per table, the first row of each naming the scorecard, the scope and the days."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, header, rows in scorecard_tables(card):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(_heading(card))
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=3):
            for cell in cells:
                if isinstance(cell.value, Decimal):
                    cell.number_format = _YUAN
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def scorecard_csv(card: Scorecard) -> str:
    """The tables one after the other, each under a line with its title and after an empty line; amounts
    as plain yuan (``1234.50``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_heading(card))
    for title, header, rows in scorecard_tables(card):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row])
    return out.getvalue()
