"""Issue #11's station counter, walked on a phone (360 px): the demo station operator finds the demo
``consumer`` by phone, takes ¥12.34 in cash, sees it in today's drawer with the running balance, opens its
receipt (a PDF), and closes the day ¥100.00 over, which waits for the county manager; the county
manager logs in and signs it off. Every page is checked as in conftest (axe-core, CSP, reflow, targets)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect

from siliu.core.models import UserProfile
from siliu.core.money import format_fen
from siliu.finance.models import CashDayClose, CashDayCloseSignOff
from siliu.finance.selectors import counter_drawer_get
from siliu.network.models import Outlet
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot
from tests.browser.test_main_walk import KiwiShop, kiwi_shop  # noqa: F401 (a fixture, asked for by name)
from tests.browser.test_seller_to_payout_walk import log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_station_counter_day_from_lookup_to_sign_off(
    browser: Browser,
    live_server: object,
    kiwi_shop: KiwiShop,  # noqa: F811 (the fixture)
) -> None:
    consumer = User.objects.get(username="consumer")
    phone = UserProfile.objects.get(user=consumer).phone
    operator = User.objects.get(username="station_operator")
    station = Outlet.objects.get(operator=operator)
    opening_fen = counter_drawer_get(outlet=station).closing_fen

    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "station_operator")
        open_menu(page)
        page.get_by_role("link", name="柜台现金").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(station.name)

        # 1. Find the villager by phone: masked in the list; choosing fills the form.
        page.fill("#person-q", phone)
        page.get_by_test_id("person-search").click()
        people = page.get_by_test_id("people")
        expect(people).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
        expect(people).not_to_contain_text(phone)
        screenshot(page, "counter-1-lookup")
        people.get_by_role("link", name="选择").first.click()
        expect(page.get_by_test_id("customer")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")

        # 2. Cash in ¥12.34: today's drawer shows it with the running book balance.
        page.fill("#id_amount", "12.34")
        page.get_by_role("button", name="确认办理").click()
        page.wait_for_load_state()
        line = page.get_by_test_id("drawer-line").last
        expect(line).to_contain_text("钱包存入")
        expect(line.get_by_test_id("balance")).to_have_text(format_fen(opening_fen + 1_234))
        expect(page.get_by_test_id("closing")).to_have_text(format_fen(opening_fen + 1_234))
        screenshot(page, "counter-2-drawer")

        # 3. Its receipt is a PDF.
        href = line.get_by_test_id("receipt").get_attribute("href")
        assert href is not None
        receipt = page.request.get(href)
        assert (receipt.status, receipt.headers["content-type"]) == (200, "application/pdf")
        assert receipt.body().startswith(b"%PDF")

        # 4. 代购: the villager found by phone, a product by search into the basket, its running total.
        open_menu(page)
        page.get_by_role("link", name="代购").click()
        page.fill("#counter-person", phone)
        page.get_by_test_id("person-search").click()
        page.get_by_test_id("people").get_by_role("link", name="选择").first.click()
        expect(page.get_by_test_id("buyer")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
        page.fill("#counter-q", "猕猴桃")
        page.get_by_test_id("product-search").click()
        first = page.get_by_test_id("products").locator("li").first
        first.locator("input[name=quantity]").fill("2")
        first.get_by_role("button", name="加入").click()
        expect(page.get_by_test_id("basket").locator("li")).to_have_count(1)
        expect(page.get_by_test_id("basket-total")).not_to_have_text(format_fen(0))
        expect(page.get_by_test_id("place")).to_be_enabled()
        screenshot(page, "counter-3-daigou")
        open_menu(page)
        page.get_by_role("link", name="柜台现金").click()

        # 5. Close the day ¥100.00 over: the report to confirm, then pending the county's sign-off.
        counted_fen = opening_fen + 1_234 + 10_000
        page.fill("#id_counted_cash", f"{counted_fen / 100:.2f}")
        page.get_by_role("button", name="点钞日结").click()
        expect(page.get_by_test_id("report-difference")).to_have_text(format_fen(10_000))
        expect(page.get_by_test_id("needs-sign-off")).to_be_visible()
        screenshot(page, "counter-4-confirm")
        page.get_by_test_id("confirm-close").click()
        expect(page.get_by_test_id("pending")).to_be_visible()
        screenshot(page, "counter-5-pending")
        close = CashDayClose.objects.get(outlet=station)
        assert (close.difference_fen, close.needs_sign_off, close.adjustment_transfer_id) == (
            10_000,
            True,
            None,
        )
        log_out(page)

        # 6. The county manager signs it off from the menu.
        log_in(page, "county_manager")
        open_menu(page)
        page.get_by_role("link", name="日结签核").click()
        pending = page.get_by_test_id("pending-close")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text(station.name)
        screenshot(page, "counter-6-sign-off")
        pending.get_by_test_id("sign-off").click()
        expect(page.get_by_test_id("none-pending")).to_be_visible()
        screenshot(page, "counter-7-signed-off")
    assert CashDayCloseSignOff.objects.get(close=close).adjustment_transfer.amount_fen == 10_000
