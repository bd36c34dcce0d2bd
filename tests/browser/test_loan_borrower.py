"""The borrower's side of a loan in a browser: a cooperative at 360 px opens 贷款 from the menu, opens
its loan, pays it off early from the wallet and sees the repayment listed; a station operator takes a
villager's cash for her loan at the counter. Every page is checked as in conftest (axe-core, CSP, no
sideways scrolling, tap targets); screenshots at 360 and 1280 px go to test-artifacts/."""
# ruff: noqa: F811  (the fixtures are imported and named as arguments)

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect

from siliu.commerce.tests.conftest import fund, shop  # noqa: F401
from siliu.lending.loans.models import Loan, LoanRepayment, LoanStatus, RepaymentSource
from siliu.lending.models import RepaymentMethod
from siliu.lending.tests.borrower_fixtures import (  # noqa: F401
    Station,
    contract,
    lend_today,
    station,
    villager_loan,
)
from siliu.lending.tests.loan_fixtures import loan_fund, officer, product_make  # noqa: F401
from siliu.logistics.tests.conftest import county  # noqa: F401
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_cooperative_pays_off_its_loan_early_from_the_wallet(
    browser: Browser, live_server: object, lend_today: Callable[..., Loan]
) -> None:
    """贷款 (menu) → the loan → 全部结清 ¥10,000.00 → 钱包还款 listed, 已结清."""
    loan = lend_today()
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "kiwi_coop")
        open_menu(page)
        page.get_by_role("navigation").get_by_role("link", name="贷款", exact=True).click()
        expect(page.get_by_test_id("my-loan")).to_contain_text(loan.number)
        expect(page.get_by_test_id("next-due")).to_contain_text("¥888.49")
        screenshot(page, "loan-home-360")
        page.get_by_test_id("my-loan").get_by_role("link").first.click()
        expect(page.get_by_test_id("payoff")).to_have_text("¥10,000.00")
        expect(page.get_by_test_id("installment")).to_have_count(12)
        screenshot(page, "loan-page-360")
        page.get_by_test_id("repay-payoff").click()
        expect(page.get_by_text("贷款已全部结清。")).to_be_visible()
        expect(page.get_by_test_id("repayment")).to_contain_text("钱包还款")
        expect(page.get_by_test_id("repayment")).to_contain_text("提前还款")
        screenshot(page, "loan-repaid-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        screenshot(page, "loan-repaid-1280")
        product_make(RepaymentMethod.SEASONAL)  # so that the harvest months are asked for
        page.goto("/lending/apply/")
        screenshot(page, "loan-apply-1280")
        page.set_viewport_size({"width": 360, "height": 740})
        page.reload()
        screenshot(page, "loan-apply-360")
    repayment = LoanRepayment.objects.get()
    assert (repayment.source, repayment.amount_fen) == (RepaymentSource.WALLET, 1_000_000)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED


def test_a_station_operator_takes_a_villagers_cash_at_the_counter(
    browser: Browser, live_server: object, villager_loan: Loan, station: Station
) -> None:
    """贷款还款 (menu) → find her by the last digits of her phone → 500 yuan early → result and receipt."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "vs11_operator")
        open_menu(page)
        page.get_by_role("navigation").get_by_role("link", name="贷款还款").click()
        page.fill("#person-q", "1234")
        page.get_by_test_id("person-search").click()
        page.get_by_test_id("people").get_by_role("link", name="选择").click()
        loan_card = page.get_by_test_id("counter-loan")
        expect(loan_card).to_contain_text(villager_loan.number)
        expect(page.get_by_test_id("counter-payoff")).to_have_text("¥3,000.00")
        screenshot(page, "loan-counter-360")
        loan_card.get_by_label("收取现金（元）").fill("500")
        loan_card.get_by_label("提前还款（到期前归还本金，最多收到全部结清的金额）").check()
        loan_card.get_by_test_id("counter-submit").click()
        expect(page.get_by_test_id("counter-result")).to_contain_text("已收现金 ¥500.00")
        expect(page.get_by_test_id("counter-receipt")).to_be_visible()
        screenshot(page, "loan-counter-result-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        screenshot(page, "loan-counter-result-1280")
    repayment = LoanRepayment.objects.get()
    assert (repayment.source, repayment.amount_fen, repayment.taken_by_id) == (
        RepaymentSource.COUNTER_CASH,
        50_000,
        station.operator.pk,
    )
