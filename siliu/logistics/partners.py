"""Partner couriers (邮快合作): registration, handover manifests, billing, monthly statements and signed
proof-of-delivery webhooks.

Another express company hands a batch of its parcels to the county hub for the last mile. Each row of
its manifest becomes a postal parcel that keeps the partner's own tracking number (so the partner's
labels scan as they are), rides the postal rounds beside postal parcels, and is billed to the partner
per parcel at the e-commerce tariff by zone from the hub: a receivable booked in the ledger in the same
transaction as the manifest. When a partner parcel is delivered, :func:`webhook_deliveries_queue`
(called from :mod:`siliu.logistics.delivery`) owes the partner a signed message, which
:func:`webhook_deliveries_send` posts and retries with exponential backoff.

Decisions
---------
- **No cash on delivery on partner parcels.** A row with ``cod_amount_fen`` > 0 is refused
  (``cod_not_supported``): a COD parcel is remitted to its sender's wallet, and a partner has none. The
  partner collects its own COD; offering it would need a partner payable netted against the receivable.
- **The sender of a partner parcel is the partner**: its name, the handover contact's phone given with
  the manifest (``contact_phone``), and the hub's address as the place of handover.
- **Numbers are matched upper-cased and whole.** A partner's pattern is stored wrapped as
  ``^(?:…)$`` because scans normalise numbers to upper case and match from the start.
- **The same manifest reference twice** returns the first result; sent again with other tracking
  numbers it is refused (``manifest_exists_with_different_rows``) rather than silently ignored.
- **The proof sent back** names the kind of proof and, for a signature, the signer's name (the partner
  needs it for disputes and already knows its customer); never a pickup code or a photo reference.
"""

import csv
import datetime
import hashlib
import hmac
import http.client
import io
import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from siliu.core.money import format_fen
from siliu.core.roles import Actor, acting_user
from siliu.finance import chart
from siliu.finance.models import Account, AccountType, Transfer
from siliu.finance.services import TransferRequest, account_open, transfer_id_is_valid, transfers_book

# Module import, not names: services imports delivery, which imports this module (see delivery.py).
from siliu.logistics import services
from siliu.logistics.models import (
    EventCode,
    Parcel,
    ParcelEvent,
    ParcelStatus,
    Partner,
    PartnerManifest,
    PostagePayment,
    TrackingRange,
    WebhookDelivery,
    WebhookStatus,
    Zone,
)
from siliu.logistics.paths import local_zone
from siliu.logistics.pricing import QuoteRequest
from siliu.logistics.s10 import s10_format, tracking_number_normalise
from siliu.network.models import Outlet, OutletKind

logger = logging.getLogger(__name__)

#: The product partner parcels are carried and billed as.
PARTNER_PRODUCT_CODE = "ecommerce"
#: Most rows one manifest may carry.
MANIFEST_ROW_LIMIT = 2000
#: Ledger category of the per-parcel charges.
CATEGORY_PARTNER_CHARGE = "partner_charge"
#: A webhook is given up (``failed``) after this many unsuccessful attempts.
WEBHOOK_MAX_ATTEMPTS = 10
#: How old a signed timestamp :func:`webhook_signature_verify` accepts by default (replay window).
WEBHOOK_TOLERANCE_SECONDS = 300

MANIFEST_COLUMNS = (
    "partner_tracking_number",
    "recipient_name",
    "recipient_phone",
    "recipient_address",
    "destination_outlet",
    "weight_g",
    "cod_amount_fen",
)
_REQUIRED_COLUMNS = MANIFEST_COLUMNS[:-1]
_DESTINATION_KINDS = (OutletKind.VILLAGE_STATION, OutletKind.TOWNSHIP_OFFICE)
# Short codes keep ``partner:<code>:<number>:charge`` within the ledger's 64-character transfer ids.
_PARTNER_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,15}$")
_DIGITS = re.compile(r"^[0-9]+$")
_PATTERN_MAX_LENGTH = 100  # Partner.number_pattern's max_length
_S10_SAMPLE_INDICATORS = ("EA", "EE", "EM", "CA", "CP", "HA", "LX", "RA", "RR", "UA", "VV")


# ---------------------------------------------------------------------------------------------------
# Partners


