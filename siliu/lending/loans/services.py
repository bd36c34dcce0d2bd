"""The loan's life, written: an application filed, scored and decided; the contract; disbursement into
the wallet; repayment in four ways; credit-line draws; write-off; collection notes (issue #10, ADR 0021).

Every status change follows :data:`~siliu.lending.loans.models.APPLICATION_TRANSITIONS` or
:data:`~siliu.lending.loans.models.LOAN_TRANSITIONS` and writes its event in the same transaction. Every
yuan goes through the ledger's services: a loan's principal is the receivable ``loan:<number>``; accrued
interest and penalty are ``lending:interest_receivable``; the money lent comes out of
``lending:fund`` and repaid principal goes back to it.

Locks: a collection locks the loan row first (``SELECT … FOR UPDATE``), then the ledger locks its
accounts in ascending order; whichever of the sweep, the nightly wallet debit and a counter payment
comes second reads what the first paid, so an installment is never collected twice.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core import ids
from siliu.core.bulk import update_rows
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.money import format_fen
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import acting_user
from siliu.finance import chart
from siliu.finance.models import AccountType
from siliu.finance.services import (
    CATEGORY_LOAN_REPAYMENT,
    TransferRequest,
    account_open,
    counter_cash_admit,
    system_account,
    transfers_book,
    wallet_open,
)
from siliu.lending.credit.selectors import consent_in_force, scorecard_current
from siliu.lending.credit.services import credit_score
from siliu.lending.loans.accrual import accrue_installment, day_interest_fen, owed_now
from siliu.lending.loans.allocation import Allocation, allocate, owed_total
from siliu.lending.loans.models import (
    APPLICATION_TRANSITIONS,
    LOAN_TRANSITIONS,
    ApplicationStatus,
    CollectionNoteKind,
    DecisionBand,
    Loan,
    LoanApplication,
    LoanApplicationEvent,
    LoanCollectionNote,
    LoanEvent,
    LoanInstallment,
    LoanRepayment,
    LoanStatus,
    RepaymentSource,
)
from siliu.lending.products import LoanProduct, RepaymentMethod
from siliu.lending.schedules import BASIS_POINTS, due_date, schedule_build
from siliu.network.models import Outlet

#: The ledger accounts lending books to (opened on first use, like every chart account).
LENDING_ACCOUNTS: Final = (
    chart.LENDING_FUND,
    chart.INTEREST_RECEIVABLE,
    chart.INTEREST_INCOME,
    chart.PENALTY_INCOME,
    chart.LOSS_PROVISION,
    chart.IMPAIRMENT_EXPENSE,
    chart.BANK,
    chart.CAPITAL,
)
#: Categories of lending's transfers in the ledger.
CATEGORY_DISBURSEMENT: Final = "loan_disbursement"
CATEGORY_ACCRUAL: Final = "loan_accrual"
CATEGORY_PROVISION: Final = "loan_provision"
CATEGORY_WRITE_OFF: Final = "loan_write_off"


def lending_accounts_open() -> None:
    """Open lending's chart accounts if a fresh database lacks them."""
    for code in LENDING_ACCOUNTS:
        system_account(code=code)


# ---------------------------------------------------------------------------------------------------
# Applications


def _application_transition(
    application: LoanApplication,
    to_status: str,
    *,
    actor: User | None,
    now: datetime.datetime,
    note: str = "",
) -> None:
    if to_status not in APPLICATION_TRANSITIONS[application.status]:
        raise Conflict(
            "invalid_transition",
            _("%(status)s的申请不能变为%(to)s")
            % {
                "status": ApplicationStatus(application.status).label,
                "to": ApplicationStatus(to_status).label,
            },
        )
    LoanApplicationEvent.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        actor=acting_user(actor),
        occurred_at=now,
        note=note[:300],
    )
    application.status = to_status
    if to_status in (ApplicationStatus.APPROVED, ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN):
        application.decided_at = now


def _loan_transition(
    loan: Loan, to_status: str, *, actor: User | None, now: datetime.datetime, note: str = ""
) -> None:
    if to_status not in LOAN_TRANSITIONS[loan.status]:
        raise Conflict(
            "invalid_transition",
            _("%(status)s的贷款不能变为%(to)s")
            % {"status": LoanStatus(loan.status).label, "to": LoanStatus(to_status).label},
        )
    LoanEvent.objects.create(
        loan=loan,
        from_status=loan.status,
        to_status=to_status,
        actor=acting_user(actor),
        occurred_at=now,
        note=note[:300],
    )
    loan.status = to_status


def _new_number(prefix: str, now: datetime.datetime) -> str:
    return f"{prefix}{timezone.localdate(now):%y%m%d}{ids.randbelow(10**8):08d}"


def _application_outlet(*, applicant: User, actor: User) -> Outlet:
    """Where an application is taken: the actor's station when a station operator files it for someone
    (``loan.apply_for``), else the applicant's shop's home outlet."""
    from siliu.commerce.catalog.selectors import seller_for

    if actor.pk != applicant.pk:
        outlets = user_outlet_ids(actor, Permission.LOAN_APPLY_FOR)
        if outlets is not None and not outlets:
            raise PermissionRefused("not_allowed", _("只能为自己申请贷款，或由站点运营员为村民代办"))
        stations = Outlet.objects.filter(is_active=True).order_by("pk")
        if outlets is not None:
            stations = stations.filter(pk__in=outlets)
        station = stations.first()
        if station is None:
            raise PermissionRefused("not_allowed", _("只能为自己申请贷款，或由站点运营员为村民代办"))
        return station
    seller = seller_for(actor=applicant)
    if seller is None:
        raise Conflict("no_outlet", _("请到村里的服务站，由站点运营员代为申请"))
    return seller.home_outlet


