"""Issue #14's counter walked on a phone (360 px) and a desk (1280 px): the demo station operator opens
便民服务 from the menu, takes an electricity bill in cash (checks the amount on the confirmation, books it,
prints the 58 mm receipt), and is told plainly when the drawer cannot cover a withdrawal. Every page is
checked as in conftest (axe-core, CSP, reflow, targets)."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect

from siliu.agency.catalogue import AgencyTransaction
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.network.models import Outlet
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_an_electricity_bill_paid_in_cash_and_its_receipt(
    browser: Browser, live_server: object, demo_county: None, width: int, tmp_path: Path
) -> None:
    station = Outlet.objects.get(operator=User.objects.get(username="station_operator"))
    cash = chart.outlet_cash_code(outlet_code=station.code)
    with checked_context(browser, live_server, width=width, height=800) as context:
        page = context.new_page()
        log_in(page, "station_operator")
        if width < 992:
            open_menu(page)
        page.get_by_role("link", name="便民服务", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(station.name)
        screenshot(page, f"agency-{width}-1-services")

        # 1. 电费: the meter number and the bill, then the confirmation says what to collect.
        page.get_by_test_id("service-electricity").click()
        expect(page.get_by_role("heading", level=2).first).to_contain_text("电费")
        page.fill("#id_account", "3201887766")
        page.fill("#id_amount", "86.50")
        page.fill("#id_customer_name", "张大山")
        page.get_by_test_id("agency-next").click()
        confirm = page.get_by_test_id("confirm")
        expect(confirm.get_by_test_id("customer-amount")).to_have_text("¥86.50")
        expect(confirm).to_contain_text("委托方付")
        screenshot(page, f"agency-{width}-2-confirm")
        assert not AgencyTransaction.objects.exists()

        # 2. Booked: the transaction's page, the drawer holds the cash.
        page.get_by_test_id("agency-confirm").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("已办理")
        expect(page.get_by_test_id("receipt-rows")).to_contain_text("国网示范县供电公司")
        expect(page.get_by_test_id("receipt-rows")).to_contain_text("捌拾陆元伍角")
        screenshot(page, f"agency-{width}-3-done")
        made = AgencyTransaction.objects.get()
        assert (made.amount_fen, made.customer_fen, made.station_fee_fen) == (8_650, 8_650, 35)
        assert Account.objects.get(code=cash).balance_fen == 8_650

        # 3. The receipt: a 58 mm PDF with the bill in figures and 大写.
        href = page.get_by_test_id("receipt").get_attribute("href")
        assert href is not None
        receipt = page.request.get(href)
        assert (receipt.status, receipt.headers["content-type"]) == (200, "application/pdf")
        pdf = tmp_path / "receipt.pdf"
        pdf.write_bytes(receipt.body())
        printed = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for words in ("代收业务回单", "电费", "3201887766", "¥86.50", "捌拾陆元伍角", made.number):
            assert words in printed

        # 4. A withdrawal the drawer cannot cover is refused beside the amount, nothing booked.
        page.get_by_role("link", name="继续办理").click()
        page.get_by_test_id("service-cash-withdrawal").click()
        page.fill("#id_account", "6217000010012345677")
        page.fill("#id_amount", "100")
        page.get_by_test_id("agency-next").click()
        page.get_by_test_id("agency-confirm").click()
        expect(page.locator("#amount-error")).to_contain_text("本站现金不足")
        screenshot(page, f"agency-{width}-4-short")
        assert AgencyTransaction.objects.count() == 1
