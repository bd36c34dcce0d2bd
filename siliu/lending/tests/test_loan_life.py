"""A loan from application to closing: decisions, disbursement, accrual, the four ways to repay."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import Settlement
from siliu.commerce.orders.services import order_confirm, seller_payable_code
from siliu.commerce.tests.conftest import Shop
from siliu.commerce.tests.test_orders import at, deliver, place
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, Transfer
from siliu.finance.selectors import trial_balance
from siliu.finance.services import transfer_create
from siliu.lending.loans.models import Loan, LoanClass, LoanInstallment, LoanRepayment, LoanStatus
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import (
    credit_line_draw,
    loan_repay_at_counter,
    loan_repay_from_wallet,
    loan_write_off,
)
from siliu.lending.models import RepaymentMethod
from siliu.lending.tests.loan_fixtures import START
from siliu.logistics.tests.conftest import SHANGHAI
from siliu.network.models import Outlet


def balance(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return account.credits_posted - account.debits_posted if account else 0


def test_a_loan_is_paid_into_the_wallet_from_the_fund(lend: Callable[..., Loan]) -> None:
    """10,000.00 yuan at 12 % over 12 months: the wallet gets it, the fund gives it, 12 installments of
    888.49 (the last takes the rest)."""
    loan = lend(amount_fen=1_000_000)
    assert loan.status == LoanStatus.ACTIVE
    assert balance(chart.wallet_code(user_id=loan.borrower_id)) == 1_000_000
    assert -balance(chart.loan_code(number=loan.number)) == 1_000_000
    rows = list(LoanInstallment.objects.filter(loan=loan).order_by("n"))
    assert [row.principal_fen + row.interest_fen for row in rows[:11]] == [88_849] * 11
    assert sum(row.principal_fen for row in rows) == 1_000_000
    assert trial_balance().is_balanced


def test_the_nightly_run_debits_the_first_installment_on_its_due_date(lend: Callable[..., Loan]) -> None:
    """Interest accrues night by night to 100.00 on 10 February; that night 888.49 leaves the wallet."""
    loan = lend(amount_fen=1_000_000)
    day = START.date()
    while day < datetime.date(2026, 2, 10):
        day += datetime.timedelta(days=1)
        lending_night(on=day)
    first = LoanInstallment.objects.get(loan=loan, n=1)
    assert (first.interest_accrued_fen, first.interest_paid_fen, first.principal_paid_fen) == (
        10_000,
        10_000,
        78_849,
    )
    assert first.settled_on == datetime.date(2026, 2, 10)
    assert balance(chart.wallet_code(user_id=loan.borrower_id)) == 1_000_000 - 88_849
    assert balance(chart.INTEREST_INCOME) == 10_000
    loan.refresh_from_db()
    assert loan.principal_outstanding_fen == 1_000_000 - 78_849
    assert trial_balance().is_balanced


def test_early_repayment_in_full_pays_interest_to_the_day_and_closes(
    lend: Callable[..., Loan], fund: Callable[[User, int], None]
) -> None:
    """Paid off 15 days in (of 31): principal plus 10,000 × 15 ÷ 31 = 48.38 of interest."""
    loan = lend(amount_fen=1_000_000)
    fund(loan.borrower, 10_000)
    repayment = loan_repay_from_wallet(
        number=loan.number,
        actor=loan.borrower,
        amount_fen=2_000_000,
        early=True,
        now=START + datetime.timedelta(days=15),
    )
    assert (repayment.principal_fen, repayment.interest_fen, repayment.penalty_fen) == (1_000_000, 4_838, 0)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.principal_outstanding_fen == 0
    assert balance(chart.INTEREST_RECEIVABLE) == 0
    assert trial_balance().is_balanced


def spend_wallet(user: User, amount_fen: int) -> None:
    """Take ``amount_fen`` out of the user's wallet (it went on seed and fertiliser)."""
    transfer_create(
        id=f"test:spend:{user.pk}:{amount_fen}",
        debit_account=chart.wallet_code(user_id=user.pk),
        credit_account=chart.CAPITAL,
        amount_fen=amount_fen,
        now=START,
    )


def nights(first: datetime.date, last: datetime.date) -> None:
    day = first
    while day <= last:
        lending_night(on=day)
        day += datetime.timedelta(days=1)


def receivable_matches_installments() -> bool:
    """The ledger's accrued-and-unpaid interest equals the installments' own account of it."""
    owed = sum(
        row.interest_accrued_fen + row.penalty_fen - row.interest_paid_fen - row.penalty_paid_fen
        for row in LoanInstallment.objects.filter(loan__status=LoanStatus.ACTIVE, settled_on__isnull=True)
    )
    account = Account.objects.get(code=chart.INTEREST_RECEIVABLE)
    return account.debits_posted - account.credits_posted == owed


