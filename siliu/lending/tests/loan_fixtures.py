"""Fixtures of the loan tests: products of every method, a funded loan fund, a borrower's loan."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.lending.loans.models import Loan
from siliu.lending.loans.services import (
    lending_fund_add,
    loan_application_file,
    loan_application_review,
    loan_sign,
)
from siliu.lending.models import LoanProduct, RepaymentMethod
from siliu.logistics.tests.conftest import SHANGHAI

START = datetime.datetime(2026, 1, 10, 10, 0, tzinfo=SHANGHAI)


def product_make(method: str = RepaymentMethod.EQUAL_INSTALLMENT, **fields: object) -> LoanProduct:
    values: dict[str, object] = {
        "code": f"p-{method}",
        "name": f"测试{method}",
        "method": method,
        "min_amount_fen": 100_000,
        "max_amount_fen": 20_000_000,
        "term_months": [3, 6, 12],
        "annual_rate_bp": 1200,
        "penalty_rate_bp": 1800,
        "grace_days": 3,
        "sweep_share_bp": 3000,
        "harvest_months": [9, 10] if method == RepaymentMethod.SEASONAL else [],
    }
    values.update(fields)
    return LoanProduct.objects.create(**values)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.LOAN_OFFICER, username="officer")


@pytest.fixture
def loan_fund() -> None:
    lending_fund_add(amount_fen=10**10)


@pytest.fixture
def lend(shop: Shop, officer: User, loan_fund: None) -> Callable[..., Loan]:
    """``lend(method=..., amount_fen=..., term_months=..., now=...)`` → the cooperative's loan, filed,
    reviewed by the officer, signed and paid out at ``now``."""

    def make(
        method: str = RepaymentMethod.EQUAL_INSTALLMENT,
        *,
        amount_fen: int = 1_000_000,
        term_months: int = 12,
        now: datetime.datetime = START,
        **product_fields: object,
    ) -> Loan:
        product = LoanProduct.objects.filter(code=f"p-{method}").first() or product_make(
            method, **product_fields
        )
        borrower = shop.cooperative.user
        application = loan_application_file(
            applicant=borrower,
            actor=borrower,
            product_code=product.code,
            amount_fen=amount_fen,
            term_months=term_months,
            purpose="买化肥",
            now=now,
        )
        loan_application_review(number=application.number, actor=officer, approve=True, now=now)
        loan = Loan.objects.get(application=application)
        return loan_sign(number=loan.number, actor=borrower, now=now)

    return make
