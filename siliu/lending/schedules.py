"""Repayment schedules exact to the fen, day-based interest and the APR (issue #10, ADR 0019).

Pure functions: nothing here reads or writes the database. The convention, shown on the product page:

- the monthly rate is the annual rate ÷ 12;
- the equal installment ``P·r(1+r)^n / ((1+r)^n − 1)`` and each month's interest (outstanding
  principal × monthly rate) are rounded half up to the fen; principal = installment − interest;
- the last installment takes the remaining principal, so the principal column sums to the amount lent;
- day-based interest (credit lines, early repayment, penalty) uses the annual rate ÷ 360 per day.

Due dates fall monthly on the day of the start date, clamped to the month's end (31 January → 28 or
29 February → 31 March).
"""

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Final

from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.lending.products import RepaymentMethod

#: The largest loan a schedule is built for: 100 million yuan, far above any rural loan.
MAX_LOAN_FEN: Final = 10**10
#: The highest annual rate accepted, in basis points: 36 %. The courts protect at most four times the
#: one-year LPR (about 12 % in 2025); 36 % is the old outer bound, kept as a sanity cap (ADR 0019).
MAX_ANNUAL_RATE_BP: Final = 3600
MAX_TERM_MONTHS: Final = 360
BASIS_POINTS: Final = 10_000
#: Days in the interest year of day-based interest (annual rate ÷ 360 per day).
DAYS_PER_YEAR: Final = 360
#: Methods with a schedule of monthly installments (a credit line has none).
SCHEDULED_METHODS: Final = (
    RepaymentMethod.EQUAL_INSTALLMENT,
    RepaymentMethod.EQUAL_PRINCIPAL,
    RepaymentMethod.INTEREST_ONLY,
    RepaymentMethod.SEASONAL,
)
_FEN = Decimal(1)


@dataclass(frozen=True)
class Installment:
    """One monthly installment; amounts in fen, ``balance_fen`` the principal outstanding after it."""

    n: int
    due_date: datetime.date
    principal_fen: int
    interest_fen: int
    total_fen: int
    balance_fen: int


@dataclass(frozen=True)
class Schedule:
    """A loan's installments, their interest in fen and the APR in basis points (nominal, ×12)."""

    installments: tuple[Installment, ...]
    total_interest_fen: int
    apr_bp: int

    @property
    def total_principal_fen(self) -> int:
        return sum(installment.principal_fen for installment in self.installments)

    @property
    def total_fen(self) -> int:
        return sum(installment.total_fen for installment in self.installments)


@dataclass(frozen=True)
class CreditLineMovement:
    """A draw (``amount_fen`` > 0) or a repayment (< 0) on a credit line on a business day."""

    occurred_on: datetime.date
    amount_fen: int


def _round_fen(value: Decimal) -> int:
    return int(value.quantize(_FEN, rounding=ROUND_HALF_UP))


def due_date(*, start_date: datetime.date, months: int) -> datetime.date:
    """The date ``months`` months after ``start_date``, on the same day clamped to the month's end."""
    index = start_date.year * 12 + start_date.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start_date.day, calendar.monthrange(year, month + 1)[1])
    return datetime.date(year, month + 1, day)


def _validate(
    *,
    method: str,
    amount_fen: int,
    annual_rate_bp: int,
    term_months: int,
    start_date: datetime.date,
    harvest_months: Iterable[int],
) -> RepaymentMethod:
    if method not in RepaymentMethod.values:
        raise ValidationFailed(
            "unknown_method", _("未知的还款方式：%(method)s") % {"method": method}, field="method"
        )
    if method == RepaymentMethod.CREDIT_LINE:
        raise ValidationFailed("no_schedule", _("随借随还按日计息，没有固定的还款计划"), field="method")
    if not 1 <= amount_fen <= MAX_LOAN_FEN:
        raise ValidationFailed("amount_out_of_range", _("金额须在 0.01 元至 1 亿元之间"), field="amount_fen")
    if not 0 <= annual_rate_bp <= MAX_ANNUAL_RATE_BP:
        raise ValidationFailed("rate_out_of_range", _("年利率须在 0 至 36% 之间"), field="annual_rate_bp")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValidationFailed("term_out_of_range", _("期限须在 1 至 360 个月之间"), field="term_months")
    if start_date.year * 12 + start_date.month - 1 + term_months >= 10_000 * 12:
        raise ValidationFailed("date_out_of_range", _("起始日期过晚"), field="start_date")
    if any(not 1 <= month <= 12 for month in harvest_months):
        raise ValidationFailed(
            "invalid_harvest_month", _("收获月份须在 1 至 12 之间"), field="harvest_months"
        )
    return RepaymentMethod(method)