def partner_receivable_code(*, partner_code: str) -> str:
    """The ledger account of what a partner owes: ``receivable:partner:<code>``."""
    return f"receivable:partner:{partner_code}"


def partner_charge_id(*, partner_code: str, tracking_number: str) -> str:
    """The transfer id of one parcel's charge: ``partner:<code>:<tracking number>:charge``."""
    return f"partner:{partner_code}:{tracking_number}:charge"


def _manifest_reference(manifest: PartnerManifest) -> str:
    return f"partner-manifest:{manifest.pk}"


def _s10_samples() -> list[str]:
    """S10 numbers a partner pattern must not match: every configured range and common indicators."""
    indicators = {*_S10_SAMPLE_INDICATORS}
    countries = {"CN", "CH", "US"}
    for indicator, country in TrackingRange.objects.values_list("service_indicator", "country_code"):
        indicators.add(indicator)
        countries.add(country)
    return [
        s10_format(service_indicator=indicator, serial=serial, country_code=country)
        for indicator in sorted(indicators)
        for country in sorted(countries)
        for serial in (0, 10_000_000, 12_345_678, 99_999_999)
    ]


def _pattern_normalise(pattern: str) -> str:
    """The pattern anchored at both ends, compiled to check it, and checked against S10 numbers.

    Raises
    ------
    ValidationFailed
        ``invalid_pattern`` (field ``number_pattern``) when it does not compile, is too long, or
        matches an S10 number.
    """
    text = (pattern or "").strip()
    if not text:
        raise ValidationFailed("required", _("单号格式不能为空"), field="number_pattern")
    # Always wrapped: "^A|B$" is anchored at one end per branch only.
    text = f"^(?:{text.removeprefix('^').removesuffix('$')})$"
    if len(text) > _PATTERN_MAX_LENGTH:
        raise ValidationFailed("invalid_pattern", _("单号格式最多 100 个字符"), field="number_pattern")
    try:
        compiled = re.compile(text)
    except re.error as error:
        raise ValidationFailed(
            "invalid_pattern",
            _("单号格式不是有效的正则表达式：%(error)s") % {"error": error},
            field="number_pattern",
        ) from None
    clash = next((number for number in _s10_samples() if compiled.match(number)), None)
    if clash is not None:
        raise ValidationFailed(
            "invalid_pattern",
            _("单号格式与邮政 S10 号码重叠（如 %(number)s），扫描时无法区分") % {"number": clash},
            field="number_pattern",
        )
    return text


@transaction.atomic
def partner_register(
    *, code: str, name: str, number_pattern: str, webhook_url: str = "", webhook_secret: str = ""
) -> Partner:
    """Register a partner courier.

    The number pattern is a regular expression for the partner's tracking numbers, matched against
    the whole upper-cased number: it is stored as ``^(?:…)$``, and must not match S10 numbers, so
    that a scan of a number is never ambiguous. A partner with a webhook URL gets a signing secret
    (a random one if none is given).

    Raises
    ------
    ValidationFailed
        ``invalid_code`` (2–16 lower-case letters, digits and hyphens), ``required`` name,
        ``invalid_pattern``, ``invalid_url``.
    Conflict
        ``partner_exists`` when the code is taken.
    """
    code = (code or "").strip()
    if not _PARTNER_CODE.match(code):
        raise ValidationFailed(
            "invalid_code", _("代码应为 2–16 个小写字母、数字或连字符，如 sf 或 zto-express"), field="code"
        )
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed("required", _("名称不能为空，最多 60 个字"), field="name")
    pattern = _pattern_normalise(number_pattern)
    webhook_url = (webhook_url or "").strip()
    if webhook_url:
        try:
            URLValidator(schemes=["http", "https"])(webhook_url)
        except DjangoValidationError:
            raise ValidationFailed(
                "invalid_url", _("回传地址应为 http(s):// 开头的网址"), field="webhook_url"
            ) from None
    webhook_secret = (webhook_secret or "").strip()
    if webhook_url and not webhook_secret:
        webhook_secret = secrets.token_hex(32)
    if Partner.objects.filter(code=code).exists():
        raise Conflict("partner_exists", _("代码 %(code)s 已被使用") % {"code": code}, field="code")
    return Partner.objects.create(
        code=code, name=name, number_pattern=pattern, webhook_url=webhook_url, webhook_secret=webhook_secret
    )


