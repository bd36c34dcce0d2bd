"""Issue #11 at 360 px as the demo station operator: a parcel arrives and waits with its pickup code,
its slip prints, it is handed over by code and its journey shows it delivered; then a villager's
parcel is weighed, quoted, paid in cash and accepted, its label prints, and it is in 今日揽收 (every
page checked by the conftest: axe-core, reflow, tap targets)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from siliu.logistics.models import Parcel, PostagePayment
from siliu.logistics.parcels.services import Address, ScanInput, parcel_create, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def arrived(demo_county: None) -> Parcel:
    """A parcel from the hub that reached the operator's station an hour ago, for pickup there."""
    station = Outlet.objects.get(operator__username="station_operator")
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    now = timezone.now()
    parcel = parcel_create(
        request=QuoteRequest(
            product_code="express",
            origin_outlet_code=hub.code,
            destination_outlet_code=station.code,
            weight_g=900,
        ),
        sender=Address("县城农资店", "+8613800000001", "示范县县城 1 号"),
        recipient=Address("王秀英", "+8613812341234", "本村 3 组"),
        postage_payment=PostagePayment.CASH,
        now=now - datetime.timedelta(hours=5),
    )
    number = parcel.tracking_number
    results = scans_record(
        scans=[
            ScanInput("arr-1", number, "EMA", hub.code, now - datetime.timedelta(hours=4)),
            ScanInput("arr-2", number, "EDE", hub.code, now - datetime.timedelta(hours=3)),
            ScanInput("arr-3", number, "EDH", station.code, now - datetime.timedelta(hours=1)),
        ]
    )
    assert all(result.ok for result in results), results
    parcel.refresh_from_db()
    assert parcel.status == "awaiting_pickup"
    return parcel


def test_the_station_operator_hands_a_parcel_over_and_accepts_one(
    browser: Browser, live_server: object, arrived: Parcel
) -> None:
    number = arrived.tracking_number
    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "station_operator")
        open_menu(page)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="本站邮件").click()
        row = page.get_by_test_id("station-parcel").filter(has_text=number)
        expect(row.get_by_test_id("pickup-code")).to_have_text(arrived.pickup_code)
        expect(row.get_by_test_id("recipient-phone")).to_have_text("+86 138****1234")
        expect(row).to_contain_text("王秀英")
        screenshot(page, "station-parcels-360")
        slip = context.request.get(row.get_by_test_id("print-slip").get_attribute("href") or "")
        assert (slip.status, slip.headers["content-type"], slip.body()[:5]) == (
            200,
            "application/pdf",
            b"%PDF-",
        )

        open_menu(page)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="取件交付").click()
        page.get_by_label("取件码（6 位）").fill(f"{(int(arrived.pickup_code) + 1) % 1_000_000:06d}")
        page.get_by_label("取件人姓名").fill("王秀英")
        page.get_by_role("button", name="确认交付").click()
        expect(page.get_by_test_id("error-code")).to_contain_text("没有这个取件码")
        page.get_by_label("取件码（6 位）").fill(arrived.pickup_code)
        page.get_by_role("button", name="确认交付").click()
        expect(page.get_by_role("alert").first).to_contain_text(f"{number} 已交付 王秀英")
        screenshot(page, "station-handover-360")
        page.goto(f"/track/{number}")
        expect(page.get_by_test_id("journey-status")).to_have_text("已妥投")

        open_menu(page)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="揽收", exact=True).click()
        page.get_by_label("乡镇", exact=True).select_option(index=1)
        # The picker's script has narrowed the villages to the township (on a slow machine it may load
        # after the choice, and would then clear a village chosen from the whole list).
        expect(page.locator("select[name=village] optgroup[disabled]").first).to_be_attached()
        village = page.locator("select[name=village] optgroup:not([disabled]) option").last
        page.get_by_label("村", exact=True).select_option(village.get_attribute("value") or "")
        page.get_by_label("称重（克）").fill("2300")
        page.get_by_label("寄件人", exact=True).fill("王秀英")
        page.get_by_label("寄件人电话（+86…）").fill("+8613812341234")
        page.get_by_label("寄件地址").fill("本村 3 组")
        page.get_by_label("收件人", exact=True).fill("县城农资店")
        page.get_by_label("收件人电话（+86…）").fill("+8613800000001")
        page.get_by_label("收件地址").fill("示范县县城 1 号")
        page.get_by_role("button", name="称重报价").click()
        expect(page.get_by_test_id("quote")).to_contain_text("资费")
        page.get_by_role("button", name="收款并揽收").click()
        accepted = page.get_by_test_id("accepted")
        expect(accepted).to_contain_text("已揽收")
        screenshot(page, "station-accept-360")
        label = context.request.get(accepted.get_by_test_id("label-link").get_attribute("href") or "")
        assert (label.status, label.headers["content-type"]) == (200, "application/pdf")
        taken = Parcel.objects.get(origin_outlet__operator__username="station_operator", weight_g=2300)
        assert (taken.status, taken.postage_payment) == ("accepted", "cash")
        open_menu(page)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="本站邮件").click()
        page.get_by_test_id("tab-accepted").click()
        expect(page.get_by_test_id("station-parcel").filter(has_text=taken.tracking_number)).to_be_visible()
        screenshot(page, "station-accepted-today-360")
