"""Lending API: the schedule for anyone logged in, field errors for bad input, the product list."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from siliu.demo.lending import demo_loan_products_create
from siliu.lending.models import LoanProduct

pytestmark = pytest.mark.django_db

BODY = {
    "method": "equal_installment",
    "amount_fen": 1_000_000,
    "annual_rate_bp": 1200,
    "term_months": 12,
    "start_date": "2026-01-31",
}


def test_schedule_answers_the_issue_example(client_as: Callable[..., APIClient]) -> None:
    """10,000.00 at 12 % over 12 months: 888.49 a month from 28 February, APR 12 %."""
    response = client_as().post("/api/v1/loans/schedule", BODY, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["installments"][0] == {
        "n": 1,
        "due_date": "2026-02-28",
        "principal_fen": 78849,
        "interest_fen": 10000,
        "total_fen": 88849,
        "balance_fen": 921151,
    }
    assert len(body["installments"]) == 12
    assert body["installments"][-1]["balance_fen"] == 0
    assert (body["total_interest_fen"], body["apr_bp"]) == (66186, 1200)


def test_seasonal_schedule_takes_harvest_months(client_as: Callable[..., APIClient]) -> None:
    """A seasonal loan's principal falls in the harvest months given."""
    body = BODY | {"method": "seasonal", "start_date": "2026-03-01", "harvest_months": [9, 10]}
    response = client_as().post("/api/v1/loans/schedule", body, format="json")
    assert response.status_code == 200
    paid = [
        (i["due_date"], i["principal_fen"]) for i in response.json()["installments"] if i["principal_fen"]
    ]
    assert paid == [("2026-09-01", 500000), ("2026-10-01", 500000)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_fen": 0}, "amount_fen"),
        ({"annual_rate_bp": 3601}, "annual_rate_bp"),
        ({"term_months": 361}, "term_months"),
        ({"method": "credit_line"}, "method"),
        ({"method": "balloon"}, "method"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"method": "seasonal", "harvest_months": [0]}, "harvest_months.0"),
        ({"method": "seasonal", "term_months": 2, "harvest_months": [7]}, "harvest_months"),
    ],
)
def test_bad_schedule_input_is_a_400_with_its_field(
    client_as: Callable[..., APIClient], change: dict[str, object], field: str
) -> None:
    """Every bad input is a 400 in the error shape, naming the field at fault."""
    response = client_as().post("/api/v1/loans/schedule", BODY | change, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_schedule_is_refused_to_the_anonymous(api_client: APIClient) -> None:
    """Only a logged-in user gets a schedule."""
    response = api_client.post("/api/v1/loans/schedule", BODY, format="json")
    assert response.status_code in (401, 403)


def test_loan_products_lists_the_active_ones(client_as: Callable[..., APIClient]) -> None:
    """The demo county's five products, a withdrawn one left out, in code order."""
    demo_loan_products_create()
    LoanProduct.objects.filter(code="chungeng").update(is_active=False)
    response = client_as().get("/api/v1/loan-products")
    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body] == [
        "dianshang-zhouzhuan",
        "hezuoshe-jingying",
        "nonghu-xinyong",
        "suijie-suihuan",
    ]
    xinyong = body[2]
    assert xinyong | {"description": ""} == {
        "code": "nonghu-xinyong",
        "name": "农户小额信用贷",
        "description": "",
        "method": "equal_installment",
        "min_amount_fen": 300000,
        "max_amount_fen": 5000000,
        "term_months": [6, 12, 24],
        "annual_rate_bp": 720,
        "penalty_rate_bp": 1080,
        "grace_days": 3,
        "sweep_share_bp": 3000,
        "harvest_months": [],
    }


def test_schedule_is_in_the_openapi_schema(api_client: APIClient) -> None:
    """Both endpoints are documented."""
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/loans/schedule" in schema["paths"]
    assert "/api/v1/loan-products" in schema["paths"]