def partner_list() -> list[Partner]:
    """All partners, by code."""
    return list(Partner.objects.order_by("code"))


def partner_get(*, code: str) -> Partner:
    """The partner with ``code``.

    Raises
    ------
    NotFound
        ``unknown_partner``.
    """
    partner = Partner.objects.filter(code=code).first()
    if partner is None:
        raise NotFound(
            "unknown_partner", _("没有代码为 %(code)s 的合作快递") % {"code": code}, field="partner"
        )
    return partner


# ---------------------------------------------------------------------------------------------------
# Manifests


@dataclass(frozen=True)
class RowError:
    """What is wrong with one manifest row: ``row`` counts data rows from 1 (the CSV header excluded)."""

    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


class ManifestRefused(ValidationFailed):
    """A manifest refused as a whole, with every row error found (HTTP 400).

    The body adds ``rows`` (a list of :class:`RowError`) to the usual shape; ``errors`` keys are
    ``rows.<row>.<field>``.
    """

    http_status: ClassVar[int] = 400

    def __init__(self, row_errors: Sequence[RowError]) -> None:
        super().__init__(
            "manifest_invalid",
            _("交接清单有 %(n)d 处错误，整单未接收") % {"n": len(row_errors)},
            field=None,
        )
        self.row_errors = list(row_errors)

    def as_dict(self) -> dict[str, object]:
        errors: dict[str, list[str]] = {}
        for error in self.row_errors:
            errors.setdefault(f"rows.{error.row}.{error.field}", []).append(error.message)
        return {
            "code": self.code,
            "message": self.message,
            "errors": errors,
            "rows": [error.as_dict() for error in self.row_errors],
        }


@dataclass(frozen=True)
class ManifestResult:
    """A received manifest and its parcels' numbers in row order; ``created`` is false on a replay."""

    manifest: PartnerManifest
    tracking_numbers: list[str]
    created: bool


@dataclass(frozen=True)
class _Row:
    row: int
    number: str
    recipient: "services.Address"
    destination_code: str
    weight_g: int


