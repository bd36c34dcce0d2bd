"""Fixtures of the borrower's pages and API: loans made today, a contract waiting, a villager's loan
at VS11 whose operator takes cash."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from siliu.commerce.tests.conftest import Shop
from siliu.core.people import user_profile_set
from siliu.core.roles import Role
from siliu.lending.loans.models import Loan
from siliu.lending.loans.services import loan_application_file, loan_application_review, loan_sign
from siliu.lending.models import LoanProduct, RepaymentMethod
from siliu.lending.tests.loan_fixtures import product_make


def product_for(method: str = RepaymentMethod.EQUAL_INSTALLMENT) -> LoanProduct:
    return LoanProduct.objects.filter(code=f"p-{method}").first() or product_make(method)


@pytest.fixture
def contract(shop: Shop, officer: User, loan_fund: None) -> Callable[..., Loan]:
    """``contract(method=..., amount_fen=..., borrower=..., actor=...)`` → a loan approved today by the
    officer and waiting for signature (the cooperative's unless ``borrower`` is given)."""

    def make(
        method: str = RepaymentMethod.EQUAL_INSTALLMENT,
        *,
        amount_fen: int = 1_000_000,
        term_months: int = 12,
        borrower: User | None = None,
        actor: User | None = None,
    ) -> Loan:
        product = product_for(method)
        borrower = borrower or shop.cooperative.user
        application = loan_application_file(
            applicant=borrower,
            actor=actor or borrower,
            product_code=product.code,
            amount_fen=amount_fen,
            term_months=term_months,
            purpose="买化肥",
        )
        loan_application_review(number=application.number, actor=officer, approve=True)
        return Loan.objects.get(application=application)

    return make


@pytest.fixture
def lend_today(contract: Callable[..., Loan]) -> Callable[..., Loan]:
    """``lend_today(...)`` → the contract signed now (by whoever filed it): the money is in the wallet."""

    def make(method: str = RepaymentMethod.EQUAL_INSTALLMENT, **fields: object) -> Loan:
        loan = contract(method, **fields)
        signer = fields.get("actor") or loan.borrower
        assert isinstance(signer, User)
        return loan_sign(number=loan.number, actor=signer)

    return make


@dataclass
class Station:
    """VS11 run by ``operator`` (cash counter), and ``villager`` who is 张秀英, phone 13800001234."""

    operator: User
    villager: User
    outlet_code: str


@pytest.fixture
def station(shop: Shop, make_user: Callable[..., User]) -> Station:
    operator = make_user(Role.STATION_OPERATOR, username="vs11_operator", last_name="李", first_name="站长")
    outlet = shop.county["VS11"]
    outlet.operator = operator
    outlet.has_cash_counter = True
    outlet.save(update_fields=["operator", "has_cash_counter"])
    villager = make_user(username="zhang_xiuying", last_name="张", first_name="秀英")
    user_profile_set(user=villager, phone="13800001234")
    return Station(operator=operator, villager=villager, outlet_code=outlet.code)


@pytest.fixture
def villager_loan(station: Station, lend_today: Callable[..., Loan]) -> Loan:
    """The villager's 3,000.00 loan over 12 months, filed and signed by the VS11 operator today."""
    loan = lend_today(amount_fen=300_000, borrower=station.villager, actor=station.operator)
    assert loan.outlet.code == station.outlet_code
    return loan


def today_str() -> str:
    return timezone.localdate().isoformat()
