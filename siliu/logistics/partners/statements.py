"""A partner's monthly statement: each parcel handed over, its charge and what became of it, as data,
CSV and XLSX.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.core.money import format_fen
from siliu.finance.models import Account, Transfer
from siliu.logistics.models import (
    EventCode,
    Parcel,
    ParcelEvent,
    ParcelStatus,
    Partner,
    PartnerManifest,
    Zone,
)
from siliu.logistics.partners.services import (
    CATEGORY_PARTNER_CHARGE,
    partner_charge_id,
    partner_receivable_code,
)
from siliu.logistics.pricing.paths import local_zone


@dataclass(frozen=True)
class StatementLine:
    """One parcel handed over in the month and what it was charged."""

    tracking_number: str
    handed_over_at: datetime.datetime
    destination_outlet: str
    zone: str
    weight_g: int
    chargeable_weight_g: int
    charge_fen: int
    status: str
    delivered_at: datetime.datetime | None

    @property
    def status_label(self) -> str:
        return str(ParcelStatus(self.status).label)

    @property
    def zone_label(self) -> str:
        return str(Zone(self.zone).label)


@dataclass(frozen=True)
class PartnerStatement:
    """A partner's month (local time, ``[period_start, period_end)``): counts, charges and their total.

    ``handed_over_count`` counts parcels received in the month, ``delivered_count`` parcels delivered in
    it, ``failed_count`` parcels with an unsuccessful delivery attempt in it; ``total_charges_fen`` is the
    sum of the charges posted to the partner's receivable in the month (the ledger is the source).
    """

    partner: Partner
    month: str
    period_start: datetime.datetime
    period_end: datetime.datetime
    manifests: list[PartnerManifest]
    lines: list[StatementLine]
    handed_over_count: int
    delivered_count: int
    failed_count: int
    total_charges_fen: int
    receivable_balance_fen: int


def statement_month_bounds(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of month ``YYYY-MM`` and of the next, in the county's time zone.

    Raises
    ------
    ValidationFailed
        ``invalid_month`` (field ``month``).
    """
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", month or "")
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValidationFailed("invalid_month", _("月份应写作 YYYY-MM，如 2026-11"), field="month")
    year, number = int(match.group(1)), int(match.group(2))
    zone = local_zone()
    start = datetime.datetime(year, number, 1, tzinfo=zone)
    end = datetime.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start, end


def partner_statement(*, partner: Partner, month: str) -> PartnerStatement:
    """The partner's monthly statement: parcels handed over, delivered, failed; charges and total.

    Raises
    ------
    ValidationFailed
        ``invalid_month``.
    """
    start, end = statement_month_bounds(month)
    receivable_code = partner_receivable_code(partner_code=partner.code)
    charges = Transfer.objects.filter(
        category=CATEGORY_PARTNER_CHARGE,
        debit_account__code=receivable_code,
        created_at__gte=start,
        created_at__lt=end,
    )
    amounts = dict(charges.values_list("id", "amount_fen"))
    handed_over = (
        Parcel.objects.filter(partner=partner, created_at__gte=start, created_at__lt=end)
        .select_related("destination_outlet")
        .order_by("created_at", "pk")
    )
    lines = [
        StatementLine(
            tracking_number=parcel.tracking_number,
            handed_over_at=parcel.created_at,
            destination_outlet=parcel.destination_outlet.code if parcel.destination_outlet else "",
            zone=parcel.zone,
            weight_g=parcel.weight_g,
            chargeable_weight_g=parcel.chargeable_weight_g,
            charge_fen=amounts.get(
                partner_charge_id(partner_code=partner.code, tracking_number=parcel.tracking_number), 0
            ),
            status=parcel.status,
            delivered_at=parcel.delivered_at,
        )
        for parcel in handed_over
    ]
    receivable = Account.objects.filter(code=receivable_code).first()
    return PartnerStatement(
        partner=partner,
        month=month,
        period_start=start,
        period_end=end,
        manifests=list(
            PartnerManifest.objects.filter(
                partner=partner, received_at__gte=start, received_at__lt=end
            ).order_by("received_at", "pk")
        ),
        lines=lines,
        handed_over_count=len(lines),
        delivered_count=Parcel.objects.filter(
            partner=partner, status=ParcelStatus.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
        ).count(),
        failed_count=ParcelEvent.objects.filter(
            parcel__partner=partner,
            code=EventCode.DELIVERY_FAILED,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values("parcel_id")
        .distinct()
        .count(),
        total_charges_fen=sum(amounts.values()),
        receivable_balance_fen=receivable.balance_fen if receivable is not None else 0,
    )


STATEMENT_CSV_COLUMNS = (
    "partner_tracking_number",
    "handed_over_at",
    "destination_outlet",
    "zone",
    "weight_g",
    "chargeable_weight_g",
    "charge_fen",
    "charge_yuan",
    "status",
    "delivered_at",
)


def _local(moment: datetime.datetime | None) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""


def _statement_rows(statement: PartnerStatement) -> tuple[list[list[object]], list[list[object]]]:
    """The statement as table rows (the lines) and summary rows (name, value)."""
    lines: list[list[object]] = [
        [
            line.tracking_number,
            _local(line.handed_over_at),
            line.destination_outlet,
            line.zone,
            line.weight_g,
            line.chargeable_weight_g,
            line.charge_fen,
            format_fen(line.charge_fen, symbol=False),
            line.status,
            _local(line.delivered_at),
        ]
        for line in statement.lines
    ]
    summary: list[list[object]] = [
        ["partner", statement.partner.code],
        ["month", statement.month],
        ["handed_over_count", statement.handed_over_count],
        ["delivered_count", statement.delivered_count],
        ["failed_count", statement.failed_count],
        ["total_charges_fen", statement.total_charges_fen],
        ["total_charges_yuan", format_fen(statement.total_charges_fen, symbol=False)],
    ]
    return lines, summary


def statement_csv(statement: PartnerStatement) -> str:
    """The statement as CSV: one row per parcel, a blank line, then the summary as name,value rows."""
    lines, summary = _statement_rows(statement)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_CSV_COLUMNS)
    writer.writerows(lines)
    writer.writerow([])
    writer.writerows(summary)
    return out.getvalue()


def statement_xlsx(statement: PartnerStatement) -> bytes:
    """The statement as an Excel workbook: sheet 明细 (one row per parcel) and 汇总 (the summary)."""
    from openpyxl import Workbook

    lines, summary = _statement_rows(statement)
    workbook = Workbook()
    detail = workbook.active
    assert detail is not None
    detail.title = "明细"
    detail.append(list(STATEMENT_CSV_COLUMNS))
    for line in lines:
        detail.append(line)
    totals = workbook.create_sheet("汇总")
    for row in summary:
        totals.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def statement_csv_response(statement: PartnerStatement) -> HttpResponse:
    """An attachment ``<partner>-<month>.csv``; shared with the statement page."""
    response = HttpResponse(
        ("\ufeff" + statement_csv(statement)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{statement.partner.code}-{statement.month}.csv"'
    return response
