"""UPU S10 item identifiers: ``EA123456785CN``.

Two letters (the service indicator), an eight-digit serial, a check digit and the ISO 3166 country
code of the issuing post. The check digit weighs the serial's digits by 8 6 4 2 3 5 9 7 and takes
11 − (sum mod 11), writing 10 as 0 and 11 as 5.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_SHAPE = re.compile(r"^([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})$")


@dataclass(frozen=True)
class S10Number:
    service_indicator: str
    serial: str
    check_digit: int
    country_code: str

    def __str__(self) -> str:
        return f"{self.service_indicator}{self.serial}{self.check_digit}{self.country_code}"


def tracking_number_normalise(number: str | None) -> str:
    """A tracking number as stored: whitespace removed, upper case (as people type and scanners read it)."""
    return re.sub(r"\s+", "", number or "").upper()


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an eight-digit serial."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError(f"an S10 serial has 8 digits, not {serial!r}")
    remainder = sum(int(digit) * weight for digit, weight in zip(serial, WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return {10: 0, 11: 5}.get(check, check)


def s10_format(*, service_indicator: str, serial: int, country_code: str = "CN") -> str:
    """Build the number for ``serial`` (0 – 99,999,999) with its check digit."""
    if not 0 <= serial <= 99_999_999:
        raise ValueError(f"an S10 serial is 0 to 99,999,999, not {serial}")
    digits = f"{serial:08d}"
    return f"{service_indicator}{digits}{s10_check_digit(digits)}{country_code}"


def s10_parse(number: str, *, field: str = "tracking_number") -> S10Number:
    """Parse and validate an S10 number (spaces and lower case are tolerated).

    Raises
    ------
    ValidationFailed
        ``invalid_tracking_number`` naming what is wrong: the shape or the check digit.
    """
    text = tracking_number_normalise(number)
    match = _SHAPE.match(text)
    if match is None:
        raise ValidationFailed(
            "invalid_tracking_number",
            _("邮件号 %(number)s 格式不对：应为 2 个字母 + 9 位数字 + 2 个字母，如 EA123456785CN")
            % {"number": number},
            field=field,
        )
    indicator, serial, check, country = match.groups()
    expected = s10_check_digit(serial)
    if int(check) != expected:
        raise ValidationFailed(
            "invalid_tracking_number",
            _("邮件号 %(number)s 的校验位应为 %(expected)d") % {"number": text, "expected": expected},
            field=field,
        )
    return S10Number(indicator, serial, int(check), country)
