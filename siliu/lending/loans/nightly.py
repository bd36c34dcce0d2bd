"""The nightly run of a business day, in set-based SQL (issue #10, ADR 0021): accrue interest and
penalty on every open installment, debit what is due from borrowers' wallets, and classify every loan
with its provision — booking the day's totals in the ledger.

The accrual repeats :func:`~siliu.lending.loans.accrual.accrue_installment` in a few ``UPDATE``
statements (one for scheduled loans, one per rate for credit lines and for penalties), and a test
compares the two on random loans. The wallet debits go through the same planning as every repayment,
a few hundred loans per ledger batch, each loan's transfers a linked chain: a wallet spent meanwhile
fails its own chain only.
"""

import datetime
from collections import Counter
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from siliu.finance import chart
from siliu.finance.selectors import wallet_balances
from siliu.finance.services import TransferRequest, transfers_book, transfers_create_batch
from siliu.lending.loans.accrual import DAY_DIVISOR
from siliu.lending.loans.models import (
    LendingNight,
    Loan,
    LoanClass,
    LoanInstallment,
    LoanStatus,
    RepaymentSource,
)
from siliu.lending.loans.services import (
    CATEGORY_ACCRUAL,
    CATEGORY_PROVISION,
    INSTALLMENT_PAID_FIELDS,
    Collected,
    collection_plan,
    collections_write,
    lending_accounts_open,
)
from siliu.lending.products import RepaymentMethod
from siliu.lending.schedules import BASIS_POINTS

#: Loans planned per ledger batch of wallet debits (each at most four transfers: under 1,000).
DEBIT_CHUNK: Final = 200
#: The five-category thresholds, days past due: over each, at least that class.
CLASS_THRESHOLDS: Final = (
    (360, LoanClass.LOSS),
    (270, LoanClass.DOUBTFUL),
    (90, LoanClass.SUBSTANDARD),
    (0, LoanClass.SPECIAL_MENTION),
)


def _open_installments(*conditions: Q, **loans: Any) -> "Q":
    """The open installments of the active loans (those matching ``conditions`` and ``loans``). The
    loans are a subquery, not a join: an ``UPDATE`` through a join re-reads every row it writes by
    primary key, and within one long transaction (the demo's year) each of those reads walks every
    version of the row."""
    active = Loan.objects.filter(*conditions, status=LoanStatus.ACTIVE, **loans).values("pk")
    return Q(loan__in=active, settled_on__isnull=True)


def _accrued_totals() -> tuple[int, int]:
    totals = LoanInstallment.objects.filter(_open_installments()).aggregate(
        interest=Sum("interest_accrued_fen"), penalty=Sum("penalty_fen")
    )
    return totals["interest"] or 0, totals["penalty"] or 0


def _day_interest(principal: Any, rate_bp: int, days: Any) -> Any:
    """``principal × rate × days ÷ 360 ÷ 10,000``, half up, in integer SQL (as ``day_interest_fen``)."""
    return (principal * Value(rate_bp * 2) * days + Value(DAY_DIVISOR)) / Value(2 * DAY_DIVISOR)


def accrue_all(*, on: datetime.date) -> tuple[int, int]:
    """Accrue every open installment of an active loan to the end of ``on``; return what was added
    (interest, penalty) in fen. Running it twice for a day adds nothing the second time."""
    today = on.toordinal()
    before = _accrued_totals()
    elapsed = Greatest(
        Value(0),
        Least(F("period_days"), F("period_days") - F("due_day") + Value(today)),
        output_field=IntegerField(),
    )
    # Only installments whose period has begun: the later ones have nothing to accrue, and leaving
    # them alone spares rewriting nearly every row every night.
    LoanInstallment.objects.filter(
        _open_installments(~Q(method=RepaymentMethod.CREDIT_LINE)),
        accrued_through_day__lt=today,
        due_day__lt=Value(today) + F("period_days"),
    ).update(
        interest_accrued_fen=Greatest(
            F("interest_accrued_fen"),
            Least(F("interest_fen"), F("interest_fen") * elapsed / F("period_days")),
        ),
        accrued_through_day=Value(today),
    )
    # One statement per rate of the credit lines (and per penalty rate and grace) that has something
    # to accrue tonight: the others would write nothing.
    owed = F("principal_fen") - F("principal_paid_fen")
    through = Least(Value(today), F("due_day"), output_field=IntegerField())
    lines = LoanInstallment.objects.filter(
        _open_installments(method=RepaymentMethod.CREDIT_LINE), accrued_through_day__lt=through
    )
    for rate in set(
        Loan.objects.filter(pk__in=lines.values("loan_id"))
        .order_by()
        .values_list("annual_rate_bp", flat=True)
        .distinct()
    ):
        added = _day_interest(owed, rate, through - F("accrued_through_day"))
        LoanInstallment.objects.filter(
            _open_installments(method=RepaymentMethod.CREDIT_LINE, annual_rate_bp=rate),
            accrued_through_day__lt=through,
        ).update(
            interest_fen=F("interest_fen") + added,
            interest_accrued_fen=F("interest_accrued_fen") + added,
            accrued_through_day=through,
        )
    overdue = LoanInstallment.objects.filter(
        _open_installments(), due_day__lt=today, penalty_through_day__lt=today
    )
    terms = {
        pk: (rate, grace)
        for pk, rate, grace in Loan.objects.filter(pk__in=overdue.values("loan_id"))
        .order_by()
        .values_list("pk", "penalty_rate_bp", "grace_days")
    }
    late = overdue.order_by().values_list("loan_id", "due_day").distinct()
    for rate, grace in {terms[pk] for pk, due_day in late if pk in terms and due_day < today - terms[pk][1]}:
        days = Value(today) - Greatest(F("penalty_through_day"), F("due_day"), output_field=IntegerField())
        LoanInstallment.objects.filter(
            _open_installments(penalty_rate_bp=rate, grace_days=grace),
            due_day__lt=today - grace,
            penalty_through_day__lt=today,
        ).update(
            penalty_fen=F("penalty_fen") + _day_interest(owed, rate, days), penalty_through_day=Value(today)
        )
    after = _accrued_totals()
    return after[0] - before[0], after[1] - before[1]


