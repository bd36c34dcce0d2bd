"""Schedules exact to the fen (issue #10, ADR 0019): a table of known schedules, month-end dates,
seasonal loans, refusals with their field, day-based interest, and properties of every schedule."""

import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siliu.core.errors import ValidationFailed
from siliu.lending.schedules import (
    MAX_LOAN_FEN,
    SCHEDULED_METHODS,
    CreditLineMovement,
    Schedule,
    apr_bp,
    credit_line_interest,
    due_date,
    interest_for_days,
    schedule_build,
)

D = datetime.date
START = D(2026, 1, 15)


def build(method: str, **overrides: object) -> Schedule:
    arguments: dict[str, object] = {
        "method": method,
        "amount_fen": 1_000_000,
        "annual_rate_bp": 1200,
        "term_months": 12,
        "start_date": START,
    } | overrides
    return schedule_build(**arguments)  # type: ignore[arg-type]


def columns(schedule: Schedule) -> list[tuple[int, int, int, int]]:
    return [(i.principal_fen, i.interest_fen, i.total_fen, i.balance_fen) for i in schedule.installments]


def test_equal_installment_is_888_49_a_month() -> None:
    """The issue's example: 10,000.00 yuan at 12 % over 12 months pays 888.49 a month, the last
    installment taking the remaining principal."""
    schedule = build("equal_installment")
    assert [i.total_fen for i in schedule.installments] == [88849] * 11 + [88847]
    assert columns(schedule)[:3] == [
        (78849, 10000, 88849, 921151),
        (79637, 9212, 88849, 841514),
        (80434, 8415, 88849, 761080),
    ]
    assert columns(schedule)[-1] == (87967, 880, 88847, 0)
    assert schedule.total_interest_fen == 66186
    assert schedule.apr_bp == 1200


def test_equal_principal_is_933_33_then_less_each_month() -> None:
    """The issue's example: 933.33 first, then 8.33 less each month — to the fen 8.33 or 8.34, as the
    interest on 833.33 of principal (8.3333) is rounded half up month by month."""
    schedule = build("equal_principal")
    totals = [i.total_fen for i in schedule.installments]
    assert totals == [
        93333,
        92500,
        91666,
        90833,
        90000,
        89166,
        88333,
        87500,
        86666,
        85833,
        85000,
        84170,
    ]
    assert [a - b for a, b in itertools.pairwise(totals[:-1])] == [
        833,
        834,
        833,
        833,
        834,
        833,
        833,
        834,
        833,
        833,
    ]
    assert [i.principal_fen for i in schedule.installments] == [83333] * 11 + [83337]
    assert schedule.total_interest_fen == 65000
    assert schedule.apr_bp == 1200


def test_interest_only_pays_interest_monthly_and_principal_at_maturity() -> None:
    """先息后本: 100.00 of interest every month, the 10,000.00 with the twelfth."""
    schedule = build("interest_only")
    assert columns(schedule) == [(0, 10000, 10000, 1_000_000)] * 11 + [(1_000_000, 10000, 1_010_000, 0)]
    assert schedule.total_interest_fen == 120000
    assert schedule.apr_bp == 1200


def test_seasonal_pays_principal_in_the_harvest_months() -> None:
    """季节还款 from 15 January, harvest July–October: interest monthly, a quarter of the principal on
    each of the four harvest due dates, and the schedule ends with the last."""
    schedule = build("seasonal", harvest_months=[7, 8, 9, 10])
    assert [i.due_date for i in schedule.installments][-4:] == [
        D(2026, 7, 15),
        D(2026, 8, 15),
        D(2026, 9, 15),
        D(2026, 10, 15),
    ]
    assert columns(schedule) == [(0, 10000, 10000, 1_000_000)] * 5 + [
        (250000, 10000, 260000, 750000),
        (250000, 7500, 257500, 500000),
        (250000, 5000, 255000, 250000),
        (250000, 2500, 252500, 0),
    ]
    assert schedule.total_interest_fen == 75000


def test_seasonal_split_leaves_the_remainder_to_the_last() -> None:
    """1.00 yuan over three harvest months: 33, 33 and the remaining 34 fen."""
    schedule = build("seasonal", amount_fen=100, harvest_months=[3, 6, 9], annual_rate_bp=0)
    assert [i.principal_fen for i in schedule.installments if i.principal_fen] == [33, 33, 34]


def test_seasonal_without_a_harvest_month_in_the_term_is_refused() -> None:
    """Three months from January never reach the July harvest: refused on ``harvest_months``."""
    with pytest.raises(ValidationFailed) as caught:
        build("seasonal", term_months=3, harvest_months=[7])
    assert (caught.value.code, caught.value.field) == ("no_harvest_in_term", "harvest_months")


