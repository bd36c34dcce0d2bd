"""The officer's and county manager's reads: the applications waiting for them, the portfolio's figures
and the collection list, each scoped to where the user holds the permission that shows it.

The portfolio's figures are aggregate queries over the loans in scope (a county can hold 100,000
loans): no loan is read into Python to be counted. PAR30 and PAR90 are the principal outstanding of the
active loans more than 30 (90) days past due over all principal outstanding of the active loans, in
basis points rounded half up (1234 = 12.34 %).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import NotFound
from siliu.core.identity import mobile_mask
from siliu.core.money import format_fen
from siliu.core.permissions import Permission, user_outlet_ids
from siliu.lending.credit.features import FEATURE_LABELS, FEATURE_NAMES
from siliu.lending.credit.models import FieldVisit
from siliu.lending.credit.selectors import field_visit_latest
from siliu.lending.loans.models import (
    ApplicationStatus,
    LendingNight,
    Loan,
    LoanApplication,
    LoanClass,
    LoanCollectionNote,
    LoanInstallment,
    LoanRepayment,
    LoanStatus,
    RepaymentSource,
)
from siliu.lending.schedules import BASIS_POINTS

User = AbstractBaseUser | AnonymousUser

#: The delinquency buckets, days past due (inclusive; ``None``: no upper bound).
BUCKETS: Final = ((1, 30), (31, 60), (61, 90), (91, 180), (181, 360), (361, None))
#: Applications shown on one page of a queue.
QUEUE_PAGE: Final = 50


def _scoped(queryset: QuerySet[Any], actor: User, permission: Permission, field: str = "outlet_id") -> Any:
    """``queryset`` narrowed to the outlets where ``actor`` holds ``permission`` (none without it)."""
    outlets = user_outlet_ids(actor, permission)
    return queryset if outlets is None else queryset.filter(**{f"{field}__in": outlets})


def basis_points(part: int, whole: int) -> int:
    """``part ÷ whole`` in basis points, rounded half up; 0 when ``whole`` is 0."""
    if whole <= 0:
        return 0
    return (2 * part * BASIS_POINTS + whole) // (2 * whole)


# ---------------------------------------------------------------------------------------------------
# The review queue and the second approval


def review_queue(*, actor: User) -> QuerySet[LoanApplication]:
    """Applications waiting for a loan officer's review at outlets where ``actor`` holds
    ``loan.review``, oldest first."""
    applications = LoanApplication.objects.filter(status=ApplicationStatus.REVIEW)
    return (
        _scoped(applications, actor, Permission.LOAN_REVIEW)
        .select_related("applicant__profile", "product", "outlet", "score_record")
        .order_by("filed_at", "pk")
    )


def approval_queue(*, actor: User) -> QuerySet[LoanApplication]:
    """Applications an officer approved above ``SILIU_LENDING_SECOND_APPROVAL_FEN`` that wait for a
    county manager's second approval, in the counties where ``actor`` holds ``loan.approve``; the
    longest waiting first."""
    applications = LoanApplication.objects.filter(status=ApplicationStatus.SECOND_REVIEW)
    return (
        _scoped(applications, actor, Permission.LOAN_APPROVE)
        .select_related("applicant__profile", "product", "outlet", "score_record", "reviewed_by")
        .order_by("reviewed_at", "filed_at", "pk")
    )


def application_for(*, number: str, actor: User, permission: Permission) -> LoanApplication:
    """The application ``number`` if it was filed at an outlet where ``actor`` holds ``permission``.

    Raises
    ------
    NotFound
        ``unknown_application`` (also one outside the actor's places).
    """
    applications = LoanApplication.objects.filter(number=number).select_related(
        "applicant__profile", "product", "outlet", "score_record", "reviewed_by", "approved_by"
    )
    application = _scoped(applications, actor, permission).first()
    if application is None:
        raise NotFound("unknown_application", _("没有编号为 %(number)s 的申请") % {"number": number})
    return application


def needs_second_approval(application: LoanApplication) -> bool:
    """Whether approving ``application`` will leave it waiting for a county manager (its amount is
    above ``SILIU_LENDING_SECOND_APPROVAL_FEN``)."""
    return application.amount_fen > settings.SILIU_LENDING_SECOND_APPROVAL_FEN


@dataclass(frozen=True)
class FeatureWords:
    """One of the applicant's features as a person reads it: ``近12个月销售额`` · ``¥12,345.00``."""

    name: str
    label: str
    value: str


def _trend_words(percent: int) -> str:
    if percent > 0:
        return _("增长 %(n)s%%") % {"n": percent}
    if percent < 0:
        return _("下降 %(n)s%%") % {"n": -percent}
    return _("持平")


#: Feature → its label without the unit (the value carries it), and how its value is written.
_FEATURE_WORDS: Final = {
    "sales_12m_fen": (gettext_lazy("近12个月销售额"), lambda v: format_fen(int(v))),
    "sales_trend_percent": (gettext_lazy("近6个月销售额比前6个月"), lambda v: _trend_words(int(v))),
    "orders_completed_12m": (FEATURE_LABELS["orders_completed_12m"], lambda v: _("%(n)s 笔") % {"n": int(v)}),
    "orders_cancelled_12m": (FEATURE_LABELS["orders_cancelled_12m"], lambda v: _("%(n)s 笔") % {"n": int(v)}),
    "claims_12m": (FEATURE_LABELS["claims_12m"], lambda v: _("%(n)s 次") % {"n": int(v)}),
    "dispatch_days_average": (
        FEATURE_LABELS["dispatch_days_average"],
        lambda v: _("%(n)s 天") % {"n": f"{float(v):.1f}"},
    ),
    "months_on_platform": (FEATURE_LABELS["months_on_platform"], lambda v: _("%(n)s 个月") % {"n": int(v)}),
    "wallet_inflow_months_12m": (
        FEATURE_LABELS["wallet_inflow_months_12m"],
        lambda v: _("%(n)s 个月") % {"n": int(v)},
    ),
    "late_repayments_count": (
        FEATURE_LABELS["late_repayments_count"],
        lambda v: _("%(n)s 次") % {"n": int(v)},
    ),
}
assert set(_FEATURE_WORDS) == set(FEATURE_NAMES), "every credit feature needs its words"


def features_in_words(features: dict[str, float]) -> list[FeatureWords]:
    """The features of a score (``ScoreRecord.features``) in the scorecard's order, as words."""
    rows = []
    for name in FEATURE_NAMES:
        if name in features:
            label, write = _FEATURE_WORDS[name]
            rows.append(FeatureWords(name, str(label), write(features[name])))
    return rows


@dataclass(frozen=True)
class EarlierLoan:
    """One of the applicant's earlier loans and how it was repaid."""

    number: str
    product_name: str
    amount_fen: int
    status: str
    status_label: str
    disbursed_at: datetime.datetime | None
    installment_count: int
    settled_count: int
    settled_late_count: int
    days_past_due: int
    classification_label: str
    repaid_fen: int
    sources: list[tuple[str, int]]


@dataclass(frozen=True)
class ReviewItem:
    """An application as the reviewer sees it: the application, whether approving it needs a second
    person, the latest field visit, the 12-month features in words and the earlier loans."""

    application: LoanApplication
    phone: str
    needs_second_approval: bool
    visit: FieldVisit | None
    features: list[FeatureWords]
    earlier_loans: list[EarlierLoan]


def earlier_loans(
    *, borrower_ids: Sequence[int], exclude_application_ids: Sequence[int] = ()
) -> dict[int, list[EarlierLoan]]:
    """The loans each borrower was paid out (newest first): installments settled, settled after their
    due date, days past due now, what was repaid and how. Two queries, whatever the number."""
    loans = (
        Loan.objects.filter(borrower_id__in=borrower_ids, disbursed_at__isnull=False)
        .exclude(application_id__in=exclude_application_ids)
        .select_related("product")
        .annotate(
            installment_count=Count("installments"),
            settled_count=Count("installments", filter=Q(installments__settled_on__isnull=False)),
            settled_late_count=Count(
                "installments", filter=Q(installments__settled_on__gt=F("installments__due_on"))
            ),
        )
        .order_by("-disbursed_at", "-pk")
    )
    by_loan: dict[int, dict[str, int]] = {}
    for loan_id, source, amount in (
        LoanRepayment.objects.filter(loan__borrower_id__in=borrower_ids)
        .values("loan_id", "source")
        .annotate(total=Sum("amount_fen"))
        .values_list("loan_id", "source", "total")
    ):
        by_loan.setdefault(loan_id, {})[source] = amount
    result: dict[int, list[EarlierLoan]] = {pk: [] for pk in borrower_ids}
    for loan in loans:
        sources = by_loan.get(loan.pk, {})
        result.setdefault(loan.borrower_id, []).append(
            EarlierLoan(
                number=loan.number,
                product_name=loan.product.name,
                amount_fen=loan.amount_fen,
                status=loan.status,
                status_label=str(LoanStatus(loan.status).label),
                disbursed_at=loan.disbursed_at,
                installment_count=loan.installment_count,
                settled_count=loan.settled_count,
                settled_late_count=loan.settled_late_count,
                days_past_due=loan.days_past_due if loan.status == LoanStatus.ACTIVE else 0,
                classification_label=str(LoanClass(loan.classification).label),
                repaid_fen=sum(sources.values()),
                sources=[
                    (str(RepaymentSource(source).label), sources[source])
                    for source in RepaymentSource.values
                    if source in sources
                ],
            )
        )
    return result


def review_items(applications: Sequence[LoanApplication]) -> list[ReviewItem]:
    """What the reviewer reads for each application (a queue's page: a few queries per application
    for the field visit, the rest at once)."""
    history = earlier_loans(
        borrower_ids=[application.applicant_id for application in applications],
        exclude_application_ids=[application.pk for application in applications],
    )
    items = []
    for application in applications:
        record = application.score_record
        profile = getattr(application.applicant, "profile", None)
        items.append(
            ReviewItem(
                application=application,
                phone=mobile_mask(profile.phone) if profile is not None else "",
                needs_second_approval=needs_second_approval(application),
                visit=field_visit_latest(subject=application.applicant),
                features=features_in_words(record.features) if record is not None else [],
                earlier_loans=history.get(application.applicant_id, []),
            )
        )
    return items


# ---------------------------------------------------------------------------------------------------
# The portfolio


@dataclass(frozen=True)
class ClassLine:
    """The active loans of one class of the five-category classification."""

    classification: str
    label: str
    loan_count: int
    outstanding_fen: int
    provision_fen: int


@dataclass(frozen=True)
class BucketLine:
    """The active loans whose days past due fall in ``low`` … ``high`` (``None``: and more)."""

    low: int
    high: int | None
    label: str
    loan_count: int
    outstanding_fen: int


@dataclass(frozen=True)
class Portfolio:
    """The loans in a user's scope, as the officer's page and ``/api/v1/lending/portfolio`` show them.

    Amounts in fen. ``par30_fen``/``par90_fen``: principal outstanding of active loans more than 30/90
    days past due; ``par30_bp``/``par90_bp`` the same over ``outstanding_fen``, in basis points.
    ``disbursed_fen``: principal paid out (a credit line's draws); ``repaid_*``: everything collected,
    split as it was allocated; ``written_off_fen``: principal written off."""

    loan_count: int
    outstanding_fen: int
    provision_fen: int
    overdue_count: int
    overdue_fen: int
    par30_fen: int
    par90_fen: int
    par30_bp: int
    par90_bp: int
    by_class: list[ClassLine]
    buckets: list[BucketLine]
    disbursed_count: int
    disbursed_fen: int
    repaid_fen: int
    repaid_principal_fen: int
    repaid_interest_fen: int
    repaid_penalty_fen: int
    closed_count: int
    written_off_count: int
    written_off_fen: int
    last_night: LendingNight | None


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s 天以上") % {"low": low - 1}
    return _("%(low)s–%(high)s 天") % {"low": low, "high": high}


def _bucket_q(low: int, high: int | None) -> Q:
    return Q(days_past_due__gte=low) if high is None else Q(days_past_due__gte=low, days_past_due__lte=high)


def loans_in_scope(*, actor: User) -> QuerySet[Loan]:
    """Every loan at the outlets where ``actor`` holds ``loan.read`` (none without it)."""
    scoped: QuerySet[Loan] = _scoped(Loan.objects.all(), actor, Permission.LOAN_READ)
    return scoped


def portfolio_summary(*, actor: User) -> Portfolio:
    """The portfolio in ``actor``'s scope (``loan.read``: a loan officer's is the whole network, a
    county manager's their county): the active loans by class, PAR30 and PAR90, the delinquency
    buckets, what was paid out, repaid and written off, and the last nightly run (network-wide). Five
    aggregate queries, whatever the number of loans."""
    loans = loans_in_scope(actor=actor)
    active = loans.filter(status=LoanStatus.ACTIVE)
    outstanding = Coalesce(Sum("principal_outstanding_fen"), 0)
    figures: dict[str, Any] = {
        "loan_count": Count("pk"),
        "outstanding_fen": outstanding,
        "provision_fen": Coalesce(Sum("provision_fen"), 0),
        "overdue_count": Count("pk", filter=Q(days_past_due__gt=0)),
        "overdue_fen": Coalesce(Sum("principal_outstanding_fen", filter=Q(days_past_due__gt=0)), 0),
        "par30_fen": Coalesce(Sum("principal_outstanding_fen", filter=Q(days_past_due__gt=30)), 0),
        "par90_fen": Coalesce(Sum("principal_outstanding_fen", filter=Q(days_past_due__gt=90)), 0),
    }
    for index, (low, high) in enumerate(BUCKETS):
        figures[f"bucket_{index}_count"] = Count("pk", filter=_bucket_q(low, high))
        figures[f"bucket_{index}_fen"] = Coalesce(
            Sum("principal_outstanding_fen", filter=_bucket_q(low, high)), 0
        )
    totals = active.aggregate(**figures)
    classes = {
        row["classification"]: row
        for row in active.values("classification").annotate(
            count=Count("pk"), outstanding=outstanding, provision=Coalesce(Sum("provision_fen"), 0)
        )
    }
    by_class = [
        ClassLine(
            classification=value,
            label=str(label),
            loan_count=classes.get(value, {}).get("count", 0),
            outstanding_fen=classes.get(value, {}).get("outstanding", 0),
            provision_fen=classes.get(value, {}).get("provision", 0),
        )
        for value, label in LoanClass.choices
    ]
    buckets = [
        BucketLine(
            low=low,
            high=high,
            label=_bucket_label(low, high),
            loan_count=totals[f"bucket_{index}_count"],
            outstanding_fen=totals[f"bucket_{index}_fen"],
        )
        for index, (low, high) in enumerate(BUCKETS)
    ]
    paid_out = loans.filter(disbursed_at__isnull=False)
    disbursed = LoanInstallment.objects.filter(loan__in=paid_out).aggregate(
        total=Coalesce(Sum("principal_fen"), 0)
    )["total"]
    repaid = LoanRepayment.objects.filter(loan__in=loans).aggregate(
        amount=Coalesce(Sum("amount_fen"), 0),
        principal=Coalesce(Sum("principal_fen"), 0),
        interest=Coalesce(Sum("interest_fen"), 0),
        penalty=Coalesce(Sum("penalty_fen"), 0),
    )
    ended = paid_out.aggregate(
        disbursed_count=Count("pk"),
        closed_count=Count("pk", filter=Q(status=LoanStatus.CLOSED)),
        written_off_count=Count("pk", filter=Q(status=LoanStatus.WRITTEN_OFF)),
        written_off_fen=Coalesce(
            Sum("principal_outstanding_fen", filter=Q(status=LoanStatus.WRITTEN_OFF)), 0
        ),
    )
    return Portfolio(
        loan_count=totals["loan_count"],
        outstanding_fen=totals["outstanding_fen"],
        provision_fen=totals["provision_fen"],
        overdue_count=totals["overdue_count"],
        overdue_fen=totals["overdue_fen"],
        par30_fen=totals["par30_fen"],
        par90_fen=totals["par90_fen"],
        par30_bp=basis_points(totals["par30_fen"], totals["outstanding_fen"]),
        par90_bp=basis_points(totals["par90_fen"], totals["outstanding_fen"]),
        by_class=by_class,
        buckets=buckets,
        disbursed_count=ended["disbursed_count"],
        disbursed_fen=disbursed,
        repaid_fen=repaid["amount"],
        repaid_principal_fen=repaid["principal"],
        repaid_interest_fen=repaid["interest"],
        repaid_penalty_fen=repaid["penalty"],
        closed_count=ended["closed_count"],
        written_off_count=ended["written_off_count"],
        written_off_fen=ended["written_off_fen"],
        last_night=LendingNight.objects.order_by("-business_on").first(),
    )


@dataclass(frozen=True)
class Overdue:
    """How many active loans in scope are past due, and PAR30 (for the start page)."""

    loan_count: int
    par30_bp: int


def overdue_figures(*, actor: User) -> Overdue:
    """The count of active loans past due in ``actor``'s scope and PAR30, in one aggregate query."""
    totals = (
        loans_in_scope(actor=actor)
        .filter(status=LoanStatus.ACTIVE)
        .aggregate(
            overdue=Count("pk", filter=Q(days_past_due__gt=0)),
            outstanding=Coalesce(Sum("principal_outstanding_fen"), 0),
            par30=Coalesce(Sum("principal_outstanding_fen", filter=Q(days_past_due__gt=30)), 0),
        )
    )
    return Overdue(totals["overdue"], basis_points(totals["par30"], totals["outstanding"]))


# ---------------------------------------------------------------------------------------------------
# Collections


def collection_list(*, actor: User, on: datetime.date | None = None) -> QuerySet[Loan]:
    """The active loans past due in ``actor``'s scope (``loan.read``), most days past due first, each
    annotated with ``overdue_fen`` (penalty, interest and principal of the installments due before
    ``on`` and not paid, in fen), ``borrower_phone`` (whole: mask it with :func:`collection_phone`),
    and its last collection note (``last_note``, ``last_note_kind``, ``last_note_at``) and the last
    promised date (``promised_on``)."""
    today = (on or timezone.localdate()).toordinal()
    owed = (
        LoanInstallment.objects.filter(loan=OuterRef("pk"), settled_on__isnull=True, due_day__lt=today)
        .values("loan")
        .annotate(
            total=Sum(
                F("principal_fen")
                - F("principal_paid_fen")
                + F("interest_accrued_fen")
                - F("interest_paid_fen")
                + F("penalty_fen")
                - F("penalty_paid_fen")
            )
        )
        .values("total")
    )
    notes = LoanCollectionNote.objects.filter(loan=OuterRef("pk")).order_by("-written_at", "-pk")
    promises = (
        LoanCollectionNote.objects.filter(loan=OuterRef("pk"), promised_on__isnull=False)
        .values("loan")
        .annotate(last=Max("promised_on"))
        .values("last")
    )
    loans: QuerySet[Loan] = (
        loans_in_scope(actor=actor)
        .filter(status=LoanStatus.ACTIVE, days_past_due__gt=0)
        .select_related("borrower", "product", "outlet")
        .annotate(
            overdue_fen=Coalesce(Subquery(owed), 0),
            borrower_phone=F("borrower__profile__phone"),
            last_note=Subquery(notes.values("note")[:1]),
            last_note_kind=Subquery(notes.values("kind")[:1]),
            last_note_at=Subquery(notes.values("written_at")[:1]),
            promised_on=Subquery(promises),
        )
        .order_by("-days_past_due", "pk")
    )
    return loans


def collection_phone(loan: Loan) -> str:
    """The borrower's mobile as a collection list shows it: masked (``138****1234``), ``""`` when
    none is recorded."""
    return mobile_mask(getattr(loan, "borrower_phone", None) or "")


def loan_for(*, number: str, actor: User) -> Loan:
    """The loan ``number`` if it is at an outlet where ``actor`` holds ``loan.read``.

    Raises
    ------
    NotFound
        ``unknown_loan`` (also one outside the actor's places).
    """
    loan = (
        loans_in_scope(actor=actor)
        .select_related("borrower", "product", "outlet", "application")
        .filter(number=number)
        .first()
    )
    if loan is None:
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    return loan


@dataclass(frozen=True)
class LoanOwed:
    """What a loan owes now: of installments due before the day (``overdue_*``), and in all."""

    overdue_principal_fen: int
    overdue_interest_fen: int
    overdue_penalty_fen: int
    overdue_fen: int


def loan_owed(*, loan: Loan, on: datetime.date | None = None) -> LoanOwed:
    """The principal, interest and penalty of ``loan``'s installments due before ``on`` and unpaid."""
    today = (on or timezone.localdate()).toordinal()
    totals = LoanInstallment.objects.filter(loan=loan, settled_on__isnull=True, due_day__lt=today).aggregate(
        principal=Coalesce(Sum(F("principal_fen") - F("principal_paid_fen")), 0),
        interest=Coalesce(Sum(F("interest_accrued_fen") - F("interest_paid_fen")), 0),
        penalty=Coalesce(Sum(F("penalty_fen") - F("penalty_paid_fen")), 0),
    )
    return LoanOwed(
        totals["principal"],
        totals["interest"],
        totals["penalty"],
        totals["principal"] + totals["interest"] + totals["penalty"],
    )


def collection_notes(*, loan: Loan) -> QuerySet[LoanCollectionNote]:
    """The collection notes of ``loan``, newest first."""
    return (
        LoanCollectionNote.objects.filter(loan=loan)
        .select_related("written_by")
        .order_by("-written_at", "-pk")
    )


def loan_installments(*, loan: Loan) -> QuerySet[LoanInstallment]:
    """``loan``'s installments in order, each with ``paid_fen`` (principal, interest and penalty paid)."""
    return (
        LoanInstallment.objects.filter(loan=loan)
        .annotate(paid_fen=F("principal_paid_fen") + F("interest_paid_fen") + F("penalty_paid_fen"))
        .order_by("n")
    )