def manifest_rows_from_csv(content: bytes | str) -> list[dict[str, str]]:
    """Rows of a manifest CSV file as dicts by column name.

    UTF-8 (with or without the BOM Excel writes) and GB18030 (what Chinese Excel saves as "CSV") are
    read; columns may come in any order; extra columns are ignored; blank lines are skipped. Columns:
    ``partner_tracking_number, recipient_name, recipient_phone (E.164), recipient_address,
    destination_outlet, weight_g`` and optionally ``cod_amount_fen``.

    Raises
    ------
    ValidationFailed
        ``invalid_csv`` (field ``file``) for an unreadable file or missing columns.
    """
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise ValidationFailed(
                    "invalid_csv", _("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV"), field="file"
                ) from None
    else:
        text = content.removeprefix("\ufeff")
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [(name or "").strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows = [
            {key: (value or "").strip() for key, value in row.items() if key}
            for row in reader
            if any((value or "").strip() for key, value in row.items() if key)
        ]
    except csv.Error as error:
        raise ValidationFailed(
            "invalid_csv", _("CSV 文件格式错误：%(error)s") % {"error": error}, field="file"
        ) from None
    missing = [column for column in _REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationFailed(
            "invalid_csv", _("CSV 文件缺少列：%(columns)s") % {"columns": ", ".join(missing)}, field="file"
        )
    return rows


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _whole_number(value: object) -> int | None:
    """A non-negative integer from a JSON number or a string of digits; ``None`` if it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    text = _text(value)
    return int(text) if _DIGITS.match(text) else None


def _rows_check(
    *, partner: Partner, rows: Sequence[Mapping[str, object]]
) -> tuple[list[_Row], list[RowError]]:
    """Every row checked on its own and against the others and the parcels already known."""
    errors: list[RowError] = []
    pattern = re.compile(partner.number_pattern)
    numbers = [tracking_number_normalise(_text(row.get("partner_tracking_number"))) for row in rows]
    taken = set(Parcel.objects.filter(tracking_number__in=numbers).values_list("tracking_number", flat=True))
    outlets = {
        outlet.code: outlet
        for outlet in Outlet.objects.filter(code__in={_text(row.get("destination_outlet")) for row in rows})
    }
    seen: set[str] = set()
    checked: list[_Row] = []
    for row_number, (row, number) in enumerate(zip(rows, numbers, strict=True), start=1):

        def refuse(field: str, code: str, message: str, row_number: int = row_number) -> None:
            errors.append(RowError(row_number, field, code, message))

        before = len(errors)
        for column in _REQUIRED_COLUMNS:
            if not _text(row.get(column)):
                refuse(column, "required", _("%(field)s 不能为空") % {"field": column})
        if number:
            if not pattern.match(number):
                refuse(
                    "partner_tracking_number",
                    "invalid_tracking_number",
                    _("单号 %(number)s 不符合 %(partner)s 的单号格式")
                    % {"number": number, "partner": partner.name},
                )
            elif len(number) > 40 or not transfer_id_is_valid(
                partner_charge_id(partner_code=partner.code, tracking_number=number)
            ):
                refuse(
                    "partner_tracking_number",
                    "invalid_tracking_number",
                    _("单号 %(number)s 过长或含有不允许的字符") % {"number": number},
                )
            elif number in seen:
                refuse(
                    "partner_tracking_number",
                    "duplicate_in_manifest",
                    _("单号 %(number)s 在本清单中重复") % {"number": number},
                )
            elif number in taken:
                refuse(
                    "partner_tracking_number",
                    "duplicate_tracking_number",
                    _("单号 %(number)s 的邮件已存在") % {"number": number},
                )
            seen.add(number)
        destination_code = _text(row.get("destination_outlet"))
        if destination_code:
            outlet = outlets.get(destination_code)
            if outlet is None or not outlet.is_active:
                refuse(
                    "destination_outlet",
                    "unknown_outlet",
                    _("没有编码为 %(code)s 的网点") % {"code": destination_code},
                )
            elif outlet.kind not in _DESTINATION_KINDS:
                refuse(
                    "destination_outlet",
                    "invalid_destination",
                    _("投递网点应为村服务站或乡镇邮政所：%(code)s") % {"code": destination_code},
                )
        weight_g = _whole_number(row.get("weight_g"))
        if _text(row.get("weight_g")) and not weight_g:
            refuse("weight_g", "invalid_weight", _("重量应为大于 0 的整数（克）"))
        cod_amount = row.get("cod_amount_fen")
        cod_fen = _whole_number(cod_amount) if _text(cod_amount) else 0
        if cod_fen is None:
            refuse("cod_amount_fen", "invalid_amount", _("代收货款应为不小于 0 的整数（分）"))
        elif cod_fen > 0:
            refuse("cod_amount_fen", "cod_not_supported", _("合作快递邮件不办理代收货款"))
        if len(errors) == before:
            checked.append(
                _Row(
                    row=row_number,
                    number=number,
                    recipient=services.Address(
                        _text(row.get("recipient_name")),
                        _text(row.get("recipient_phone")),
                        _text(row.get("recipient_address")),
                    ),
                    destination_code=destination_code,
                    weight_g=weight_g or 0,
                )
            )
    return checked, errors


def _row_error_order(error: RowError) -> tuple[int, int]:
    columns = list(MANIFEST_COLUMNS)
    return error.row, columns.index(error.field) if error.field in columns else len(columns)


def _county_hub() -> Outlet:
    hub = Outlet.objects.filter(kind=OutletKind.COUNTY_HUB, is_active=True).order_by("pk").first()
    if hub is None:
        raise Conflict("no_county_hub", _("网络中没有县级中心，无法接收合作快递邮件"))
    return hub


def manifest_tracking_numbers(*, manifest: PartnerManifest) -> list[str]:
    """The numbers of a manifest's parcels, in row order."""
    return list(manifest.parcels.order_by("pk").values_list("tracking_number", flat=True))


def _replay(manifest: PartnerManifest, rows: Sequence[Mapping[str, object]]) -> ManifestResult:
    numbers = manifest_tracking_numbers(manifest=manifest)
    asked = {tracking_number_normalise(_text(row.get("partner_tracking_number"))) for row in rows}
    if asked != set(numbers):
        raise Conflict(
            "manifest_exists_with_different_rows",
            _("交接单号 %(reference)s 已接收过，且邮件与本次不同；更正请使用新的交接单号")
            % {"reference": manifest.reference},
            field="reference",
        )
    return ManifestResult(manifest=manifest, tracking_numbers=numbers, created=False)


@transaction.atomic
def manifest_receive(
    *,
    partner: Partner,
    reference: str,
    rows: Sequence[Mapping[str, object]],
    contact_phone: str,
    received_by: Actor | None,
    now: datetime.datetime | None = None,
) -> ManifestResult:
    """Receive a partner's handover manifest at the county hub: all rows or none.

    Each row becomes a parcel from the hub to its destination outlet as product ``ecommerce``, paid by
    the partner's monthly bill, keeping the partner's tracking number; each is charged its fee to the
    partner's receivable (transfer ``partner:<code>:<number>:charge``, debit
    ``receivable:partner:<code>``, credit postage income), all in one transaction. The same
    ``reference`` again returns the first result without writing anything.

    Parameters
    ----------
    rows
        Dicts with :data:`MANIFEST_COLUMNS` (strings from a CSV file, or JSON values).
    contact_phone
        The partner's handover contact (E.164), recorded as the parcels' sender phone.

    Raises
    ------
    ManifestRefused
        With every row error found (row, field, code, message); nothing is written.
    ValidationFailed
        ``required`` reference, ``invalid_phone`` contact, ``manifest_empty``, ``manifest_too_large``,
        ``partner_inactive``.
    Conflict
        ``manifest_exists_with_different_rows`` when the reference was used for other parcels.
    """
    now = now or timezone.now()
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ValidationFailed("required", _("交接单号不能为空，最多 64 个字符"), field="reference")
    existing = PartnerManifest.objects.filter(partner=partner, reference=reference).first()
    if existing is not None:
        return _replay(existing, rows)
    if not partner.is_active:
        raise ValidationFailed("partner_inactive", _("%(partner)s 已停止合作") % {"partner": partner.name})
    if not rows:
        raise ValidationFailed("manifest_empty", _("交接清单中没有邮件"), field="rows")
    if len(rows) > MANIFEST_ROW_LIMIT:
        raise ValidationFailed(
            "manifest_too_large", _("每份清单最多 %(n)d 件邮件") % {"n": MANIFEST_ROW_LIMIT}, field="rows"
        )
    contact_phone = services.phone_normalize(contact_phone, "contact_phone")
    hub = _county_hub()
    # Rows that pass the checks are still created (and rolled back) when others fail, so that the
    # refusal lists what parcel creation finds wrong with them too (phones, weights over the limit).
    checked, errors = _rows_check(partner=partner, rows=rows)
    try:
        with transaction.atomic():
            manifest = PartnerManifest.objects.create(
                partner=partner, reference=reference, received_at=now, received_by=acting_user(received_by)
            )
    except IntegrityError:
        # A concurrent first send of this reference committed first: answer as a replay of it.
        return _replay(PartnerManifest.objects.get(partner=partner, reference=reference), rows)

    sender = services.Address(partner.name, contact_phone, hub.address or hub.name)
    parcels: list[Parcel] = []
    for row in checked:
        try:
            with transaction.atomic():
                parcels.append(
                    _parcel_create(partner, row, sender=sender, hub=hub, actor=received_by, now=now)
                )
        except DomainError as error:
            errors.append(RowError(row.row, error.field or "", error.code, error.message))
        except IntegrityError:
            errors.append(
                RowError(
                    row.row,
                    "partner_tracking_number",
                    "duplicate_tracking_number",
                    _("单号 %(number)s 的邮件已存在") % {"number": row.number},
                )
            )
    if errors:
        raise ManifestRefused(sorted(errors, key=_row_error_order))
    Parcel.objects.filter(pk__in=[parcel.pk for parcel in parcels]).update(manifest=manifest)

    receivable = account_open(
        code=partner_receivable_code(partner_code=partner.code),
        name=_("应收合作快递款：%(partner)s") % {"partner": partner.name},
        type=AccountType.ASSET,
        allows_negative=False,
        owner_reference=f"partner:{partner.code}",
    )
    charges = [
        TransferRequest(
            id=partner_charge_id(partner_code=partner.code, tracking_number=parcel.tracking_number),
            debit_account=receivable.code,
            credit_account=chart.POSTAGE_INCOME,
            amount_fen=parcel.fee_fen,
            category=CATEGORY_PARTNER_CHARGE,
            reference=_manifest_reference(manifest),
        )
        for parcel in parcels
        if parcel.fee_fen
    ]
    transfers_book(charges, actor=received_by, now=now)
    manifest.parcel_count = len(parcels)
    manifest.save(update_fields=["parcel_count"])
    return ManifestResult(
        manifest=manifest, tracking_numbers=[parcel.tracking_number for parcel in parcels], created=True
    )


def _parcel_create(
    partner: Partner,
    row: _Row,
    *,
    sender: "services.Address",
    hub: Outlet,
    actor: Actor | None,
    now: datetime.datetime,
) -> Parcel:
    return services.parcel_create(
        request=QuoteRequest(
            product_code=PARTNER_PRODUCT_CODE,
            origin_outlet_code=hub.code,
            destination_outlet_code=row.destination_code,
            weight_g=row.weight_g,
        ),
        sender=sender,
        recipient=row.recipient,
        postage_payment=PostagePayment.PARTNER,
        partner=partner,
        partner_tracking_number=row.number,
        actor=actor,
        now=now,
    )


# ---------------------------------------------------------------------------------------------------
# Monthly statements


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


# ---------------------------------------------------------------------------------------------------
# Proof of delivery webhooks


def webhook_payload(*, parcel: Parcel, event: ParcelEvent, partner: Partner) -> dict[str, Any]:
    """What the partner is told of a delivery: its number, when, where, and the kind of proof."""
    proof: dict[str, str]
    if event.proof_signature_name:
        proof = {"type": "signature", "signer_name": event.proof_signature_name}
    elif event.proof_pickup_code:
        proof = {"type": "pickup_code"}
    else:
        proof = {"type": "photo"}
    outlet = event.outlet
    return {
        "event": "delivered",
        "partner": partner.code,
        "partner_tracking_number": parcel.partner_tracking_number or parcel.tracking_number,
        "status": "delivered",
        "delivered_at": event.occurred_at.astimezone(datetime.UTC).isoformat(),
        "outlet_code": outlet.code if outlet is not None else "",
        "proof": proof,
    }


def webhook_deliveries_queue(
    *, delivered: Sequence[tuple[Parcel, ParcelEvent]], now: datetime.datetime
) -> list[WebhookDelivery]:
    """Owe each partner whose parcel was just delivered a proof-of-delivery message, due now.

    Called inside the scan's transaction; the message is sent by :func:`webhook_deliveries_send` (the
    ``webhooks_deliver`` task, also enqueued once the transaction commits). Partners without a
    webhook URL are skipped.
    """
    partner_ids = {parcel.partner_id for parcel, _event in delivered if parcel.partner_id is not None}
    if not partner_ids:
        return []
    partners = {
        partner.pk: partner for partner in Partner.objects.filter(pk__in=partner_ids).exclude(webhook_url="")
    }
    owed = [(parcel, event) for parcel, event in delivered if parcel.partner_id in partners]
    if not owed:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                partner=partners[parcel.partner_id],  # type: ignore[index]
                parcel=parcel,
                event=event,
                payload=webhook_payload(parcel=parcel, event=event, partner=partners[parcel.partner_id]),  # type: ignore[index]
                next_attempt_at=now,
            )
            for parcel, event in owed
        ]
    )
    transaction.on_commit(_webhooks_deliver_enqueue, robust=True)
    return deliveries


