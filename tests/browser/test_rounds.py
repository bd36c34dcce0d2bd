"""The county manager plans a day's delivery rounds in the browser and sees the routes on the map."""

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from siliu.agency.pickups.models import HomePickup
from siliu.logistics.models import Parcel, PostagePayment, RoundPlan, Vehicle
from siliu.logistics.parcels.services import Address, ScanInput, parcel_create, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.logistics.rounds.services import demo_vehicles_create
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def planned_on() -> datetime.date:
    """The first Monday from today (local date) on, within the planning horizon: the demo township
    offices are open, and every station is open all day."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=-today.weekday() % 7)


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
def office_with_parcels() -> Outlet:
    """The demo county with its vans; two parcels from the hub on the shelf of a township office for each of
    its stations."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=0", "--force", stdout=StringIO())
    # The demo's home pickups (for the next days) would be stops of any later day's plan: set aside.
    HomePickup.objects.all().delete()
    demo_vehicles_create()
    office = Outlet.objects.filter(kind=OutletKind.TOWNSHIP_OFFICE).order_by("code").first()
    assert office is not None
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    sent_at = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
    for station in office.child_outlets.order_by("code"):
        for weight in (1200, 3400):
            parcel: Parcel = parcel_create(
                request=QuoteRequest(
                    product_code="express",
                    origin_outlet_code=hub.code,
                    destination_outlet_code=station.code,
                    weight_g=weight,
                ),
                sender=Address("张三", "+8613800000001", "示范县县城 1 号"),
                recipient=Address("李四", "+8613900000002", f"示范县{station.name}旁"),
                postage_payment=PostagePayment.CASH,
                now=sent_at,
            )
            scans_record(
                scans=[
                    ScanInput(
                        f"{parcel.tracking_number}-a", parcel.tracking_number, "EMA", hub.code, sent_at
                    ),
                    ScanInput(
                        f"{parcel.tracking_number}-d",
                        parcel.tracking_number,
                        "EDD",
                        office.code,
                        sent_at + datetime.timedelta(hours=2),
                    ),
                ]
            )
    return office


def test_county_manager_plans_rounds_and_sees_the_routes(page: Page, office_with_parcels: Outlet) -> None:
    """Log in, choose the office, the day and 1 s, start; the plan finishes and the routes are drawn."""
    office = office_with_parcels
    station_count = office.child_outlets.count()
    log_in(page, "county_manager")
    page.goto(reverse("logistics:rounds"))
    page.get_by_label("发车网点").select_option(office.code)
    page.get_by_label("投递日期").fill(planned_on().isoformat())
    page.get_by_label("计算时长（秒）").fill("1")
    page.get_by_test_id("round-plan-start").click()

    expect(page.get_by_test_id("round-status")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text(office.name)
    chart = page.get_by_test_id("rounds-map")
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart.locator("canvas").first).to_be_visible()
    routes = page.get_by_test_id("round-route")
    expect(routes.first).to_be_visible()
    expect(chart).to_have_attribute("data-route-count", str(routes.count()))
    expect(page.get_by_test_id("round-stop")).to_have_count(station_count)
    first_station = office.child_outlets.order_by("code").first()
    assert first_station is not None
    expect(page.get_by_test_id("round-routes")).to_contain_text(first_station.name)
    screenshot(page, "rounds")

    # A van leaves only on its plan's day: refused today for next Monday's plan (unless today is that
    # Monday), then let go once the plan is moved to today.
    plan = RoundPlan.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    if plan.planned_on != timezone.localdate():
        page.get_by_test_id("round-depart").first.click()
        expect(page.get_by_role("alert").first).to_contain_text("只能在当天出车和到站")
        RoundPlan.objects.filter(pk=plan.pk).update(planned_on=timezone.localdate())
    page.get_by_test_id("round-depart").first.click()
    expect(page.get_by_role("alert").first).to_contain_text("已出车")
    expect(page.get_by_test_id("round-depart").first).to_have_text("已出车")


def test_an_office_without_vans_is_explained_on_the_form(page: Page, office_with_parcels: Outlet) -> None:
    """Starting a plan for an office whose vans are off the road shows the reason on the form."""
    Vehicle.objects.filter(outlet=office_with_parcels).update(is_active=False)
    log_in(page, "county_manager")
    page.goto(reverse("logistics:rounds"))
    page.get_by_label("发车网点").select_option(office_with_parcels.code)
    page.get_by_label("投递日期").fill(planned_on().isoformat())
    page.get_by_test_id("round-plan-start").click()
    expect(page.get_by_test_id("round-plan-error")).to_contain_text("没有在用的投递车辆")


def test_a_day_beyond_the_horizon_is_explained_on_the_form(page: Page, office_with_parcels: Outlet) -> None:
    """A day eight days ahead is refused under the date with the days that may be planned; no plan starts."""
    today = timezone.localdate()
    log_in(page, "county_manager")
    page.goto(reverse("logistics:rounds"))
    page.get_by_label("发车网点").select_option(office_with_parcels.code)
    page.get_by_label("投递日期").fill((today + datetime.timedelta(days=8)).isoformat())
    page.get_by_test_id("round-plan-start").click()
    expect(page.get_by_test_id("round-plan-error")).to_have_text(
        f"只能规划 {today - datetime.timedelta(days=1)} 至 {today + datetime.timedelta(days=7)}"
        "（昨天到 7 天后）的投递班次"
    )
    expect(page.get_by_test_id("round-plan-form")).to_be_visible()