def test_zero_rate_splits_the_principal_evenly() -> None:
    """At 0 %, 100.00 over three months is 33.33, 33.33 and 33.34, with no interest and APR 0."""
    schedule = build("equal_installment", amount_fen=10000, annual_rate_bp=0, term_months=3)
    assert columns(schedule) == [(3333, 0, 3333, 6667), (3333, 0, 3333, 3334), (3334, 0, 3334, 0)]
    assert schedule.apr_bp == 0


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 31), [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]),
        (D(2027, 12, 31), [D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31)]),
        (D(2026, 11, 30), [D(2026, 12, 30), D(2027, 1, 30), D(2027, 2, 28)]),
    ],
)
def test_due_dates_keep_the_day_clamped_to_the_month_end(start: D, expected: list[D]) -> None:
    """Each due date is counted from the start date, so 31 January → 28 February → 31 March."""
    assert [due_date(start_date=start, months=n) for n in (1, 2, 3)] == expected
    assert [
        i.due_date for i in build("equal_principal", start_date=start, term_months=3).installments
    ] == expected


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"method": "balloon"}, "unknown_method", "method"),
        ({"method": "credit_line"}, "no_schedule", "method"),
        ({"amount_fen": 0}, "amount_out_of_range", "amount_fen"),
        ({"amount_fen": MAX_LOAN_FEN + 1}, "amount_out_of_range", "amount_fen"),
        ({"annual_rate_bp": -1}, "rate_out_of_range", "annual_rate_bp"),
        ({"annual_rate_bp": 3601}, "rate_out_of_range", "annual_rate_bp"),
        ({"term_months": 0}, "term_out_of_range", "term_months"),
        ({"term_months": 361}, "term_out_of_range", "term_months"),
        ({"start_date": D(9999, 6, 1)}, "date_out_of_range", "start_date"),
        ({"method": "seasonal", "harvest_months": [13]}, "invalid_harvest_month", "harvest_months"),
    ],
)
def test_bad_input_is_refused_with_its_field(overrides: dict[str, object], code: str, field: str) -> None:
    """Every bad input names its code and field."""
    method = str(overrides.pop("method", "equal_installment"))
    with pytest.raises(ValidationFailed) as caught:
        build(method, **overrides)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_interest_for_days_uses_the_360_day_year() -> None:
    """10,000.00 at 12 % for 30 days is 100.00; for one day 3.33 (3.333… half up); 7.5 fen rounds up."""
    assert interest_for_days(principal_fen=1_000_000, annual_rate_bp=1200, days=30) == 10000
    assert interest_for_days(principal_fen=1_000_000, annual_rate_bp=1200, days=1) == 333
    assert interest_for_days(principal_fen=22500, annual_rate_bp=1200, days=1) == 8  # 7.5 fen


def test_credit_line_interest_is_by_the_day_on_the_drawn_balance() -> None:
    """Draw 10,000.00 on 1 January, repay 5,000.00 on the 16th: 15 days on 10,000 and 15 on 5,000 at
    12 % ÷ 360 is 50.00 + 25.00; days before the first draw bear nothing."""
    movements = [
        CreditLineMovement(D(2026, 1, 16), -500_000),
        CreditLineMovement(D(2026, 1, 1), 1_000_000),
    ]
    assert (
        credit_line_interest(
            movements=movements, annual_rate_bp=1200, from_date=D(2026, 1, 1), to_date=D(2026, 1, 31)
        )
        == 7500
    )
    assert (
        credit_line_interest(
            movements=movements, annual_rate_bp=1200, from_date=D(2025, 12, 1), to_date=D(2026, 1, 16)
        )
        == 5000
    )
    # From the 20th, the opening balance is what was drawn before it.
    assert (
        credit_line_interest(
            movements=movements, annual_rate_bp=1200, from_date=D(2026, 1, 20), to_date=D(2026, 1, 26)
        )
        == 1000
    )


def test_credit_line_repayment_beyond_the_balance_is_refused() -> None:
    """A repayment larger than what is drawn is refused on ``movements``."""
    with pytest.raises(ValidationFailed) as caught:
        credit_line_interest(
            movements=[CreditLineMovement(D(2026, 1, 1), 100), CreditLineMovement(D(2026, 1, 2), -101)],
            annual_rate_bp=1200,
            from_date=D(2026, 1, 1),
            to_date=D(2026, 2, 1),
        )
    assert (caught.value.code, caught.value.field) == ("repayment_exceeds_balance", "movements")


def test_apr_of_a_flat_fee_loan_is_above_its_nominal_rate() -> None:
    """1,000.00 repaid as 12 × 90.00 (a "flat" 8 % on the whole amount) is an APR of 14.45 %."""
    assert apr_bp(amount_fen=100_000, payments_fen=[9000] * 12) == 1445


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from([m.value for m in SCHEDULED_METHODS]),
    amount_fen=st.integers(min_value=1, max_value=MAX_LOAN_FEN),
    annual_rate_bp=st.integers(min_value=0, max_value=3600),
    term_months=st.integers(min_value=1, max_value=360),
    start_date=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
    harvest_months=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=12),
)
def test_every_schedule_adds_up(
    method: str,
    amount_fen: int,
    annual_rate_bp: int,
    term_months: int,
    start_date: D,
    harvest_months: list[int],
) -> None:
    """Principal sums to the amount, balances never rise and end at zero, no amount is negative, each
    total is principal + interest, and due dates are a month apart."""
    try:
        schedule = schedule_build(
            method=method,
            amount_fen=amount_fen,
            annual_rate_bp=annual_rate_bp,
            term_months=term_months,
            start_date=start_date,
            harvest_months=harvest_months,
        )
    except ValidationFailed as error:
        assert error.code == "no_harvest_in_term" and method == "seasonal" and term_months < 12
        return
    rows = schedule.installments
    assert sum(i.principal_fen for i in rows) == amount_fen
    assert schedule.total_interest_fen == sum(i.interest_fen for i in rows)
    balances = [amount_fen] + [i.balance_fen for i in rows]
    assert all(later <= earlier for earlier, later in itertools.pairwise(balances))
    assert balances[-1] == 0
    assert all(min(i.principal_fen, i.interest_fen, i.balance_fen) >= 0 for i in rows)
    assert all(i.total_fen == i.principal_fen + i.interest_fen for i in rows)
    assert [i.n for i in rows] == list(range(1, len(rows) + 1))
    assert [i.due_date for i in rows] == [due_date(start_date=start_date, months=i.n) for i in rows]
    if method != "seasonal":
        assert len(rows) == term_months
    assert schedule.apr_bp >= 0
