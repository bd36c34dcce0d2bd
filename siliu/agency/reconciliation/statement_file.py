"""The provider's daily statement file (``docs/agency-statement-format.md``): read strictly, and written
from our own transactions (for tests and the demo).

A statement is CSV in UTF-8 (a BOM is tolerated), one header row naming the columns
:data:`COLUMNS` in any order (other columns are ignored), then one row per transaction of the day.
Reading refuses the whole file when any row is wrong, naming every faulty line (the header is line 1)
and column.
"""

import csv
import datetime
import io
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from siliu.agency.catalogue import AgencyService, AgencyTransaction, Provider, TransactionStatus
from siliu.agency.counter.services import NUMBER_PATTERN
from siliu.core.errors import DomainError, ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN, parse_yuan

NUMBER: Final = "流水号"
PROVIDER_NUMBER: Final = "委托方流水号"
OCCURRED_AT: Final = "交易时间"
SERVICE: Final = "业务"
AMOUNT: Final = "金额"
ACCOUNT: Final = "客户标识"
#: The columns of a statement, in the order the writer puts them.
COLUMNS: Final = (NUMBER, PROVIDER_NUMBER, OCCURRED_AT, SERVICE, AMOUNT, ACCOUNT)
#: How ``交易时间`` is written: local time (Asia/Shanghai), no zone.
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
#: Most data rows a statement may have, and most bytes.
MAX_LINES: Final = 20_000
MAX_BYTES: Final = 2_000_000
#: Errors reported at most (a wholly wrong file would otherwise list every row).
MAX_ERRORS: Final = 50

_AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")
_PROVIDER_NUMBER = re.compile(r"^[0-9A-Za-z._:/-]{1,40}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class LineError:
    """What is wrong where: ``line`` counts the file's lines from 1 (the header), ``column`` is the
    column's name."""

    line: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message}


class StatementRefused(ValidationFailed):
    """A statement file with faults: nothing of it is kept (HTTP 400).

    The body adds ``lines`` (every :class:`LineError`) to the usual shape; ``errors`` is keyed
    ``lines.<line>.<column>``, and the message names the first fault.
    """

    http_status: ClassVar[int] = 400

    def __init__(self, line_errors: Sequence[LineError]) -> None:
        first = line_errors[0]
        super().__init__(
            "statement_invalid",
            _("对账单有 %(n)d 处错误，未导入。第 %(line)d 行「%(column)s」：%(message)s")
            % {"n": len(line_errors), "line": first.line, "column": first.column, "message": first.message},
            field="file",
        )
        self.line_errors = list(line_errors)

    def as_dict(self) -> dict[str, object]:
        errors: dict[str, list[str]] = {}
        for error in self.line_errors:
            errors.setdefault(f"lines.{error.line}.{error.column}", []).append(error.message)
        return {
            "code": self.code,
            "message": self.message,
            "errors": errors,
            "lines": [error.as_dict() for error in self.line_errors],
        }


@dataclass(frozen=True)
class ParsedLine:
    """One row of a statement, checked."""

    line_number: int
    number: str
    provider_number: str
    occurred_at: datetime.datetime
    service: AgencyService
    amount_fen: int
    account_display: str


def _file_refused(message: str) -> StatementRefused:
    return StatementRefused([LineError(1, _("文件"), "invalid_file", message)])


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise _file_refused(_("文件过大：最多 %(n)d 字节") % {"n": MAX_BYTES})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_refused(_("文件应为 UTF-8 编码的 CSV")) from None
    if "\x00" in text:
        raise _file_refused(_("文件含有 NUL 字符"))
    if not text.strip():
        raise _file_refused(_("文件是空的：至少应有表头行"))
    return text


class _Row:
    """One data row's checks, collecting faults into ``errors``."""

    def __init__(self, line: int, values: Mapping[str, str], errors: list[LineError]) -> None:
        self.line = line
        self.values = values
        self.errors = errors

    def refuse(self, column: str, code: str, message: str) -> None:
        self.errors.append(LineError(self.line, column, code, message))

    def required(self, column: str, *, limit: int) -> str | None:
        value = self.values.get(column, "").strip()
        if not value:
            self.refuse(column, "required", _("不能为空"))
            return None
        if len(value) > limit:
            self.refuse(column, "too_long", _("最多 %(n)d 个字符") % {"n": limit})
            return None
        if _CONTROL.search(value):
            self.refuse(column, "invalid_character", _("含有控制字符"))
            return None
        return value


