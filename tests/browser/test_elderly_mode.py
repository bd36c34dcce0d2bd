"""长辈模式 on a cheap phone: a villager turns it on from the menu, and it stays on; a station operator's
counter shows amounts in capitals beside the figures. Every page is checked as in conftest (axe-core,
CSP, no sideways scrolling at 100 % and 200 % text)."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def base_font_px(page: Page) -> float:
    return float(page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)"))


def switch_on(page: Page) -> None:
    open_menu(page)
    switch = page.get_by_role("button", name="长辈模式")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    page.wait_for_load_state()


def expect_on(page: Page) -> None:
    expect(page.locator("html")).to_have_class(re.compile(r"\bsiliu-elder\b"))
    assert base_font_px(page) >= 18


def test_a_villager_turns_on_elderly_mode_and_it_follows_them(
    browser: Browser, live_server: object, demo_county: None
) -> None:
    """On at 360 px from the menu: ≥ 18 px text, kept after a reload, on another page, and after logging out
    and in again on another device (the user's stored choice)."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "consumer")
        assert base_font_px(page) < 18
        page.goto("/shop/")
        switch_on(page)
        assert page.url.endswith("/shop/")
        expect_on(page)
        page.reload()
        expect_on(page)
        page.goto("/network/outlets/")
        expect_on(page)
        screenshot(page, "elderly-mode-outlets-360")
        page.goto("/shop/")
        screenshot(page, "elderly-mode-shop-360")
        open_menu(page)
        expect(page.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="退出").click()
        page.wait_for_load_state()
    with checked_context(browser, live_server, width=1280) as context:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).not_to_have_class(re.compile(r"\bsiliu-elder\b"))
        log_in(page, "consumer")
        expect_on(page)
        page.goto("/shop/")
        screenshot(page, "elderly-mode-shop-1280")


def test_the_counter_shows_amounts_in_capitals_beside_the_figures(
    browser: Browser, live_server: object, demo_county: None
) -> None:
    """In elderly mode the station operator's counter writes each amount also in 大写."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "station_operator")
        page.goto("/finance/counter/")
        expect(page.get_by_test_id("capitals")).to_have_count(0)
        switch_on(page)
        if page.locator("main .list-group a").count():  # one counter: the index goes straight to it
            page.locator("main .list-group a").first.click()
        expected = page.get_by_test_id("expected")
        expect(expected.locator(".siliu-amount")).to_have_text(re.compile(r"^¥[\d,]+\.\d\d$"))
        expect(expected.get_by_test_id("capitals")).to_have_text(
            re.compile(r"^[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负]+$")
        )
        screenshot(page, "elderly-mode-counter-360")