def _webhooks_deliver_enqueue() -> None:
    # Imported here: the tasks module imports this one.
    from siliu.logistics.tasks import webhooks_deliver

    webhooks_deliver.enqueue()


def webhook_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def webhook_signature(*, secret: str, timestamp: int | str, body: bytes | str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 with ``secret`` of ``f"{timestamp}.{body}"``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_signature_verify(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    *,
    now: datetime.datetime | None = None,
    tolerance_seconds: int = WEBHOOK_TOLERANCE_SECONDS,
) -> bool:
    """Whether a webhook request really comes from Siliu: what a partner runs on each request.

    Siliu sends ``POST`` with a JSON body and two headers:

    - ``X-Siliu-Timestamp``: Unix time in seconds when it was signed;
    - ``X-Siliu-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the partner's secret, of the
      timestamp, a full stop and the raw body bytes (``f"{timestamp}.{body}"``).

    Verify over the raw bytes received (before any JSON parsing), compare in constant time, and refuse
    old timestamps so that a captured request cannot be replayed. ``X-Siliu-Delivery`` identifies the
    message: a retry of a message already processed carries the same value.

    Parameters
    ----------
    secret
        The partner's webhook secret.
    timestamp
        The ``X-Siliu-Timestamp`` header, as received.
    body
        The raw request body.
    signature
        The ``X-Siliu-Signature`` header.
    now
        The current time (default: now).
    tolerance_seconds
        Largest accepted difference between ``timestamp`` and ``now``, in seconds; 0 turns the check off.
    """
    text = str(timestamp).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text):
        return False
    if tolerance_seconds:
        current = (now or timezone.now()).timestamp()
        if abs(current - int(text)) > tolerance_seconds:
            return False
    expected = webhook_signature(secret=secret, timestamp=text, body=body)
    return hmac.compare_digest(expected.encode(), (signature or "").strip().encode())