def statement_file_parse(
    *, content: bytes, provider: Provider, business_on: datetime.date
) -> list[ParsedLine]:
    """The rows of ``provider``'s statement file for ``business_on``, every one checked.

    A row needs our number (``AG`` and 16 digits, once in the file), the provider's own number (1–40
    letters, digits or ``._:/-``, once in the file), the time on ``business_on`` (local time,
    ``YYYY-MM-DD HH:MM:SS``), the code of one of ``provider``'s services, a positive amount in yuan with
    at most two decimals and the customer's identifier as the provider shows it (masked, 1–40
    characters). Blank lines are skipped.

    Raises
    ------
    StatementRefused
        ``statement_invalid`` (field ``file``), listing each fault with its line and column: an
        unreadable or empty file, a missing or repeated column, a row with too many or too few fields,
        or a wrong value.
    """
    text = _text(content)
    errors: list[LineError] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise _file_refused(_("文件是空的：至少应有表头行")) from None
    except csv.Error as error:
        raise _file_refused(_("CSV 格式错误：%(error)s") % {"error": error}) from None
    for column in COLUMNS:
        if column not in header:
            errors.append(LineError(1, column, "missing_column", _("表头缺少这一列")))
        elif header.count(column) > 1:
            errors.append(LineError(1, column, "repeated_column", _("表头中这一列出现了不止一次")))
    if errors:
        raise StatementRefused(errors)
    services = {service.code: service for service in AgencyService.objects.filter(provider=provider)}
    zone = ZoneInfo(settings.TIME_ZONE)
    parsed: list[ParsedLine] = []
    numbers: set[str] = set()
    provider_numbers: set[str] = set()
    count = 0
    try:
        for fields in reader:
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            count += 1
            if count > MAX_LINES:
                errors.append(
                    LineError(line, _("文件"), "too_many_lines", _("最多 %(n)d 行明细") % {"n": MAX_LINES})
                )
                break
            row = _Row(line, dict(zip(header, fields, strict=False)), errors)
            if len(fields) != len(header):
                row.refuse(
                    header[min(len(fields), len(header) - 1)],
                    "wrong_field_count",
                    _("这一行有 %(got)d 个字段，表头有 %(want)d 列")
                    % {"got": len(fields), "want": len(header)},
                )
            else:
                made = _line_check(row, services=services, business_on=business_on, zone=zone)
                if made is not None:
                    if made.number in numbers:
                        row.refuse(NUMBER, "repeated_number", _("流水号 %(n)s 重复") % {"n": made.number})
                    elif made.provider_number in provider_numbers:
                        row.refuse(
                            PROVIDER_NUMBER,
                            "repeated_number",
                            _("委托方流水号 %(n)s 重复") % {"n": made.provider_number},
                        )
                    else:
                        parsed.append(made)
                    numbers.add(made.number)
                    provider_numbers.add(made.provider_number)
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as error:
        errors.append(
            LineError(
                reader.line_num, _("文件"), "invalid_csv", _("CSV 格式错误：%(error)s") % {"error": error}
            )
        )
    if errors:
        raise StatementRefused(errors[:MAX_ERRORS])
    return parsed


