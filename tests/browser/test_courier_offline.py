"""The courier on a 360 px phone with no network: 我的班次 keeps taking scans, sends them when the network
is back, shows which the server refused, and a scan whose answer was lost is recorded once."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from siliu.core.roles import Role
from siliu.logistics.models import Parcel, ParcelEvent, ParcelStatus, RoundPlan
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot
from tests.browser.test_courier_round import todays_round  # noqa: F401  (a fixture)
from tests.browser.test_rounds import office_with_parcels  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: Not a tracking number (its check digit is wrong): the server refuses it.
WRONG_NUMBER = "EA000000001CN"


@pytest.fixture(autouse=True)
def _rounds_setup(settings: Any) -> None:
    """Run plans in the request: there is no task worker in tests."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "rounds"],
        }
    }


def test_scans_made_offline_are_sent_once_when_the_network_is_back(
    browser: Browser,
    live_server: object,
    todays_round: RoundPlan,  # noqa: F811
) -> None:
    """Depart, reach stop 1, go offline (the page reloads from the service worker's cache), deliver one
    parcel home and type a wrong number: both wait; back online, the first batch's answer is lost on
    the way, the page sends it again, and the delivery shows sent, the wrong number refused with the
    server's reason; the parcel's journey has the delivery once."""
    route = todays_round.result["routes"][0]
    number, not_home = route["stops"][0]["deliveries"][:2]
    with checked_context(browser, live_server, width=360, height=800) as context:
        page: Page = context.new_page()
        log_in(page, Role.COURIER.value)
        open_menu(page)
        page.get_by_role("link", name="我的班次").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("我的班次")
        expect(page.get_by_test_id("today-stop")).to_have_count(len(route["stops"]))
        expect(page.get_by_test_id("today-deliveries").first).to_contain_text(number)
        page.get_by_test_id("today-depart").click()
        expect(page.get_by_role("alert").first).to_contain_text("已出车")
        page.get_by_test_id("today-arrive").first.click()
        expect(page.get_by_role("alert").first).to_contain_text("已到站")
        box = page.get_by_test_id("scan-box")
        expect(box).to_have_attribute("data-offline-ready", "true")

        context.set_offline(True)
        page.reload()  # from the service worker's cache
        expect(page.get_by_test_id("scan-network")).to_contain_text("离线")
        expect(page.get_by_label("站点")).to_have_value(route["stops"][0]["code"])  # where the van is
        page.get_by_test_id("scan-number").fill(number)
        page.get_by_label("操作").select_option("home")
        page.get_by_label("签收人").fill("李四")
        page.get_by_test_id("scan-record").click()
        page.get_by_test_id("scan-number").fill(not_home)
        page.get_by_label("操作").select_option("failed")
        page.get_by_label("未成功原因").select_option(label="收件人不在")
        page.get_by_label("处理方式").select_option(label="留站待取")
        page.get_by_test_id("scan-record").click()
        page.get_by_test_id("scan-number").fill(WRONG_NUMBER)
        page.get_by_label("操作").select_option("station")
        page.get_by_test_id("scan-record").click()
        items = page.get_by_test_id("scan-item")
        expect(items).to_have_count(3)
        expect(items.filter(has_text="待发送")).to_have_count(3)
        screenshot(page, "courier-offline-queued-360")

        # The first batch reaches the server, but its answer is lost: the page must send it again.
        lost: list[str] = []

        def lose_the_first_answer(route: Route) -> None:
            if not lost:
                lost.append(route.request.post_data or "")
                route.fetch()
                route.abort()
            else:
                route.continue_()

        page.route("**/api/v1/scans", lose_the_first_answer)
        context.set_offline(False)
        expect(items.filter(has_text="已发送")).to_have_count(2, timeout=20_000)
        refused = items.filter(has_text="被拒绝")
        expect(refused).to_have_count(1)
        expect(refused).to_contain_text(WRONG_NUMBER)
        expect(refused.locator(".text-danger")).not_to_be_empty()  # the server's reason
        screenshot(page, "courier-offline-sent-360")
    assert len(lost) == 1 and number in lost[0]
    delivered = ParcelEvent.objects.filter(parcel__tracking_number=number, code="EMI")
    assert delivered.count() == 1
    event = delivered.get()
    assert event.outlet is not None and event.outlet.code == route["stops"][0]["code"]
    assert event.proof_signature_name == "李四"
    assert Parcel.objects.get(tracking_number=number).status == ParcelStatus.DELIVERED
    failed = ParcelEvent.objects.get(parcel__tracking_number=not_home, code="EMH")
    assert (failed.reason_code, failed.action_code) == ("11", "HOLD")
    assert Parcel.objects.get(tracking_number=not_home).status == ParcelStatus.DELIVERY_FAILED


def test_the_camera_reads_a_label_where_the_browser_reads_barcodes(
    browser: Browser,
    live_server: object,
    todays_round: RoundPlan,  # noqa: F811
) -> None:
    """With a BarcodeDetector (here a stand-in that reads one number from a blank camera), the 摄像头
    button appears, asks for Code128 and fills the number in; without one, only the typed box is there."""
    number = todays_round.result["routes"][0]["stops"][0]["deliveries"][0]
    with checked_context(browser, live_server, width=360, height=800) as context:
        page: Page = context.new_page()
        log_in(page, Role.COURIER.value)
        page.goto("/logistics/rounds/today/")
        expect(page.get_by_test_id("scan-number")).to_be_visible()
        expect(page.get_by_role("button", name="摄像头")).to_be_hidden()
        context.add_init_script(CAMERA % {"number": number})
        page.reload()
        page.get_by_role("button", name="摄像头").click()
        expect(page.get_by_test_id("scan-number")).to_have_value(number)
        assert page.evaluate("window.askedFormats") == ["code_128"]
        expect(page.locator("#scan-video")).to_be_hidden()  # the camera is off again


#: A camera (a blank canvas) and a barcode reader that sees ``number`` on its second look.
CAMERA = """
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  return Promise.resolve(canvas.captureStream());
};
window.BarcodeDetector = class {
  constructor(options) { window.askedFormats = options.formats; this.looks = 0; }
  detect() { this.looks += 1; return Promise.resolve(this.looks > 1 ? [{ rawValue: "%(number)s" }] : []); }
};
"""
