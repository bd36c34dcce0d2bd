"""The county manager handles a silent parcel on a phone: takes it, adds a note, files a claim for the
sender, resolves it (every page checked by the conftest: axe-core, reflow, tap targets)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from siliu.logistics.models import Claim, ExceptionCase, Parcel, PostagePayment
from siliu.logistics.parcels.exceptions import parcel_exceptions_flag
from siliu.logistics.parcels.services import Address, ScanInput, parcel_create, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import checked_context, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def silent_parcel(demo_county: None) -> Parcel:
    """The demo consumer's parcel from the first station, accepted five weeks ago and not scanned since."""
    station = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).order_by("code").first()
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    assert station is not None
    sent_at = timezone.now() - datetime.timedelta(weeks=5)
    parcel = parcel_create(
        request=QuoteRequest(
            product_code="express",
            origin_outlet_code=station.code,
            destination_outlet_code=hub.code,
            weight_g=1500,
        ),
        sender=Address("张三", "+8613800000001", "示范县 1 号"),
        recipient=Address("李四", "+8613900000002", "示范县县城 8 号"),
        postage_payment=PostagePayment.CASH,
        sender_user=User.objects.get(username="consumer"),
        now=sent_at,
    )
    scans_record(scans=[ScanInput("silent-a", parcel.tracking_number, "EMA", station.code, sent_at)])
    parcel_exceptions_flag()
    parcel.refresh_from_db()
    assert parcel.exception == "no_scan"
    return parcel


def test_the_county_manager_takes_notes_claims_and_resolves_a_silent_parcel(
    browser: Browser, live_server: object, silent_parcel: Parcel
) -> None:
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "county_manager")
        page.goto(reverse("logistics:exceptions"))
        row = page.get_by_test_id("exception-row").filter(has_text=silent_parcel.tracking_number)
        expect(row.get_by_test_id("since")).to_contain_text("35 天前")
        expect(row.get_by_test_id("recipient-phone")).to_have_text("+8613900000002")

        def act() -> None:
            row.locator("summary").click()

        act()
        row.get_by_role("button", name="指派").click()
        expect(page.get_by_role("alert").first).to_contain_text("已指派")
        act()
        row.get_by_label("备注").fill("青龙镇未见此件，已催查")
        row.get_by_role("button", name="添加备注").click()
        expect(row.get_by_test_id("case-events")).to_contain_text("青龙镇未见此件，已催查")
        act()
        row.get_by_label("理赔类型").select_option("loss")
        row.get_by_label("实际损失（元）").fill("50")
        row.get_by_role("button", name="代寄件人申请理赔").click()
        expect(row.get_by_role("link", name="理赔 #")).to_be_visible()
        act()
        row.get_by_label("处理结果").fill("按丢失理赔，寄件人已知悉")
        row.get_by_role("button", name="解决").click()
        expect(row.get_by_test_id("case-status")).to_have_text("已解决")
        screenshot(page, "exception-case-360")
    case = ExceptionCase.objects.get(parcel=silent_parcel)
    assert (case.status, case.assignee.username if case.assignee else None) == ("resolved", "county_manager")
    assert Claim.objects.get().claimant.username == "consumer"
