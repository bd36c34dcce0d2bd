"""The demo `seller` on a phone at 360 px: opens the seller centre, adds a product with a photo, finds it
in the shop, and asks for a payout to a bank account. Every page is checked as in conftest (axe-core,
CSP, no sideways scrolling at 100 % and 200 % text, tap targets)."""

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Browser, expect

from siliu.commerce.models import Payout, Seller
from siliu.commerce.orders.selectors import seller_money
from siliu.commerce.orders.services import seller_payable_open
from siliu.finance import chart
from siliu.finance.services import system_account, transfer_create
from tests.browser.conftest import checked_context, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_county_with_shops() -> None:
    """The demo county with its catalogue (sellers and products) and a few orders."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=10", "--force", stdout=StringIO())


def test_the_demo_seller_adds_a_product_with_a_photo_and_asks_for_a_payout(
    browser: Browser, live_server: object, demo_county_with_shops: None, settings: object, tmp_path: Path
) -> None:
    """At 360 px: 卖家中心 → 商品管理 → 添加商品 → photo → the shop shows it → 提现 of ¥123.45."""
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    seller = Seller.objects.get(user__username="seller")
    system_account(code=chart.CAPITAL)
    transfer_create(
        id="test:browser:settled",
        debit_account=chart.CAPITAL,
        credit_account=seller_payable_open(seller=seller),
        amount_fen=50_000,
        category="settlement",
    )
    payable_before = seller_money(seller=seller).payable_fen
    photo = tmp_path / "kiwi.png"
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (90, 160, 60)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "seller")
        page.goto("/shop/seller/")
        expect(page.get_by_test_id("seller-money")).to_be_visible()
        page.get_by_role("link", name="商品管理").click()
        page.get_by_role("link", name="添加商品").click()
        page.fill("#name", "浏览器测试猕猴桃 3斤装")
        page.select_option("#category", "fruit")
        page.fill("#price", "39.90")
        page.fill("#unit", "箱")
        page.fill("#stock", "20")
        page.fill("#weight_g", "1600")
        page.get_by_role("button", name="上架").click()
        page.wait_for_load_state()
        page.set_input_files("#photo", str(photo))
        page.get_by_role("button", name="上传", exact=True).click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("photo")).to_have_count(1)
        screenshot(page, "seller-product-360")

        page.get_by_role("link", name="在商城中查看").click()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", name="浏览器测试猕猴桃 3斤装")).to_be_visible()
        expect(page.get_by_test_id("price")).to_contain_text("¥39.90")

        page.goto("/shop/seller/payouts/")
        page.fill("#amount", "123.45")
        page.fill("#bank_name", "农业银行青龙支行")
        page.fill("#account_number", "6228 4800 1234 5678 901")
        page.get_by_role("button", name="申请提现").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("payout-row")).to_have_count(1)
        assert payable_before - 12_345 == seller_money(seller=seller).payable_fen
        expect(page.get_by_test_id("payouts-pending")).to_contain_text("123.45")
        screenshot(page, "seller-payout-360")
    assert Payout.objects.get(seller=seller).amount_fen == 12_345