def _terms_validate(
    *,
    product: LoanProduct,
    amount_fen: int,
    term_months: int,
    harvest_months: Sequence[int],
    filed_on: datetime.date,
) -> list[int]:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise ValidationFailed("invalid_amount", _("金额须为整数（分）"), field="amount_fen")
    if not product.min_amount_fen <= amount_fen <= product.max_amount_fen:
        raise ValidationFailed(
            "amount_out_of_range",
            _("%(product)s的金额须在 %(low)s 至 %(high)s 之间")
            % {
                "product": product.name,
                "low": format_fen(product.min_amount_fen),
                "high": format_fen(product.max_amount_fen),
            },
            field="amount_fen",
        )
    if term_months not in product.term_months:
        raise ValidationFailed(
            "term_not_offered",
            _("%(product)s可选的期限为 %(terms)s 个月")
            % {"product": product.name, "terms": "、".join(str(t) for t in product.term_months)},
            field="term_months",
        )
    months = sorted(set(harvest_months)) or list(product.harvest_months)
    if any(not isinstance(m, int) or not 1 <= m <= 12 for m in months):
        raise ValidationFailed(
            "invalid_harvest_month", _("收获月份须在 1 至 12 之间"), field="harvest_months"
        )
    if product.method == RepaymentMethod.SEASONAL:
        if not months:
            raise ValidationFailed(
                "harvest_months_required", _("季节还款须填写收获月份"), field="harvest_months"
            )
        if not any(
            due_date(start_date=filed_on, months=k).month in months for k in range(1, term_months + 1)
        ):
            raise ValidationFailed(
                "no_harvest_in_term", _("期限内没有收获月份，本金无法按季节归还"), field="harvest_months"
            )
        return months
    return []


@transaction.atomic
def loan_application_file(
    *,
    applicant: User,
    actor: User,
    product_code: str,
    amount_fen: int,
    term_months: int,
    purpose: str,
    harvest_months: Sequence[int] = (),
    now: datetime.datetime | None = None,
) -> LoanApplication:
    """File an application and apply the policy at once (ADR 0021).

    With a consent in force the applicant is scored with the current card: below its ``refuse_below``
    the application is refused with the score's reasons; from ``approve_from`` and within the automatic
    limit (the applicant's 12-month sales × ``SILIU_LENDING_AUTO_LIMIT_SALES_BP``, at most the product's
    maximum, and not above ``SILIU_LENDING_SECOND_APPROVAL_FEN``) it is approved and its contract drawn;
    otherwise it waits for a loan officer. Without a consent there is no score, only manual review.

    Raises
    ------
    NotFound
        ``unknown_product`` (or not on offer).
    ValidationFailed
        ``amount_out_of_range``, ``term_not_offered``, ``invalid_harvest_month``,
        ``harvest_months_required``, ``no_harvest_in_term``, ``purpose_required``.
    PermissionRefused
        ``not_allowed``: for someone else without ``loan.apply_for``.
    Conflict
        ``no_outlet`` (a villager applies at a station); ``application_open`` (one at a time);
        ``loan_open`` (a loan not yet repaid).
    """
    now = now or timezone.now()
    product = LoanProduct.objects.filter(code=product_code, is_active=True).first()
    if product is None:
        raise NotFound("unknown_product", _("没有这个贷款产品"), field="product")
    months = _terms_validate(
        product=product,
        amount_fen=amount_fen,
        term_months=term_months,
        harvest_months=harvest_months,
        filed_on=timezone.localdate(now),
    )
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed("purpose_required", _("请写明借款用途"), field="purpose")
    outlet = _application_outlet(applicant=applicant, actor=actor)
    # One at a time: lock the applicant's user row, so two filings at once queue and the second sees
    # the first (locking their applications would lock nothing when there are none).
    list(User.objects.select_for_update().filter(pk=applicant.pk).values_list("pk"))
    open_applications = LoanApplication.objects.filter(
        applicant_id=applicant.pk,
        status__in=[ApplicationStatus.REVIEW, ApplicationStatus.SECOND_REVIEW],
    )
    if open_applications.exists():
        raise Conflict("application_open", _("已有一份申请在审核中，请等待结果或撤回后再申请"))
    if Loan.objects.filter(
        borrower_id=applicant.pk, status__in=[LoanStatus.CONTRACTED, LoanStatus.ACTIVE]
    ).exists():
        raise Conflict("loan_open", _("还有一笔贷款未结清，结清后才能再申请"))
    application = LoanApplication(
        number=_new_number("LA", now),
        applicant_id=applicant.pk,
        filed_by_id=actor.pk,
        outlet=outlet,
        product=product,
        amount_fen=amount_fen,
        term_months=term_months,
        harvest_months=months,
        purpose=purpose[:200],
        status=ApplicationStatus.REVIEW,
        band=DecisionBand.MANUAL,
        filed_at=now,
    )
    to_status, note = ApplicationStatus.REVIEW, _("无数据使用同意书，人工审核")
    if consent_in_force(subject=applicant) is not None:
        record = credit_score(user=applicant, on=timezone.localdate(now), actor=applicant)
        card = scorecard_current()
        sales_fen = int(record.features.get("sales_12m_fen", 0))
        limit = min(
            product.max_amount_fen,
            sales_fen * settings.SILIU_LENDING_AUTO_LIMIT_SALES_BP // BASIS_POINTS,
            settings.SILIU_LENDING_SECOND_APPROVAL_FEN,
        )
        application.score, application.score_record, application.reasons = (
            record.score,
            record,
            record.reasons,
        )
        application.auto_limit_fen = max(limit, 0)
        if record.score < card.refuse_below:
            application.band = DecisionBand.REFUSE
            to_status, note = ApplicationStatus.REFUSED, _("信用分低于拒绝分数线")
        elif record.score >= card.approve_from and amount_fen <= application.auto_limit_fen:
            application.band = DecisionBand.AUTO_APPROVE
            to_status, note = ApplicationStatus.APPROVED, _("信用分达到自动批准线，金额在自动批准额度内")
        else:
            application.band = DecisionBand.REVIEW
            note = _("由信贷员审核")
    application.status = to_status
    if to_status != ApplicationStatus.REVIEW:
        application.decided_at = now
    application.save()
    LoanApplicationEvent.objects.create(
        application=application, from_status="", to_status=to_status, actor=actor, occurred_at=now, note=note
    )
    if to_status == ApplicationStatus.APPROVED:
        _loan_contract(application, now=now)
    return application


