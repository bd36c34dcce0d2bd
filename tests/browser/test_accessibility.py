"""Every demo role walks the pages of its menu, and a few one click further, on a desktop and on a
phone with the menu open; axe-core checks each page (the checks and the failing are in conftest)."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from siliu.commerce.models import OrderLine, Shipment, TraceBatch
from siliu.core.roles import Role
from tests.browser.conftest import AXE_NOT_CHECKED, axe_check, checked_context, log_in, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: Every demo login (each role, and the superuser), and nobody logged in.
USERNAMES = [role.value for role in Role] + ["admin", ""]

#: Pages one click away from a menu page, found by the first link that matches on it.
ONE_CLICK_FURTHER = [
    ("/shop/", "a[href^='/shop/products/']"),
    ("/shop/orders/", "[data-testid=order-row] a"),
    ("/network/outlets/", "table a[href^='/network/outlets/']"),
    ("/shop/seller/products/", "[data-testid=seller-product] a"),
    ("/lending/products/", "a[href^='/lending/calculator/?product=']"),
]

#: Pages that are not in any menu but that a role reaches: the buyer's saved addresses from the cart,
#: and the cart with its checkout form once something is in it and a village is picked (and, for
#: nobody logged in, a trace page).
EXTRA_PAGES = {
    Role.CONSUMER.value: ["/shop/addresses/"],
    # The seller centre's own pages, reached from its buttons.
    Role.SELLER.value: ["/shop/seller/products/", "/shop/seller/products/new/", "/shop/seller/payouts/"],
    # Filing a home pickup for a villager, from the station's home pickups.
    Role.STATION_OPERATOR.value: ["/agency/pickups/station/new/"],
    # The county manager's forms for stamp exhibitions, reached from its buttons.
    Role.COUNTY_MANAGER.value: ["/outreach/exhibitions/new/", "/outreach/stamps/new/"],
    # The public county page, the month of people's requests and the stamp exhibitions' pages, linked
    # from the footer.
    "": [
        "/county/",
        "/appeals/monthly/",
        "/outreach/",
        "/outreach/coverage/",
        "/outreach/stamps/",
        "/outreach/request/",
    ],
}


@pytest.fixture
def demo_county_with_orders() -> None:
    """The demo county (24 villages, seed 5) with twenty orders, so that order pages have rows."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=20", "--force", stdout=StringIO())


def trace_paths() -> list[str]:
    """The public trace page of a batch (reached from the QR code on a box), and of a batch with the
    journey of a parcel that carries it."""
    batch = TraceBatch.objects.order_by("pk").first()
    paths = [] if batch is None else [f"/t/{batch.code}"]
    shipped = Shipment.objects.filter(parcel__isnull=False).order_by("pk")
    for order_id, seller_id, number in shipped.values_list(
        "order_id", "seller_id", "parcel__tracking_number"
    )[:50]:
        code = (
            OrderLine.objects.filter(
                order_id=order_id, seller_id=seller_id, product__trace_batch__isnull=False
            )
            .values_list("product__trace_batch__code", flat=True)
            .first()
        )
        if code:
            paths.append(f"/t/{code}/{number}")
            break
    return paths


def menu_paths(page: Page) -> list[str]:
    """The paths of the menu's links on this site, in the menu's order."""
    hrefs = page.locator("#main-nav a[href]").evaluate_all("(links) => links.map((link) => link.href)")
    paths = []
    for href in hrefs:
        path = urlsplit(href).path
        if path not in paths and not path.startswith(AXE_NOT_CHECKED) and path != "/login/":
            paths.append(path)
    return paths


def walk(page: Page, username: str, *, phone: bool) -> None:
    """Opens every page of the user's menu and those one click further; on a phone, the menu (the same
    on every page) is checked open once."""
    if username:
        log_in(page, username)
    else:
        page.goto("/")
    if phone:
        open_menu(page)
        axe_check(page)
    paths = menu_paths(page) + EXTRA_PAGES.get(username, [])
    for path, link in ONE_CLICK_FURTHER:
        if path in paths:
            page.goto(path)
            first = page.locator(link).first
            if first.count():
                paths.append(urlsplit(first.evaluate("(link) => link.href")).path)
    paths += EXTRA_PAGES.get(username, [])
    if not username:
        paths += trace_paths()
    for path in paths:
        page.goto(path)
    if username == Role.CONSUMER.value:
        page.goto("/shop/")
        page.locator("a[href^='/shop/products/']").first.click()
        page.get_by_test_id("add-to-cart").get_by_role("button").click()
        page.goto("/shop/cart/")
        page.locator("select[name=township]").select_option(index=1)
        expect(page.locator("select[name=village] optgroup[disabled]").first).to_be_attached()  # narrowed
        village = page.locator("select[name=village] optgroup:not([disabled]) option").first
        page.locator("select[name=village]").select_option(village.get_attribute("value") or "")
        page.get_by_test_id("quote").click()
        expect(page.get_by_test_id("checkout")).to_be_visible()
        axe_check(page)


def walk_every_role(context: BrowserContext, *, phone: bool) -> None:
    page = context.new_page()
    for username in USERNAMES:
        context.clear_cookies()
        walk(page, username, phone=phone)


def test_every_page_of_every_role_on_a_desktop(
    browser: Browser, live_server: object, demo_county_with_orders: None
) -> None:
    """At 1280 px."""
    with checked_context(browser, live_server, width=1280) as context:
        walk_every_role(context, phone=False)


def test_every_page_of_every_role_on_a_phone_with_the_menu_open(
    browser: Browser, live_server: object, demo_county_with_orders: None
) -> None:
    """At 360 px, each page checked at load (menu closed), and the menu open."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        walk_every_role(context, phone=True)


def test_the_first_tab_reaches_the_skip_link_and_focus_is_outlined(page: Page, demo_county: None) -> None:
    """The skip link is the first stop and leads to the content; a focused control has a 3 px outline."""
    page.goto("/shop/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="跳到正文")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    assert skip_link.evaluate("(link) => getComputedStyle(link).outlineWidth") == "3px"
    page.keyboard.press("Enter")
    # Following the link changes the address once the key's default action has run: wait for it.
    page.wait_for_url("**/shop/#main", timeout=5000)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
