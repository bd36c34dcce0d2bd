"""A year of lending history for the demo county, made through the lending services, and the scorecard
trained from it.

Runs after the commerce history (:mod:`siliu.demo.commerce_history`), so that sellers have sales,
orders, claims and wallet inflows when they apply. The year is replayed day by day from the window's
start: a loan fund set aside; most borrowers consent to the use of their data; applications filed —
sellers for themselves, station operators for the villagers of their station (those who pay cash at
the counter for their orders) — of every product of :mod:`siliu.demo.lending`; each decided by the
policy with the expert card (version 0), the rest by the demo's ``loan_officer``, and the large ones by
the ``county_manager`` as the second person; signed and paid out; the borrower spends the money at
once (it leaves the wallet by bank transfer); then, each night but today's, ``lending_night`` accrues,
debits what is due from wallets and classifies. Villagers' wallets receive money in some months
(remittances, produce sold at the station: bank transfers in), more regularly for some than for others.

How borrowers repay
-------------------
A good borrower tops up their wallet (a bank transfer in) on the due date and the nightly debit takes
it; some pay a little cash at their station's counter first (at most ¥50: the station's cap per
transaction); some pay late (5 to 40 days); most repay everything early some day before
maturity (``loan_repay_from_wallet`` with ``early``). A credit line's borrower draws on it when it is
signed and repays it early from the wallet (a line stays open, and can be drawn again, until its
maturity a year on, so none has closed yet). A borrower whose hidden risk draws "bad" stops paying from
some installment on, and spends what their wallet holds that day (the nightly debit still takes
whatever comes into it later; a villager's money stops coming into it). Written off: loans classed
可疑 or 损失 (over 270 days past due) on the first of a month, by the county manager, most of them.
Every Tuesday the loan officer calls (or visits) up to eight borrowers more than 30 days late whom
nobody has contacted for two weeks (those never called first, then those called longest ago), and
notes what they said, sometimes a promise to pay (drawn from a generator of its own for each day, so
the notes change nothing else).

The hidden risk
---------------
Each loan's outcome is drawn from the borrower's features at the day of the application (those the
score record keeps, :func:`~siliu.lending.credit.features.credit_features`)::

    log-odds(bad) = −0.6 + 0.7·orders_cancelled_12m + 1.0·claims_12m + 0.4·dispatch_days_average
                    − 0.45·wallet_inflow_months_12m − 0.005·sales_trend_percent (bounded to ±100)
                    + 1.0·late_repayments_count + N(0, 0.3)

    bad ~ Bernoulli(1 / (1 + e^−log-odds))

Sales, completed orders and months on the platform carry no risk of their own (they follow the inflow
months and the day of the application), so a card that learns something real puts its weight on
cancellations, claims, dispatch, inflow regularity and earlier late payments.

Everything is drawn from one ``random.Random`` seeded from the county's seed, in a fixed order, and
identifiers from a second seeded source, so the same seed gives the same loans.
"""

import contextlib
import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.utils.translation import gettext as _

