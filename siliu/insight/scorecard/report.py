"""The monthly report (经营月报) as an A4 PDF: the month's county figures against the month before, the
stations that brought in most, the farmers paid most and revenue by business line. The font is embedded
(:func:`siliu.core.pdf.pdf_font`), so that it prints the same anywhere."""

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from siliu.core.money import format_fen
from siliu.core.pdf import pdf_font
from siliu.insight.scorecard.selectors import MonthlyReport, percent


def _figure(kind: str, value: Any) -> str:
    if value is None:
        return "—"
    if kind == "fen":
        return format_fen(int(value))
    if kind == "rate":
        return percent(value)
    return f"{value:,}"


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    """``report`` as an A4 PDF."""
    font = pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    right = ParagraphStyle("right", parent=body, alignment=2)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1)
    subtitle = ParagraphStyle("subtitle", parent=body, alignment=1, textColor=colors.grey)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=3)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(header: list[str], rows: list[list[str]], widths: list[float], numeric_from: int) -> Table:
        data = [[para(cell, right if index >= numeric_from else body) for index, cell in enumerate(header)]]
        data += [
            [para(cell, right if index >= numeric_from else body) for index, cell in enumerate(row)]
            for row in rows
        ]
        grid = Table(data, colWidths=[width * mm for width in widths], hAlign="LEFT", repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return grid

    month = _("%(year)d年%(month)d月") % {"year": report.month.year, "month": report.month.month}
    period = report.period
    story: list[Flowable] = [
        para(_("%(scope)s %(month)s 经营月报") % {"scope": report.scope, "month": month}, title),
        para(
            _(
                "统计期间 %(start)s 至 %(end)s；对比上月 %(previous_start)s 至 %(previous_end)s；"
                "生成于 %(now)s"
            )
            % {
                "start": period.date_from.isoformat(),
                "end": period.date_to.isoformat(),
                "previous_start": report.previous.date_from.isoformat(),
                "previous_end": report.previous.date_to.isoformat(),
                "now": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            },
            subtitle,
        ),
        Spacer(1, 4 * mm),
        para(_("一、县域经营数字"), heading),
        table(
            [_("指标"), _("本月"), _("上月"), _("环比")],
            [
                [
                    figure.label,
                    _figure(figure.kind, figure.value),
                    _figure(figure.kind, figure.previous),
                    figure.change_shown,
                ]
                for figure in report.figures
            ],
            [70, 35, 35, 25],
            numeric_from=1,
        ),
        para(_("二、收入按业务（平台账本）"), heading),
        table(
            [_("业务"), _("本月"), _("上月"), _("环比")],
            [
                [
                    line.label,
                    format_fen(line.amount_fen),
                    format_fen(line.last_amount_fen),
                    line.change_percent,
                ]
                for line in report.revenue
            ],
            [70, 35, 35, 25],
            numeric_from=1,
        ),
        para(_("三、带来收入最多的村级服务站"), heading),
    ]
    if report.stations:
        story.append(
            table(
                [
                    _("村级服务站"),
                    _("乡镇"),
                    _("佣金"),
                    _("邮费"),
                    _("合计"),
                    _("订单"),
                    _("邮件"),
                    _("服务村民"),
                ],
                [
                    [
                        line.name,
                        line.township,
                        format_fen(line.commission_fen),
                        format_fen(line.postage_fen),
                        format_fen(line.brought_in_fen),
                        str(line.orders),
                        str(line.parcels),
                        str(line.villagers),
                    ]
                    for line in report.stations
                ],
                [36, 20, 22, 22, 24, 14, 14, 18],
                numeric_from=2,
            )
        )
    else:
        story.append(para(_("本月没有村级服务站的业务。")))
    story.append(para(_("四、收入最多的农户"), heading))
    if report.farmers:
        story.append(
            table(
                [_("卖家"), _("类型"), _("本月收入"), _("去年同月"), _("同比")],
                [
                    [
                        line.name,
                        line.kind_label,
                        format_fen(line.income_fen),
                        format_fen(line.last_income_fen),
                        line.change_percent,
                    ]
                    for line in report.farmers
                ],
                [62, 24, 30, 30, 24],
                numeric_from=2,
            )
        )
    else:
        story.append(para(_("本月没有农户结算货款。")))
    story += [
        Spacer(1, 6 * mm),
        para(
            _(
                "说明：订单按下单日、邮件按收寄日或妥投日、货款按结算日计（亚洲/上海时间）；不含已取消、已退款的"
                "订单。农户收入为结算给农户的货款（已扣平台佣金）。收入按业务取自平台账本的收入科目（借贷相抵）。"
                "贷款余额和 PAR30 为当前数字。"
            ),
            subtitle,
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("%(scope)s %(month)s 经营月报") % {"scope": report.scope, "month": month},
    )
    document.build(story)
    return buffer.getvalue()
