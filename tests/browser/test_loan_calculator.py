"""Issue #10 at 360 px as the demo consumer: 贷款 from the menu lists the products; 试算 opens the
calculator for one, the amount slider and the typed amount both give a new schedule, its table and its
stacked bars of principal and interest (every page checked by the conftest: axe-core, CSP, reflow, tap
targets)."""

import datetime

import pytest
from playwright.sync_api import Browser, expect

from siliu.core.money import format_fen
from siliu.lending.schedules import schedule_build
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _first_total(amount_yuan: int, start: str) -> str:
    schedule = schedule_build(
        method="equal_installment",
        amount_fen=amount_yuan * 100,
        annual_rate_bp=720,
        term_months=6,
        start_date=datetime.date.fromisoformat(start),
    )
    return format_fen(schedule.installments[0].total_fen)


def test_a_villager_works_out_a_loan_schedule(
    browser: Browser, live_server: object, demo_county: None
) -> None:
    """From 贷款 in the menu (the borrower's page, then 贷款产品) to a product's schedule, by slider and
    by typing; an amount out of range is refused on its field."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "consumer")
        open_menu(page)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="贷款", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("贷款")
        page.get_by_role("main").get_by_role("link", name="贷款产品").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("贷款产品")
        expect(page.get_by_test_id("loan-product")).to_have_count(5)
        expect(page.get_by_test_id("schedule-convention")).to_contain_text("月利率 = 年利率 ÷ 12")
        screenshot(page, "loan-products-360")

        page.get_by_test_id("loan-product").filter(has_text="农户小额信用贷").get_by_role(
            "link", name="试算还款计划"
        ).click()
        expect(page.get_by_test_id("product-terms")).to_contain_text("7.2%")
        start = page.get_by_label("放款日").input_value()

        # The slider, let go at 20,000 yuan, sends the form again.
        page.get_by_test_id("amount-slider").fill("20000")
        expect(page.get_by_test_id("amount-input")).to_have_value("20000")
        table = page.get_by_test_id("schedule-table")
        expect(table.locator("tbody tr")).to_have_count(6)
        expect(table.locator("tbody tr").first).to_contain_text(_first_total(20000, start))
        chart = page.get_by_test_id("schedule-chart")
        expect(chart).to_have_attribute("data-ready", "true")
        expect(chart).to_have_attribute("data-installment-count", "6")
        expect(chart.locator("canvas").first).to_be_visible()
        screenshot(page, "loan-calculator-slider-360")

        # Typing an amount works the same (and without JavaScript, as a plain GET).
        page.get_by_test_id("amount-input").fill("5000")
        page.get_by_test_id("calculate").click()
        expect(table.locator("tbody tr").first).to_contain_text(_first_total(5000, start))
        expect(page.get_by_test_id("amount-slider")).to_have_value("5000")

        # The term slider stops only at the product's terms (6, 12, 24 months): 20 becomes 24.
        page.get_by_test_id("term-slider").fill("20")
        expect(page.get_by_label("期限（月）", exact=True)).to_have_value("24")
        expect(table.locator("tbody tr")).to_have_count(24)

        # An amount beyond the product's range is a field error and no schedule.
        page.get_by_test_id("amount-input").fill("80000")
        page.get_by_test_id("calculate").click()
        expect(page.locator(".invalid-feedback").first).to_contain_text("该产品的金额范围")
        expect(page.get_by_test_id("schedule-table")).to_have_count(0)
        screenshot(page, "loan-calculator-error-360")