def schedule_build(
    *,
    method: str,
    amount_fen: int,
    annual_rate_bp: int,
    term_months: int,
    start_date: datetime.date,
    harvest_months: Sequence[int] = (),
) -> Schedule:
    """Build the schedule of a loan repaid monthly, exact to the fen.

    Parameters
    ----------
    method
        A :class:`RepaymentMethod` value other than ``credit_line``.
    amount_fen
        The amount lent, in fen, 1 to :data:`MAX_LOAN_FEN`.
    annual_rate_bp
        The annual rate in basis points (1200 = 12 %), 0 to :data:`MAX_ANNUAL_RATE_BP`.
    term_months
        Months, 1 to :data:`MAX_TERM_MONTHS`; one installment a month.
    start_date
        The day the money is lent; installment *k* is due *k* months later (clamped to month end).
    harvest_months
        For ``seasonal``: the calendar months (1–12) in which principal falls due.

    Returns
    -------
    Schedule
        ``equal_installment``, ``equal_principal`` and ``interest_only`` have ``term_months``
        installments; ``seasonal`` pays interest monthly and the principal in equal parts on the due
        dates in a harvest month, and ends with the last of them.

    Raises
    ------
    ValidationFailed
        With the field at fault: ``unknown_method``, ``no_schedule`` (a credit line),
        ``amount_out_of_range``, ``rate_out_of_range``, ``term_out_of_range``, ``date_out_of_range``,
        ``invalid_harvest_month``, ``no_harvest_in_term`` (a seasonal loan with no due date in a
        harvest month).
    """
    kind = _validate(
        method=method,
        amount_fen=amount_fen,
        annual_rate_bp=annual_rate_bp,
        term_months=term_months,
        start_date=start_date,
        harvest_months=harvest_months,
    )
    dates = [due_date(start_date=start_date, months=n) for n in range(1, term_months + 1)]
    with localcontext() as context:
        context.prec = 60
        rate = Decimal(annual_rate_bp) / BASIS_POINTS / 12
        principals = _principal_plan(
            kind=kind,
            amount_fen=amount_fen,
            rate=rate,
            dates=dates,
            harvest_months=set(harvest_months),
        )
        installments: list[Installment] = []
        balance = amount_fen
        for n, (date, planned) in enumerate(zip(dates[: len(principals)], principals, strict=True), 1):
            interest = _round_fen(balance * rate)
            principal = planned if isinstance(planned, int) else planned(interest)
            # Rounding may plan a fen or so more than remains before the end: never pay past zero.
            principal = balance if n == len(principals) else min(max(principal, 0), balance)
            balance -= principal
            installments.append(
                Installment(
                    n=n,
                    due_date=date,
                    principal_fen=principal,
                    interest_fen=interest,
                    total_fen=principal + interest,
                    balance_fen=balance,
                )
            )
    return Schedule(
        installments=tuple(installments),
        total_interest_fen=sum(installment.interest_fen for installment in installments),
        apr_bp=apr_bp(amount_fen=amount_fen, payments_fen=[i.total_fen for i in installments]),
    )


class _AfterInterest:
    """The principal of an equal installment: the installment less the month's interest."""

    def __init__(self, installment_fen: int) -> None:
        self.installment_fen = installment_fen

    def __call__(self, interest_fen: int) -> int:
        return self.installment_fen - interest_fen


