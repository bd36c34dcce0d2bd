"""Applications decided by the policy: score bands, the automatic limit, review, the second person."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

import siliu.lending.credit.services as credit_services
from siliu.commerce.tests.conftest import Shop
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.lending.credit.features import CreditFeatures
from siliu.lending.credit.models import Scorecard
from siliu.lending.credit.services import credit_consent_give
from siliu.lending.loans.models import (
    ApplicationStatus,
    DecisionBand,
    Loan,
    LoanApplication,
    LoanApplicationEvent,
    LoanStatus,
)
from siliu.lending.loans.services import (
    loan_application_approve,
    loan_application_file,
    loan_application_review,
    loan_application_withdraw,
)
from siliu.lending.tests.loan_fixtures import START, product_make
from siliu.network.models import Outlet


def file(
    borrower: User, amount_fen: int = 1_000_000, actor: User | None = None, **fields: object
) -> LoanApplication:
    values: dict[str, object] = {
        "product_code": "p-equal_installment",
        "term_months": 12,
        "purpose": "买化肥",
    }
    values.update(fields)
    return loan_application_file(
        applicant=borrower,
        actor=actor or borrower,
        amount_fen=amount_fen,
        now=START,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def product(db: None) -> None:
    product_make()


def cut_offs(approve_from: int, refuse_below: int) -> None:
    Scorecard.objects.filter(version=0).update(approve_from=approve_from, refuse_below=refuse_below)


def test_without_consent_there_is_no_score_only_manual_review(shop: Shop, product: None) -> None:
    """Band ``manual``, status ``review``, one event from nothing; no contract."""
    application = file(shop.cooperative.user)
    assert (application.status, application.band, application.score) == (
        ApplicationStatus.REVIEW,
        DecisionBand.MANUAL,
        None,
    )
    assert list(application.events.values_list("from_status", "to_status")) == [("", "review")]
    assert not Loan.objects.exists()


def test_a_score_below_the_cut_off_is_refused_with_its_reasons(shop: Shop, product: None) -> None:
    """The expert card scores a new shop low; with the refusal line above it the policy refuses at once
    and keeps the three reasons the applicant reads."""
    borrower = shop.cooperative.user
    credit_consent_give(subject=borrower, actor=borrower)
    cut_offs(approve_from=900, refuse_below=900)
    application = file(borrower)
    assert (application.status, application.band) == (ApplicationStatus.REFUSED, DecisionBand.REFUSE)
    assert application.score is not None and application.score < 900
    assert len(application.reasons) == 3 and all(isinstance(reason, str) for reason in application.reasons)
    assert application.decided_at == START
    assert not Loan.objects.exists()


def test_a_good_score_within_the_sales_limit_is_approved_and_contracted_at_once(
    shop: Shop, product: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Approve from the card's line, up to 30 % of 12-month sales: the contract waits for signature;
    above the limit the same score goes to an officer."""
    borrower = shop.cooperative.user
    credit_consent_give(subject=borrower, actor=borrower)
    cut_offs(approve_from=0, refuse_below=0)
    settings.SILIU_LENDING_AUTO_LIMIT_SALES_BP = 10_000
    # The shop has no sales yet: a limit of nothing, so an officer reviews.
    assert file(borrower).band == DecisionBand.REVIEW
    LoanApplication.objects.update(status=ApplicationStatus.WITHDRAWN)
    features = CreditFeatures(
        sales_12m_fen=2_000_000,
        sales_trend_percent=0,
        orders_completed_12m=10,
        orders_cancelled_12m=0,
        claims_12m=0,
        dispatch_days_average=1.0,
        months_on_platform=12,
        wallet_inflow_months_12m=12,
        late_repayments_count=0,
    )
    # Sales of 20,000 yuan over the year: an automatic limit of as much (100 % for this test).
    monkeypatch.setattr(credit_services, "credit_features", lambda **_kwargs: features)
    approved = file(borrower, amount_fen=2_000_000)
    assert (approved.status, approved.band, approved.auto_limit_fen) == (
        ApplicationStatus.APPROVED,
        DecisionBand.AUTO_APPROVE,
        2_000_000,
    )
    loan = Loan.objects.get(application=approved)
    assert (loan.status, loan.amount_fen, loan.annual_rate_bp, loan.term_months) == (
        LoanStatus.CONTRACTED,
        2_000_000,
        1200,
        12,
    )


