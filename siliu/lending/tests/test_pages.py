"""Lending pages: the products with the schedule convention, and the calculator as a plain GET form."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.demo.lending import demo_loan_products_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user: Callable[..., User]) -> Client:
    demo_loan_products_create()
    client = Client()
    client.force_login(make_user())
    return client


def test_products_page_lists_products_and_the_convention(client: Client) -> None:
    """Every active product with its rate and terms, and the schedule convention as the issue gives it."""
    response = client.get("/lending/products/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="loan-product"') == 5
    assert "农户小额信用贷" in html and "7.2%" in html and "6、12、24" in html
    assert "月利率 = 年利率 ÷ 12" in html and "888.49" in html and "933.33" in html


def test_calculator_shows_the_issue_example_by_default(client: Client) -> None:
    """Without parameters: 10,000.00 at 12 % over 12 months, equal installments of 888.49."""
    response = client.get("/lending/calculator/")
    assert response.status_code == 200
    schedule = response.context["schedule"]
    assert [i.total_fen for i in schedule.installments][:11] == [88849] * 11
    html = response.content.decode()
    assert "¥888.49" in html and 'id="schedule-chart-data"' in html and "echarts.custom.min.js" in html


def test_calculator_with_a_product_uses_its_method_and_rate(client: Client) -> None:
    """春耕贷 (seasonal, 6.5 %, harvest July–October) from 1 March: principal in the harvest months."""
    response = client.get(
        "/lending/calculator/",
        {"product": "chungeng", "amount": "20000", "term_months": "12", "start_date": "2026-03-01"},
    )
    schedule = response.context["schedule"]
    assert [(i.due_date.month, i.principal_fen) for i in schedule.installments if i.principal_fen] == [
        (7, 500000),
        (8, 500000),
        (9, 500000),
        (10, 500000),
    ]
    assert schedule.installments[0].interest_fen == 10833  # 20,000 × 6.5 % ÷ 12 = 108.33


def test_calculator_refuses_an_amount_outside_the_product(client: Client) -> None:
    """An amount above the product's maximum or a term it does not offer is a field error, no schedule."""
    response = client.get(
        "/lending/calculator/",
        {"product": "nonghu-xinyong", "amount": "60000", "term_months": "18", "start_date": "2026-03-01"},
    )
    assert response.status_code == 200
    assert response.context["schedule"] is None
    assert set(response.context["form"].errors) == {"amount", "term_months"}


def test_calculator_own_method_errors_name_the_field(client: Client) -> None:
    """A seasonal loan whose term reaches no harvest month is refused on the harvest months."""
    response = client.get(
        "/lending/calculator/",
        {
            "method": "seasonal",
            "rate_percent": "6",
            "amount": "1000",
            "term_months": "2",
            "start_date": "2026-03-01",
            "harvest_months": ["9"],
        },
    )
    assert response.context["schedule"] is None
    assert "harvest_months" in response.context["form"].errors
    assert "echarts.custom.min.js" not in response.content.decode()


def test_pages_ask_the_anonymous_to_log_in() -> None:
    """Both pages redirect a visitor to the login form."""
    for path in ("/lending/products/", "/lending/calculator/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
