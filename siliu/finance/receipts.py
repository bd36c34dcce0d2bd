"""Counter slips for a 58 mm thermal printer: a receipt per drawer movement, the day close report.

A 58 mm roll prints about 48 mm wide; the page is as long as its lines. Amounts are printed in
figures and in Chinese capitals (大写, :func:`siliu.core.money.fen_in_capitals`) as on any counter
slip; the villager is masked as on the counter's list.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from siliu.core.money import fen_in_capitals, format_fen
from siliu.core.pdf import pdf_font
from siliu.finance.selectors import DayCloseReport, DrawerLine
from siliu.network.models import Outlet

WIDTH = 58 * mm
MARGIN = 5 * mm
LINE = 4.2 * mm
FONT_SIZE = 8


def _wrap(text: str, *, font: str, size: float, width: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` points, character by character."""
    lines, current = [], ""
    for character in text:
        if current and stringWidth(current + character, font, size) > width:
            lines.append(current)
            current = ""
        current += character
    return [*lines, current] if current or not lines else lines


def slip_pdf(title: str, outlet: Outlet, rows: list[tuple[str, str]]) -> bytes:
    """A slip: the outlet's name and address, ``title``, then ``label：value`` rows, each wrapped."""
    font = pdf_font()
    usable = WIDTH - 2 * MARGIN
    body: list[tuple[str, float, bool]] = []  # (text, size, centred)
    for text in _wrap(outlet.name, font=font, size=11, width=usable):
        body.append((text, 11, True))
    for text in _wrap(outlet.address, font=font, size=FONT_SIZE - 1, width=usable):
        body.append((text, FONT_SIZE - 1, True))
    body.append((title, 10, True))
    body.append(("-" * 40, FONT_SIZE, False))
    for label, value in rows:
        if not label:
            body.append(("-" * 40, FONT_SIZE, False))
            continue
        for text in _wrap(f"{label}：{value}", font=font, size=FONT_SIZE, width=usable):
            body.append((text, FONT_SIZE, False))
    height = 2 * MARGIN + LINE * (len(body) + 1)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, height))
    pdf.setTitle(title)
    y = height - MARGIN - LINE
    for text, size, centred in body:
        pdf.setFont(font, size)
        if centred:
            pdf.drawCentredString(WIDTH / 2, y, text)
        else:
            pdf.drawString(MARGIN, y, text[: int(usable // 2)] if text.startswith("-") else text)
        y -= LINE
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def receipt_rows(*, line: DrawerLine) -> list[tuple[str, str]]:
    """What a receipt says under the outlet's name: when, what, for whom, the amount in figures and
    大写, the transaction number and who handled it."""
    rows = [
        (_("时间"), timezone.localtime(line.at).strftime("%Y-%m-%d %H:%M:%S")),
        (_("业务"), line.kind),
        (_("客户"), line.customer or "—"),
    ]
    if line.detail:
        rows.append((_("摘要"), line.detail))
    rows += [
        (_("金额"), format_fen(line.amount_fen)),
        (_("大写"), fen_in_capitals(line.amount_fen)),
        (_("流水号"), line.transfer_id),
        (_("经办"), line.operator or "—"),
    ]
    return rows


def receipt_pdf(*, outlet: Outlet, line: DrawerLine) -> bytes:
    """The receipt of one drawer movement (:func:`receipt_rows`) under the outlet's name and address."""
    return slip_pdf(_("现金业务回单"), outlet, receipt_rows(line=line))


def day_close_pdf(*, report: DayCloseReport) -> bytes:
    """The day close (日结) report: the day's figures, the count and difference, who closed and signed off."""
    drawer, close = report.drawer, report.close
    rows = [
        (_("营业日"), drawer.business_on.isoformat()),
        (_("上日结存"), format_fen(drawer.opening_fen)),
        (
            _("现金收入"),
            f"{format_fen(drawer.cash_in_fen)}（{len([x for x in drawer.lines if x.cash_in])} 笔）",
        ),
        (
            _("现金支出"),
            f"{format_fen(drawer.cash_out_fen)}（{len([x for x in drawer.lines if not x.cash_in])} 笔）",
        ),
        (_("账面应有"), format_fen(report.expected_fen)),
        (_("大写"), fen_in_capitals(report.expected_fen)),
    ]
    if close is not None:
        rows += [
            ("", ""),
            (_("实点现金"), format_fen(close.counted_cash_fen)),
            (_("大写"), fen_in_capitals(close.counted_cash_fen)),
            (_("长短款"), format_fen(close.difference_fen)),
            (_("日结人"), close.closed_by.get_username()),
            (_("日结时间"), timezone.localtime(close.closed_at).strftime("%Y-%m-%d %H:%M")),
        ]
        sign_off = getattr(close, "sign_off", None)
        if close.needs_sign_off and sign_off is not None:
            signed_at = timezone.localtime(sign_off.signed_off_at)
            rows.append(
                (_("县级签核"), f"{sign_off.signed_off_by.get_username()} {signed_at:%Y-%m-%d %H:%M}")
            )
        elif close.needs_sign_off:
            rows.append((_("县级签核"), _("待签核")))
    rows += [("", ""), (_("经办人签字"), ""), (_("复核人签字"), "")]
    return slip_pdf(_("网点日结报告"), drawer.outlet, rows)