from siliu.commerce.models import Seller, SellerKind
from siliu.core import ids
from siliu.core.errors import DomainError
from siliu.core.roles import Role
from siliu.demo.commerce_history import CITY_CONSUMER_SHARE, HistoryWindow
from siliu.finance import chart
from siliu.finance.selectors import wallet_balances
from siliu.finance.services import TransferRequest, transfers_book, wallet_open
from siliu.lending.credit.features import credit_features
from siliu.lending.credit.models import Scorecard
from siliu.lending.credit.selectors import consents_in_force
from siliu.lending.credit.services import credit_consent_give
from siliu.lending.loans.models import (
    ApplicationStatus,
    CollectionNoteKind,
    Loan,
    LoanApplication,
    LoanClass,
    LoanInstallment,
    LoanStatus,
)
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import (
    collection_note_add,
    credit_line_draw,
    lending_fund_add,
    loan_application_approve,
    loan_application_file,
    loan_application_review,
    loan_repay_at_counter,
    loan_repay_from_wallet,
    loan_sign,
    loan_write_off,
)
from siliu.lending.models import RepaymentMethod
from siliu.network.models import Outlet, OutletKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime.timedelta(days=1)
#: Applications over the year with the default 2,000 orders; a smaller history gets fewer.
DEFAULT_LOAN_COUNT: Final = 220
#: Set aside for lending when the year begins (¥30 million).
FUND_FEN: Final = 3_000_000_000
#: Share of the borrowers who consent to the use of their data (the rest: manual review only).
CONSENT_SHARE: Final = 0.9
#: The first applications come this long after the history begins (sellers need some sales first).
FIRST_APPLICATION_AFTER: Final = datetime.timedelta(days=20)
#: Share of the good borrowers who repay everything early, and who pay late.
EARLY_SHARE: Final = 0.7
LATE_SHARE: Final = 0.15
#: The most cash a village station takes for a loan in one go (its counter's cap per transaction).
COUNTER_PAYMENT_FEN: Final = 5000


def hidden_log_odds(features: dict[str, float], noise: float) -> float:
    """The hidden risk of the module's docstring (log-odds of going bad) for the application's features."""
    trend = max(-100.0, min(100.0, float(features["sales_trend_percent"])))
    return (
        -0.6
        + 0.7 * features["orders_cancelled_12m"]
        + 1.0 * features["claims_12m"]
        + 0.4 * features["dispatch_days_average"]
        - 0.45 * features["wallet_inflow_months_12m"]
        - 0.005 * trend
        + 1.0 * features["late_repayments_count"]
        + noise
    )


@dataclass
class _Borrower:
    user: User
    actor: User  # who files and signs: the borrower, or the station's operator for a villager
    station: Outlet | None  # a villager's station
    seller: Seller | None
    inflow_share: float = 0.0  # a villager's chance of money coming into the wallet in a month
    gone_bad: bool = False  # stopped paying: their money goes elsewhere from then on


@dataclass
class _LoanPlan:
    borrower: _Borrower
    bad: bool
    stop_at: int  # the first installment never paid (bad), else a number past the last
    delays: dict[int, int] = field(default_factory=dict)  # installment → days paid after its due date
    early_on: datetime.date | None = None
    counter: bool = False


@dataclass(frozen=True)
class LendingHistorySummary:
    """What :func:`lending_history_generate` made."""

    application_count: int
    loans_by_method: dict[str, int]
    loans_by_status: dict[str, int]
    scorecard_version: int | None
    metrics: dict[str, object]


Progress = Callable[[str], None]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    return at + datetime.timedelta(minutes=minute)


def _bank(user: User, amount_fen: int, *, into: bool, key: str) -> TransferRequest:
    """Money in from (``into``) or out to the borrower's bank account, through the wallet."""
    wallet = wallet_open(user=user).code
    return TransferRequest(
        id=f"demo:bank:{key}",
        debit_account=chart.BANK if into else wallet,
        credit_account=wallet if into else chart.BANK,
        amount_fen=amount_fen,
        category="demo_top_up" if into else "demo_spend",
        reference=f"user:{user.username}",
    )


def _borrowers(*, rng: random.Random) -> tuple[list[_Borrower], User, User, User]:
    """The sellers (but the demo ``seller``, whose loan is scripted) and the villagers of stations with a
    counter — the same villagers the commerce history gives to each station."""
    officer = User.objects.get(username=Role.LOAN_OFFICER.value)
    manager = User.objects.get(username=Role.COUNTY_MANAGER.value)
    operator = User.objects.get(username=Role.STATION_OPERATOR.value)
    borrowers = [
        _Borrower(seller.user, seller.user, None, seller)
        for seller in Seller.objects.select_related("user").order_by("pk")
    ]
    consumers = list(User.objects.filter(username__regex=r"^c[0-9]{4}$").order_by("username"))
    stations = list(
        Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, has_cash_counter=True, operator__isnull=False)
        .select_related("operator")
        .order_by("code")
    )
    city_count = round(len(consumers) * CITY_CONSUMER_SHARE)
    if stations:
        for index, user in enumerate(consumers[city_count:]):
            station = stations[index % len(stations)]
            assert station.operator is not None
            borrowers.append(_Borrower(user, station.operator, station, None, rng.uniform(0.1, 1.0)))
    return borrowers, officer, manager, operator


