"""县域统计 in the browser: the county manager opens it from the menu, picks a township and a year, and
sees the figures, the chart of up against down and the stations' map drawn, on a desktop and on a phone;
a visitor opens 县域概况 from the footer. Every page is checked as in conftest (axe-core, CSP, no
sideways scrolling at 100 % and 200 % text, tap targets)."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from siliu.network.models import OutletKind, Region, RegionLevel
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_county_with_orders() -> None:
    """The demo county (24 villages, seed 5) with forty orders over its year, folded into the figures."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=40", "--force", stdout=StringIO())


def busiest_township() -> Region:
    """The township with the most village stations."""
    return (
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .annotate(
            stations=Count("children__outlets", filter=Q(children__outlets__kind=OutletKind.VILLAGE_STATION))
        )
        .order_by("-stations", "code")
        .first()
    ) or pytest.fail("the demo has no township")


def expect_drawn(chart: Locator) -> None:
    """The chart has drawn: its script marked it ready and its canvas has pixels that are not blank."""
    expect(chart).to_have_attribute("data-ready", "true")
    canvas = chart.locator("canvas").first
    expect(canvas).to_be_visible()
    painted = canvas.evaluate(
        """(canvas) => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
            return painted;
        }"""
    )
    assert painted > 100


def look_at_a_township(page: Page, township: Region) -> None:
    year_ago = timezone.localdate() - datetime.timedelta(days=364)
    page.fill("#id_date_from", year_ago.isoformat())
    page.get_by_label("乡镇").select_option(township.code)
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(f"township={township.code}"))
    stations = township.children.filter(outlets__kind=OutletKind.VILLAGE_STATION).count()
    expect(page.get_by_test_id("stations-table").locator("tbody tr")).to_have_count(stations)
    expect(page.get_by_test_id("stations-map")).to_have_attribute("data-station-count", str(stations))


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (360, 740)])
def test_the_county_manager_opens_the_statistics_and_picks_a_township(
    browser: Browser, live_server: object, demo_county_with_orders: None, width: int, height: int
) -> None:
    """From the menu to 县域统计; the figures, the bar chart and the map are drawn for the whole county and
    again for a township over a year."""
    township = busiest_township()
    with checked_context(browser, live_server, width=width, height=height) as context:
        page = context.new_page()
        log_in(page, "county_manager")
        if width < 1200:
            open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="县域统计").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("县域统计")
        expect(page.get_by_test_id("group-funds")).to_be_visible()
        expect_drawn(page.get_by_test_id("flows-chart"))
        expect_drawn(page.get_by_test_id("stations-map"))
        look_at_a_township(page, township)
        expect(page.get_by_test_id("value-gmv_up_fen")).to_have_text(re.compile(r"^¥[\d,]+\.\d\d$"))
        expect_drawn(page.get_by_test_id("flows-chart"))
        expect_drawn(page.get_by_test_id("stations-map"))
        expect(page.get_by_test_id("export-xlsx")).to_have_attribute(
            "href", re.compile(f"^/insight/export.xlsx\\?.*township={township.code}")
        )
        screenshot(page, f"insight-dashboard-{width}")


def test_a_visitor_opens_the_county_page_from_the_footer(
    browser: Browser, live_server: object, demo_county_with_orders: None
) -> None:
    """No login: the trade, parcels and stations of a township, no cash or loans."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("contentinfo").get_by_role("link", name="县域概况").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("县域概况")
        expect_drawn(page.get_by_test_id("flows-chart"))
        look_at_a_township(page, busiest_township())
        expect_drawn(page.get_by_test_id("stations-map"))
        expect(page.get_by_test_id("group-funds")).to_have_count(0)
        expect(page.get_by_test_id("insight-exports")).to_have_count(0)
        screenshot(page, "insight-county-360")
