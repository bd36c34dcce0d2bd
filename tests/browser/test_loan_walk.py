"""The whole loan in a browser at 360 px, as the people who do it: the cooperative applies from 贷款, the
loan officer approves it from 贷款审批, the cooperative reads and signs the contract (the money is in its
wallet at once) and repays part of it early. Every page is checked as in conftest (axe-core, CSP, no
sideways scrolling, tap targets); screenshots in test-artifacts/loan-walk-*.png."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from siliu.commerce.tests.conftest import Shop, shop  # noqa: F401
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.lending.loans.models import ApplicationStatus, Loan, LoanApplication, LoanRepayment, LoanStatus
from siliu.lending.tests.loan_fixtures import loan_fund, officer, product_make  # noqa: F401
from siliu.logistics.tests.conftest import county  # noqa: F401
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def menu_to(page: Page, entry: str) -> None:
    open_menu(page)
    page.locator("#main-nav").get_by_role("link", name=entry, exact=True).click()
    page.wait_for_load_state()


def test_apply_review_approve_sign_and_repay(
    browser: Browser,
    live_server: object,
    shop: Shop,  # noqa: F811
    officer: User,  # noqa: F811
    loan_fund: None,  # noqa: F811
) -> None:
    """10,000.00 yuan over 12 months: 待审核 (no consent, manual review) → 批准 → 签约 (wallet +10,000.00)
    → 1,000.00 repaid early the same day, all of it principal; 9,000.00 left."""
    product_make()
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "kiwi_coop")
        menu_to(page, "贷款")
        page.get_by_role("link", name="申请贷款").click()
        page.fill("#id_amount", "10000")
        page.select_option("#id_term_months", "12")
        page.fill("#id_purpose", "买有机肥和防雹网")
        screenshot(page, "loan-walk-apply-360")
        page.get_by_test_id("apply-submit").click()
        expect(page.get_by_test_id("outcome")).to_contain_text("待审核")
        screenshot(page, "loan-walk-filed-360")

        context.clear_cookies()
        log_in(page, "officer")
        menu_to(page, "贷款审批")
        item = page.get_by_test_id("review-item")
        expect(item).to_contain_text("¥10,000.00")
        expect(item).to_contain_text("买有机肥和防雹网")
        item.locator("textarea").fill("合作社订单稳定，用途清楚")
        item.get_by_test_id("approve").click()
        expect(page.get_by_role("alert")).to_contain_text("已批准，合同已生成")

        context.clear_cookies()
        log_in(page, "kiwi_coop")
        menu_to(page, "贷款")
        expect(page.get_by_test_id("my-loan")).to_contain_text("待签约放款")
        page.get_by_test_id("my-loan").get_by_role("link").first.click()
        expect(page.get_by_test_id("contract-pdf").first).to_be_visible()
        screenshot(page, "loan-walk-contract-360")
        page.get_by_test_id("sign-submit").click()
        expect(page.get_by_test_id("outstanding")).to_have_text("¥10,000.00")
        expect(page.get_by_test_id("installment")).to_have_count(12)
        screenshot(page, "loan-walk-signed-360")
        form = page.get_by_test_id("repay-form")
        form.get_by_label("还其他金额（元）").fill("1000")
        form.get_by_label("提前还款（到期前归还本金）").check()
        page.get_by_test_id("repay-submit").click()
        expect(page.get_by_test_id("outstanding")).to_have_text("¥9,000.00")
        expect(page.get_by_test_id("repayment")).to_contain_text("提前还款")
        screenshot(page, "loan-walk-repaid-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        screenshot(page, "loan-walk-repaid-1280")

    application = LoanApplication.objects.get()
    assert (application.status, application.reviewed_by) == (ApplicationStatus.APPROVED, officer)
    loan = Loan.objects.get(application=application)
    assert (loan.status, loan.principal_outstanding_fen) == (LoanStatus.ACTIVE, 900_000)
    repayment = LoanRepayment.objects.get(loan=loan)
    assert (repayment.amount_fen, repayment.principal_fen, repayment.interest_fen) == (100_000, 100_000, 0)
    wallet = Account.objects.get(code=chart.wallet_code(user_id=shop.cooperative.user_id))
    assert wallet.credits_posted - wallet.debits_posted == 900_000
