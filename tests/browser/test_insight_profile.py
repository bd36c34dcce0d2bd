"""经营概况 and 合作共赢 in the browser: the cooperative opens its profile (the year of
``siliu.insight.tests.profile_fixtures``) and sees its two charts drawn, at 360 and 1280 px; the county
manager opens the scorecard, sorts it, and fetches the monthly PDF report from its link. The menu links
to these pages come with the dashboard, so the test opens them by their addresses. Screenshots in
``test-artifacts/insight-*.png``. Every page is checked as in conftest (axe-core, CSP, no sideways
scrolling at 100 % and 200 % text, tap targets)."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from siliu.commerce.tests.conftest import fund, shop  # noqa: F401
from siliu.core.roles import Role
from siliu.insight.tests.profile_fixtures import Year, year_of_flows  # noqa: F401
from siliu.lending.tests.loan_fixtures import lend, loan_fund, officer  # noqa: F401
from siliu.logistics.tests.conftest import county  # noqa: F401
from siliu.network.models import Region
from tests.browser.conftest import checked_context, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def charts_drawn(page: Page) -> None:
    """ECharts drew both charts on their canvases."""
    for chart in ("sales-chart", "parcels-chart"):
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1280, 900)])
def test_the_cooperative_sees_its_year_on_one_page(
    browser: Browser,
    live_server: object,
    year_of_flows: Year,  # noqa: F811
    width: int,
    height: int,
) -> None:
    """/insight/me/: the figures, both charts, the months, the products, the loan and the trace batch."""
    with checked_context(browser, live_server, width=width, height=height) as context:
        page = context.new_page()
        log_in(page, "kiwi_coop")
        page.goto("/insight/me/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("王家村猕猴桃专业合作社")
        charts_drawn(page)
        expect(page.get_by_test_id("buyers")).to_have_text("2")
        expect(page.get_by_test_id("repeat-buyers")).to_contain_text("回头客 1（50.0%）")
        expect(page.get_by_test_id("month-2026-11")).to_contain_text("¥179.40")
        expect(page.get_by_test_id("profile-products")).to_contain_text("徐香猕猴桃 5斤装")
        expect(page.get_by_test_id(f"loan-{year_of_flows.loan.number}")).to_contain_text("¥9,506.66")
        expect(page.get_by_test_id("trace-KIWI2026XU")).to_contain_text("4")
        screenshot(page, f"insight-profile-{width}")


def test_the_county_manager_opens_the_scorecard_and_its_report(
    browser: Browser,
    live_server: object,
    year_of_flows: Year,  # noqa: F811
    make_user: Callable[..., User],
) -> None:
    """合作共赢 at 1280 px, sorted by name, a farmer's profile from it, then at 360 px; the report's link
    gives a PDF."""
    make_user(Role.COUNTY_MANAGER, county=Region.objects.get(code="610199"), username="manager")
    with checked_context(browser, live_server) as context:
        page = context.new_page()
        log_in(page, "manager")
        page.goto("/insight/scorecard/")
        stations = page.get_by_test_id("scorecard-stations")
        expect(stations.locator("tbody tr").first).to_contain_text("王家村服务站")
        expect(page.get_by_test_id("station-VS11")).to_contain_text("¥15.59")
        expect(page.get_by_test_id("scorecard-farmers")).to_contain_text("王家村猕猴桃专业合作社")
        screenshot(page, "insight-scorecard-1280")
        stations.get_by_role("link", name="村级服务站").click()
        expect(stations.locator("tbody tr").first).to_contain_text("李家沟村服务站")
        expect(stations.locator("th[aria-sort=ascending]")).to_contain_text("村级服务站")
        link = page.get_by_test_id("report-link")
        report = context.request.get(link.get_attribute("href") or "")
        assert report.status == 200 and report.headers["content-type"] == "application/pdf"
        assert report.body().startswith(b"%PDF")
        page.get_by_role("link", name="王家村猕猴桃专业合作社").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("王家村猕猴桃专业合作社")
        charts_drawn(page)
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "manager")
        page.goto("/insight/scorecard/")
        expect(page.get_by_test_id("station-VS21")).to_be_visible()
        screenshot(page, "insight-scorecard-360")