def _terms(rng: random.Random, borrower: _Borrower, day: datetime.date) -> tuple[str, int, int]:
    """A product, an amount in fen and a term for this borrower's application."""
    spring = 2 <= day.month <= 5
    roll = rng.random()
    if borrower.seller is None:
        if spring and roll < 0.25:
            return "chungeng", rng.randrange(5_000, 15_001, 500) * 100, 12
        if roll < 0.85:
            return "nonghu-xinyong", rng.randrange(3_000, 10_001, 500) * 100, 6
        return "suijie-suihuan", rng.randrange(2_000, 10_001, 1000) * 100, 12
    if borrower.seller.kind == SellerKind.COOPERATIVE and roll < 0.15:
        return "hezuoshe-jingying", rng.randrange(50_000, 120_001, 10_000) * 100, 12
    if spring and roll < 0.35:
        return "chungeng", rng.randrange(10_000, 50_001, 1_000) * 100, 12
    if roll < 0.6:
        return "dianshang-zhouzhuan", rng.randrange(10_000, 50_001, 1_000) * 100, rng.choice([3, 3, 6])
    if roll < 0.9:
        return "nonghu-xinyong", rng.randrange(5_000, 30_001, 1_000) * 100, 6
    return "suijie-suihuan", rng.randrange(5_000, 30_001, 1_000) * 100, 12


def _application_days(rng: random.Random, count: int, window: HistoryWindow) -> list[datetime.date]:
    """``count`` days for applications, more of them early in the year (so their outcomes show)."""
    first = (window.start + FIRST_APPLICATION_AFTER).date()
    last = window.end.date() - 3 * DAY
    span = (last - first).days
    days = [first + datetime.timedelta(days=int(span * rng.random() ** 2.5)) for _ in range(count)]
    return sorted(days)


@transaction.atomic
def lending_history_generate(
    *,
    seed: int,
    window: HistoryWindow,
    loan_count: int = DEFAULT_LOAN_COUNT,
    progress: Progress | None = None,
) -> LendingHistorySummary:
    """Write a year of lending history into the demo county (see the module's docstring), then train
    the scorecard from it (version 1, with its cut-offs) when there are enough loans to learn from."""
    say = progress or (lambda line: None)
    with ids.seeded(f"siliu-demo-lending-identifiers:{seed}"):
        return _generate(
            rng=random.Random(f"siliu-demo-lending:{seed}"), window=window, loan_count=loan_count, say=say
        )


