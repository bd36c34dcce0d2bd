"""Loan products: the database refuses impossible rows; the admin's clean refuses bad lists."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from siliu.lending.models import LoanProduct, RepaymentMethod

pytestmark = pytest.mark.django_db

GOOD = {
    "code": "p",
    "name": "产品",
    "method": RepaymentMethod.EQUAL_INSTALLMENT,
    "min_amount_fen": 100,
    "max_amount_fen": 1000,
    "term_months": [6, 12],
    "annual_rate_bp": 720,
}


@pytest.mark.parametrize(
    "change",
    [
        {"min_amount_fen": 0},
        {"min_amount_fen": 2000},
        {"annual_rate_bp": 3601},
        {"sweep_share_bp": 10001},
        {"method": "balloon"},
    ],
)
def test_the_database_refuses_impossible_products(change: dict[str, object]) -> None:
    """Amounts positive, min ≤ max, the rate within 36 %, the sweep share within 100 %, a known method."""
    with pytest.raises(IntegrityError):
        LoanProduct.objects.create(**(GOOD | change))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term_months": []}, "term_months"),
        ({"term_months": [0, 12]}, "term_months"),
        ({"term_months": "12"}, "term_months"),
        ({"harvest_months": [13]}, "harvest_months"),
        ({"method": RepaymentMethod.SEASONAL, "harvest_months": []}, "harvest_months"),
    ],
)
def test_clean_refuses_bad_lists(change: dict[str, object], field: str) -> None:
    """The admin refuses terms outside 1–360, months outside 1–12 and a seasonal product without any."""
    with pytest.raises(ValidationError) as caught:
        LoanProduct(**(GOOD | change)).full_clean()
    assert field in caught.value.message_dict


def test_a_good_product_is_clean() -> None:
    """A product with allowed terms and no harvest months passes."""
    LoanProduct(**GOOD).full_clean()
