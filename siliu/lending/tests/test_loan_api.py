"""The borrower's loan API: applications, loans, sign, cancel, repay, draw, payoff, counter cash."""
# ruff: noqa: F811  (the fixtures are imported from borrower_fixtures and named as arguments)

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.lending.loans.models import Loan, LoanApplication, LoanRepayment, LoanStatus, RepaymentSource
from siliu.lending.models import RepaymentMethod
from siliu.lending.tests.borrower_fixtures import (  # noqa: F401
    Station,
    contract,
    lend_today,
    product_for,
    station,
    villager_loan,
)

pytestmark = pytest.mark.django_db


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_filing_an_application_answers_201_with_its_decision(shop: Shop) -> None:
    """No consent: 201, waiting for manual review, no score, no loan yet."""
    product = product_for()
    response = api_as(shop.cooperative.user).post(
        "/api/v1/loan-applications",
        {"product": product.code, "amount_fen": 500_000, "term_months": 6, "purpose": "买化肥"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["band"], body["score"], body["reasons"], body["loan_number"]) == (
        "review",
        "manual",
        None,
        [],
        None,
    )
    listed = api_as(shop.cooperative.user).get("/api/v1/loan-applications").json()
    assert [item["number"] for item in listed] == [body["number"]]
    assert api_as(shop.cooperative.user).get(f"/api/v1/loan-applications/{body['number']}").status_code == 200


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"amount_fen": 100}, "amount_out_of_range", "amount_fen"),
        ({"term_months": 9}, "term_not_offered", "term_months"),
        ({"product": "nope"}, "unknown_product", "product"),
        ({"amount_fen": "many"}, "invalid", "amount_fen"),
        ({"purpose": "   "}, None, "purpose"),
    ],
)
def test_bad_applications_are_refused_naming_the_field(
    shop: Shop, payload: dict[str, object], code: str | None, field: str
) -> None:
    """4xx with the field at fault; nothing is filed."""
    product = product_for()
    data = {"product": product.code, "amount_fen": 500_000, "term_months": 6, "purpose": "买化肥", **payload}
    response = api_as(shop.cooperative.user).post("/api/v1/loan-applications", data, format="json")
    assert 400 <= response.status_code < 500
    body = response.json()
    assert field in body["errors"]
    if code:
        assert body["code"] == code
    assert not LoanApplication.objects.exists()