def _generate(
    *, rng: random.Random, window: HistoryWindow, loan_count: int, say: Progress
) -> LendingHistorySummary:
    borrowers, officer, manager, operator = _borrowers(rng=rng)
    demo_seller = next((b for b in borrowers if b.user.username == Role.SELLER.value), None)
    own_villager = next((b for b in borrowers if b.station is not None and b.actor.pk == operator.pk), None)
    scripted = {b.user.pk for b in (demo_seller, own_villager) if b is not None}
    pool = [b for b in borrowers if b.user.pk not in scripted]
    say(_("贷款：%(count)d 个借款人，%(loans)d 笔申请… / loans…") % {"count": len(pool), "loans": loan_count})
    lending_fund_add(amount_fen=FUND_FEN, now=window.start)
    for borrower in borrowers:
        if borrower.user.pk in scripted or rng.random() < CONSENT_SHARE:
            credit_consent_give(subject=borrower.user, actor=borrower.actor)
    filing_days: dict[datetime.date, int] = {}
    for day in _application_days(rng, loan_count, window):
        filing_days[day] = filing_days.get(day, 0) + 1
    plans: dict[int, _LoanPlan] = {}  # loan pk → plan
    busy: set[int] = set()  # borrowers with an application or a loan open
    end_day = window.end.date()
    applications = 0
    for day in window.days:
        if day == end_day:
            break  # today: the history ends at noon (or now), before anyone repays
        if day.day == 10:
            _villager_inflows(rng=rng, borrowers=pool, day=day)
        for _index in range(filing_days.get(day, 0)):
            free = [b for b in pool if b.user.pk not in busy]
            if not free:
                break
            borrower = rng.choice(free)
            applications += 1
            loan = _apply(rng, borrower, day=day, officer=officer, manager=manager, end_day=end_day)
            if loan is not None:
                busy.add(borrower.user.pk)
                plans[loan.pk] = _plan(rng, borrower, loan)
        if day == end_day - 40 * DAY and own_villager is not None:
            loan = _scripted(own_villager, "nonghu-xinyong", 500_000, 6, day=day, officer=officer)
            if loan is not None:
                plans[loan.pk] = _LoanPlan(own_villager, bad=False, stop_at=99)
        if day == end_day - 20 * DAY and demo_seller is not None:
            loan = _scripted(demo_seller, "dianshang-zhouzhuan", 3_000_000, 6, day=day, officer=officer)
            if loan is not None:
                plans[loan.pk] = _LoanPlan(demo_seller, bad=False, stop_at=99)
        if day.weekday() == 0:
            _planner_statistics()
        _repay(rng, plans=plans, day=day)
        if day.day == 1:
            _write_offs(rng, manager=manager, day=day)
        if day.weekday() == 1:
            _collection_calls(officer=officer, day=day)
        if plans:
            lending_night(on=day, now=_at(day, 23, 50))
        closed = Loan.objects.filter(pk__in=plans, status__in=[LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF])
        for pk, borrower_id in closed.values_list("pk", "borrower_id"):
            busy.discard(borrower_id)
            plans.pop(pk)
    applications += _waiting(pool, busy=busy, end=window.end, officer=officer)
    return _train_and_sum(window=window, applications=applications, say=say)


