"""The loan contract (借款合同) as a PDF: the terms as drawn, the schedule, the rules of repayment and the
signature line. The font is embedded (:func:`siliu.core.pdf.pdf_font`) so that it prints anywhere.

Before signing, the schedule is a preview built from today (:func:`siliu.lending.schedules.schedule_build`);
once signed, it is the stored installments, fixed from the day the money was paid out.
"""

import datetime
import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from siliu.core.money import fen_in_capitals, format_fen
from siliu.core.names import person_name
from siliu.core.pdf import pdf_font
from siliu.lending.loans.models import Loan, LoanInstallment, LoanStatus
from siliu.lending.products import RepaymentMethod
from siliu.lending.schedules import schedule_build
from siliu.lending.templatetags.lending import bp_percent_filter as bp_percent

#: The lender named on every contract.
LENDER = "四流平台 贷款资金"


def contract_schedule(
    loan: Loan, *, today: datetime.date | None = None
) -> list[tuple[int, datetime.date, int, int]]:
    """The rows (n, due date, principal fen, interest fen) the contract prints: the stored installments
    once signed, else a preview from ``today``; none for a credit line before it is signed."""
    stored = list(LoanInstallment.objects.filter(loan=loan).order_by("n"))
    if stored:
        return [(row.n, row.due_on, row.principal_fen, row.interest_fen) for row in stored]
    if loan.method == RepaymentMethod.CREDIT_LINE:
        return []
    schedule = schedule_build(
        method=loan.method,
        amount_fen=loan.amount_fen,
        annual_rate_bp=loan.annual_rate_bp,
        term_months=loan.term_months,
        start_date=today or timezone.localdate(),
        harvest_months=loan.harvest_months,
    )
    return [(item.n, item.due_date, item.principal_fen, item.interest_fen) for item in schedule.installments]


def contract_pdf(*, loan: Loan, today: datetime.date | None = None) -> bytes:
    """The contract of ``loan`` as an A4 PDF."""
    font = pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=20, spaceBefore=6)
    signed = loan.status not in (LoanStatus.CONTRACTED, LoanStatus.CANCELLED)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    terms: list[tuple[str, str]] = [
        (_("合同编号"), loan.number),
        (_("借款人"), person_name(loan.borrower)),
        (_("贷款人"), LENDER),
        (_("贷款产品"), loan.product.name),
        (
            _("授信额度") if loan.method == RepaymentMethod.CREDIT_LINE else _("借款金额"),
            f"{format_fen(loan.amount_fen)}（{_('人民币')}{fen_in_capitals(loan.amount_fen)}）",
        ),
        (_("年利率"), bp_percent(loan.annual_rate_bp)),
        (_("还款方式"), str(RepaymentMethod(loan.method).label)),
        (_("期限"), _("%(months)d 个月") % {"months": loan.term_months}),
        (
            _("罚息"),
            _("逾期本金按年利率 %(rate)s 计收罚息，宽限期 %(days)d 天")
            % {"rate": bp_percent(loan.penalty_rate_bp), "days": loan.grace_days},
        ),
        (
            _("销售回款扣还"),
            _("平台结算货款时，按应付货款的 %(share)s 先归还到期欠款")
            % {"share": bp_percent(loan.sweep_share_bp)},
        ),
    ]
    if loan.harvest_months:
        months = "、".join(str(month) for month in loan.harvest_months)
        terms.append((_("收获月份"), _("%(months)s 月") % {"months": months}))
    if loan.start_on:
        terms.append((_("起息日"), loan.start_on.isoformat()))
    story: list[Flowable] = [para(_("借款合同"), title), Spacer(1, 4 * mm)]
    table = Table(
        [[para(label), para(value)] for label, value in terms], colWidths=[32 * mm, 138 * mm], hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]
    rows = contract_schedule(loan, today=today)
    story.append(
        para(_("还款计划") if signed else _("还款计划（预览：按今天放款计算，以签约放款日为准）"), heading)
    )
    if rows:
        header = [_("期次"), _("到期日"), _("本金"), _("利息"), _("合计")]
        data = [[para(cell) for cell in header]] + [
            [
                para(str(n)),
                para(due.isoformat()),
                para(format_fen(principal)),
                para(format_fen(interest)),
                para(format_fen(principal + interest)),
            ]
            for n, due, principal, interest in rows
        ]
        schedule = Table(
            data, colWidths=[16 * mm, 34 * mm, 40 * mm, 40 * mm, 40 * mm], hAlign="LEFT", repeatRows=1
        )
        schedule.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ]
            )
        )
        story.append(schedule)
    else:
        story.append(
            para(_("随借随还：额度内随时支用、随时归还，按实际用款金额和天数计息，到期日归还全部本息。"))
        )
    story += [
        para(_("还款规则"), heading),
        para(
            _(
                "还款顺序：每笔还款先冲抵罚息，再冲抵利息，最后冲抵本金，先到期的期次优先；"
                "提前还款时先付至当日的利息，再从最后一期起归还本金。"
            )
        ),
        para(
            _(
                "计息规则：按日计息（随借随还、提前还款、罚息）的日利率 = 年利率 ÷ 360；"
                "按期还款的利息按月利率（年利率 ÷ 12）计算，四舍五入到分。"
            )
        ),
        para(_("到期日当晚从借款人钱包自动扣款；钱包余额不足的部分可到村服务站柜台现金归还。")),
        Spacer(1, 10 * mm),
    ]
    signed_on = timezone.localtime(loan.disbursed_at).date().isoformat() if loan.disbursed_at else ""
    signature = [
        [
            para(_("借款人（签字）：%(name)s") % {"name": person_name(loan.borrower) if signed else ""}),
            para(_("贷款人：%(lender)s") % {"lender": LENDER}),
        ],
        [
            para(_("签约日期：%(day)s") % {"day": signed_on or "________"}),
            para(
                _("合同生成日期：%(day)s")
                % {"day": timezone.localtime(loan.contracted_at).date().isoformat()}
            ),
        ],
    ]
    story.append(Table(signature, colWidths=[85 * mm, 85 * mm], hAlign="LEFT"))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("借款合同 %(number)s") % {"number": loan.number},
    )
    document.build(story)
    return buffer.getvalue()
