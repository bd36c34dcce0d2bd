"""邮票上的党史 in the browser: the county manager plans an exhibition in a village none has visited this
year, records it held with the people counted, and the public coverage map and table turn that village
covered; on a desktop and on a phone. Every page is checked as in conftest (axe-core, CSP, no sideways
scrolling, tap targets)."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from siliu.network.models import OutletKind, Region, RegionLevel
from siliu.outreach.models import Exhibition, ExhibitionStatus, StampIssue, StampTheme
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def catalogue(demo_county: None, settings: Any, tmp_path: Path) -> StampIssue:
    """The demo county and one real issue in the catalogue (no picture: nothing drawn in the test)."""
    settings.MEDIA_ROOT = tmp_path
    # The demo holds a year of exhibitions; the walks set them aside and count their own.
    Exhibition.objects.all().delete()
    # The demo seeds this issue too; the walk needs it as described here, with no picture.
    issue, _ = StampIssue.objects.update_or_create(
        series_number="2011-16",
        defaults={
            "name": "中国共产党成立九十周年",
            "issued_on": datetime.date(2011, 6, 22),
            "stamp_count": 6,
            "souvenir_sheet_count": 1,
            "face_value_fen": 720,
            "theme": StampTheme.PARTY,
            "image": "",
        },
    )
    return issue


def a_village_with_a_station() -> Region:
    """The last village of the township with the most villages (so that the table has others beside it)."""
    township = (
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .annotate(villages=Count("children"))
        .order_by("-villages", "code")
        .first()
    )
    assert township is not None
    village = (
        Region.objects.filter(parent=township, outlets__kind=OutletKind.VILLAGE_STATION)
        .select_related("parent")
        .order_by("code")
        .last()
    )
    assert village is not None and village.parent is not None
    return village


def expect_coverage(page: Page, village: Region, *, covered: int) -> None:
    """The coverage page as anyone sees it: the map drawn, the township's covered count, the village's row."""
    assert village.parent is not None
    page.goto(f"/outreach/coverage/?township={village.parent.code}")
    chart = page.get_by_test_id("coverage-map")
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart).to_have_attribute("data-covered-count", str(covered))
    expect(chart.locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id(f"covered-{village.parent.code}")).to_have_text(str(covered))
    page.get_by_text("逐村查看").click()
    expect(page.get_by_test_id(f"village-{village.code}")).to_contain_text(
        "已举办" if covered else "尚未举办"
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (360, 740)])
def test_an_exhibition_is_planned_held_and_counted_and_the_village_turns_covered(
    browser: Browser, live_server: object, catalogue: StampIssue, width: int, height: int
) -> None:
    """Planned from the menu, held with 64 people: the village and its township are covered this year."""
    village = a_village_with_a_station()
    assert village.parent is not None
    today = timezone.localdate()
    with checked_context(browser, live_server, width=width, height=height) as context:
        page = context.new_page()
        expect_coverage(page, village, covered=0)
        screenshot(page, f"outreach-coverage-before-{width}")

        log_in(page, "county_manager")
        if width < 1200:
            open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="邮票展览").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("活动管理")
        page.get_by_test_id("exhibition-new").click()
        page.locator("select[name=township]").select_option(village.parent.code)
        expect(page.locator(f'optgroup[data-township="{village.parent.code}"]')).not_to_have_attribute(
            "hidden", ""
        )
        page.locator("select[name=village]").select_option(village.code)
        page.get_by_label("场地", exact=True).select_option("village_square")
        page.get_by_label("活动名称").fill(f"{village.name}：邮票上的党史")
        page.get_by_label("日期", exact=True).fill(today.isoformat())
        page.get_by_label("主讲人").fill("王建国")
        page.get_by_label("2011-16《中国共产党成立九十周年》").check()
        screenshot(page, f"outreach-new-{width}")
        page.get_by_test_id("exhibition-save").click()

        expect(page.get_by_test_id("exhibition-status")).to_have_text("已排期")
        page.get_by_label("参加人数").fill("64")
        page.get_by_test_id("hold-submit").click()
        expect(page.get_by_test_id("exhibition-status")).to_have_text("已举办")
        expect(page.get_by_test_id("exhibition-attendance")).to_have_text("64")
        expect(page.get_by_test_id("exhibition-history")).to_contain_text("已排期 → 已举办")
        screenshot(page, f"outreach-held-{width}")

        expect_coverage(page, village, covered=1)
        expect(page.get_by_test_id("total-attendance")).to_have_text("64")
        screenshot(page, f"outreach-coverage-after-{width}")

        page.goto("/outreach/")
        expect(page.get_by_test_id("held-row")).to_contain_text(village.name)
        expect(page.get_by_test_id("held-table")).not_to_contain_text("王建国")
        expect(page.get_by_test_id("total-covered")).to_have_text(
            f"1 / {Region.objects.filter(level=RegionLevel.VILLAGE).count()}"
        )
        screenshot(page, f"outreach-home-{width}")

    exhibition = Exhibition.objects.get()
    assert (exhibition.status, exhibition.attendance_count, exhibition.held_on) == (
        ExhibitionStatus.HELD,
        64,
        today,
    )


def test_a_school_asks_for_an_exhibition_without_logging_in(
    browser: Browser, live_server: object, catalogue: StampIssue
) -> None:
    """From the footer to the request form at 360 px: a school, a contact and a phone."""
    village = a_village_with_a_station()
    assert village.parent is not None
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("contentinfo").get_by_role("link", name="邮票上的党史").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("邮票上的党史")
        page.get_by_role("link", name="申请举办").first.click()
        page.locator("select[name=township]").select_option(village.parent.code)
        expect(page.locator(f'optgroup[data-township="{village.parent.code}"]')).not_to_have_attribute(
            "hidden", ""
        )
        page.locator("select[name=village]").select_option(village.code)
        page.get_by_label("场地", exact=True).select_option("school")
        page.get_by_label("场地名称").fill(f"{village.name}小学")
        page.get_by_label("联系人").fill("赵老师")
        page.get_by_label("手机号").fill("13900000000")
        page.get_by_test_id("request-submit").click()
        expect(page.get_by_test_id("request-filed")).to_be_visible()
        screenshot(page, "outreach-request-360")
    assert Exhibition.objects.get().status == ExhibitionStatus.REQUESTED