def _principal_plan(
    *,
    kind: RepaymentMethod,
    amount_fen: int,
    rate: Decimal,
    dates: Sequence[datetime.date],
    harvest_months: set[int],
) -> list[int | _AfterInterest]:
    """Each month's planned principal (the last is replaced by what remains), cut short after the last
    harvest installment of a seasonal loan."""
    term = len(dates)
    if kind == RepaymentMethod.EQUAL_INSTALLMENT:
        if rate == 0:
            return [_round_fen(Decimal(amount_fen) / term) for _month in range(term)]
        growth = (1 + rate) ** term
        installment = _round_fen(amount_fen * rate * growth / (growth - 1))
        return [_AfterInterest(installment)] * term
    if kind == RepaymentMethod.EQUAL_PRINCIPAL:
        return [_round_fen(Decimal(amount_fen) / term) for _month in range(term)]
    if kind == RepaymentMethod.INTEREST_ONLY:
        return [0 if month < term else amount_fen for month in range(1, term + 1)]
    # Seasonal: equal parts on the due dates in a harvest month; the schedule ends with the last.
    harvest = [index for index, date in enumerate(dates) if date.month in harvest_months]
    if not harvest:
        raise ValidationFailed(
            "no_harvest_in_term", _("期限内没有落在收获月份的还款日"), field="harvest_months"
        )
    part = _round_fen(Decimal(amount_fen) / len(harvest))
    plan: list[int | _AfterInterest] = [0] * (harvest[-1] + 1)
    for index in harvest:
        plan[index] = part
    return plan


def apr_bp(*, amount_fen: int, payments_fen: Sequence[int]) -> int:
    """The nominal APR of a loan in basis points: the monthly IRR of its cash flows × 12.

    The borrower receives ``amount_fen`` at month 0 and pays ``payments_fen[k-1]`` at month *k*; the
    monthly rate *i* solving ``amount = Σ payment_k / (1+i)^k`` is found by bisection in floats
    (200 halvings, far below a thousandth of a basis point), then ×12 ×10,000 rounded half up.

    Returns 0 when the payments do not exceed the amount (no interest).
    """
    if sum(payments_fen) <= amount_fen:
        return 0

    def surplus(monthly: float) -> float:
        return sum(payment / (1 + monthly) ** k for k, payment in enumerate(payments_fen, 1)) - amount_fen

    low, high = 0.0, 1.0
    while surplus(high) > 0:
        high *= 2
    for _step in range(200):
        middle = (low + high) / 2
        if surplus(middle) > 0:
            low = middle
        else:
            high = middle
        if high - low < 1e-15:
            break
    return _round_fen(Decimal(repr((low + high) / 2)) * 12 * BASIS_POINTS)


def interest_for_days(*, principal_fen: int, annual_rate_bp: int, days: int) -> int:
    """Interest in fen on ``principal_fen`` for ``days`` days at the annual rate ÷ 360 a day, rounded
    half up (early repayment, penalty, credit lines)."""
    amount = Decimal(principal_fen) * annual_rate_bp * days / (BASIS_POINTS * DAYS_PER_YEAR)
    return _round_fen(amount)


def credit_line_interest(
    *,
    movements: Sequence[CreditLineMovement],
    annual_rate_bp: int,
    from_date: datetime.date,
    to_date: datetime.date,
) -> int:
    """Interest in fen on a credit line (随借随还) for the days from ``from_date`` up to, not
    including, ``to_date``.

    Each day bears interest on the balance drawn at its end (a draw bears interest from its day, a
    repayment stops it from its day) at the annual rate ÷ 360; the day-balances are summed and the sum
    rounded once, half up. Movements before ``from_date`` make the opening balance; those on or after
    ``to_date`` are left out.

    Raises
    ------
    ValidationFailed
        ``repayment_exceeds_balance`` (field ``movements``) when a repayment would take the balance
        below zero; ``invalid_period`` (field ``to_date``) when ``to_date`` is before ``from_date``.
    """
    if to_date < from_date:
        raise ValidationFailed("invalid_period", _("结束日期早于开始日期"), field="to_date")
    balance = 0
    day_balance_sum = 0
    cursor = from_date
    for movement in sorted(movements, key=lambda item: item.occurred_on):
        if movement.occurred_on >= to_date:
            break
        if movement.occurred_on > cursor:
            day_balance_sum += balance * (movement.occurred_on - cursor).days
            cursor = movement.occurred_on
        balance += movement.amount_fen
        if balance < 0:
            raise ValidationFailed("repayment_exceeds_balance", _("还款金额超过已用额度"), field="movements")
    day_balance_sum += balance * (to_date - cursor).days
    return _round_fen(Decimal(day_balance_sum) * annual_rate_bp / (BASIS_POINTS * DAYS_PER_YEAR))