def _paid_state(row: LoanInstallment) -> tuple[object, ...]:
    return tuple(getattr(row, name) for name in INSTALLMENT_PAID_FIELDS)


def debit_due(*, on: datetime.date, now: datetime.datetime) -> tuple[int, int]:
    """Debit from borrowers' wallets what is due or overdue (penalty, interest, principal), as far as
    each wallet goes; return how many loans paid something and how much in all."""
    today = on.toordinal()
    due = LoanInstallment.objects.filter(_open_installments(), due_day__lte=today).values("loan_id")
    candidates = list(
        Loan.objects.filter(pk__in=due, status=LoanStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "borrower_id")
    )
    balances = wallet_balances(user_ids={borrower for _pk, borrower in candidates})
    loan_ids = [pk for pk, borrower in candidates if balances.get(borrower, 0) > 0]
    count = total = 0
    for start in range(0, len(loan_ids), DEBIT_CHUNK):
        chunk = loan_ids[start : start + DEBIT_CHUNK]
        loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=chunk).select_related("borrower")}
        installments: dict[int, list[LoanInstallment]] = {pk: [] for pk in chunk}
        # The open installments only: a collection neither reads nor changes a settled one, and the
        # loan closes when every open one settles.
        open_rows = LoanInstallment.objects.filter(loan_id__in=chunk, settled_on__isnull=True)
        for row in open_rows.order_by("loan_id", "n"):
            installments[row.loan_id].append(row)
        sequence = Counter(
            dict(
                Loan.objects.filter(pk__in=chunk)
                .annotate(count=Count("repayments"))
                .values_list("pk", "count")
            )
        )
        plans: list[Collected] = []
        for pk in chunk:
            loan = loans[pk]
            left = balances.get(loan.borrower_id, 0)
            before = {row.pk: _paid_state(row) for row in installments[pk]}
            plan = collection_plan(
                loan,
                installments[pk],
                amount_fen=left,
                early=False,
                payer_account=chart.wallet_code(user_id=loan.borrower_id),
                source=RepaymentSource.AUTO_DEBIT,
                prefix=f"loan:{loan.number}:repay:{sequence[pk] + 1}",
                on=on,
                now=now,
            )
            if plan is not None and plan.transfers:
                # Write back only the installments the collection changed (most of a loan's are not
                # touched): the write costs per row.
                plan.installments = [row for row in plan.installments if _paid_state(row) != before[row.pk]]
                plans.append(plan)
                balances[loan.borrower_id] = left - plan.repayment.amount_fen
        if not plans:
            continue
        requests: list[TransferRequest] = []
        for plan in plans:
            chain = plan.transfers
            requests += [
                TransferRequest(**{**request.__dict__, "linked": index < len(chain) - 1})
                for index, request in enumerate(chain)
            ]
        results = iter(transfers_create_batch(transfers=requests, now=now))
        booked = [plan for plan in plans if all([next(results).ok for _request in plan.transfers])]
        collections_write(booked, now=now)
        count += len(booked)
        total += sum(plan.repayment.amount_fen for plan in booked)
    return count, total