def test_an_officer_approves_and_a_large_loan_needs_a_second_person(
    shop: Shop, product: None, officer: User, make_user: Callable[..., User]
) -> None:
    """Up to 50,000 yuan the officer's approval draws the contract; above, a county manager approves
    after the officer, and the one who reviewed may not approve."""
    borrower = shop.cooperative.user
    small = file(borrower, amount_fen=5_000_000)
    loan_application_review(number=small.number, actor=officer, approve=True, now=START)
    small.refresh_from_db()
    assert small.status == ApplicationStatus.APPROVED and small.reviewed_by == officer
    Loan.objects.filter(application=small).update(status=LoanStatus.CANCELLED)

    large = file(borrower, amount_fen=5_000_001)
    loan_application_review(number=large.number, actor=officer, approve=True, note="有订单", now=START)
    large.refresh_from_db()
    assert large.status == ApplicationStatus.SECOND_REVIEW
    assert not Loan.objects.filter(application=large).exists()

    boss = make_user(Role.COUNTY_MANAGER, Role.LOAN_OFFICER, username="boss")
    with pytest.raises(PermissionRefused) as officer_refused:
        loan_application_approve(number=large.number, actor=officer, approve=True, now=START)
    assert officer_refused.value.code == "not_allowed"

    loan_application_approve(number=large.number, actor=boss, approve=True, now=START)
    large.refresh_from_db()
    assert (large.status, large.approved_by) == (ApplicationStatus.APPROVED, boss)
    assert list(large.events.values_list("to_status", flat=True)) == ["review", "second_review", "approved"]
    assert Loan.objects.get(application=large).status == LoanStatus.CONTRACTED


def test_the_reviewer_cannot_also_give_the_second_approval(
    shop: Shop, product: None, make_user: Callable[..., User]
) -> None:
    """A user holding both roles reviews, then is refused ``same_person``; nothing changes."""
    both = make_user(Role.COUNTY_MANAGER, Role.LOAN_OFFICER, username="both")
    large = file(shop.cooperative.user, amount_fen=6_000_000)
    loan_application_review(number=large.number, actor=both, approve=True, now=START)
    events = LoanApplicationEvent.objects.count()
    with pytest.raises(PermissionRefused) as refused:
        loan_application_approve(number=large.number, actor=both, approve=True, now=START)
    assert refused.value.code == "same_person"
    large.refresh_from_db()
    assert (large.status, large.approved_by, LoanApplicationEvent.objects.count()) == (
        ApplicationStatus.SECOND_REVIEW,
        None,
        events,
    )


def test_refusing_needs_a_reason_and_a_manager_elsewhere_cannot_approve(
    shop: Shop, product: None, officer: User, make_user: Callable[..., User]
) -> None:
    """``note_required``; a county manager posted elsewhere is ``not_allowed``; nothing written."""
    application = file(shop.cooperative.user, amount_fen=6_000_000)
    with pytest.raises(ValidationFailed) as silent:
        loan_application_review(number=application.number, actor=officer, approve=False, now=START)
    assert (silent.value.code, silent.value.field) == ("note_required", "note")
    loan_application_review(number=application.number, actor=officer, approve=True, now=START)
    elsewhere = make_user(Role.COUNTY_MANAGER, username="elsewhere", county=False)
    with pytest.raises(PermissionRefused):
        loan_application_approve(number=application.number, actor=elsewhere, approve=True, now=START)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SECOND_REVIEW and application.approved_by is None


def test_bad_terms_are_refused_with_their_field_and_nothing_is_written(shop: Shop, product: None) -> None:
    """Amount out of the product's range, a term it does not offer, no purpose, an unknown product."""
    borrower = shop.cooperative.user
    cases = [
        ({"amount_fen": 99_999}, "amount_out_of_range", "amount_fen"),
        ({"term_months": 24}, "term_not_offered", "term_months"),
        ({"purpose": "  "}, "purpose_required", "purpose"),
        ({"product_code": "nope"}, "unknown_product", "product"),
    ]
    for fields, code, field in cases:
        with pytest.raises((ValidationFailed, NotFound)) as refused:
            file(borrower, **fields)  # type: ignore[arg-type]
        assert (refused.value.code, refused.value.field) == (code, field)
    assert not LoanApplication.objects.exists() and not LoanApplicationEvent.objects.exists()


def test_one_application_at_a_time_and_none_while_a_loan_is_open(
    shop: Shop, product: None, lend: Callable[..., Loan]
) -> None:
    """``application_open`` while one is reviewed; withdrawn, a new one may be filed; ``loan_open``
    while a loan is being repaid."""
    borrower = shop.cooperative.user
    first = file(borrower)
    with pytest.raises(Conflict) as twice:
        file(borrower)
    assert twice.value.code == "application_open"
    loan_application_withdraw(number=first.number, actor=borrower, now=START)
    lend()
    with pytest.raises(Conflict) as open_loan:
        file(borrower)
    assert open_loan.value.code == "loan_open"


def test_a_villager_applies_through_the_station_operator_and_not_alone(
    product: None, make_user: Callable[..., User], shop: Shop
) -> None:
    """Alone: ``no_outlet`` (a villager has no shop); through the operator: taken at the station."""
    villager = make_user(Role.CONSUMER, username="villager")
    with pytest.raises(Conflict) as alone:
        file(villager)
    assert alone.value.code == "no_outlet"
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    Outlet.objects.filter(code="VS21").update(operator=operator)
    application = file(villager, actor=operator)
    assert (application.outlet.code, application.filed_by, application.applicant) == (
        "VS21",
        operator,
        villager,
    )
    neighbour = make_user(Role.CONSUMER, username="neighbour")
    with pytest.raises(PermissionRefused):
        file(make_user(Role.CONSUMER, username="other"), actor=neighbour)