def _line_check(
    row: _Row, *, services: Mapping[str, AgencyService], business_on: datetime.date, zone: ZoneInfo
) -> ParsedLine | None:
    before = len(row.errors)
    number = row.required(NUMBER, limit=24)
    if number is not None and not NUMBER_PATTERN.fullmatch(number):
        row.refuse(NUMBER, "invalid_number", _("应为 AG 加 16 位数字（本平台的流水号）"))
    provider_number = row.required(PROVIDER_NUMBER, limit=40)
    if provider_number is not None and not _PROVIDER_NUMBER.fullmatch(provider_number):
        row.refuse(PROVIDER_NUMBER, "invalid_number", _("只能由字母、数字和 . _ : / - 组成"))
    occurred_at = None
    occurred_text = row.required(OCCURRED_AT, limit=19)
    if occurred_text is not None:
        try:
            occurred_at = datetime.datetime.strptime(occurred_text, TIME_FORMAT).replace(tzinfo=zone)
        except ValueError:
            row.refuse(OCCURRED_AT, "invalid_time", _("应写作 YYYY-MM-DD HH:MM:SS（北京时间）"))
        else:
            if occurred_at.date() != business_on:
                row.refuse(
                    OCCURRED_AT, "not_on_day", _("不在对账日 %(day)s") % {"day": business_on.isoformat()}
                )
    service = None
    service_code = row.required(SERVICE, limit=30)
    if service_code is not None:
        service = services.get(service_code)
        if service is None:
            row.refuse(SERVICE, "unknown_service", _("不是该委托方的业务：%(code)s") % {"code": service_code})
    amount_fen = None
    amount_text = row.required(AMOUNT, limit=16)
    if amount_text is not None:
        if not _AMOUNT.fullmatch(amount_text):
            row.refuse(AMOUNT, "invalid_amount", _("应为以元为单位的正数，最多两位小数，如 123.45"))
        else:
            try:
                amount_fen = parse_yuan(amount_text, field=AMOUNT)
            except DomainError as error:
                row.refuse(AMOUNT, error.code, error.message)
            else:
                if not 0 < amount_fen <= MAX_AMOUNT_FEN:
                    row.refuse(AMOUNT, "invalid_amount", _("金额应为正数"))
    account = row.required(ACCOUNT, limit=40)
    if len(row.errors) > before:
        return None
    assert number and provider_number and occurred_at and service and amount_fen and account
    return ParsedLine(
        line_number=row.line,
        number=number,
        provider_number=provider_number,
        occurred_at=occurred_at,
        service=service,
        amount_fen=amount_fen,
        account_display=account,
    )


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementFileLine:
    """One row to write: a transaction as the provider would list it, or one made up."""

    number: str
    provider_number: str
    occurred_at: datetime.datetime
    service_code: str
    amount_fen: int
    account_display: str


def statement_file_line(made: AgencyTransaction, *, provider_number: str | None = None) -> StatementFileLine:
    """``made`` as its provider would list it (its own number made up from ours unless given)."""
    return StatementFileLine(
        number=made.number,
        provider_number=provider_number or f"P{made.number[2:]}",
        occurred_at=made.occurred_at,
        service_code=made.service.code,
        amount_fen=made.amount_fen,
        account_display=made.account_display,
    )


def _yuan(amount_fen: int) -> str:
    yuan, fen = divmod(amount_fen, 100)
    return f"{yuan}.{fen:02d}"


def statement_file_write(
    *,
    provider: Provider,
    business_on: datetime.date,
    drop: Collection[str] = (),
    amounts: Mapping[str, int] | None = None,
    add: Sequence[StatementFileLine] = (),
    bom: bool = False,
) -> bytes:
    """The statement ``provider`` would send for ``business_on`` if it agreed with us: our transactions
    of that day not reversed, in time order; then changed as asked.

    Parameters
    ----------
    drop
        Our numbers to leave out (they become *missing on theirs*).
    amounts
        Our number → the amount in fen to write instead of ours (*amount differs*).
    add
        Rows to add at the end (*missing on ours*: a number we do not know, or a reversed one, e.g.
        ``statement_file_line(reversed_transaction)``).
    bom
        Start with the UTF-8 BOM, as Excel writes it.

    Used by the tests and the demo; the bytes are what :func:`statement_file_parse` reads.
    """
    amounts = amounts or {}
    ours = (
        AgencyTransaction.objects.filter(
            provider=provider, business_on=business_on, status=TransactionStatus.DONE
        )
        .select_related("service")
        .order_by("occurred_at", "number")
    )
    rows = [statement_file_line(made) for made in ours if made.number not in drop] + list(add)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    zone = ZoneInfo(settings.TIME_ZONE)
    for row in rows:
        writer.writerow(
            [
                row.number,
                row.provider_number,
                row.occurred_at.astimezone(zone).strftime(TIME_FORMAT),
                row.service_code,
                _yuan(amounts.get(row.number, row.amount_fen)),
                row.account_display,
            ]
        )
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")