def _planner_statistics() -> None:
    """On PostgreSQL, tell the planner what the lending tables hold now. The year is one transaction,
    which autovacuum never sees, so without this every nightly statement is planned for the empty
    tables of the year's start (and per loan, through every version of the rows the year rewrote);
    ``ANALYZE`` counts the transaction's own rows."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (Loan, LoanInstallment))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _villager_inflows(*, rng: random.Random, borrowers: list[_Borrower], day: datetime.date) -> None:
    requests = [
        _bank(b.user, rng.randrange(100, 801, 10) * 100, into=True, key=f"inflow:{b.user.pk}:{day:%Y%m}")
        for b in borrowers
        if b.seller is None and not b.gone_bad and rng.random() < b.inflow_share
    ]
    if requests:
        transfers_book(requests, actor=None, now=_at(day, 9))


def _apply(
    rng: random.Random,
    borrower: _Borrower,
    *,
    day: datetime.date,
    officer: User,
    manager: User,
    end_day: datetime.date,
) -> Loan | None:
    """File one application and carry it through the decisions to the signature; the loan, if any."""
    product, amount, term = _terms(rng, borrower, day)
    now = _at(day, 9, rng.randrange(0, 8 * 60))
    try:
        application = loan_application_file(
            applicant=borrower.user,
            actor=borrower.actor,
            product_code=product,
            amount_fen=amount,
            term_months=term,
            purpose=_("备货周转") if borrower.seller else _("买种子化肥"),
            now=now,
        )
    except DomainError:
        return None
    later = now + datetime.timedelta(hours=rng.randint(2, 30))
    if application.status == ApplicationStatus.REVIEW:
        approve = rng.random() < 0.85
        application = loan_application_review(
            number=application.number,
            actor=officer,
            approve=approve,
            note="" if approve else _("经营收入不足以覆盖还款，建议减少金额后再申请"),
            now=later,
        )
    if application.status == ApplicationStatus.SECOND_REVIEW:
        application = loan_application_approve(
            number=application.number, actor=manager, approve=True, now=later + datetime.timedelta(hours=3)
        )
    if application.status != ApplicationStatus.APPROVED:
        return None
    return _sign(borrower, application, now=max(now, later) + datetime.timedelta(hours=1))


def _sign(borrower: _Borrower, application: LoanApplication, *, now: datetime.datetime) -> Loan:
    """Sign the contract, and spend the money lent (a credit line: draw most of it first)."""
    loan = loan_sign(number=application.loan.number, actor=borrower.actor, now=now)
    amount = loan.amount_fen
    if loan.method == RepaymentMethod.CREDIT_LINE:
        amount = loan.amount_fen * 7 // 10
        credit_line_draw(number=loan.number, actor=borrower.user, amount_fen=amount, now=now)
    transfers_book(
        [_bank(borrower.user, amount, into=False, key=f"spend:{loan.number}")], actor=None, now=now
    )
    return loan


def _scripted(
    borrower: _Borrower, product: str, amount: int, term: int, *, day: datetime.date, officer: User
) -> Loan | None:
    """The demo logins' own loans: filed, approved by the officer if the policy leaves it to them, signed."""
    now = _at(day, 10)
    try:
        application = loan_application_file(
            applicant=borrower.user,
            actor=borrower.actor,
            product_code=product,
            amount_fen=amount,
            term_months=term,
            purpose=_("备货周转") if borrower.seller else _("买种子化肥"),
            now=now,
        )
        if application.status == ApplicationStatus.REVIEW:
            application = loan_application_review(
                number=application.number, actor=officer, approve=True, now=now + datetime.timedelta(hours=2)
            )
    except DomainError:
        return None
    if application.status != ApplicationStatus.APPROVED:
        return None
    return _sign(borrower, application, now=now + datetime.timedelta(hours=3))


