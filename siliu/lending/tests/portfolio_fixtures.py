"""Fixtures of the portfolio tests: a book of five loans made through the services, four in 示范县 and
one in another county, their wallets spent so that nothing is debited, and the night of 20 May 2026
run over them.

=====  ======  =========  ============  ================  ==========  ===============
loan   county  signed     amount (fen)  first due         past due    class
=====  ======  =========  ============  ================  ==========  ===============
A      示范县  01-10      1,000,000     02-10             99 days     次级 (substandard)
B      示范县  03-01      2,000,000     04-01             49 days     关注
C      示范县  04-10      3,000,000     05-10             10 days     关注
F      示范县  03-20        400,000     04-20             30 days     关注
D      其他县  05-01        500,000     06-01             not yet     正常
=====  ======  =========  ============  ================  ==========  ===============
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import SellerKind
from siliu.commerce.tests.conftest import Shop, seller_create
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.services import transfer_create
from siliu.lending.loans.models import Loan
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import loan_application_file, loan_application_review, loan_sign
from siliu.lending.models import RepaymentMethod
from siliu.lending.tests.loan_fixtures import product_make
from siliu.logistics.tests.conftest import SHANGHAI
from siliu.network.models import Outlet, OutletKind, Region, RegionLevel
from siliu.network.services import outlet_create, region_create

#: The night the book is looked at (its end: loans are classified as of this day).
NIGHT = datetime.date(2026, 5, 20)
PRODUCT = f"p-{RepaymentMethod.EQUAL_INSTALLMENT}"


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=SHANGHAI)


def borrower_make(
    make_user: Callable[..., User], *, outlet: Outlet, username: str, family: str, serial: str
) -> User:
    """A family farm's owner (a seller at ``outlet``) who can apply for a loan."""
    user = make_user(Role.SELLER, username=username, last_name=family, first_name="农")
    seller_create(
        user=user, name=f"{family}家庭农场", kind=SellerKind.FAMILY_FARM, outlet=outlet, serial=serial
    )
    return user


def loan_make(
    *,
    borrower: User,
    officer: User,
    amount_fen: int,
    now: datetime.datetime,
    spend: bool = True,
) -> Loan:
    """A loan filed (no consent: manual review), approved by the officer, signed and paid out at
    ``now``; with ``spend`` the borrower spends it at once (nothing left to debit)."""
    application = loan_application_file(
        applicant=borrower,
        actor=borrower,
        product_code=PRODUCT,
        amount_fen=amount_fen,
        term_months=12,
        purpose="买化肥",
        now=now,
    )
    loan_application_review(number=application.number, actor=officer, approve=True, now=now)
    loan = Loan.objects.get(application=application)
    loan_sign(number=loan.number, actor=borrower, now=now)
    if spend:
        transfer_create(
            id=f"test:spend:{loan.number}",
            debit_account=chart.wallet_code(user_id=borrower.pk),
            credit_account=chart.CAPITAL,
            amount_fen=amount_fen,
            now=now,
        )
    loan.refresh_from_db()
    return loan


@dataclass
class Book:
    """The five loans by letter, the two counties, and the outlet of the other one."""

    loans: dict[str, Loan]
    county: Region
    other_county: Region
    other_outlet: Outlet

    def refreshed(self, key: str) -> Loan:
        return Loan.objects.get(pk=self.loans[key].pk)


@pytest.fixture
def other_county(county: dict[str, Outlet]) -> tuple[Region, Outlet]:
    """Another county (其他县, 610299) and its county hub."""
    province = Region.objects.get(code="610000")
    region = region_create(code="610299", name="其他县", level=RegionLevel.COUNTY, parent=province)
    outlet = outlet_create(
        code="HUB9",
        name="其他县寄递中心",
        kind=OutletKind.COUNTY_HUB,
        region=region,
        latitude=Decimal("34.5"),
        longitude=Decimal("108.9"),
        has_cash_counter=True,
    )
    return region, outlet


@pytest.fixture
def book(
    shop: Shop,
    officer: User,
    loan_fund: None,
    make_user: Callable[..., User],
    other_county: tuple[Region, Outlet],
) -> Book:
    product_make()
    here = shop.county["VS11"]
    region, there = other_county
    plan = [
        ("A", shop.cooperative.user, 1_000_000, "2026-01-10"),
        (
            "B",
            borrower_make(make_user, outlet=here, username="li", family="李", serial="11"),
            2_000_000,
            "2026-03-01",
        ),
        (
            "C",
            borrower_make(make_user, outlet=here, username="zhao", family="赵", serial="12"),
            3_000_000,
            "2026-04-10",
        ),
        (
            "F",
            borrower_make(make_user, outlet=here, username="sun", family="孙", serial="13"),
            400_000,
            "2026-03-20",
        ),
        (
            "D",
            borrower_make(make_user, outlet=there, username="zhou", family="周", serial="14"),
            500_000,
            "2026-05-01",
        ),
    ]
    loans = {
        key: loan_make(borrower=borrower, officer=officer, amount_fen=amount, now=at(day))
        for key, borrower, amount, day in plan
    }
    lending_night(on=NIGHT, now=at("2026-05-21", 1))
    return Book(
        loans={key: Loan.objects.get(pk=loan.pk) for key, loan in loans.items()},
        county=Region.objects.get(code="610199"),
        other_county=region,
        other_outlet=there,
    )
