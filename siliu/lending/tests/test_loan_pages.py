"""The borrower's pages: my loans, apply, the loan with its actions, the counter's cash repayment."""
# ruff: noqa: F811  (the fixtures are imported from borrower_fixtures and named as arguments)

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.core.start import start_cards
from siliu.finance import chart
from siliu.finance.models import Account, Transfer
from siliu.lending.loans.models import (
    ApplicationStatus,
    DecisionBand,
    Loan,
    LoanApplication,
    LoanInstallment,
    LoanRepayment,
    LoanStatus,
    RepaymentSource,
)
from siliu.lending.loans.selectors import loan_payoff_quote
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


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wallet_fen(user: User) -> int:
    account = Account.objects.filter(code=chart.wallet_code(user_id=user.pk)).first()
    return account.credits_posted - account.debits_posted if account else 0


def test_the_lending_page_shows_my_loan_with_its_next_repayment(lend_today: Callable[..., Loan]) -> None:
    """An active loan: principal left, the first installment's date and 888.49, a link to the loan."""
    loan = lend_today()
    first = LoanInstallment.objects.get(loan=loan, n=1)
    page = client_for(loan.borrower).get("/lending/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "¥10,000.00" in text
    assert f"{first.due_on:%Y-%m-%d}" in text and "¥888.49" in text
    assert f"/lending/loans/{loan.number}/" in text
    assert "loan:" not in text


def test_the_lending_page_explains_that_without_consent_there_is_no_score(shop: Shop) -> None:
    """No consent: the page says only manual review, and links the consent page."""
    page = client_for(shop.cooperative.user).get("/lending/")
    assert 'data-testid="no-consent"' in page.content.decode()
    assert "/lending/consent/" in page.content.decode()


def test_a_refused_application_shows_the_officers_note(shop: Shop, officer: User) -> None:
    """Refused by the officer: the note is shown on my lending page."""
    from siliu.lending.loans.services import loan_application_file, loan_application_review

    product = product_for()
    borrower = shop.cooperative.user
    application = loan_application_file(
        applicant=borrower,
        actor=borrower,
        product_code=product.code,
        amount_fen=500_000,
        term_months=6,
        purpose="扩建大棚",
    )
    loan_application_review(number=application.number, actor=officer, approve=False, note="经营流水不足")
    text = client_for(borrower).get("/lending/").content.decode()
    assert "未通过" in text and "经营流水不足" in text


def test_applying_without_consent_waits_for_review(shop: Shop) -> None:
    """A seller applies for 5,000 yuan over 6 months: filed for manual review, the outcome page says so."""
    product = product_for()
    client = client_for(shop.cooperative.user)
    response = client.post(
        "/lending/apply/",
        {"product": product.code, "amount": "5000", "term_months": "6", "purpose": "买化肥"},
    )
    application = LoanApplication.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/lending/applications/{application.number}/"
    )
    assert (application.amount_fen, application.term_months, application.status, application.band) == (
        500_000,
        6,
        ApplicationStatus.REVIEW,
        DecisionBand.MANUAL,
    )
    text = client.get(response["Location"]).content.decode()
    assert "人工审核" in text and "¥5,000.00" in text


def test_an_amount_out_of_range_is_refused_and_nothing_is_filed(shop: Shop) -> None:
    """500 yuan is under the product's 1,000 minimum: 400, the amount field says why, nothing written."""
    product = product_for()
    response = client_for(shop.cooperative.user).post(
        "/lending/apply/", {"product": product.code, "amount": "500", "term_months": "6", "purpose": "买化肥"}
    )
    assert response.status_code == 400
    assert "金额须在 ¥1,000.00 至 ¥200,000.00 之间" in response.content.decode()
    assert not LoanApplication.objects.exists()


def test_a_term_the_product_does_not_offer_is_refused(shop: Shop) -> None:
    """9 months is not among 3, 6, 12: 400 on the term, nothing written."""
    product = product_for()
    response = client_for(shop.cooperative.user).post(
        "/lending/apply/",
        {"product": product.code, "amount": "5000", "term_months": "9", "purpose": "买化肥"},
    )
    assert response.status_code == 400
    assert not LoanApplication.objects.exists()


def test_a_station_operator_applies_for_a_villager(station: Station) -> None:
    """Found by name, filed with the villager as applicant and the operator as the one who filed."""
    product = product_for()
    client = client_for(station.operator)
    found = client.get("/lending/apply/", {"q": "张秀英"}).content.decode()
    assert "张*" in found and "138****1234" in found and f"?person={station.villager.pk}" in found
    response = client.post(
        "/lending/apply/",
        {
            "product": product.code,
            "amount": "3000",
            "term_months": "3",
            "purpose": "买猪崽",
            "person": str(station.villager.pk),
        },
    )
    assert response.status_code == 302
    application = LoanApplication.objects.get()
    assert (application.applicant_id, application.filed_by_id, application.outlet.code) == (
        station.villager.pk,
        station.operator.pk,
        station.outlet_code,
    )


