"""Partner couriers, written: registration and handover manifests, each row a postal parcel billed to
the partner in the same transaction (the decisions are in :mod:`siliu.logistics.partners`).
"""

import csv
import datetime
import io
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, DomainError, ValidationFailed
from siliu.core.roles import Actor, acting_user
from siliu.finance import chart
from siliu.finance.models import AccountType
from siliu.finance.services import TransferRequest, account_open, transfer_id_is_valid, transfers_book
from siliu.logistics.models import (
    Parcel,
    Partner,
    PartnerManifest,
    PostagePayment,
    TrackingRange,
)
from siliu.logistics.parcels.s10 import s10_format, tracking_number_normalise
from siliu.logistics.parcels.services import Address, parcel_create, phone_normalize
from siliu.logistics.partners.selectors import manifest_tracking_numbers
from siliu.logistics.pricing.quotes import MAX_WEIGHT_G, QuoteRequest
from siliu.network.models import Outlet, OutletKind

#: The product partner parcels are carried and billed as.
PARTNER_PRODUCT_CODE = "ecommerce"
#: Most rows one manifest may carry.
MANIFEST_ROW_LIMIT = 2000
#: Ledger category of the per-parcel charges.
CATEGORY_PARTNER_CHARGE = "partner_charge"

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
#: A whole number as text: at most 18 digits, so it is below 2⁶³ and int() never meets a giant.
_DIGITS = re.compile(r"^[0-9]{1,18}$")
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


#: Hosts a webhook may be sent to over plain HTTP: this machine (a partner's adapter beside Siliu, tests).
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _webhook_url_clean(url: str) -> str:
    """The URL stripped; https, or http to this machine only (a proof of delivery names a person).

    Raises
    ------
    ValidationFailed
        ``invalid_url`` (field ``webhook_url``).
    """
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationFailed(
            "invalid_url", _("回传地址应为 https:// 开头的网址"), field="webhook_url"
        ) from None
    host = urlsplit(url).netloc.rsplit("@", 1)[-1].lower()
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if url.lower().startswith("http://") and host not in _LOOPBACK_HOSTS:
        raise ValidationFailed(
            "insecure_url", _("回传地址须使用 https（仅本机地址可用 http）"), field="webhook_url"
        )
    return url


def _secret_new() -> str:
    return secrets.token_hex(32)


@transaction.atomic
def partner_update(
    *, partner: Partner, name: str, number_pattern: str, webhook_url: str, is_active: bool
) -> tuple[Partner, str]:
    """Change a partner's name, number pattern, webhook URL and whether it is active; the code stays.

    Returns the partner and, when a webhook URL is set for a partner that had no secret, the new
    secret (to be shown once), else ``""``.

    Raises what :func:`partner_register` raises for these fields.
    """
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed("required", _("名称不能为空，最多 60 个字"), field="name")
    pattern = _pattern_normalise(number_pattern)
    url = _webhook_url_clean(webhook_url)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    new_secret = _secret_new() if url and not partner.webhook_secret else ""
    partner.name, partner.number_pattern, partner.webhook_url = name, pattern, url
    partner.is_active = is_active
    partner.webhook_secret = new_secret or partner.webhook_secret
    partner.save(update_fields=["name", "number_pattern", "webhook_url", "is_active", "webhook_secret"])
    return partner, new_secret


@transaction.atomic
def partner_secret_rotate(*, partner: Partner) -> tuple[Partner, str]:
    """Give the partner a new webhook signing secret and return it (shown once: pages never show a
    stored secret again). Messages already owed are signed with the new one when sent."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    partner.webhook_secret = _secret_new()
    partner.save(update_fields=["webhook_secret"])
    return partner, partner.webhook_secret


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
        ``invalid_pattern``, ``invalid_url``, ``insecure_url`` (http to another machine than this).
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
    webhook_url = _webhook_url_clean(webhook_url)
    webhook_secret = (webhook_secret or "").strip()
    if webhook_url and not webhook_secret:
        webhook_secret = _secret_new()
    if Partner.objects.filter(code=code).exists():
        raise Conflict("partner_exists", _("代码 %(code)s 已被使用") % {"code": code}, field="code")
    return Partner.objects.create(
        code=code, name=name, number_pattern=pattern, webhook_url=webhook_url, webhook_secret=webhook_secret
    )


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
    recipient: Address
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
    if "\x00" in text:
        # Python's csv reader takes NUL; no database text column does.
        raise ValidationFailed("invalid_csv", _("CSV 文件含有 NUL 字符"), field="file")
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
        elif weight_g and weight_g > MAX_WEIGHT_G:
            refuse("weight_g", "invalid_weight", _("重量不能超过 %(max)d 克") % {"max": MAX_WEIGHT_G})
            weight_g = None
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
                    recipient=Address(
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
    contact_phone = phone_normalize(contact_phone, "contact_phone")
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

    sender = Address(partner.name, contact_phone, hub.address or hub.name)
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
    sender: Address,
    hub: Outlet,
    actor: Actor | None,
    now: datetime.datetime,
) -> Parcel:
    return parcel_create(
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