def webhook_backoff(*, attempt_count: int) -> datetime.timedelta:
    """The wait after the ``attempt_count``-th failure: 1, 2, 4, … minutes."""
    return datetime.timedelta(minutes=2 ** (attempt_count - 1))


@dataclass(frozen=True)
class WebhookSendSummary:
    """How a sending round went: ``retrying`` were rescheduled, ``given_up`` marked failed."""

    attempted: int
    delivered: int
    retrying: int
    given_up: int


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: a POST must reach the registered URL itself."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery, *, now: datetime.datetime, timeout_seconds: float) -> str | None:
    """Send one message; ``None`` on a 2xx answer, else what went wrong. Never raises for the network."""
    partner = delivery.partner
    body = webhook_body(delivery.payload)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(
        partner.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Siliu-Webhook/1",
            "X-Siliu-Delivery": str(delivery.pk),
            "X-Siliu-Timestamp": str(timestamp),
            "X-Siliu-Signature": webhook_signature(
                secret=partner.webhook_secret, timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout_seconds) as response:
            status = response.status
            response.read(1024)
    except urllib.error.HTTPError as error:
        error.close()
        return f"HTTP {error.code} {error.reason}"
    except (OSError, ValueError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def webhook_deliveries_send(
    *, now: datetime.datetime | None = None, limit: int = 100, timeout_seconds: float = 10.0
) -> WebhookSendSummary:
    """POST the proof-of-delivery messages that are due, signed, and record what became of each.

    A 2xx answer marks a message delivered. Anything else (another status, a redirect, a timeout, a
    refused connection) adds an attempt, records the error and schedules the next try after 1, 2, 4, …
    minutes; after :data:`WEBHOOK_MAX_ATTEMPTS` the message is given up (``failed``). Network errors
    are never raised. Messages are claimed in a short transaction (``SKIP LOCKED`` on PostgreSQL, and
    their next attempt pushed past the sending time), so two workers never send the same one at once,
    and no transaction is held open while waiting on a partner's server.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partner")
            .filter(status=WebhookStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        lease_until = now + datetime.timedelta(seconds=timeout_seconds * 2 + 60)
        WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in due]).update(
            next_attempt_at=lease_until
        )
    delivered = retrying = given_up = 0
    for delivery in due:
        error = _post(delivery, now=now, timeout_seconds=timeout_seconds)
        attempts = delivery.attempt_count + 1
        if error is None:
            delivered += 1
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookStatus.DELIVERED,
                attempt_count=F("attempt_count") + 1,
                delivered_at=now,
                last_error="",
            )
            continue
        logger.warning("webhook %s to %s failed: %s", delivery.pk, delivery.partner.code, error)
        if attempts >= WEBHOOK_MAX_ATTEMPTS:
            given_up += 1
            status = WebhookStatus.FAILED
        else:
            retrying += 1
            status = WebhookStatus.PENDING
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempt_count=F("attempt_count") + 1,
            last_error=error[:300],
            next_attempt_at=now + webhook_backoff(attempt_count=attempts),
        )
    return WebhookSendSummary(attempted=len(due), delivered=delivered, retrying=retrying, given_up=given_up)
