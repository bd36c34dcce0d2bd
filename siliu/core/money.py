"""Money in integer fen (分): formatting, parsing and exact allocation.

Money is stored and computed as ``int`` fen everywhere; these helpers are the only places where
yuan strings or decimals meet it (at the edges: forms, API input, pages, reports).
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed

FEN_PER_YUAN = 100


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
        was given.
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
    fen = yuan * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        if rounding is None:
            raise ValidationFailed("invalid_amount", _("金额最多保留两位小数（到分）"), field=field)
        fen = fen.quantize(Decimal(1), rounding=rounding)
    return int(fen)


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
