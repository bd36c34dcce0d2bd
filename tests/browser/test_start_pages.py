"""Issue #11: every demo role lands on its own start page at 360 px, and one of its figures opens the
list it counts; screenshots of each start page go to ``test-artifacts/start-<role>.png``."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from siliu.core.roles import Role
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: role → (the card clicked, where its list is, the first work entry of the role's menu or None)
CLICKS = {
    Role.CONSUMER: ("start-my-orders", "/shop/orders/", None),
    Role.SELLER: ("start-to-pack", "/shop/seller/", "卖家中心"),
    Role.STATION_OPERATOR: ("start-parcels-waiting", "/logistics/station/", "柜台现金"),
    Role.COURIER: ("start-round", "/logistics/rounds/", "投递班次"),
    Role.COUNTY_MANAGER: ("start-exceptions-overdue", "/logistics/exceptions/", "本站邮件"),
    Role.LOAN_OFFICER: ("start-my-orders", "/shop/orders/", "借款人"),
    Role.FINANCE: ("start-trial-balance", "/finance/trial-balance/", "卖家提现"),
    Role.AUDITOR: ("start-trial-balance", "/finance/trial-balance/", "投递班次"),
}


@pytest.fixture
def demo_county_with_orders() -> None:
    """The demo county (24 villages, seed 5) with twenty orders: the seller login owns a shop with
    orders, the other roles' figures are not all 0."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=20", "--force", stdout=StringIO())


def test_each_role_lands_on_its_start_page_and_a_figure_opens_its_list(
    browser: Browser, live_server: object, demo_county_with_orders: None
) -> None:
    """Logged in as each demo role on a phone: the start page shows its cards (work first), its menu
    starts with its work, and a card opens the list it counts."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        for role, (testid, list_path, first_entry) in CLICKS.items():
            context.clear_cookies()
            log_in(page, role.value)
            expect(page.get_by_test_id("start-cards")).to_be_visible()
            card = page.get_by_test_id(testid)
            expect(card).to_be_visible()
            screenshot(page, f"start-{role.value}")
            open_menu(page)
            first = page.locator("#main-nav .nav-link").first
            if first_entry is not None:
                expect(first).to_have_text(first_entry)
            else:
                expect(first).to_have_text("商城")
            page.goto("/")
            page.get_by_test_id(testid).click()
            page.wait_for_load_state()
            assert page.url.split(str(live_server), 1)[1].startswith(list_path), (role, page.url)
        # In elderly mode (长辈模式) the cards stand one a row, and still fit the phone.
        open_menu(page)
        page.get_by_role("button", name="长辈模式").click()
        page.wait_for_load_state()
        page.goto("/")
        expect(page.locator("html.siliu-elder")).to_have_count(1)
        screenshot(page, "start-auditor-elderly")
        context.clear_cookies()
        page.goto("/")
        expect(page.get_by_test_id("home-track")).to_be_visible()
        screenshot(page, "start-anonymous")
