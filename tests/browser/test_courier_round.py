"""The demo courier on a phone: their round is in the menu, and they scan their van out and in."""

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from siliu.core.roles import Role
from siliu.logistics.models import RoundPlan, RoundPlanStatus, Vehicle
from siliu.logistics.rounds.tasks import round_plan_queue
from siliu.network.models import Outlet
from tests.browser.conftest import checked_context, log_in, screenshot
from tests.browser.test_rounds import office_with_parcels  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _rounds_setup(settings: Any) -> None:
    """Run plans in the request: there is no task worker in tests."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "rounds"],
        }
    }


@pytest.fixture
def todays_round(office_with_parcels: Outlet) -> RoundPlan:  # noqa: F811
    """Today's plan of the first township office, served by the courier's van alone. It is planned
    for the next Monday (the office is open on weekdays) and then dated today, so the test does not
    depend on the day it runs."""
    office = office_with_parcels
    van = Vehicle.objects.get(outlet=office, driver__username=Role.COURIER.value)
    Vehicle.objects.filter(outlet=office).exclude(pk=van.pk).update(is_active=False)
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=-today.weekday() % 7)
    plan = round_plan_queue(outlet_code=office.code, planned_on=monday, seconds=1)
    plan.refresh_from_db()
    assert plan.status == RoundPlanStatus.DONE, plan.error_message
    RoundPlan.objects.filter(pk=plan.pk).update(planned_on=today)
    return plan


@pytest.mark.parametrize("width", [360, 1280])
def test_the_courier_finds_their_round_in_the_menu_and_scans_it(
    browser: Browser, live_server: object, todays_round: RoundPlan, width: int
) -> None:
    with checked_context(browser, live_server, width=width, height=800) as context:
        page: Page = context.new_page()
        log_in(page, Role.COURIER.value)
        if width < 992:
            page.get_by_label("菜单").click()
        page.get_by_role("link", name="投递班次").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("投递班次")
        expect(page.get_by_test_id("round-plan-form")).to_have_count(0)
        screenshot(page, f"courier-rounds-{width}")
        page.get_by_role("link", name=str(todays_round.pk), exact=True).click()
        expect(page.get_by_test_id("round-route")).to_have_count(1)
        page.get_by_test_id("round-depart").click()
        expect(page.get_by_role("alert").first).to_contain_text("已出车")
        page.get_by_test_id("round-arrive").first.click()
        expect(page.get_by_role("alert").first).to_contain_text("已到站")
        expect(page.get_by_test_id("round-arrive").first).to_have_text("已到站")
        screenshot(page, f"courier-round-{width}")
    todays_round.refresh_from_db()
    route = todays_round.result["routes"][0]
    assert route["departed_at"] is not None and route["stops"][0]["arrived_at"] is not None