def _plan(rng: random.Random, borrower: _Borrower, loan: Loan) -> _LoanPlan:
    """Draw the loan's outcome from the hidden risk, and how a good borrower pays."""
    record = loan.application.score_record
    features = (
        dict(record.features)
        if record is not None
        else credit_features(user=borrower.user, on=loan.start_on or loan.contracted_at.date()).as_dict()
    )
    log_odds = hidden_log_odds(features, rng.gauss(0, 0.3))
    bad = rng.random() < 1 / (1 + math.exp(-log_odds))
    count = loan.installments.count()
    stop_at = (1 if rng.random() < 0.5 else rng.randint(1, max(1, count))) if bad else 10**6
    plan = _LoanPlan(borrower, bad=bad, stop_at=stop_at)
    if not bad:
        for n in range(1, count + 1):
            if rng.random() < LATE_SHARE:
                plan.delays[n] = rng.randint(5, 40)
        if loan.method == RepaymentMethod.CREDIT_LINE or rng.random() < EARLY_SHARE:
            assert loan.start_on is not None and loan.maturity_on is not None
            span = (loan.maturity_on - loan.start_on).days
            plan.early_on = loan.start_on + datetime.timedelta(days=rng.randint(15, max(16, span // 2)))
        plan.counter = borrower.station is not None and rng.random() < 0.3
    return plan


def _owed(rows: list[LoanInstallment]) -> int:
    """What the installments owe now, and a day's penalty to spare."""
    return (
        sum(
            row.principal_owed_fen + (row.interest_fen - row.interest_paid_fen) + row.penalty_owed_fen
            for row in rows
        )
        + sum(row.principal_owed_fen for row in rows) // 2000
        + 100
    )


def _repay(rng: random.Random, *, plans: dict[int, _LoanPlan], day: datetime.date) -> None:
    """The day's repayments: top-ups before the nightly debit, cash at the counter, early repayments;
    a borrower going bad spends what their wallet holds."""
    if not plans:
        return
    due: dict[int, list[LoanInstallment]] = {}
    for row in LoanInstallment.objects.filter(
        loan_id__in=plans, loan__status=LoanStatus.ACTIVE, settled_on__isnull=True, due_on__lte=day
    ).order_by("loan_id", "n"):
        due.setdefault(row.loan_id, []).append(row)
    loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=plans, status=LoanStatus.ACTIVE)}
    top_ups: list[TransferRequest] = []
    drained: list[int] = []
    early: list[Loan] = []
    counter: list[Loan] = []
    for pk in sorted(loans):
        plan, loan = plans[pk], loans[pk]
        if plan.early_on is not None and day >= plan.early_on:
            early.append(loan)
            continue
        rows = [row for row in due.get(pk, []) if row.n < plan.stop_at]
        if plan.bad and any(row.n == plan.stop_at and row.due_on == day for row in due.get(pk, [])):
            drained.append(plan.borrower.user.pk)
            plan.borrower.gone_bad = True
        payable = [row for row in rows if (day - row.due_on).days >= plan.delays.get(row.n, 0)]
        if not payable or loan.method == RepaymentMethod.CREDIT_LINE:
            continue
        if plan.counter and payable[-1].due_on == day:
            counter.append(loan)
        top_ups.append(
            _bank(plan.borrower.user, _owed(payable), into=True, key=f"repay:{loan.number}:{day:%Y%m%d}")
        )
    if drained:
        balances = wallet_balances(user_ids=drained)
        users = {plan.borrower.user.pk: plan.borrower.user for plan in plans.values()}
        top_ups += [
            _bank(users[pk], balances[pk], into=False, key=f"drain:{pk}:{day:%Y%m%d}")
            for pk in drained
            if balances.get(pk, 0) > 0
        ]
    for loan in counter:
        station = plans[loan.pk].borrower.station
        assert station is not None and station.operator is not None
        with contextlib.suppress(DomainError):
            loan_repay_at_counter(
                number=loan.number,
                actor=station.operator,
                outlet=station,
                amount_fen=COUNTER_PAYMENT_FEN,
                now=_at(day, 10, rng.randrange(0, 300)),
            )
    if top_ups:
        transfers_book(top_ups, actor=None, now=_at(day, 16))
    for loan in early:
        plan = plans[loan.pk]
        owed = (
            sum(
                row.principal_owed_fen + row.interest_fen + row.penalty_owed_fen
                for row in LoanInstallment.objects.filter(loan=loan, settled_on__isnull=True)
            )
            + loan.principal_outstanding_fen // 100
            + 100
        )
        now = _at(day, 17)
        transfers_book(
            [_bank(plan.borrower.user, owed, into=True, key=f"early:{loan.number}")], actor=None, now=now
        )
        with contextlib.suppress(DomainError):
            loan_repay_from_wallet(
                number=loan.number, actor=plan.borrower.user, amount_fen=owed, early=True, now=now
            )
        plan.early_on = None


def _write_offs(rng: random.Random, *, manager: User, day: datetime.date) -> None:
    """On the first of a month the county manager writes off most loans classed 可疑 or 损失."""
    for number in (
        Loan.objects.filter(status=LoanStatus.ACTIVE, classification__in=[LoanClass.DOUBTFUL, LoanClass.LOSS])
        .order_by("number")
        .values_list("number", flat=True)
    ):
        if rng.random() < 0.7:
            loan_write_off(
                number=number,
                actor=manager,
                note=_("逾期超过270天，多次催收无果，予以核销"),
                now=_at(day, 11),
            )


#: What a loan officer hears when calling a late borrower: (kind, note, days to the promise or None).
_CALLS: Final = (
    (CollectionNoteKind.CALL, "电话没人接，明天再打", None),
    (CollectionNoteKind.CALL, "本人说外出打工，月底回来处理", None),
    (CollectionNoteKind.PROMISE, "电话打通，说猕猴桃卖了就还", 14),
    (CollectionNoteKind.PROMISE, "家人说资金紧张，下周先还利息", 7),
    (CollectionNoteKind.VISIT, "上门走访，大棚受了雹灾，正在补种，答应先还一部分", None),
    (CollectionNoteKind.VISIT, "与站点运营员一起上门，人不在家，留了催收通知", None),
)


def _collection_calls(*, officer: User, day: datetime.date) -> None:
    """The officer's calls of the day (see the module's docstring)."""
    rng = random.Random(f"siliu-demo-collections:{day.isoformat()}")
    now = _at(day, 10)
    recent = now - 14 * DAY
    late = (
        Loan.objects.filter(status=LoanStatus.ACTIVE, days_past_due__gt=30)
        .exclude(notes__written_at__gte=recent)
        .annotate(last_call=Max("notes__written_at"))
        .order_by(F("last_call").asc(nulls_first=True), "-days_past_due", "number")
        .values_list("number", flat=True)[:8]
    )
    for number in late:
        kind, note, promise_days = rng.choice(_CALLS)
        collection_note_add(
            number=number,
            actor=officer,
            kind=kind,
            note=note,
            promised_on=day + datetime.timedelta(days=promise_days) if promise_days else None,
            now=now + datetime.timedelta(minutes=rng.randrange(0, 300)),
        )


def _waiting(pool: list[_Borrower], *, busy: set[int], end: datetime.datetime, officer: User) -> int:
    """Today's applications left waiting: two villagers' without consent (or scored into the officer's
    band) for the loan officer, and a cooperative's large one the officer approved, for the county
    manager's second approval."""
    filed = 0
    consenting = consents_in_force(subject_ids=[b.user.pk for b in pool])
    villagers = sorted(
        (b for b in pool if b.seller is None and b.user.pk not in busy),
        key=lambda b: (b.user.pk in consenting, b.user.pk),
    )
    for borrower in villagers[:2]:
        try:
            loan_application_file(
                applicant=borrower.user,
                actor=borrower.actor,
                product_code="nonghu-xinyong",
                amount_fen=800_000,
                term_months=12,
                purpose=_("扩建猪圈"),
                now=end - datetime.timedelta(hours=2),
            )
            filed += 1
        except DomainError:
            continue
    cooperatives = [
        b
        for b in pool
        if b.seller is not None and b.seller.kind == SellerKind.COOPERATIVE and b.user.pk not in busy
    ]
    for borrower in cooperatives:
        try:
            application = loan_application_file(
                applicant=borrower.user,
                actor=borrower.actor,
                product_code="hezuoshe-jingying",
                amount_fen=8_000_000,
                term_months=24,
                purpose=_("新建冷库"),
                now=end - datetime.timedelta(hours=2),
            )
            filed += 1
            if application.status == ApplicationStatus.REVIEW:
                loan_application_review(
                    number=application.number,
                    actor=officer,
                    approve=True,
                    note=_("经营稳定，建议批准"),
                    now=end - datetime.timedelta(hours=1),
                )
                break
        except DomainError:
            continue
    return filed


def _train_and_sum(*, window: HistoryWindow, applications: int, say: Progress) -> LendingHistorySummary:
    from siliu.lending.credit.training import scorecard_train
    from siliu.lending.loans.history import loans_table

    table = loans_table(cutoff=window.end.date())
    card: Scorecard | None = None
    try:
        card = scorecard_train(table=table, seed=0)
    except ValueError as error:
        say(
            _("贷款历史太少，评分卡未训练：%(error)s / too little loan history to train: %(error)s")
            % {"error": error}
        )
    by_method = dict(Loan.objects.order_by().values_list("method").annotate(count=Count("pk")))
    by_status = dict(Loan.objects.order_by().values_list("status").annotate(count=Count("pk")))
    return LendingHistorySummary(
        application_count=applications,
        loans_by_method=by_method,
        loans_by_status=by_status,
        scorecard_version=card.version if card else None,
        metrics=dict(card.metrics) if card else {},
    )