def test_a_seller_cannot_apply_for_someone_else(shop: Shop, station: Station) -> None:
    """A seller naming the villager: 403, nothing filed (not filed as the seller's own either)."""
    product = product_for()
    response = client_for(shop.cooperative.user).post(
        "/lending/apply/",
        {
            "product": product.code,
            "amount": "3000",
            "term_months": "3",
            "purpose": "买猪崽",
            "person": str(station.villager.pk),
        },
    )
    assert response.status_code == 403
    assert not LoanApplication.objects.exists()


def test_someone_elses_loan_is_not_found(
    lend_today: Callable[..., Loan], make_user: Callable[..., User]
) -> None:
    """Another seller gets 404 for the page, the contract and every action; nothing changes."""
    loan = lend_today()
    other = client_for(make_user(Role.SELLER, username="other"))
    for path in ("", "contract.pdf"):
        assert other.get(f"/lending/loans/{loan.number}/{path}").status_code == 404
    for action in ("repay", "draw", "sign", "cancel"):
        assert other.post(f"/lending/loans/{loan.number}/{action}/", {"amount": "100"}).status_code == 404
    assert not LoanRepayment.objects.exists()


def test_the_loan_page_is_open_to_the_officer_and_the_station_operator(
    villager_loan: Loan, station: Station, officer: User
) -> None:
    """The officer (loan.read) and VS11's operator (loan.apply_for there) read the villager's loan."""
    for user in (officer, station.operator, station.villager):
        assert client_for(user).get(f"/lending/loans/{villager_loan.number}/").status_code == 200


def test_the_loan_page_shows_the_schedule_and_payoff(lend_today: Callable[..., Loan]) -> None:
    """Twelve installments, the payoff today (principal; no interest accrued on day one)."""
    loan = lend_today()
    text = client_for(loan.borrower).get(f"/lending/loans/{loan.number}/").content.decode()
    assert text.count('data-testid="installment"') == 12
    assert loan_payoff_quote(loan) == 1_000_000
    assert "今天全部结清需" in text and "¥10,000.00" in text


def test_signing_a_contract_pays_the_loan_into_the_wallet(contract: Callable[..., Loan]) -> None:
    """Contracted → sign → active, 10,000.00 in the borrower's wallet."""
    loan = contract()
    client = client_for(loan.borrower)
    assert 'data-testid="sign-submit"' in client.get(f"/lending/loans/{loan.number}/").content.decode()
    response = client.post(f"/lending/loans/{loan.number}/sign/")
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE
    assert wallet_fen(loan.borrower) == 1_000_000


def test_declining_a_contract_cancels_it(contract: Callable[..., Loan]) -> None:
    """Contracted → cancel → cancelled, nothing lent."""
    loan = contract()
    response = client_for(loan.borrower).post(f"/lending/loans/{loan.number}/cancel/")
    assert response.status_code == 302 and response["Location"] == "/lending/"
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CANCELLED
    assert wallet_fen(loan.borrower) == 0


def test_signing_twice_is_refused(lend_today: Callable[..., Loan]) -> None:
    """An active loan cannot be signed again: 409, the wallet unchanged."""
    loan = lend_today()
    response = client_for(loan.borrower).post(f"/lending/loans/{loan.number}/sign/")
    assert response.status_code == 409
    assert wallet_fen(loan.borrower) == 1_000_000


