"""People's requests (我为群众办实事) in the browser: a villager files a request at a station's counter
(the operator on a phone, 360 px), the station resolves it, the villager rates it from the link in the
message; three requests of one kind in one township surface as a pattern that the county manager takes
as one job; the public month counts them. Every page is checked as in conftest (axe-core, CSP, no
sideways scrolling at 100 % and 200 % text, tap targets)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, expect

from siliu.appeals.models import Appeal, AppealStatus, Message
from siliu.appeals.requests.services import appeal_file
from siliu.core.roles import Role
from siliu.network.models import Outlet, OutletKind, Region, RegionLevel
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VILLAGER_PHONE = "13912340001"


@pytest.fixture(autouse=True)
def no_demo_requests(demo_county: None) -> None:
    """These walks count their own requests: the demo county's month of them (``siliu demo`` files one)
    is set aside first."""
    Appeal.objects.all().delete()
    Message.objects.all().delete()


def test_a_villager_files_at_the_counter_the_station_resolves_and_the_villager_rates(
    browser: Browser, live_server: object, demo_county: None
) -> None:
    """At 360 px: 代办诉求 from the menu, the villager's phone and words; the request opens, the station
    resolves it; the villager opens the link of the message on their phone and gives 5 points."""
    station = Outlet.objects.get(operator__username=Role.STATION_OPERATOR.value)
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, Role.STATION_OPERATOR.value)
        open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="代办诉求").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("代办诉求")
        # The station's own village is chosen already.
        expect(page.get_by_label("村", exact=True)).to_have_value(station.region.code)
        page.get_by_label("村民手机号").fill(VILLAGER_PHONE)
        page.get_by_label("类别").select_option(label="投递问题")
        page.get_by_label("要反映的事情").fill("包裹放错人家了，邻居收了我的快递")
        screenshot(page, "appeals-counter-360")
        page.get_by_test_id("appeal-submit").click()
        expect(page.get_by_test_id("status")).to_have_text("已提交")
        expect(page.get_by_role("alert")).to_contain_text("139****0001")
        appeal = Appeal.objects.get()
        assert (appeal.outlet, appeal.phone, appeal.filed_by.username) == (  # type: ignore[union-attr]
            station,
            VILLAGER_PHONE,
            Role.STATION_OPERATOR.value,
        )

        page.get_by_test_id("acknowledge").click()
        expect(page.get_by_test_id("status")).to_have_text("已受理")
        page.get_by_label("办理结果").fill("已找回包裹，并提醒投递员核对门牌")
        screenshot(page, "appeals-detail-handler-360")
        page.get_by_test_id("resolve").click()
        expect(page.get_by_test_id("status")).to_have_text("已办结")
        open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="诉求办理").click()
        page.get_by_role("link", name="全部").click()
        expect(page.get_by_test_id("queue-row")).to_have_count(1)
        screenshot(page, "appeals-queue-360")

    # The villager's phone got the link with the message that it was resolved.
    resolved = Message.objects.filter(appeal=appeal, to=VILLAGER_PHONE, text__contains="已办结").get()
    link = re.search(r"/appeals/r/[^/\s]+/", resolved.text)
    assert link is not None
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        page.goto(link.group(0))
        expect(page.get_by_test_id("resolution")).to_contain_text("已找回包裹")
        page.get_by_label("5 分").check()
        page.get_by_label("说说您的看法（可不填）").fill("办得快")
        screenshot(page, "appeals-rate-360")
        page.get_by_test_id("rate").click()
        expect(page.get_by_test_id("status")).to_have_text("已评价")
        expect(page.get_by_test_id("rating")).to_contain_text("5 分")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.rating_text) == (AppealStatus.CLOSED, 5, "办得快")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (360, 740)])
def test_three_of_a_kind_in_one_township_surface_as_a_pattern_taken_as_one_job(
    browser: Browser, live_server: object, demo_county: None, width: int, height: int
) -> None:
    """Three delivery requests in one township's villages this month: the county manager sees one
    pattern of three under 共性诉求, takes it as one job with a note, and resolves the job; the three
    are resolved; the public month shows them without a name."""
    township = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code").first()
    assert township is not None
    villages = list(
        Region.objects.filter(parent=township, outlets__kind=OutletKind.VILLAGE_STATION).order_by("code")[:3]
    )
    consumers = list(User.objects.filter(groups__name=Role.CONSUMER.value).order_by("username")[:3])
    now = timezone.now()
    texts = ["包裹放错人家了", "快递又被放到邻居家", "我的包裹被放在隔壁家"]
    # Minutes apart, so that the three are this month's on the public page too.
    for minutes, village, consumer, text in zip(
        (30, 20, 10), (villages * 3)[:3], consumers, texts, strict=True
    ):
        appeal_file(
            requester=consumer,
            category="delivery",
            village_code=village.code,
            text=text,
            now=now - datetime.timedelta(minutes=minutes),
        )
    with checked_context(browser, live_server, width=width, height=height) as context:
        page = context.new_page()
        log_in(page, Role.COUNTY_MANAGER.value)
        if width < 1200:
            open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="共性诉求").click()
        pattern = page.get_by_test_id("pattern")
        expect(pattern).to_have_count(1)
        expect(pattern.get_by_test_id("pattern-title")).to_have_text(f"{township.name} · 投递问题")
        expect(pattern.get_by_test_id("pattern-member")).to_have_count(3)
        screenshot(page, f"appeals-patterns-{width}")
        pattern.get_by_label("办理安排（会短信告知提出人）").fill("与投递员逐户核对门牌")
        pattern.get_by_test_id("take-pattern").click()
        expect(page.get_by_test_id("job-status")).to_have_text("办理中")
        expect(page.get_by_test_id("job-appeals").locator("tbody tr")).to_have_count(3)
        page.get_by_label("办理结果（会短信告知每位提出人，并请他们评价）").fill(
            "已逐户核对门牌，今后投递前电话确认"
        )
        screenshot(page, f"appeals-job-{width}")
        page.get_by_test_id("resolve-job").click()
        expect(page.get_by_test_id("job-status")).to_have_text("已办结")
        assert Appeal.objects.filter(status=AppealStatus.RESOLVED).count() == 3

        page.goto("/appeals/handle/?show=all")
        expect(page.get_by_test_id("queue-row")).to_have_count(3)
        screenshot(page, f"appeals-county-queue-{width}")
        page.get_by_role("link", name="群众诉求月报").click()
        expect(page.get_by_test_id("total")).to_have_text("3")
        expect(page.get_by_test_id("in-time")).to_have_text("100%")
        screenshot(page, f"appeals-monthly-{width}")
        assert consumers[0].username not in page.content()


def test_anyone_may_file_with_a_phone_code(browser: Browser, live_server: object, demo_county: None) -> None:
    """Not logged in, at 360 px: 反映诉求 from the menu, a code to the phone, the request filed and its
    page shown."""
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        page.goto("/")
        open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="反映诉求").click()
        page.get_by_label("手机号").fill("13912340002")
        page.get_by_test_id("send-code").click()
        expect(page.get_by_test_id("code-sent")).to_contain_text("139****0002")
        code = re.search(r"[0-9]{6}", Message.objects.get(kind="phone_code").text)
        assert code is not None
        page.get_by_label("短信验证码").fill(code.group(0))
        page.get_by_label("乡镇", exact=True).select_option(index=1)
        expect(page.locator("select[name=village] optgroup[disabled]").first).to_be_attached()
        village = page.locator("select[name=village] optgroup:not([disabled]) option").first
        page.get_by_label("村", exact=True).select_option(village.get_attribute("value") or "")
        page.get_by_label("类别").select_option(label="缺少的服务")
        page.get_by_label("要反映的事情").fill("村里没有地方交电费")
        screenshot(page, "appeals-new-phone-360")
        page.get_by_test_id("appeal-submit").click()
        expect(page.get_by_test_id("status")).to_have_text("已提交")
        screenshot(page, "appeals-requester-page-360")
    assert Appeal.objects.get().phone == "13912340002"
