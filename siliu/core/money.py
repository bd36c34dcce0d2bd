"""Money in integer fen (分): formatting, parsing and exact allocation.

Money is stored and computed as ``int`` fen everywhere; these helpers are the only places where
yuan strings or decimals meet it (at the edges: forms, API input, pages, reports).
"""

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed

FEN_PER_YUAN = 100
#: Largest amount of money anywhere, in or out: ten trillion yuan. Every money column is 64-bit
#: (about 9.2 × 10¹⁸ fen); staying below 10¹⁵ keeps sums and counters far from overflow.
MAX_AMOUNT_FEN: Final = 10**15
#: One fen, in yuan: the step every amount is quantized to.
_ONE_FEN = Decimal("0.01")


def format_fen(amount_fen: int, *, symbol: bool = True) -> str:
    """Format fen as yuan with thousands separators: ``123456`` → ``"¥1,234.56"``.

    Negative amounts keep their sign before the symbol (``"-¥0.05"``).
    """
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise TypeError(f"amount_fen must be int, not {type(amount_fen).__name__}")
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), FEN_PER_YUAN)
    return f"{sign}{'¥' if symbol else ''}{yuan:,}.{fen:02d}"


def parse_yuan(
    text: str | int | Decimal,
    *,
    rounding: str | None = None,
    field: str = "amount",
) -> int:
    """Parse a yuan amount (``"12.5"``, ``"¥1,234.56"``, ``12``) into fen.

    Parameters
    ----------
    text
        The amount in yuan. A leading ``¥``/``￥``, thousands commas and surrounding spaces are allowed.
    rounding
        A :mod:`decimal` rounding mode (e.g. ``ROUND_HALF_UP``) for amounts finer than one fen.
        ``None`` (the default) refuses them: money is never rounded silently.
    field
        The name reported in the error.

    Raises
    ------
    ValidationFailed
        ``invalid_amount`` when the text is not a number, or has fractions of a fen and no rounding
        was given; ``amount_too_large`` when it is more than :data:`MAX_AMOUNT_FEN` either way of
        zero.
    """
    if isinstance(text, float):
        raise TypeError("parse_yuan does not take float: pass a string or Decimal")
    raw = str(text).strip().lstrip("¥￥").replace(",", "").strip()
    try:
        yuan = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(
            "invalid_amount", _("金额格式不正确：%(text)s") % {"text": text}, field=field
        ) from None
    if not yuan.is_finite():
        raise ValidationFailed("invalid_amount", _("金额必须是有限数字"), field=field)
    # Compared before any arithmetic (copy_abs and > are exact, outside the decimal context):
    # "1e999999999" is a valid Decimal that would overflow the context, and whose int() never ends.
    if yuan.copy_abs() > Decimal(MAX_AMOUNT_FEN).scaleb(-2):
        raise ValidationFailed(
            "amount_too_large",
            _("金额超出上限（%(max)s）") % {"max": format_fen(MAX_AMOUNT_FEN)},
            field=field,
        )
    # Quantizing to the fen is exact for every amount within the bound (at most 16 digits), where
    # multiplying by 100 would round to the context's 28 digits and hide a trailing fraction.
    fen_exact = yuan.quantize(_ONE_FEN, rounding=ROUND_DOWN)
    if fen_exact != yuan:
        if rounding is None:
            raise ValidationFailed("invalid_amount", _("金额最多保留两位小数（到分）"), field=field)
        fen_exact = yuan.quantize(_ONE_FEN, rounding=rounding)
    return int(fen_exact.scaleb(2))


def yuan_half_up(text: str | Decimal) -> int:
    """Parse yuan rounding half up to the fen (for imported prices quoted in fractions of a fen)."""
    return parse_yuan(text, rounding=ROUND_HALF_UP)


def allocate_fen(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_fen`` in proportion to ``weights`` so that the parts add up exactly.

    Uses the largest-remainder method: every part is the floor of its exact share, and the fen left
    over go one each to the parts with the largest remainders (ties to the earlier part), so the
    result is deterministic. A negative total is split as the negation of its absolute value.

    Raises
    ------
    ValueError
        When there are no weights, a weight is negative, or all weights are zero.
    """
    if not weights:
        raise ValueError("allocate_fen needs at least one weight")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    if total_fen < 0:
        return [-part for part in allocate_fen(-total_fen, weights)]
    shares = [divmod(total_fen * weight, weight_sum) for weight in weights]
    parts = [quotient for quotient, _remainder in shares]
    leftover = total_fen - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda index: (-shares[index][1], index))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return parts


_CAPITAL_DIGITS: Final = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_PLACES: Final = ("", "拾", "佰", "仟")
#: Units of each group of four digits of the yuan: ones, 万 (10⁴), 亿 (10⁸), 万亿 (10¹²).
_CAPITAL_GROUPS: Final = ("", "万", "亿", "万亿")


def fen_in_capitals(amount_fen: int) -> str:
    """Write fen as an amount in Chinese capital numerals (大写金额), as on a cheque or counter slip:
    ``12345`` → ``"壹佰贰拾叁元肆角伍分"``.

    Follows the rules for filling in payment documents (《支付结算办法》附件 and 《会计基础工作规范》):
    a tens digit at the head is written ``壹拾``; one ``零`` stands for any run of zeros between two
    written digits, but not for zeros just before 万 or 亿 (``107000`` → ``壹拾万柒仟元``); a zero units
    digit or zero 角 before a written 角 or 分 is read too (the rules allow it for the first, require it
    for the second: ``1680.32`` → ``壹仟陆佰捌拾元零叁角贰分``,
    ``16409.02`` → ``壹万陆仟肆佰零玖元零贰分``); an amount that ends at 元 or 角 ends with ``整``;
    zero is ``零元整``; a negative amount starts with ``负``.

    Raises
    ------
    TypeError
        When ``amount_fen`` is not an ``int``.
    ValueError
        When it is 10¹⁶ yuan or more either way of zero (beyond 万亿; :data:`MAX_AMOUNT_FEN` is 10¹³ yuan).
    """
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise TypeError(f"amount_fen must be int, not {type(amount_fen).__name__}")
    yuan, rest = divmod(abs(amount_fen), FEN_PER_YUAN)
    jiao, fen = divmod(rest, 10)
    if yuan >= 10 ** (4 * len(_CAPITAL_GROUPS)):
        raise ValueError("amount too large to write in capitals")
    if amount_fen == 0:
        return "零元整"
    words: list[str] = ["负"] if amount_fen < 0 else []
    zero_pending = False  # a zero since the last written digit, written only before the next one
    group_written = False
    digits = str(yuan) if yuan else ""
    for index, digit in enumerate(digits):
        place = len(digits) - 1 - index
        if digit == "0":
            zero_pending = True
        else:
            if zero_pending:
                words.append("零")
                zero_pending = False
            words.append(_CAPITAL_DIGITS[int(digit)] + _CAPITAL_PLACES[place % 4])
            group_written = True
        if place % 4 == 0 and place:
            if group_written:
                words.append(_CAPITAL_GROUPS[place // 4])
                zero_pending = False  # zeros just before 万 or 亿 are not read: 壹拾万柒仟
            group_written = False
    if yuan:
        words.append("元")
    if jiao == 0 and fen == 0:
        words.append("整")
        return "".join(words)
    if yuan and (zero_pending or jiao == 0):
        words.append("零")
    if jiao:
        words.append(_CAPITAL_DIGITS[jiao] + "角")
    words.append(_CAPITAL_DIGITS[fen] + "分" if fen else "整")
    return "".join(words)