def test_paying_off_early_from_the_wallet_closes_the_loan(lend_today: Callable[..., Loan]) -> None:
    """On the day it was lent the payoff is the principal: repaid early, closed, listed as 钱包还款."""
    loan = lend_today()
    client = client_for(loan.borrower)
    response = client.post(f"/lending/loans/{loan.number}/repay/", {"amount": "10000", "early": "on"})
    assert response.status_code == 302
    repayment = LoanRepayment.objects.get()
    assert (repayment.source, repayment.principal_fen, repayment.interest_fen, repayment.is_early) == (
        RepaymentSource.WALLET,
        1_000_000,
        0,
        True,
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED
    text = client.get(f"/lending/loans/{loan.number}/").content.decode()
    assert 'data-testid="repayment"' in text and "钱包还款" in text and "已结清" in text


def test_repaying_when_nothing_is_due_is_refused_and_nothing_is_written(
    lend_today: Callable[..., Loan],
) -> None:
    """Not early, nothing due yet: 409 with the reason under the amount; no repayment, wallet unchanged."""
    loan = lend_today()
    response = client_for(loan.borrower).post(f"/lending/loans/{loan.number}/repay/", {"amount": "100"})
    assert response.status_code == 409
    assert "目前没有到期应还的款项" in response.content.decode()
    assert not LoanRepayment.objects.exists()
    assert wallet_fen(loan.borrower) == 1_000_000


def test_a_bad_amount_is_refused(lend_today: Callable[..., Loan]) -> None:
    """ "abc" yuan: 400, nothing written."""
    loan = lend_today()
    response = client_for(loan.borrower).post(f"/lending/loans/{loan.number}/repay/", {"amount": "abc"})
    assert response.status_code == 400
    assert not LoanRepayment.objects.exists()


def test_drawing_on_a_credit_line(lend_today: Callable[..., Loan]) -> None:
    """A 10,000 line: draw 2,000 into the wallet; 8,000 left; over the limit is refused."""
    loan = lend_today(RepaymentMethod.CREDIT_LINE)
    client = client_for(loan.borrower)
    assert client.post(f"/lending/loans/{loan.number}/draw/", {"amount": "2000"}).status_code == 302
    loan.refresh_from_db()
    assert loan.principal_outstanding_fen == 200_000 and wallet_fen(loan.borrower) == 200_000
    refused = client.post(f"/lending/loans/{loan.number}/draw/", {"amount": "9000"})
    assert refused.status_code == 400 and "最多还能支用 ¥8,000.00" in refused.content.decode()
    loan.refresh_from_db()
    assert loan.principal_outstanding_fen == 200_000


def test_the_counter_takes_a_villagers_cash_for_the_loan(villager_loan: Loan, station: Station) -> None:
    """The operator finds the villager, sees the payoff, takes 1,000 yuan early: a counter-cash repayment at
    VS11, three drawer lines labelled 贷款现金还款 at most, and a receipt."""
    client = client_for(station.operator)
    found = client.get("/lending/counter/", {"q": "13800001234"}).content.decode()
    assert f"person={station.villager.pk}" in found
    listed = client.get("/lending/counter/", {"person": station.villager.pk}).content.decode()
    assert villager_loan.number in listed and 'data-testid="counter-payoff"' in listed
    response = client.post(
        "/lending/counter/repay/",
        {
            "loan": villager_loan.number,
            "outlet": station.outlet_code,
            "person": station.villager.pk,
            "amount": "1000",
            "early": "on",
        },
    )
    assert response.status_code == 302
    repayment = LoanRepayment.objects.get()
    assert (repayment.source, repayment.amount_fen, repayment.outlet_id, repayment.taken_by_id) == (
        RepaymentSource.COUNTER_CASH,
        100_000,
        villager_loan.outlet_id,
        station.operator.pk,
    )
    result = client.get(response["Location"]).content.decode()
    assert 'data-testid="counter-result"' in result and "¥1,000.00" in result
    receipt = client.get(f"/lending/counter/receipts/{repayment.pk}.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    drawer = client.get(f"/finance/counter/{station.outlet_code}/").content.decode()
    assert "贷款现金还款" in drawer


def test_the_counter_refuses_more_cash_than_is_owed(villager_loan: Loan, station: Station) -> None:
    """4,000 yuan for a 3,000 loan: 400 naming the most it may take; no repayment, no drawer movement."""
    transfers = Transfer.objects.count()
    response = client_for(station.operator).post(
        "/lending/counter/repay/",
        {
            "loan": villager_loan.number,
            "outlet": station.outlet_code,
            "person": station.villager.pk,
            "amount": "4000",
            "early": "on",
        },
    )
    assert response.status_code == 400
    assert "这次最多应收 ¥3,000.00" in response.content.decode()
    assert not LoanRepayment.objects.exists()
    assert Transfer.objects.count() == transfers


def test_the_counter_is_for_counter_staff_only(lend_today: Callable[..., Loan]) -> None:
    """A seller gets 403 on the counter page."""
    loan = lend_today()
    assert client_for(loan.borrower).get("/lending/counter/").status_code == 403


def test_start_cards_show_the_next_repayment_and_a_contract_waiting(
    lend_today: Callable[..., Loan], contract: Callable[..., Loan], station: Station
) -> None:
    """The cooperative's next repayment 888.49; the villager's contract waiting for signature."""
    loan = lend_today()
    cards = {card.testid: card for card in start_cards(user=loan.borrower)}
    assert cards["start-loan-due"].figure == "¥888.49"
    assert cards["start-loan-due"].url == f"/lending/loans/{loan.number}/"
    waiting = contract(borrower=station.villager, actor=station.operator)
    cards = {card.testid: card for card in start_cards(user=station.villager)}
    assert cards["start-loan-contract"].url == f"/lending/loans/{waiting.number}/"
    assert cards["start-loan-contract"].figure == "¥10,000.00"