def test_a_station_operator_files_for_a_villager(station: Station) -> None:
    """``applicant_id`` names the villager; the operator is the one who filed."""
    product = product_for()
    response = api_as(station.operator).post(
        "/api/v1/loan-applications",
        {
            "product": product.code,
            "amount_fen": 300_000,
            "term_months": 3,
            "purpose": "买猪崽",
            "applicant_id": station.villager.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["applicant_id"], response.json()["filed_by_id"]) == (
        station.villager.pk,
        station.operator.pk,
    )


def test_a_seller_cannot_file_for_someone_else(shop: Shop, station: Station) -> None:
    """Without loan.apply_for: 403, nothing filed."""
    product = product_for()
    response = api_as(shop.cooperative.user).post(
        "/api/v1/loan-applications",
        {
            "product": product.code,
            "amount_fen": 300_000,
            "term_months": 3,
            "purpose": "买猪崽",
            "applicant_id": station.villager.pk,
        },
        format="json",
    )
    assert response.status_code == 403
    assert not LoanApplication.objects.exists()


def test_the_loan_with_its_installments_and_repayments(lend_today: Callable[..., Loan]) -> None:
    """Own loans listed; one loan with 12 installments; someone else gets 404."""
    loan = lend_today()
    client = api_as(loan.borrower)
    assert [item["number"] for item in client.get("/api/v1/loans").json()] == [loan.number]
    body = client.get(f"/api/v1/loans/{loan.number}").json()
    assert (body["status"], body["principal_outstanding_fen"], len(body["installments"])) == (
        "active",
        1_000_000,
        12,
    )
    assert body["installments"][0]["principal_fen"] + body["installments"][0]["interest_fen"] == 88_849
    other = User.objects.create_user("someone")
    assert api_as(other).get(f"/api/v1/loans/{loan.number}").status_code == 404
    assert api_as(other).get(f"/api/v1/loans/{loan.number}/payoff").status_code == 404


def test_sign_then_repay_early_in_full(contract: Callable[..., Loan]) -> None:
    """Sign (active), payoff quote 10,000.00 on day one, repay it early: 201, the loan closed."""
    loan = contract()
    client = api_as(loan.borrower)
    assert client.post(f"/api/v1/loans/{loan.number}/sign").json()["status"] == "active"
    payoff = client.get(f"/api/v1/loans/{loan.number}/payoff").json()
    assert (payoff["due_now_fen"], payoff["payoff_fen"]) == (0, 1_000_000)
    response = client.post(
        f"/api/v1/loans/{loan.number}/repay",
        {"amount_fen": payoff["payoff_fen"], "early": True},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["source"], response.json()["principal_fen"]) == ("wallet", 1_000_000)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED


def test_repaying_nothing_due_answers_409_and_writes_nothing(lend_today: Callable[..., Loan]) -> None:
    """Not early, nothing due: 409 ``nothing_due`` on amount_fen."""
    loan = lend_today()
    response = api_as(loan.borrower).post(
        f"/api/v1/loans/{loan.number}/repay", {"amount_fen": 100}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_due" and "amount_fen" in response.json()["errors"]
    assert not LoanRepayment.objects.exists()


def test_a_negative_amount_is_a_400(lend_today: Callable[..., Loan]) -> None:
    """amount_fen −1: 400 on amount_fen."""
    loan = lend_today()
    response = api_as(loan.borrower).post(
        f"/api/v1/loans/{loan.number}/repay", {"amount_fen": -1}, format="json"
    )
    assert response.status_code == 400 and "amount_fen" in response.json()["errors"]


def test_cancel_a_contract(contract: Callable[..., Loan]) -> None:
    """Declined: cancelled; declining again is 409."""
    loan = contract()
    client = api_as(loan.borrower)
    assert client.post(f"/api/v1/loans/{loan.number}/cancel").json()["status"] == "cancelled"
    assert client.post(f"/api/v1/loans/{loan.number}/cancel").status_code == 409


def test_draw_on_a_credit_line(lend_today: Callable[..., Loan]) -> None:
    """2,000.00 drawn; over the line is 400 ``exceeds_limit``."""
    loan = lend_today(RepaymentMethod.CREDIT_LINE)
    client = api_as(loan.borrower)
    body = client.post(f"/api/v1/loans/{loan.number}/draw", {"amount_fen": 200_000}, format="json").json()
    assert body["principal_outstanding_fen"] == 200_000
    refused = client.post(f"/api/v1/loans/{loan.number}/draw", {"amount_fen": 900_000}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "exceeds_limit"


def test_counter_cash_for_a_villagers_loan(villager_loan: Loan, station: Station) -> None:
    """The VS11 operator takes 500.00 early: 201, counter cash at VS11."""
    response = api_as(station.operator).post(
        f"/api/v1/loans/{villager_loan.number}/counter-repayments",
        {"outlet_code": station.outlet_code, "amount_fen": 50_000, "early": True},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["source"], response.json()["outlet"], response.json()["amount_fen"]) == (
        RepaymentSource.COUNTER_CASH,
        station.outlet_code,
        50_000,
    )


def test_counter_cash_elsewhere_is_refused(
    villager_loan: Loan, station: Station, make_user: Callable[..., User]
) -> None:
    """Another station's operator at VS11: 403; a seller: 403; nothing written."""
    stranger = make_user(Role.STATION_OPERATOR, username="elsewhere")
    for user in (stranger, villager_loan.borrower):
        response = api_as(user).post(
            f"/api/v1/loans/{villager_loan.number}/counter-repayments",
            {"outlet_code": station.outlet_code, "amount_fen": 50_000, "early": True},
            format="json",
        )
        assert response.status_code == 403
    assert not LoanRepayment.objects.exists()


def test_the_schema_stays_valid(api_client: APIClient) -> None:
    """``/api/schema/`` renders with the loan endpoints in it."""
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/loans/{number}/counter-repayments" in response.content
