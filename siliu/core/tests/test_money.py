from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from siliu.core.errors import ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN, allocate_fen, fen_in_capitals, format_fen, parse_yuan


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "¥0.00"), (5, "¥0.05"), (123456, "¥1,234.56"), (-5, "-¥0.05"), (100000000, "¥1,000,000.00")],
)
def test_format_fen_shows_yuan_with_two_decimals(fen: int, text: str) -> None:
    """format_fen writes yuan with thousands separators and the sign before the symbol."""
    assert format_fen(fen) == text


def test_format_fen_without_symbol() -> None:
    """symbol=False leaves out the ¥."""
    assert format_fen(9901, symbol=False) == "99.01"


def test_format_fen_refuses_float() -> None:
    """A float is a bug at the call site, not an amount."""
    with pytest.raises(TypeError):
        format_fen(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12", 1200), ("12.5", 1250), ("¥1,234.56", 123456), (" ￥0.01 ", 1), ("-3.10", -310), (7, 700)],
)
def test_parse_yuan_reads_common_forms(text: str | int, fen: int) -> None:
    """parse_yuan accepts symbols, commas and spaces and returns exact fen."""
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "NaN", "Infinity", "12.345"])
def test_parse_yuan_refuses_bad_text(text: str) -> None:
    """Bad text and fractions of a fen are refused with the field named."""
    with pytest.raises(ValidationFailed) as refused:
        parse_yuan(text, field="price")
    assert refused.value.code == "invalid_amount"
    assert refused.value.field == "price"


def test_parse_yuan_rounds_only_when_told() -> None:
    """Sub-fen amounts round with the mode the caller names."""
    assert parse_yuan("0.125", rounding=ROUND_HALF_UP) == 13
    assert parse_yuan("0.125", rounding=ROUND_HALF_EVEN) == 12
    assert parse_yuan(Decimal("2.999"), rounding=ROUND_HALF_UP) == 300


@pytest.mark.parametrize(
    "text", ["99999999999999999999", "10000000000000.01", "-10000000000000.01", "1e999999999", "-1E400"]
)
def test_parse_yuan_refuses_amounts_beyond_the_bound(text: str) -> None:
    """Beyond MAX_AMOUNT_FEN either way of zero: amount_too_large, at once even for 1e999999999."""
    with pytest.raises(ValidationFailed) as refused:
        parse_yuan(text, field="amount")
    assert (refused.value.code, refused.value.field) == ("amount_too_large", "amount")


def test_parse_yuan_takes_the_bound_itself() -> None:
    """Exactly MAX_AMOUNT_FEN, written in yuan, is taken; so is its negation."""
    assert parse_yuan("10,000,000,000,000.00") == MAX_AMOUNT_FEN
    assert parse_yuan("-10000000000000") == -MAX_AMOUNT_FEN


def test_parse_yuan_sees_a_fraction_of_a_fen_past_28_digits() -> None:
    """A sub-fen tail beyond the decimal context's 28 digits is still refused, never rounded away."""
    with pytest.raises(ValidationFailed) as refused:
        parse_yuan("1.000000000000000000000000000001")
    assert refused.value.code == "invalid_amount"
    assert parse_yuan("1.000000000000000000000000000001", rounding=ROUND_HALF_UP) == 100


def test_allocate_fen_splits_exactly_with_largest_remainder() -> None:
    """100 fen in thirds gives the extra fen to the first part; parts sum to the total."""
    assert allocate_fen(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate_fen(10000, [9000, 500, 500]) == [9000, 500, 500]
    assert allocate_fen(1, [1, 1]) == [1, 0]
    assert allocate_fen(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate_fen(7, [0, 3, 0]) == [0, 7, 0]


@pytest.mark.parametrize("weights", [[], [1, -1], [0, 0]])
def test_allocate_fen_refuses_bad_weights(weights: list[int]) -> None:
    """No weights, negative weights and all-zero weights are refused."""
    with pytest.raises(ValueError):
        allocate_fen(100, weights)


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20).filter(any),
)
def test_allocate_fen_always_sums_and_stays_within_one_fen(total: int, weights: list[int]) -> None:
    """Parts always add up to the total and each is within one fen of its exact share."""
    parts = allocate_fen(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / weight_sum
        assert abs(Decimal(part) - exact) < 1
        if weight == 0:
            assert part == 0


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "零元整"),
        (1, "壹分"),
        (10, "壹角整"),
        (52, "伍角贰分"),
        (100, "壹元整"),
        (1000, "壹拾元整"),
        (1005, "壹拾元零伍分"),
        (1050, "壹拾元零伍角整"),
        (12345, "壹佰贰拾叁元肆角伍分"),
        (100500, "壹仟零伍元整"),
        (140950, "壹仟肆佰零玖元伍角整"),
        (168032, "壹仟陆佰捌拾元零叁角贰分"),
        (600714, "陆仟零柒元壹角肆分"),
        (1640902, "壹万陆仟肆佰零玖元零贰分"),
        (1000000, "壹万元整"),
        (10000100, "壹拾万零壹元整"),
        (10010000, "壹拾万零壹佰元整"),
        (10700053, "壹拾万柒仟元零伍角叁分"),
        (10000001, "壹拾万元零壹分"),
        (12000000100, "壹亿贰仟万零壹元整"),
        (1200000000, "壹仟贰佰万元整"),
        (1000050000, "壹仟万零伍佰元整"),
        (10000000000, "壹亿元整"),
        (10001000000, "壹亿零壹万元整"),
        (100000000100, "壹拾亿零壹元整"),
        (123456789012, "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分"),
        (10**14, "壹万亿元整"),
        (10**14 + 100, "壹万亿零壹元整"),
        (MAX_AMOUNT_FEN, "壹拾万亿元整"),
        (10**18 - 1, "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (-12345, "负壹佰贰拾叁元肆角伍分"),
    ],
)
def test_fen_in_capitals_follows_the_rules_for_payment_documents(fen: int, words: str) -> None:
    """Capitals with one 零 per run of zeros, 壹拾 at the head, 整 after 元 or 角, up to 万亿."""
    assert fen_in_capitals(fen) == words


def test_fen_in_capitals_refuses_beyond_wan_yi_and_non_integers() -> None:
    """10¹⁶ yuan has no group unit; a float or bool is a programming error."""
    with pytest.raises(ValueError, match="too large"):
        fen_in_capitals(10**18)
    with pytest.raises(TypeError):
        fen_in_capitals(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fen_in_capitals(True)


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_FEN))
def test_fen_in_capitals_never_doubles_a_zero_and_always_ends_properly(fen: int) -> None:
    """Whatever the amount: no 零零, never 零 before a unit or at an end, and it ends in 整 or 分."""
    words = fen_in_capitals(fen)
    assert "零零" not in words
    assert not words.startswith("零")
    assert words.endswith(("整", "分"))
    assert all(f"零{unit}" not in words for unit in "拾佰仟万亿元角整")