def test_an_overdue_installment_bears_penalty_after_grace_and_is_paid_in_cash_at_the_counter(
    lend: Callable[..., Loan], make_user: Callable[..., User]
) -> None:
    """Due 10 Feb, the wallet empty: from the 4th day late 18 % a year on 788.49 (1.58 then 0.39 a day);
    關注 with a 2 % provision; at the counter on 20 Feb exactly penalty + interest + principal is taken."""
    loan = lend(amount_fen=1_000_000)
    spend_wallet(loan.borrower, 1_000_000)
    nights(START.date() + datetime.timedelta(days=1), datetime.date(2026, 2, 19))
    first = LoanInstallment.objects.get(loan=loan, n=1)
    assert (first.penalty_fen, first.interest_accrued_fen, first.settled_on) == (158 + 5 * 39, 10_000, None)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.classification, loan.provision_fen) == (
        9,
        LoanClass.SPECIAL_MENTION,
        20_000,
    )
    assert balance(chart.LOSS_PROVISION) == 20_000
    assert receivable_matches_installments()

    operator = make_user(Role.STATION_OPERATOR, username="operator")
    station = Outlet.objects.get(code="VS11")
    station.operator = operator
    station.save(update_fields=["operator"])
    paid_at = datetime.datetime(2026, 2, 20, 10, 0, tzinfo=SHANGHAI)
    before = Transfer.objects.count()
    with pytest.raises(ValidationFailed) as too_much:
        loan_repay_at_counter(
            number=loan.number, actor=operator, outlet=station, amount_fen=90_000, now=paid_at
        )
    assert (too_much.value.code, too_much.value.field) == ("exceeds_owed", "amount_fen")
    assert Transfer.objects.count() == before and not LoanRepayment.objects.exists()

    repayment = loan_repay_at_counter(
        number=loan.number, actor=operator, outlet=station, amount_fen=89_241, now=paid_at
    )
    assert (repayment.penalty_fen, repayment.interest_fen, repayment.principal_fen) == (392, 10_000, 78_849)
    assert (repayment.source, repayment.outlet, repayment.taken_by) == ("counter_cash", station, operator)
    first.refresh_from_db()
    assert first.settled_on == datetime.date(2026, 2, 20)
    assert -balance(chart.outlet_cash_code(outlet_code="VS11")) == 89_241
    assert balance(chart.PENALTY_INCOME) == 392
    # Interest: the first month's 100.00 and ten days of the second's 92.12 (92.12 × 10 ÷ 28 = 32.90).
    assert balance(chart.INTEREST_INCOME) == 10_000 + 3_290
    assert receivable_matches_installments()
    lending_night(on=datetime.date(2026, 2, 20))
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.classification, loan.provision_fen) == (0, LoanClass.NORMAL, 9_211)
    assert balance(chart.LOSS_PROVISION) == 9_211
    assert trial_balance().is_balanced


def test_a_sale_sweeps_its_share_to_the_overdue_installment(
    lend: Callable[..., Loan], make_user: Callable[..., User], fund: Callable[[User, int], None], shop: Shop
) -> None:
    """An order settled on 24 Nov pays the cooperative; 30 % of its payable goes to the loan due on
    20 Nov — penalty first, then interest — out of the seller's payable, in the same transaction."""
    loan = lend(amount_fen=1_000_000, now=datetime.datetime(2026, 10, 20, 10, tzinfo=SHANGHAI))
    spend_wallet(loan.borrower, 1_000_000)
    buyer = make_user(Role.CONSUMER, username="buyer")
    fund(buyer, 100_000)
    order = place(shop, buyer)
    deliver(order.shipments.get().parcel)
    order_confirm(number=order.number, actor=buyer, now=at(9, day=24))
    payable = Settlement.objects.get(order=order).payable_fen
    share = payable * 3000 // 10_000
    repayment = LoanRepayment.objects.get(loan=loan)
    assert (repayment.source, repayment.reference, repayment.amount_fen) == ("sweep", order.number, share)
    # Four days late on 788.49 at 18 %: 1.58 of penalty, taken first.
    assert (repayment.penalty_fen, repayment.interest_fen, repayment.principal_fen) == (158, share - 158, 0)
    assert balance(seller_payable_code(shop.cooperative)) == payable - share
    assert receivable_matches_installments()
    assert trial_balance().is_balanced