def _lock_application(number: str) -> LoanApplication:
    application = (
        LoanApplication.objects.select_for_update(of=("self",))
        .select_related("product", "outlet")
        .filter(number=number)
        .first()
    )
    if application is None:
        raise NotFound("unknown_application", _("没有编号为 %(number)s 的申请") % {"number": number})
    return application


@transaction.atomic
def loan_application_review(
    *,
    number: str,
    actor: User,
    approve: bool,
    note: str = "",
    now: datetime.datetime | None = None,
) -> LoanApplication:
    """A loan officer (``loan.review``) decides an application waiting for review: approve it (its
    contract is drawn, or above ``SILIU_LENDING_SECOND_APPROVAL_FEN`` it waits for a county manager's
    second approval) or refuse it with a note the applicant reads.

    Raises
    ------
    NotFound
        ``unknown_application``.
    PermissionRefused
        ``not_allowed`` without ``loan.review`` at the application's outlet.
    ValidationFailed
        ``note_required`` to refuse without a reason.
    Conflict
        ``invalid_transition`` unless the application waits for review.
    """
    now = now or timezone.now()
    application = _lock_application(number)
    if not user_can_at(actor, Permission.LOAN_REVIEW, application.outlet):
        raise PermissionRefused("not_allowed", _("没有审核贷款申请的权限"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed("note_required", _("拒绝时请写明原因，借款人会看到"), field="note")
    if application.status != ApplicationStatus.REVIEW:
        raise Conflict(
            "invalid_transition",
            _("%(status)s的申请不能审核") % {"status": ApplicationStatus(application.status).label},
        )
    application.reviewed_by_id, application.reviewed_at, application.review_note = actor.pk, now, note[:300]
    if not approve:
        to_status = ApplicationStatus.REFUSED
    elif application.amount_fen > settings.SILIU_LENDING_SECOND_APPROVAL_FEN:
        to_status = ApplicationStatus.SECOND_REVIEW
    else:
        to_status = ApplicationStatus.APPROVED
    _application_transition(application, to_status, actor=actor, now=now, note=note)
    application.save(update_fields=["status", "decided_at", "reviewed_by", "reviewed_at", "review_note"])
    if to_status == ApplicationStatus.APPROVED:
        _loan_contract(application, now=now)
    return application


@transaction.atomic
def loan_application_approve(
    *,
    number: str,
    actor: User,
    approve: bool,
    note: str = "",
    now: datetime.datetime | None = None,
) -> LoanApplication:
    """The second person (a county manager, ``loan.approve`` in the application's county) approves or
    refuses an application above ``SILIU_LENDING_SECOND_APPROVAL_FEN`` that an officer has reviewed.
    The one who reviewed it cannot also approve it (the database checks it too).

    Raises
    ------
    NotFound
        ``unknown_application``.
    PermissionRefused
        ``not_allowed`` without ``loan.approve`` there; ``same_person`` for its reviewer.
    ValidationFailed
        ``note_required`` to refuse without a reason.
    Conflict
        ``invalid_transition`` unless it waits for the second approval.
    """
    now = now or timezone.now()
    application = _lock_application(number)
    if not user_can_at(actor, Permission.LOAN_APPROVE, application.outlet):
        raise PermissionRefused("not_allowed", _("没有复核贷款申请的权限"))
    if application.reviewed_by_id == actor.pk:
        raise PermissionRefused("same_person", _("审核人不能再复核同一笔申请，请由另一位管理员复核"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed("note_required", _("拒绝时请写明原因，借款人会看到"), field="note")
    if application.status != ApplicationStatus.SECOND_REVIEW:
        raise Conflict(
            "invalid_transition",
            _("%(status)s的申请不能复核") % {"status": ApplicationStatus(application.status).label},
        )
    application.approved_by_id, application.approved_at = actor.pk, now
    if note:
        application.review_note = note[:300]
    to_status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
    _application_transition(application, to_status, actor=actor, now=now, note=note)
    application.save(update_fields=["status", "decided_at", "approved_by", "approved_at", "review_note"])
    if approve:
        _loan_contract(application, now=now)
    return application


@transaction.atomic
def loan_application_withdraw(
    *, number: str, actor: User, now: datetime.datetime | None = None
) -> LoanApplication:
    """The applicant (or whoever filed it) withdraws an application still being reviewed.

    Raises
    ------
    NotFound
        ``unknown_application`` (also someone else's).
    Conflict
        ``invalid_transition`` once decided.
    """
    now = now or timezone.now()
    application = _lock_application(number)
    if actor.pk not in (application.applicant_id, application.filed_by_id):
        raise NotFound("unknown_application", _("没有编号为 %(number)s 的申请") % {"number": number})
    _application_transition(
        application, ApplicationStatus.WITHDRAWN, actor=actor, now=now, note=_("申请人撤回")
    )
    application.save(update_fields=["status", "decided_at"])
    return application


def _loan_contract(application: LoanApplication, *, now: datetime.datetime) -> Loan:
    """Draw the contract of an approved application: the loan with its terms, waiting for signature."""
    product = application.product
    loan = Loan(
        number=_new_number("LN", now),
        application=application,
        borrower_id=application.applicant_id,
        outlet_id=application.outlet_id,
        product=product,
        method=product.method,
        amount_fen=application.amount_fen,
        annual_rate_bp=product.annual_rate_bp,
        penalty_rate_bp=product.penalty_rate_bp,
        grace_days=product.grace_days,
        sweep_share_bp=product.sweep_share_bp,
        term_months=application.term_months,
        harvest_months=application.harvest_months,
        status=LoanStatus.CONTRACTED,
        contracted_at=now,
    )
    loan.save()
    LoanEvent.objects.create(
        loan=loan,
        from_status="",
        to_status=LoanStatus.CONTRACTED,
        occurred_at=now,
        note=_("申请已批准，生成合同"),
    )
    return loan


# ---------------------------------------------------------------------------------------------------
# Contract, disbursement, draws


def _lock_loan(number: str) -> Loan:
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("outlet", "product", "borrower")
        .filter(number=number)
        .first()
    )
    if loan is None:
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    return loan


def _acts_for_borrower(loan: Loan, actor: User) -> bool:
    """The borrower, or a station operator at the loan's station (``loan.apply_for``) for a villager."""
    return actor.pk == loan.borrower_id or user_can_at(actor, Permission.LOAN_APPLY_FOR, loan.outlet)


def installments_build(loan: Loan, *, start_on: datetime.date) -> list[LoanInstallment]:
    """The installments of ``loan`` lent on ``start_on``: its schedule (:func:`schedule_build`), or for
    a credit line one installment at maturity whose principal grows with each draw."""
    rows: list[LoanInstallment] = []
    if loan.method == RepaymentMethod.CREDIT_LINE:
        maturity = due_date(start_date=start_on, months=loan.term_months)
        periods = [(1, start_on, maturity, 0, 0)]
    else:
        schedule = schedule_build(
            method=loan.method,
            amount_fen=loan.amount_fen,
            annual_rate_bp=loan.annual_rate_bp,
            term_months=loan.term_months,
            start_date=start_on,
            harvest_months=loan.harvest_months,
        )
        periods, previous = [], start_on
        for item in schedule.installments:
            periods.append((item.n, previous, item.due_date, item.principal_fen, item.interest_fen))
            previous = item.due_date
    for n, period_start, due, principal, interest in periods:
        rows.append(
            LoanInstallment(
                loan=loan,
                n=n,
                period_start_on=period_start,
                due_on=due,
                due_day=due.toordinal(),
                period_days=(due - period_start).days,
                principal_fen=principal,
                interest_fen=interest,
                accrued_through_day=period_start.toordinal(),
                penalty_through_day=due.toordinal(),
            )
        )
    return rows


def _loan_account(loan: Loan) -> str:
    return account_open(
        code=chart.loan_code(number=loan.number),
        name=_("贷款 %(number)s 本金") % {"number": loan.number},
        type=AccountType.ASSET,
        owner_reference=f"loan:{loan.number}",
    ).code


def _pay_out(loan: Loan, *, amount_fen: int, id_prefix: str) -> list[TransferRequest]:
    """Money lent: the borrower's wallet is credited and owes it on the loan; the money leaves the
    loan fund for the bank balance that backs wallets."""
    reference = f"loan:{loan.number}"
    return [
        TransferRequest(
            id=f"{id_prefix}",
            debit_account=_loan_account(loan),
            credit_account=wallet_open(user=loan.borrower).code,
            amount_fen=amount_fen,
            category=CATEGORY_DISBURSEMENT,
            reference=reference,
        ),
        TransferRequest(
            id=f"{id_prefix}:fund",
            debit_account=chart.BANK,
            credit_account=chart.LENDING_FUND,
            amount_fen=amount_fen,
            category=CATEGORY_DISBURSEMENT,
            reference=reference,
        ),
    ]


def _book(requests: Sequence[TransferRequest], *, actor: User | None, now: datetime.datetime) -> None:
    """Book lending's transfers; an empty loan fund is named as such."""
    lending_accounts_open()
    try:
        transfers_book(requests, actor=actor, now=now)
    except Conflict as error:
        if error.code == "exceeds_credits" and "lending:fund" in str(error.message):
            raise Conflict("fund_exhausted", _("贷款资金不足，暂时不能放款，请联系信贷员")) from None
        raise


@transaction.atomic
def loan_sign(*, number: str, actor: User, now: datetime.datetime | None = None) -> Loan:
    """The borrower (or the station operator for a villager) signs the contract and the loan is paid
    into the borrower's wallet at once: its installments are fixed from today, and interest runs from
    today. A credit line opens with nothing drawn.

    Raises
    ------
    NotFound
        ``unknown_loan`` (also someone else's).
    Conflict
        ``invalid_transition`` unless the contract waits for signature; ``fund_exhausted`` when the
        loan fund cannot pay it. Nothing is written when refused.
    """
    now = now or timezone.now()
    loan = _lock_loan(number)
    if not _acts_for_borrower(loan, actor):
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    _loan_transition(loan, LoanStatus.ACTIVE, actor=actor, now=now, note=_("借款人签约，放款到钱包"))
    start_on = timezone.localdate(now)
    rows = installments_build(loan, start_on=start_on)
    loan.start_on, loan.maturity_on, loan.disbursed_at = start_on, rows[-1].due_on, now
    if loan.method != RepaymentMethod.CREDIT_LINE:
        loan.principal_outstanding_fen = loan.amount_fen
        _book(
            _pay_out(loan, amount_fen=loan.amount_fen, id_prefix=f"loan:{loan.number}:disburse"),
            actor=actor,
            now=now,
        )
    loan.save(
        update_fields=["status", "start_on", "maturity_on", "disbursed_at", "principal_outstanding_fen"]
    )
    LoanInstallment.objects.bulk_create(rows)
    return loan


@transaction.atomic
def loan_cancel(*, number: str, actor: User, now: datetime.datetime | None = None) -> Loan:
    """The borrower declines a contract not yet signed; nothing was lent.

    Raises
    ------
    NotFound
        ``unknown_loan``. Conflict ``invalid_transition`` once signed.
    """
    now = now or timezone.now()
    loan = _lock_loan(number)
    if not _acts_for_borrower(loan, actor):
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    _loan_transition(loan, LoanStatus.CANCELLED, actor=actor, now=now, note=_("借款人未签约"))
    loan.closed_at = now
    loan.save(update_fields=["status", "closed_at"])
    return loan


# ---------------------------------------------------------------------------------------------------
# Accrual of one loan (the nightly run does the same for all loans at once, in SQL)


def _accrual_transfers(
    *, interest_fen: int, penalty_fen: int, id_prefix: str, reference: str
) -> list[TransferRequest]:
    requests = []
    for suffix, amount, income in (
        ("interest", interest_fen, chart.INTEREST_INCOME),
        ("penalty", penalty_fen, chart.PENALTY_INCOME),
    ):
        if amount:
            requests.append(
                TransferRequest(
                    id=f"{id_prefix}:{suffix}",
                    debit_account=chart.INTEREST_RECEIVABLE,
                    credit_account=income,
                    amount_fen=amount,
                    category=CATEGORY_ACCRUAL,
                    reference=reference,
                )
            )
    return requests


# ---------------------------------------------------------------------------------------------------
# Collection: the one path of all four ways to repay


@dataclass
class Collected:
    """A collection planned for one loan: the repayment row, its transfers, the rows it changes."""

    loan: Loan
    installments: list[LoanInstallment]
    repayment: LoanRepayment
    transfers: list[TransferRequest] = field(default_factory=list)
    closes: bool = False


def _reprice(loan: Loan, installments: Sequence[LoanInstallment], *, on: datetime.date) -> None:
    """After principal repaid early: the interest of the installments not yet due follows the principal
    left (convention: outstanding × annual ÷ 12, half up; the current one keeps what has accrued and
    adds the days left at annual ÷ 360 on the new balance), never below what has accrued."""
    later = [row for row in installments if row.due_on > on and row.settled_on is None]
    for row in later:
        balance = sum(other.principal_owed_fen for other in later if other.n >= row.n)
        if row.period_start_on <= on:
            interest = row.interest_accrued_fen + day_interest_fen(
                principal_fen=balance, rate_bp=loan.annual_rate_bp, days=(row.due_on - on).days
            )
        else:
            interest = (balance * loan.annual_rate_bp * 2 + 12 * BASIS_POINTS) // (24 * BASIS_POINTS)
        row.interest_fen = max(interest, row.interest_accrued_fen)


def _settle_rows(loan: Loan, installments: Sequence[LoanInstallment], *, on: datetime.date) -> None:
    credit_line = loan.method == RepaymentMethod.CREDIT_LINE
    for row in installments:
        if row.settled_on is not None:
            continue
        nothing_owed = row.principal_owed_fen == 0 and row.penalty_owed_fen == 0
        if credit_line:
            if row.due_on <= on and nothing_owed and row.interest_owed_fen == 0:
                row.settled_on = on
        elif nothing_owed and row.interest_paid_fen == row.interest_fen:
            row.settled_on = on


def collection_plan(
    loan: Loan,
    installments: list[LoanInstallment],
    *,
    amount_fen: int,
    early: bool,
    payer_account: str,
    source: str,
    prefix: str,
    on: datetime.date,
    now: datetime.datetime,
    actor: User | None = None,
    outlet: Outlet | None = None,
    reference: str = "",
) -> Collected | None:
    """Plan collecting up to ``amount_fen`` from ``payer_account`` for ``loan`` (installments locked
    and accrued to ``on``): allocate it (:func:`~siliu.lending.loans.allocation.allocate`), change the
    rows in memory, and list the transfers. ``None`` when nothing is owed that this way may take."""
    credit_line = loan.method == RepaymentMethod.CREDIT_LINE
    owed = owed_now(installments, on=on, credit_line=credit_line)
    early = early or credit_line
    take = min(amount_fen, owed_total(owed, early=early))
    if take <= 0:
        return None
    allocations: list[Allocation] = allocate(owed=owed, amount_fen=take, early=early)
    by_n = {row.n: row for row in installments}
    penalty = interest = principal = 0
    principal_early = 0
    for part in allocations:
        row = by_n[part.n]
        row.penalty_paid_fen += part.penalty_fen
        row.interest_paid_fen += part.interest_fen
        row.principal_paid_fen += part.principal_fen
        penalty, interest, principal = (
            penalty + part.penalty_fen,
            interest + part.interest_fen,
            principal + part.principal_fen,
        )
        if row.due_on > on:
            principal_early += part.principal_fen
    if principal_early and not credit_line:
        _reprice(loan, installments, on=on)
    _settle_rows(loan, installments, on=on)
    loan.principal_outstanding_fen -= principal
    repayment = LoanRepayment(
        loan=loan,
        source=source,
        transfer_prefix=prefix,
        amount_fen=penalty + interest + principal,
        penalty_fen=penalty,
        interest_fen=interest,
        principal_fen=principal,
        is_early=any(by_n[part.n].due_on > on for part in allocations),
        allocations=[
            {
                "n": p.n,
                "penalty_fen": p.penalty_fen,
                "interest_fen": p.interest_fen,
                "principal_fen": p.principal_fen,
            }
            for p in allocations
        ],
        outlet=outlet,
        reference=reference,
        taken_by=actor,
        paid_at=now,
        business_on=on,
    )
    ref = f"loan:{loan.number}"
    category = CATEGORY_LOAN_REPAYMENT
    collected = Collected(loan=loan, installments=installments, repayment=repayment)
    for suffix, amount, credit in (
        ("penalty", penalty, chart.INTEREST_RECEIVABLE),
        ("interest", interest, chart.INTEREST_RECEIVABLE),
        ("principal", principal, chart.loan_code(number=loan.number)),
    ):
        if amount:
            collected.transfers.append(
                TransferRequest(
                    id=f"{prefix}:{suffix}",
                    debit_account=payer_account,
                    credit_account=credit,
                    amount_fen=amount,
                    category=category,
                    reference=ref,
                )
            )
    if principal:
        collected.transfers.append(
            TransferRequest(
                id=f"{prefix}:fund",
                debit_account=chart.LENDING_FUND,
                credit_account=chart.BANK,
                amount_fen=principal,
                category=category,
                reference=ref,
            )
        )
    collected.closes = all(row.settled_on is not None for row in installments)
    if collected.closes and loan.provision_fen:
        collected.transfers.append(
            TransferRequest(
                id=f"{prefix}:provision",
                debit_account=chart.LOSS_PROVISION,
                credit_account=chart.IMPAIRMENT_EXPENSE,
                amount_fen=loan.provision_fen,
                category=CATEGORY_PROVISION,
                reference=ref,
            )
        )
    return collected


INSTALLMENT_PAID_FIELDS: Final = [
    "interest_fen",
    "interest_accrued_fen",
    "accrued_through_day",
    "penalty_fen",
    "penalty_through_day",
    "principal_fen",
    "principal_paid_fen",
    "interest_paid_fen",
    "penalty_paid_fen",
    "settled_on",
]


def collections_write(collected: Sequence[Collected], *, now: datetime.datetime) -> None:
    """Write what :func:`collection_plan` changed, once its transfers are booked."""
    rows = [row for item in collected for row in item.installments]
    # Plain VALUES rather than bulk_update's CASE per row and field: the nightly run writes thousands.
    for start in range(0, len(rows), 1000):
        update_rows(LoanInstallment, INSTALLMENT_PAID_FIELDS, rows[start : start + 1000])
    LoanRepayment.objects.bulk_create([item.repayment for item in collected], batch_size=1000)
    for item in collected:
        if item.closes:
            loan = item.loan
            _loan_transition(
                loan, LoanStatus.CLOSED, actor=item.repayment.taken_by, now=now, note=_("已还清")
            )
            loan.closed_at, loan.provision_fen, loan.days_past_due = now, 0, 0
    loans = [item.loan for item in collected]
    for start in range(0, len(loans), 1000):
        update_rows(
            Loan,
            ["principal_outstanding_fen", "status", "closed_at", "provision_fen", "days_past_due"],
            loans[start : start + 1000],
        )


def _collect_one(
    loan: Loan,
    *,
    amount_fen: int,
    early: bool,
    payer_account: str,
    source: str,
    now: datetime.datetime,
    actor: User | None,
    outlet: Outlet | None = None,
    reference: str = "",
    exact: bool = False,
) -> LoanRepayment | None:
    """Collect for one locked loan: accrue it to today (booking what was added), plan, book, write.
    With ``exact`` (cash handed over) more than may be taken is refused rather than taken in part."""
    on = timezone.localdate(now)
    installments = list(LoanInstallment.objects.filter(loan=loan).order_by("n"))
    interest_added = penalty_added = 0
    for row in installments:
        interest, penalty = accrue_installment(row, loan=loan, on_day=on.toordinal())
        interest_added, penalty_added = interest_added + interest, penalty_added + penalty
    if exact:
        owed = owed_total(
            owed_now(installments, on=on, credit_line=loan.method == RepaymentMethod.CREDIT_LINE),
            early=early or loan.method == RepaymentMethod.CREDIT_LINE,
        )
        if 0 < owed < amount_fen:
            raise ValidationFailed(
                "exceeds_owed",
                _("这次最多应收 %(owed)s") % {"owed": format_fen(owed)},
                field="amount_fen",
            )
    sequence = LoanRepayment.objects.filter(loan=loan).count() + 1
    prefix = f"loan:{loan.number}:repay:{sequence}"
    collected = collection_plan(
        loan,
        installments,
        amount_fen=amount_fen,
        early=early,
        payer_account=payer_account,
        source=source,
        prefix=prefix,
        on=on,
        now=now,
        actor=actor,
        outlet=outlet,
        reference=reference,
    )
    accruals = _accrual_transfers(
        interest_fen=interest_added,
        penalty_fen=penalty_added,
        id_prefix=f"{prefix}:accrue",
        reference=f"loan:{loan.number}",
    )
    if collected is None:
        if accruals:
            _book(accruals, actor=actor, now=now)
            LoanInstallment.objects.bulk_update(installments, INSTALLMENT_PAID_FIELDS)
        return None
    _book(accruals + collected.transfers, actor=actor, now=now)
    collections_write([collected], now=now)
    return collected.repayment


def _repayable(loan: Loan) -> None:
    if loan.status != LoanStatus.ACTIVE:
        raise Conflict(
            "loan_not_active", _("这笔贷款%(status)s，不能还款") % {"status": LoanStatus(loan.status).label}
        )


def _amount_check(amount_fen: object) -> int:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise ValidationFailed("invalid_amount", _("还款金额须为正整数（分）"), field="amount_fen")
    return amount_fen


def _nothing_owed(early: bool) -> Conflict:
    if early:
        return Conflict("nothing_owed", _("这笔贷款已没有欠款"), field="amount_fen")
    return Conflict(
        "nothing_due", _("目前没有到期应还的款项；要提前还款请选择“提前还款”"), field="amount_fen"
    )


@transaction.atomic
def loan_repay_from_wallet(
    *,
    number: str,
    actor: User,
    amount_fen: int,
    early: bool = False,
    now: datetime.datetime | None = None,
) -> LoanRepayment:
    """The borrower repays from their wallet now: what is due (penalty, interest, principal), and with
    ``early`` also ahead of time — the interest accrued to today, then principal (the last installments
    first). An amount above what may be taken is taken only up to it.

    Raises
    ------
    NotFound
        ``unknown_loan`` (someone else's).
    ValidationFailed
        ``invalid_amount``.
    Conflict
        ``loan_not_active``; ``nothing_due`` / ``nothing_owed``; ``exceeds_credits`` when the wallet
        holds less. Nothing is written when refused.
    """
    now = now or timezone.now()
    amount_fen = _amount_check(amount_fen)
    loan = _lock_loan(number)
    if actor.pk != loan.borrower_id:
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    _repayable(loan)
    wallet = wallet_open(user=loan.borrower)
    repayment = _collect_one(
        loan,
        amount_fen=amount_fen,
        early=early,
        payer_account=wallet.code,
        source=RepaymentSource.WALLET,
        now=now,
        actor=actor,
    )
    if repayment is None:
        raise _nothing_owed(early)
    return repayment


@transaction.atomic
def loan_repay_at_counter(
    *,
    number: str,
    actor: User,
    outlet: Outlet,
    amount_fen: int,
    early: bool = False,
    now: datetime.datetime | None = None,
) -> LoanRepayment:
    """A station operator takes cash at the counter for a loan (``counter.operate`` there): into the
    drawer, allocated like any repayment. The drawer is admitted (and locked) first, as for every
    counter cash movement; only what is owed is taken, and the receipt shows it.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` without ``counter.operate`` at ``outlet``.
    NotFound
        ``unknown_loan``.
    ValidationFailed
        ``invalid_amount``; ``exceeds_transaction_cap``.
    Conflict
        ``outlet_has_no_cash_counter``, ``day_closed``, ``exceeds_daily_cap``, ``loan_not_active``,
        ``nothing_due`` / ``nothing_owed``. Nothing is written when refused.
    """
    now = now or timezone.now()
    amount_fen = _amount_check(amount_fen)
    if not user_can_at(actor, Permission.COUNTER_OPERATE, outlet):
        raise PermissionRefused("not_allowed", _("只能在自己的站点柜台收款"))
    if not outlet.has_cash_counter or not outlet.is_active:
        raise Conflict("outlet_has_no_cash_counter", _("该网点没有现金柜台"))
    if not Loan.objects.filter(number=number).exists():
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    # The drawer first, alone (the counter's lock order); the id only answers a retry, never stored.
    drawer = counter_cash_admit(
        outlet=outlet, amount_fen=amount_fen, cash_in=True, transfer_id=f"loan:{number}:counter", now=now
    )
    loan = _lock_loan(number)
    _repayable(loan)
    repayment = _collect_one(
        loan,
        amount_fen=amount_fen,
        early=early,
        payer_account=drawer.code,
        source=RepaymentSource.COUNTER_CASH,
        now=now,
        actor=actor,
        outlet=outlet,
        exact=True,
    )
    if repayment is None:
        raise _nothing_owed(early)
    return repayment


def loan_sweep_settlements(settlements: Sequence[object], now: datetime.datetime) -> None:
    """The sales sweep (commerce's settlement hook): when a settlement pays a borrower for goods sold,
    up to the loan's sweep share of the payable goes first to what is due or overdue, from the seller's
    payable account. Runs inside the settlement's transaction; locks the loans before any lending
    account, in ascending order."""
    from siliu.commerce.orders.selectors import seller_payable_code

    payable: dict[int, tuple[object, int, str]] = {}
    for settlement in settlements:
        seller = settlement.seller  # type: ignore[attr-defined]
        if settlement.payable_fen > 0:  # type: ignore[attr-defined]
            _seller, total, ref = payable.get(seller.user_id, (seller, 0, settlement.order.number))  # type: ignore[attr-defined]
            payable[seller.user_id] = (seller, total + settlement.payable_fen, ref)  # type: ignore[attr-defined]
    if not payable:
        return
    on = timezone.localdate(now)
    due = LoanInstallment.objects.filter(due_day__lte=on.toordinal(), settled_on__isnull=True).values(
        "loan_id"
    )
    loans = list(
        Loan.objects.select_for_update()
        .filter(borrower_id__in=payable, status=LoanStatus.ACTIVE, sweep_share_bp__gt=0, pk__in=due)
        .order_by("pk")
    )
    left = {user_id: total for user_id, (_seller, total, _ref) in payable.items()}
    for loan in loans:
        seller, total, order_number = payable[loan.borrower_id]
        share = min(total * loan.sweep_share_bp // BASIS_POINTS, left[loan.borrower_id])
        if share <= 0:
            continue
        repayment = _collect_one(
            loan,
            amount_fen=share,
            early=False,
            payer_account=seller_payable_code(seller),  # type: ignore[arg-type]
            source=RepaymentSource.SWEEP,
            now=now,
            actor=None,
            reference=str(order_number),
        )
        if repayment is not None:
            left[loan.borrower_id] -= repayment.amount_fen


@transaction.atomic
def credit_line_draw(
    *, number: str, actor: User, amount_fen: int, now: datetime.datetime | None = None
) -> Loan:
    """The borrower draws on their credit line into their wallet; interest runs by the day on what is
    drawn.

    Raises
    ------
    NotFound
        ``unknown_loan``.
    ValidationFailed
        ``invalid_amount``; ``exceeds_limit`` over what is left of the line.
    Conflict
        ``not_a_credit_line``, ``loan_not_active``, ``line_expired`` after maturity, ``overdue`` while
        anything is past due, ``fund_exhausted``.
    """
    now = now or timezone.now()
    amount_fen = _amount_check(amount_fen)
    loan = _lock_loan(number)
    if actor.pk != loan.borrower_id:
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    if loan.method != RepaymentMethod.CREDIT_LINE:
        raise Conflict("not_a_credit_line", _("只有随借随还的贷款可以支用"))
    _repayable(loan)
    on = timezone.localdate(now)
    (row,) = LoanInstallment.objects.filter(loan=loan)
    if on >= row.due_on:
        raise Conflict("line_expired", _("授信已到期，不能再支用"))
    if loan.days_past_due:
        raise Conflict("overdue", _("有逾期欠款，还清后才能支用"))
    left = loan.amount_fen - loan.principal_outstanding_fen
    if amount_fen > left:
        raise ValidationFailed(
            "exceeds_limit", _("最多还能支用 %(left)s") % {"left": format_fen(left)}, field="amount_fen"
        )
    interest, penalty = accrue_installment(row, loan=loan, on_day=on.toordinal())
    draws = LoanEvent.objects.filter(loan=loan).count()
    prefix = f"loan:{loan.number}:draw:{draws}"
    requests = _accrual_transfers(
        interest_fen=interest,
        penalty_fen=penalty,
        id_prefix=f"{prefix}:accrue",
        reference=f"loan:{loan.number}",
    ) + _pay_out(loan, amount_fen=amount_fen, id_prefix=prefix)
    _book(requests, actor=actor, now=now)
    row.principal_fen += amount_fen
    row.save(update_fields=INSTALLMENT_PAID_FIELDS)
    loan.principal_outstanding_fen += amount_fen
    loan.save(update_fields=["principal_outstanding_fen"])
    LoanEvent.objects.create(
        loan=loan,
        from_status=loan.status,
        to_status=loan.status,
        actor=actor,
        occurred_at=now,
        note=_("支用 %(amount)s") % {"amount": format_fen(amount_fen)},
    )
    return loan


@transaction.atomic
def loan_write_off(*, number: str, actor: User, note: str, now: datetime.datetime | None = None) -> Loan:
    """A county manager (``loan.write_off`` in the loan's county) writes off a loan classed 可疑 or 损失:
    its principal is taken from the loss provision (topped up first if short), its accrued interest and
    penalty are reversed out of income. Collection may go on outside the platform; the loan is closed.

    Raises
    ------
    PermissionRefused
        ``not_allowed``. NotFound ``unknown_loan``.
    ValidationFailed
        ``note_required``.
    Conflict
        ``loan_not_active``; ``not_doubtful`` unless classed 可疑 or 损失.
    """
    from siliu.lending.loans.models import LoanClass

    now = now or timezone.now()
    loan = _lock_loan(number)
    if not user_can_at(actor, Permission.LOAN_WRITE_OFF, loan.outlet):
        raise PermissionRefused("not_allowed", _("没有核销贷款的权限"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("note_required", _("请写明核销原因"), field="note")
    _repayable(loan)
    if loan.classification not in (LoanClass.DOUBTFUL, LoanClass.LOSS):
        raise Conflict("not_doubtful", _("只有可疑或损失类贷款可以核销"))
    installments = list(LoanInstallment.objects.filter(loan=loan))
    interest_owed = sum(row.interest_owed_fen for row in installments if row.settled_on is None)
    penalty_owed = sum(row.penalty_owed_fen for row in installments if row.settled_on is None)
    principal = loan.principal_outstanding_fen
    ref, prefix = f"loan:{loan.number}", f"loan:{loan.number}:write-off"
    requests: list[TransferRequest] = []
    if principal > loan.provision_fen:
        requests.append(
            TransferRequest(
                id=f"{prefix}:top-up",
                debit_account=chart.IMPAIRMENT_EXPENSE,
                credit_account=chart.LOSS_PROVISION,
                amount_fen=principal - loan.provision_fen,
                category=CATEGORY_PROVISION,
                reference=ref,
            )
        )
    for suffix, amount, debit, credit in (
        ("principal", principal, chart.LOSS_PROVISION, chart.loan_code(number=loan.number)),
        ("surplus", loan.provision_fen - principal, chart.LOSS_PROVISION, chart.IMPAIRMENT_EXPENSE),
        ("interest", interest_owed, chart.INTEREST_INCOME, chart.INTEREST_RECEIVABLE),
        ("penalty", penalty_owed, chart.PENALTY_INCOME, chart.INTEREST_RECEIVABLE),
    ):
        if amount > 0:
            requests.append(
                TransferRequest(
                    id=f"{prefix}:{suffix}",
                    debit_account=debit,
                    credit_account=credit,
                    amount_fen=amount,
                    category=CATEGORY_WRITE_OFF,
                    reference=ref,
                )
            )
    _book(requests, actor=actor, now=now)
    _loan_transition(loan, LoanStatus.WRITTEN_OFF, actor=actor, now=now, note=note)
    loan.closed_at, loan.provision_fen = now, 0
    loan.save(update_fields=["status", "closed_at", "provision_fen"])
    return loan


@transaction.atomic
def collection_note_add(
    *,
    number: str,
    actor: User,
    kind: str,
    note: str,
    promised_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> LoanCollectionNote:
    """A loan officer (``loan.collect``) records a call or visit about a loan, and any promise to pay.

    Raises
    ------
    PermissionRefused
        ``not_allowed``. NotFound ``unknown_loan``.
    ValidationFailed
        ``invalid_kind``, ``note_required``, ``promise_in_past``.
    """
    now = now or timezone.now()
    loan = Loan.objects.select_related("outlet").filter(number=number).first()
    if loan is None:
        raise NotFound("unknown_loan", _("没有编号为 %(number)s 的贷款") % {"number": number})
    if not user_can_at(actor, Permission.LOAN_COLLECT, loan.outlet):
        raise PermissionRefused("not_allowed", _("没有记录催收的权限"))
    if kind not in CollectionNoteKind.values:
        raise ValidationFailed("invalid_kind", _("请选择电话、上门或承诺还款"), field="kind")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("note_required", _("请写下这次联系的情况"), field="note")
    if promised_on is not None and promised_on < timezone.localdate(now):
        raise ValidationFailed("promise_in_past", _("承诺还款日不能早于今天"), field="promised_on")
    if kind == CollectionNoteKind.PROMISE and promised_on is None:
        raise ValidationFailed("promise_date_required", _("请填写承诺还款日"), field="promised_on")
    return LoanCollectionNote.objects.create(
        loan=loan, kind=kind, note=note[:300], promised_on=promised_on, written_by=actor, written_at=now
    )


def lending_fund_add(*, amount_fen: int, now: datetime.datetime | None = None) -> None:
    """Set money aside for lending: from the platform's capital into the loan fund (staff, the demo)."""
    _amount_check(amount_fen)
    now = now or timezone.now()
    lending_accounts_open()
    transfers_book(
        [
            TransferRequest(
                id=f"lending:fund:add:{ids.randbelow(10**12):012d}",
                debit_account=chart.LENDING_FUND,
                credit_account=chart.CAPITAL,
                amount_fen=amount_fen,
                category="lending_fund",
            )
        ],
        actor=None,
        now=now,
    )


def repaid_principal(loan: Loan) -> int:
    """Principal repaid so far (the sum over the repayments)."""
    return LoanRepayment.objects.filter(loan=loan).aggregate(total=Sum("principal_fen"))["total"] or 0
