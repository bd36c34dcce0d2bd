import re

import pytest
from playwright.sync_api import Page, expect

from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_county_manager_logs_in_and_sees_the_outlet_map(page: Page, demo_county: None) -> None:
    """The county manager logs in, opens the map, sees every outlet drawn and clicks through to one."""
    log_in(page, "county_manager")
    expect(page.get_by_test_id("current-user")).to_contain_text("县级管理员")

    page.get_by_role("link", name="网点地图").first.click()
    chart = page.get_by_test_id("network-map")
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart).to_have_attribute("data-outlet-count", str(Outlet.objects.filter(is_active=True).count()))
    expect(chart.locator("canvas").first).to_be_visible()
    screenshot(page, "network-map")

    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    x, y = page.evaluate(
        """([lon, lat]) => {
            const element = document.getElementById('network-map');
            const chart = echarts.getInstanceByDom(element);
            const [px, py] = chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [lon, lat]);
            const box = element.getBoundingClientRect();
            return [box.left + px, box.top + py];
        }""",
        [float(hub.longitude), float(hub.latitude)],
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(f"/network/outlets/{hub.code}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(hub.name)


def test_wrong_password_is_refused_in_the_browser(page: Page, demo_county: None) -> None:
    """A wrong password shows the error and leaves the visitor logged out."""
    log_in(page, "county_manager", password="wrong")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def test_language_switch_to_english(page: Page, demo_county: None) -> None:
    """The English button turns the layout into English and back."""
    page.goto("/network/outlets/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outlets")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("网点")
