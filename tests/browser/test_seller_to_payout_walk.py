"""Issue #12's "Done when", walked in one go on a phone (360 px): a new user becomes a seller (an
individual farmer), the county manager verifies the shop, the farmer lists a product with a photo, the
demo ``consumer`` buys it seeing the postage and the total before paying, the parcel is scanned through to
delivery and the buyer confirms, the farmer sees the money settled and asks for a payout, and finance
(``admin``) marks it paid. Every page is checked as in conftest (axe-core, CSP, no sideways scrolling at
100 % and 200 % text, tap targets)."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from siliu.commerce.models import Order, OrderStatus, Payout, PayoutStatus, Product, Seller, SellerStatus
from siliu.commerce.orders.selectors import commission_split, seller_money
from siliu.commerce.orders.services import order_quote
from siliu.commerce.tests.catalog_fixtures import FARMER_RIC
from siliu.core.money import format_fen
from siliu.finance.selectors import wallet_get
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FARMER = "farmer_li"
FARMER_PASSWORD = "li-farm-2026"
FARM_NAME = "李家自产蜂蜜"
PRODUCT_NAME = "土蜂蜜 1斤装"
PRICE_FEN = 4880
JARS = 3  # ¥146.40 of goods: 3 % is 439.2 fen, so the commission is rounded.
PAYOUT_FEN = 10_000


def log_out(page: Page) -> None:
    open_menu(page)
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_test_id("current-user")).to_have_count(0)  # logged out before the next login


def test_a_new_farmer_sells_is_paid_and_withdraws_to_the_bank(
    browser: Browser, live_server: object, demo_county: None, settings: object, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    user = User.objects.create_user(FARMER, password=FARMER_PASSWORD, first_name="李")
    consumer = User.objects.get(username="consumer")
    assert wallet_get(user=consumer).available_fen > 0  # the demo filled it
    stations = list(Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).select_related("region__parent"))
    stations.sort(key=lambda station: station.code)
    home, destination = stations[0], stations[-1]
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    photo = tmp_path / "honey.png"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (220, 170, 40)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()

        # 1. A plain login follows 成为卖家 and registers as an individual farmer: pending.
        log_in(page, FARMER, FARMER_PASSWORD)
        open_menu(page)
        page.get_by_test_id("sell-here").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("卖家登记")
        page.select_option("#kind", "farmer")
        page.fill("#name", FARM_NAME)
        page.fill("#id_number", FARMER_RIC)
        page.select_option("#village", home.region.code)
        page.select_option("#home_outlet", home.code)
        page.fill("#contact_phone", "+8613700000012")
        screenshot(page, "walk12-1a-register")
        page.get_by_role("button", name="提交登记").click()
        page.wait_for_load_state()
        status = page.get_by_test_id("seller-status")
        expect(status).to_contain_text(FARM_NAME)
        expect(status).to_contain_text("个体农户")
        expect(status.locator(".badge")).to_have_text("待审核")
        seller = Seller.objects.get(user=user)
        assert (seller.status, seller.village_id, seller.home_outlet_id) == (
            SellerStatus.PENDING,
            home.region_id,
            home.pk,
        )
        screenshot(page, "walk12-1b-pending")
        log_out(page)

        # 2. The county manager opens 卖家审核 from the menu and verifies the farm.
        log_in(page, "county_manager")
        open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="卖家审核").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("卖家审核")
        row = page.get_by_test_id("sellers").locator("tr", has_text=FARM_NAME)
        expect(row).to_have_count(1)
        screenshot(page, "walk12-2a-review")
        row.get_by_role("button", name="通过").click()
        page.wait_for_load_state()
        seller.refresh_from_db()
        assert seller.status == SellerStatus.VERIFIED
        expect(page.get_by_test_id("sellers").locator("tr", has_text=FARM_NAME)).to_have_count(0)
        screenshot(page, "walk12-2b-verified")
        log_out(page)

        # 3. The farmer lists a product with a photo and finds it in the shop.
        log_in(page, FARMER, FARMER_PASSWORD)
        open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="卖家中心").click()
        expect(page.get_by_test_id("seller-money")).to_be_visible()
        page.get_by_role("link", name="商品管理").click()
        page.get_by_role("link", name="添加商品").click()
        page.fill("#name", PRODUCT_NAME)
        page.fill("#price", format_fen(PRICE_FEN, symbol=False))
        page.fill("#unit", "罐")
        page.fill("#stock", "30")
        page.fill("#weight_g", "700")
        page.get_by_role("button", name="上架").click()
        page.wait_for_load_state()
        page.set_input_files("#photo", str(photo))
        page.get_by_role("button", name="上传", exact=True).click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("photo")).to_have_count(1)
        product = Product.objects.get(seller=seller)
        assert (product.name, product.price_fen, product.stock, product.weight_g) == (
            PRODUCT_NAME,
            PRICE_FEN,
            30,
            700,
        )
        screenshot(page, "walk12-3a-product")
        page.get_by_role("link", name="在商城中查看").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT_NAME)
        expect(page.get_by_test_id("price")).to_contain_text(format_fen(PRICE_FEN))
        screenshot(page, "walk12-3b-in-the-shop")
        log_out(page)

        # 4. The demo consumer finds it, puts three jars in the cart, picks the village, sees the postage
        # and the total, and pays.
        goods_fen = JARS * PRICE_FEN
        quote = order_quote(
            buyer=consumer, lines=[(product.pk, JARS)], destination_outlet_code=destination.code
        )
        assert quote.goods_fen == goods_fen
        log_in(page, "consumer")
        page.goto("/shop/")
        page.get_by_role("searchbox", name="搜索").fill("土蜂蜜")
        page.get_by_role("button", name="搜索", exact=True).click()
        card = page.get_by_test_id("products").locator(".card")
        expect(card).to_have_count(1)
        screenshot(page, "walk12-4a-found")
        card.get_by_role("link", name=PRODUCT_NAME).click()
        page.get_by_label("数量").fill(str(JARS))
        page.get_by_role("button", name="加入购物车").click()
        expect(page).to_have_url(re.compile(r"/shop/cart/$"))
        open_menu(page)
        expect(page.get_by_test_id("nav-cart")).to_contain_text(f"购物车 {JARS}")
        page.get_by_label("菜单").click()
        expect(page.get_by_test_id("goods-total")).to_have_text(format_fen(goods_fen))
        village, township = destination.region, destination.region.parent
        assert township is not None
        page.locator("select[name=township]").select_option(township.code)
        page.locator("select[name=village]").select_option(village.code)
        page.get_by_test_id("quote").click()
        expect(page.get_by_test_id("destination")).to_contain_text(destination.name)
        expect(page.get_by_test_id("postage-total")).to_have_text(format_fen(quote.postage_fen))
        shown_postage = page.get_by_test_id("postage-total").inner_text()
        shown_postage_fen = round(float(shown_postage.lstrip("¥").replace(",", "")) * 100)
        assert shown_postage_fen == quote.postage_fen > 0
        expect(page.get_by_test_id("quote-total")).to_have_text(format_fen(goods_fen + shown_postage_fen))
        page.get_by_label("收件人").fill("周小梅")
        page.get_by_label("手机号（+86…）").fill("+8613912345678")
        page.get_by_label("详细地址（组、门牌）").fill("3 组 8 号")
        screenshot(page, "walk12-4b-postage-before-paying")
        wallet_before = wallet_get(user=consumer).available_fen
        page.get_by_test_id("checkout").click()
        order = Order.objects.get(buyer=consumer)
        expect(page).to_have_url(re.compile(rf"/shop/orders/{order.number}/$"))
        expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.PAID.label))
        expect(page.get_by_test_id("order-total")).to_have_text(format_fen(goods_fen + shown_postage_fen))
        assert (order.goods_fen, order.postage_fen, order.total_fen) == (
            goods_fen,
            shown_postage_fen,
            goods_fen + shown_postage_fen,
        )
        assert wallet_get(user=consumer).available_fen == wallet_before - order.total_fen
        screenshot(page, "walk12-4c-paid")
        log_out(page)

        # 5. The farmer sees the parcel to pack with its label; the couriers' devices scan it from the
        # farmer's station through the hub to delivery; the buyer confirms.
        shipment = order.shipments.select_related("parcel").get()
        number = shipment.parcel.tracking_number
        assert shipment.parcel.origin_outlet_id == home.pk
        log_in(page, FARMER, FARMER_PASSWORD)
        page.goto("/shop/seller/")
        to_pack = page.get_by_test_id("to-pack")
        expect(to_pack).to_have_count(1)
        expect(to_pack).to_contain_text(number)
        expect(to_pack.get_by_role("link", name="打印面单")).to_be_visible()
        expect(page.get_by_test_id("to-come")).to_have_text(format_fen(commission_split(goods_fen)[1]))
        screenshot(page, "walk12-5a-to-pack")
        steps = [
            ("EMA", home, {}),
            ("EDD", hub, {}),
            ("EDE", hub, {}),
            ("EMG", destination, {}),
            ("EDG", destination, {}),
            ("EMI", destination, {"proof_signature_name": "周小梅"}),
        ]
        start = order.created_at
        results = scans_record(
            scans=[
                ScanInput(
                    f"walk12-{i}",
                    number,
                    code,
                    outlet.code,
                    start + datetime.timedelta(minutes=i + 1),
                    **extra,
                )
                for i, (code, outlet, extra) in enumerate(steps)
            ],
            now=start + datetime.timedelta(minutes=len(steps) + 1),
        )
        assert [result.status for result in results] == ["created"] * len(steps)
        log_out(page)

        log_in(page, "consumer")
        page.goto(f"/shop/orders/{order.number}/")
        expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.DELIVERED.label))
        expect(page.get_by_test_id("shipment")).to_contain_text("已妥投")
        screenshot(page, "walk12-5b-delivered")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.COMPLETED.label))
        screenshot(page, "walk12-5c-confirmed")
        log_out(page)

        # 6. The farmer sees the money settled (goods less 3 %, to the fen) and asks for a payout.
        commission_fen, payable_fen = commission_split(goods_fen)
        assert (commission_fen, payable_fen) == (439, 14_201)
        money = seller_money(seller=seller)
        assert (money.to_come_fen, money.payable_fen, money.payouts_pending_fen) == (0, payable_fen, 0)
        log_in(page, FARMER, FARMER_PASSWORD)
        page.goto("/shop/seller/")
        expect(page.get_by_test_id("to-come")).to_have_text(format_fen(0))
        expect(page.get_by_test_id("payable")).to_have_text(format_fen(payable_fen))
        row = page.get_by_test_id("settlement-row")
        expect(row).to_have_count(1)
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(order.number)
        expect(cells.nth(2)).to_have_text(format_fen(goods_fen))
        expect(cells.nth(3)).to_have_text(format_fen(commission_fen))
        expect(cells.nth(5)).to_have_text(format_fen(payable_fen))
        screenshot(page, "walk12-6a-settled")
        assert payable_fen >= PAYOUT_FEN
        page.get_by_role("link", name="提现").click()
        page.fill("#amount", format_fen(PAYOUT_FEN, symbol=False))
        page.fill("#bank_name", "农村信用社青龙支行")
        page.fill("#account_number", "6230 5200 1234 5678 902")
        page.get_by_role("button", name="申请提现").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("payout-row")).to_have_count(1)
        expect(page.get_by_test_id("payouts-pending")).to_have_text(format_fen(PAYOUT_FEN))
        screenshot(page, "walk12-6b-payout-requested")
        log_out(page)

        # Finance marks it paid.
        log_in(page, "admin")
        open_menu(page)
        page.locator("#main-nav").get_by_role("link", name="卖家提现").click()
        row = page.get_by_test_id("payout-row").filter(has_text=FARM_NAME)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(format_fen(PAYOUT_FEN))
        screenshot(page, "walk12-6c-finance")
        row.get_by_role("button", name="已付款").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("payout-row").filter(has_text=FARM_NAME)).to_have_count(0)
        screenshot(page, "walk12-6d-paid")
        log_out(page)

        log_in(page, FARMER, FARMER_PASSWORD)
        page.goto("/shop/seller/payouts/")
        expect(page.get_by_test_id("payable")).to_have_text(format_fen(payable_fen - PAYOUT_FEN))
        expect(page.get_by_test_id("payouts-pending")).to_have_text(format_fen(0))
        expect(page.get_by_test_id("payout-row")).to_contain_text(str(PayoutStatus.PAID.label))
        screenshot(page, "walk12-6e-seller-paid")

    payout = Payout.objects.get(seller=seller)
    assert (payout.status, payout.amount_fen) == (PayoutStatus.PAID, PAYOUT_FEN)
    money = seller_money(seller=seller)
    assert (money.payable_fen, money.payouts_pending_fen) == (payable_fen - PAYOUT_FEN, 0)