def test_partial_early_repayment_shortens_the_term_and_reprices_the_interest(
    lend: Callable[..., Loan],
) -> None:
    """5,000.00 on 25 Jan: 48.38 interest to the day, 4,951.62 of principal from the last installments;
    the first installment's interest becomes 48.38 + 16 days on 5,048.38 (26.92)."""
    loan = lend(amount_fen=1_000_000)
    repayment = loan_repay_from_wallet(
        number=loan.number,
        actor=loan.borrower,
        amount_fen=500_000,
        early=True,
        now=datetime.datetime(2026, 1, 25, 10, tzinfo=SHANGHAI),
    )
    assert (repayment.interest_fen, repayment.principal_fen, repayment.is_early) == (4_838, 495_162, True)
    loan.refresh_from_db()
    assert loan.principal_outstanding_fen == 504_838
    rows = list(LoanInstallment.objects.filter(loan=loan).order_by("n"))
    assert sum(row.principal_fen - row.principal_paid_fen for row in rows) == 504_838
    assert rows[0].interest_fen == 4_838 + 2_692
    assert rows[-1].settled_on == datetime.date(2026, 1, 25)  # the last installments are gone
    assert receivable_matches_installments()
    assert trial_balance().is_balanced


def test_a_credit_line_is_drawn_and_repaid_with_interest_by_the_day(lend: Callable[..., Loan]) -> None:
    """A 10,000.00 line: nothing lent at signature; 3,000.00 drawn and repaid 30 days later with 30.00
    of interest (3,000 × 12 % ÷ 360 × 30); a draw above what is left is refused."""
    loan = lend(RepaymentMethod.CREDIT_LINE, amount_fen=1_000_000)
    assert loan.principal_outstanding_fen == 0
    assert balance(chart.wallet_code(user_id=loan.borrower_id)) == 0
    credit_line_draw(number=loan.number, actor=loan.borrower, amount_fen=300_000, now=START)
    with pytest.raises(ValidationFailed) as over:
        credit_line_draw(number=loan.number, actor=loan.borrower, amount_fen=700_001, now=START)
    assert over.value.code == "exceeds_limit"
    fund_wallet = loan.borrower
    transfer_create(
        id="test:interest-money",
        debit_account=chart.CAPITAL,
        credit_account=chart.wallet_code(user_id=fund_wallet.pk),
        amount_fen=3_000,
    )
    repayment = loan_repay_from_wallet(
        number=loan.number, actor=loan.borrower, amount_fen=303_000, now=START + datetime.timedelta(days=30)
    )
    assert (repayment.interest_fen, repayment.principal_fen) == (3_000, 300_000)
    loan.refresh_from_db()
    assert (loan.status, loan.principal_outstanding_fen) == (LoanStatus.ACTIVE, 0)
    assert trial_balance().is_balanced


def test_a_doubtful_loan_is_written_off_against_its_provision(
    lend: Callable[..., Loan], make_user: Callable[..., User], officer: User
) -> None:
    """294 days late on 1 Dec: 可疑, 50 % provided; the county manager writes it off — the provision
    topped up and used, the accrued interest and penalty reversed, the loan account emptied."""
    loan = lend(amount_fen=1_000_000)
    spend_wallet(loan.borrower, 1_000_000)
    lending_night(on=datetime.date(2026, 12, 1))
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.classification, loan.provision_fen) == (294, LoanClass.DOUBTFUL, 500_000)
    with pytest.raises(PermissionRefused):
        loan_write_off(number=loan.number, actor=officer, note="失联")
    manager = make_user(Role.COUNTY_MANAGER, username="manager")
    with pytest.raises(ValidationFailed):
        loan_write_off(number=loan.number, actor=manager, note=" ")
    loan_write_off(number=loan.number, actor=manager, note="借款人外出失联，保证人无力代偿")
    loan.refresh_from_db()
    assert (loan.status, loan.provision_fen) == (LoanStatus.WRITTEN_OFF, 0)
    assert balance(chart.loan_code(number=loan.number)) == 0
    assert (balance(chart.LOSS_PROVISION), balance(chart.INTEREST_RECEIVABLE)) == (0, 0)
    assert (balance(chart.INTEREST_INCOME), balance(chart.PENALTY_INCOME)) == (0, 0)
    assert -balance(chart.IMPAIRMENT_EXPENSE) == 1_000_000
    assert list(loan.events.values_list("to_status", flat=True)) == ["contracted", "active", "written_off"]
    assert trial_balance().is_balanced


def test_a_normal_loan_cannot_be_written_off_and_someone_else_cannot_repay(
    lend: Callable[..., Loan], make_user: Callable[..., User]
) -> None:
    """``not_doubtful``; another user gets ``unknown_loan``; nothing is due before the first date."""
    loan = lend(amount_fen=1_000_000)
    manager = make_user(Role.COUNTY_MANAGER, username="manager")
    with pytest.raises(Conflict) as normal:
        loan_write_off(number=loan.number, actor=manager, note="试试")
    assert normal.value.code == "not_doubtful"
    with pytest.raises(NotFound):
        loan_repay_from_wallet(number=loan.number, actor=manager, amount_fen=100, now=START)
    with pytest.raises(Conflict) as nothing:
        loan_repay_from_wallet(number=loan.number, actor=loan.borrower, amount_fen=100, now=START)
    assert nothing.value.code == "nothing_due"
    assert not LoanRepayment.objects.exists()