def classify_all(*, on: datetime.date) -> int:
    """Days past due, the five-category class and the provision of every active loan at the end of
    ``on``; return the change of the provisions in fen."""
    today = on.toordinal()
    active = Loan.objects.filter(status=LoanStatus.ACTIVE)
    before = active.aggregate(total=Sum("provision_fen"))["total"] or 0
    oldest = (
        LoanInstallment.objects.filter(loan=OuterRef("pk"), settled_on__isnull=True, due_day__lt=today)
        .order_by("due_day")
        .values("due_day")[:1]
    )
    # Each statement writes only the loans whose value changes (most loans stay 0 days late, 正常, with
    # the same provision): a row rewritten is a new row version and its index entries.
    # EXISTS, not IN: one index probe per loan, where an IN list too big to hash is scanned per loan.
    overdue = LoanInstallment.objects.filter(loan=OuterRef("pk"), settled_on__isnull=True, due_day__lt=today)
    active.filter(Q(days_past_due__gt=0) | Exists(overdue)).update(
        days_past_due=Coalesce(Value(today) - Subquery(oldest), Value(0))
    )
    classification = Case(
        *(When(days_past_due__gt=days, then=Value(cls.value)) for days, cls in CLASS_THRESHOLDS),
        default=Value(LoanClass.NORMAL.value),
    )
    active.exclude(classification=classification).update(classification=classification)
    rates = settings.SILIU_LENDING_PROVISION_BP
    provision = (
        F("principal_outstanding_fen")
        * Case(
            *(When(classification=cls, then=Value(rates[cls])) for cls in LoanClass.values), default=Value(0)
        )
        / Value(BASIS_POINTS)
    )
    active.exclude(provision_fen=provision).update(provision_fen=provision)
    after = active.aggregate(total=Sum("provision_fen"))["total"] or 0
    return after - before


def lending_night(*, on: datetime.date, now: datetime.datetime | None = None) -> LendingNight:
    """Run the night of the business day ``on`` (after it has ended): accrue, debit, classify, and
    book the day's accrual and provision change. Safe to run again for the same day (it adds nothing
    that was done). The active loans are locked first, so no repayment interleaves."""
    started = timezone.now()
    now = now or started
    stamp = f"lending:night:{on.isoformat()}:{started:%H%M%S%f}"
    with transaction.atomic():
        lending_accounts_open()
        list(
            Loan.objects.select_for_update().filter(status=LoanStatus.ACTIVE).order_by("pk").values_list("pk")
        )
        interest, penalty = accrue_all(on=on)
        requests = [
            TransferRequest(
                id=f"{stamp}:{suffix}",
                debit_account=chart.INTEREST_RECEIVABLE,
                credit_account=income,
                amount_fen=amount,
                category=CATEGORY_ACCRUAL,
            )
            for suffix, amount, income in (
                ("interest", interest, chart.INTEREST_INCOME),
                ("penalty", penalty, chart.PENALTY_INCOME),
            )
            if amount
        ]
        if requests:
            transfers_book(requests, actor=None, now=now)
        debited_count, debited_fen = debit_due(on=on, now=now)
        change = classify_all(on=on)
        if change:
            debit, credit = (
                (chart.IMPAIRMENT_EXPENSE, chart.LOSS_PROVISION)
                if change > 0
                else (chart.LOSS_PROVISION, chart.IMPAIRMENT_EXPENSE)
            )
            transfers_book(
                [
                    TransferRequest(
                        id=f"{stamp}:provision",
                        debit_account=debit,
                        credit_account=credit,
                        amount_fen=abs(change),
                        category=CATEGORY_PROVISION,
                    )
                ],
                actor=None,
                now=now,
            )
        night, _created = LendingNight.objects.update_or_create(
            business_on=on,
            defaults={
                "started_at": started,
                "finished_at": timezone.now(),
                "loan_count": Loan.objects.filter(status=LoanStatus.ACTIVE).count(),
                "interest_accrued_fen": interest,
                "penalty_accrued_fen": penalty,
                "debited_count": debited_count,
                "debited_fen": debited_fen,
                "provision_change_fen": change,
            },
        )
    return night


def lending_nights_due(*, today: datetime.date | None = None, most: int = 7) -> list[LendingNight]:
    """Run every night not yet run, from the day after the last run (or yesterday) to yesterday, at
    most ``most`` of them oldest first (the schedule catches up after a stop)."""
    today = today or timezone.localdate()
    last = LendingNight.objects.order_by("-business_on").values_list("business_on", flat=True).first()
    day = (last + datetime.timedelta(days=1)) if last else today - datetime.timedelta(days=1)
    nights: list[LendingNight] = []
    while day < today and len(nights) < most:
        nights.append(lending_night(on=day))
        day += datetime.timedelta(days=1)
    return nights
