"""Home pickup (上门揽收, issue #14) at 360 px: the demo station operator files a pickup for a villager of
their remote village, the courier finds it on their round after planning, the parcel accepted at the
station names it and the request shows 已揽收; the villager's page at 1280 px (every page checked by the
conftest: axe-core, reflow, tap targets)."""

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from siliu.agency.pickups.models import HomePickup, RemoteVillage
from siliu.core.roles import Role
from siliu.logistics.models import RoundPlan, RoundPlanStatus, Vehicle
from siliu.logistics.rounds.tasks import round_plan_queue
from siliu.network.models import Outlet
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def remote_station(demo_county: None, settings: Any) -> Outlet:
    """The demo operator's station, its village flagged remote (free); plans run in the request."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "rounds"],
        }
    }
    station = Outlet.objects.select_related("region", "parent_outlet").get(
        operator__username="station_operator"
    )
    # The demo may have flagged it already (at its own price); the walk wants it free.
    RemoteVillage.objects.update_or_create(village=station.region, defaults={"price_fen": 0, "note": "山区"})
    return station


def _plan_today(station: Outlet) -> RoundPlan:
    """Plan tomorrow's rounds of the station's office (the window is tomorrow), with the courier's van
    alone, and date the plan today so that it is the courier's round now."""
    office = station.parent_outlet
    assert office is not None
    van = Vehicle.objects.get(outlet=office, driver__username=Role.COURIER.value)
    Vehicle.objects.filter(outlet=office).exclude(pk=van.pk).update(is_active=False)
    plan = round_plan_queue(
        outlet_code=office.code, planned_on=timezone.localdate() + datetime.timedelta(days=1), seconds=1
    )
    plan.refresh_from_db()
    assert plan.status == RoundPlanStatus.DONE, plan.error_message
    RoundPlan.objects.filter(pk=plan.pk).update(planned_on=timezone.localdate())
    return plan


def _nav(page: Page, name: str) -> None:
    open_menu(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def test_a_pickup_filed_for_a_villager_is_on_the_courier_round_and_closes_at_acceptance(
    browser: Browser, live_server: object, remote_station: Outlet
) -> None:
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "station_operator")
        _nav(page, "上门揽收单")
        page.get_by_test_id("pickup-new-for").click()
        expect(page.get_by_label("村", exact=True)).to_have_value(remote_station.region.code)
        page.get_by_label("门牌地址").fill("3组12号")
        page.get_by_label("联系人").fill("王秀英")
        page.get_by_label("手机号").fill("13900001234")
        page.get_by_label("要寄的物品").fill("土鸡蛋两箱")
        page.get_by_label("预估重量（千克）").fill("3")
        page.get_by_test_id("pickup-quote-button").click()
        expect(page.get_by_test_id("pickup-price")).to_have_text("免费")
        screenshot(page, "home-pickup-new-for-360")
        demo_pickups = list(HomePickup.objects.values_list("pk", flat=True))
        page.get_by_test_id("pickup-confirm").click()
        expect(page.get_by_role("alert").first).to_contain_text("已预约上门揽收")
        # The demo files pickups of its own; this one is the new one.
        pickup = HomePickup.objects.exclude(pk__in=demo_pickups).get()
        row = page.get_by_test_id("pickup-row").filter(has_text=pickup.number)
        expect(row.get_by_test_id("pickup-status")).to_have_text("待安排")
        expect(row).to_contain_text("139****1234")
        screenshot(page, "home-pickup-station-360")

        _plan_today(remote_station)
        context.clear_cookies()
        courier = context.new_page()
        log_in(courier, Role.COURIER.value)
        courier.goto("/logistics/rounds/today/")
        stop = courier.get_by_test_id("today-stop").filter(has_text="土鸡蛋两箱")
        card = stop.get_by_test_id("today-home-pickup").filter(has_text="3组12号")
        expect(card).to_contain_text("王** ")
        expect(card).to_contain_text("09:00–11:00")
        expect(card).to_contain_text("土鸡蛋两箱")
        expect(card.get_by_test_id("today-home-pickup-phone")).to_have_text("13900001234")
        screenshot(courier, "home-pickup-courier-360")

        context.clear_cookies()
        log_in(page, "station_operator")
        _nav(page, "上门揽收单")
        page.get_by_test_id("pickup-row").filter(has_text=pickup.number).get_by_test_id(
            "pickup-accept"
        ).click()
        expect(page.get_by_label("上门揽收单")).to_have_value(pickup.number)
        page.get_by_label("乡镇", exact=True).select_option(index=1)
        expect(page.locator("select[name=village] optgroup[disabled]").first).to_be_attached()
        village = page.locator("select[name=village] optgroup:not([disabled]) option").last
        page.get_by_label("村", exact=True).select_option(village.get_attribute("value") or "")
        page.get_by_label("称重（克）").fill("2900")
        page.get_by_label("寄件人", exact=True).fill("王秀英")
        page.get_by_label("寄件人电话（+86…）").fill("+8613900001234")
        page.get_by_label("寄件地址").fill("3组12号")
        page.get_by_label("收件人", exact=True).fill("县城农资店")
        page.get_by_label("收件人电话（+86…）").fill("+8613800000001")
        page.get_by_label("收件地址").fill("示范县县城 1 号")
        page.get_by_role("button", name="收款并揽收").click()
        expect(page.get_by_test_id("accepted")).to_contain_text("已揽收")

        _nav(page, "上门揽收单")
        page.get_by_test_id("tab-closed").click()
        closed = page.get_by_test_id("pickup-row").filter(has_text=pickup.number)
        expect(closed.get_by_test_id("pickup-status")).to_have_text("已揽收")
        screenshot(page, "home-pickup-collected-360")
    pickup.refresh_from_db()
    assert pickup.status == "collected" and pickup.parcel is not None


@pytest.mark.parametrize("width", [360, 1280])
def test_the_villager_page_shows_the_price_before_booking(
    browser: Browser, live_server: object, remote_station: Outlet, width: int
) -> None:
    with checked_context(browser, live_server, width=width, height=800) as context:
        page = context.new_page()
        log_in(page, Role.CONSUMER.value)
        page.goto("/agency/pickups/")
        page.get_by_label("乡镇", exact=True).select_option(remote_station.region.code[:9])
        page.get_by_label("村", exact=True).select_option(remote_station.region.code)
        page.get_by_label("门牌地址").fill("5组1号")
        page.get_by_label("联系人").fill("李建国")
        page.get_by_label("手机号").fill("13900005678")
        page.get_by_label("要寄的物品").fill("核桃一袋")
        page.get_by_label("预估重量（千克）").fill("4.5")
        page.get_by_test_id("pickup-quote-button").click()
        expect(page.get_by_test_id("pickup-price")).to_have_text("免费")
        page.get_by_test_id("pickup-confirm").click()
        expect(page.get_by_test_id("pickup-row")).to_have_count(1)
        expect(page.get_by_test_id("pickup-status")).to_have_text("待安排")
        screenshot(page, f"home-pickup-villager-{width}")
