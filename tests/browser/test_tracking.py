import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from siliu.logistics.models import Parcel, PostagePayment
from siliu.logistics.parcels.services import Address, ScanInput, parcel_create, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def delivered_parcel(demo_county: None) -> Parcel:
    """A parcel from one village station to another of the demo county, scanned through to delivery."""
    stations = list(Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).order_by("code"))
    origin, destination = stations[0], stations[-1]
    sent_at = timezone.now() - datetime.timedelta(days=1)
    parcel = parcel_create(
        request=QuoteRequest(
            product_code="express",
            origin_outlet_code=origin.code,
            destination_outlet_code=destination.code,
            weight_g=1200,
        ),
        sender=Address("张三", "+8613800000001", "示范县王家村 1 号"),
        recipient=Address("李四", "+8613900000002", "示范县河口村 8 号"),
        postage_payment=PostagePayment.CASH,
        now=sent_at,
    )
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    steps = [
        ("EMA", origin, 1, {}),
        ("EDD", hub, 3, {}),
        ("EDE", hub, 4, {}),
        ("EMG", destination, 6, {}),
        ("EDG", destination, 7, {}),
        ("EMI", destination, 8, {"proof_signature_name": "李四"}),
    ]
    scans_record(
        scans=[
            ScanInput(
                f"b{i}",
                parcel.tracking_number,
                code,
                outlet.code,
                sent_at + datetime.timedelta(hours=h),
                **extra,
            )
            for i, (code, outlet, h, extra) in enumerate(steps)
        ]
    )
    return Parcel.objects.get(pk=parcel.pk)


def test_anyone_tracks_a_parcel_and_sees_no_personal_data(page: Page, delivered_parcel: Parcel) -> None:
    """The public page, reached through its search form, shows the journey with places and no names."""
    page.goto("/track/")
    page.get_by_role("textbox", name="邮件号").fill(delivered_parcel.tracking_number.lower())
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/track/\?number="))
    expect(page.get_by_test_id("journey-status")).to_have_text("已妥投")
    steps = page.get_by_test_id("journey-steps").locator("li")
    expect(steps).to_have_count(7)
    expect(steps.first).to_contain_text("妥投")
    destination = delivered_parcel.destination_outlet
    assert destination is not None
    expect(steps.first).to_contain_text(destination.name)
    delivered_local = delivered_parcel.delivered_at.astimezone(ZoneInfo("Asia/Shanghai"))  # type: ignore[union-attr]
    expect(steps.first).to_contain_text(delivered_local.strftime("%m-%d %H:%M"))
    body = page.locator("main").inner_text()
    for secret in ("张三", "李四", "13800000001", "13900000002", "王家村 1 号", delivered_parcel.pickup_code):
        assert secret not in body
    screenshot(page, "tracking")


def test_unknown_number_is_explained(page: Page, delivered_parcel: Parcel) -> None:
    """A number that is not in the network gets a clear message, not an error page."""
    page.goto("/track/EA000000005CN")
    expect(page.get_by_test_id("track-error")).to_contain_text("没有邮件号为 EA000000005CN 的邮件")
