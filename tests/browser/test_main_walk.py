"""The main path of the marketplace, walked in the browser: a city buyer buys kiwis from a verified
cooperative, the parcel is scanned through to delivery, the buyer confirms, the seller's statement shows
the money, and the public trace page shows the farm, the batch and the parcel's journey."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect
from stdnum.cn import uscc

from siliu.commerce.catalog.services import product_create, seller_register, seller_verify
from siliu.commerce.models import (
    Category,
    Direction,
    InspectionResult,
    Order,
    OrderStatus,
    Product,
    Seller,
    SellerKind,
    Settlement,
    TraceBatch,
)
from siliu.commerce.orders.services import COMMISSION_BP
from siliu.commerce.trace.services import trace_batch_create
from siliu.core.money import allocate_fen, format_fen
from siliu.finance.services import wallet_cash_in
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: The buyer's delivery details: they must never reach the public trace page.
RECIPIENT_NAME = "周小梅"
RECIPIENT_PHONE = "+8613912345678"
RECIPIENT_ADDRESS = "示范县河口村 8 号"
BOXES = 2
PRICE_FEN = 5980  # 2 boxes: ¥119.60 of goods, 3 % = 358.8 fen, so the commission is rounded.


@dataclass
class KiwiShop:
    cooperative: Seller
    batch: TraceBatch
    kiwi: Product
    origin: Outlet
    destination: Outlet
    hub: Outlet


@pytest.fixture
def kiwi_shop(demo_county: None) -> KiwiShop:
    """The demo county, a kiwi cooperative (the demo ``seller`` login) registered and verified through the
    catalogue services, with a batch and a product; the demo ``consumer`` has ¥500 in the wallet."""
    now = timezone.now()
    stations = list(Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).order_by("code"))
    origin, destination = stations[0], stations[-1]
    hub = Outlet.objects.get(kind=OutletKind.COUNTY_HUB)
    manager = User.objects.get(username="county_manager")
    cooperative = seller_register(
        user=User.objects.get(username="seller"),
        kind=SellerKind.COOPERATIVE,
        name="王家村猕猴桃合作社",
        id_number="93610199MA6X00001" + uscc.calc_check_digit("93610199MA6X00001"),
        village=origin.region,
        home_outlet=origin,
        contact_phone="+8613700000001",
        now=now - datetime.timedelta(days=40),
    )
    cooperative = seller_verify(
        seller=cooperative, actor=manager, approve=True, now=now - datetime.timedelta(days=39)
    )
    batch = trace_batch_create(
        seller=cooperative,
        actor=cooperative.user,
        product_name="徐香猕猴桃",
        place="王家村三组 5 号地块",
        harvested_on=timezone.localdate(now) - datetime.timedelta(days=10),
        quantity=2000,
        unit="公斤",
        inspection_result=InspectionResult.PASSED,
        inspection_note="农残检测合格",
        certificates=["绿色食品证书 LB-45-2026"],
        now=now - datetime.timedelta(days=9),
    )
    kiwi = product_create(
        seller=cooperative,
        actor=cooperative.user,
        name="徐香猕猴桃 5斤装",
        category=Category.FRUIT,
        direction=Direction.UPWARD,
        unit="箱",
        price_fen=PRICE_FEN,
        stock=100,
        weight_g=2600,
        trace_batch=batch,
        description="当季现摘",
        now=now - datetime.timedelta(days=8),
    )
    wallet_cash_in(
        outlet=hub,
        customer=User.objects.get(username="consumer"),
        amount_fen=50_000,
        id="main-walk-cash-in",
        actor=User.objects.get(username="admin"),
    )
    return KiwiShop(cooperative, batch, kiwi, origin, destination, hub)


def scan_to_delivery(order: Order, shop: KiwiShop) -> str:
    """Scan the order's parcel from the cooperative's station through the hub to its delivery, as the
    couriers' devices would; returns the tracking number."""
    shipment = order.shipments.select_related("parcel").get()
    number = shipment.parcel.tracking_number
    # Minutes after the order, so that every event is in the past by the time it is sent.
    start = order.created_at
    steps = [
        ("EMA", shop.origin, {}),
        ("EDD", shop.hub, {}),
        ("EDE", shop.hub, {}),
        ("EMG", shop.destination, {}),
        ("EDG", shop.destination, {}),
        ("EMI", shop.destination, {"proof_signature_name": RECIPIENT_NAME}),
    ]
    results = scans_record(
        scans=[
            ScanInput(
                f"walk-{i}", number, code, outlet.code, start + datetime.timedelta(minutes=i + 1), **extra
            )
            for i, (code, outlet, extra) in enumerate(steps)
        ],
        now=start + datetime.timedelta(minutes=len(steps) + 1),
    )
    assert [result.status for result in results] == ["created"] * len(steps)
    return number


def test_buyer_buys_kiwis_and_the_money_and_the_journey_follow(page: Page, kiwi_shop: KiwiShop) -> None:
    shop = kiwi_shop

    # The buyer logs in and finds the kiwis in the storefront.
    log_in(page, "consumer")
    page.goto("/shop/")
    page.get_by_role("searchbox", name="搜索").fill("猕猴桃合作社")
    page.get_by_role("button", name="搜索", exact=True).click()
    card = page.get_by_test_id("products").locator(".card")
    expect(card).to_have_count(1)
    expect(card.get_by_role("link")).to_have_text("徐香猕猴桃 5斤装")
    expect(card).to_contain_text("¥59.80 / 箱")
    screenshot(page, "main-walk-1-storefront")

    # The product page shows the farm and the batch.
    card.get_by_role("link", name="徐香猕猴桃 5斤装").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("徐香猕猴桃 5斤装")
    expect(page.get_by_test_id("price")).to_have_text("¥59.80 / 箱")
    farm = page.get_by_test_id("farm")
    expect(farm.get_by_role("heading")).to_have_text("王家村猕猴桃合作社 已认证")
    batch = page.get_by_test_id("batch")
    expect(batch.get_by_test_id("trace-code")).to_have_text(shop.batch.code)
    expect(batch.get_by_test_id("inspection")).to_have_text("合格 · 农残检测合格")
    expect(batch).to_contain_text("王家村三组 5 号地块")
    expect(batch).to_contain_text(shop.batch.harvested_on.strftime("%Y-%m-%d"))
    screenshot(page, "main-walk-2-product")

    # Two boxes into the cart.
    page.get_by_label("数量").fill(str(BOXES))
    page.get_by_role("button", name="加入购物车").click()
    expect(page).to_have_url(re.compile(r"/shop/cart/$"))
    line = page.get_by_test_id("cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(f"{BOXES} 箱")
    goods_fen = BOXES * PRICE_FEN
    expect(page.get_by_test_id("goods-total")).to_have_text(format_fen(goods_fen))

    # Checkout: the buyer's village picked (its station delivers), the postage seen, paid from the
    # wallet into escrow.
    village = shop.destination.region
    assert village.parent is not None
    page.locator("select[name=township]").select_option(village.parent.code)
    page.locator("select[name=village]").select_option(village.code)
    page.get_by_test_id("quote").click()
    page.locator("input[name=recipient_name]").fill(RECIPIENT_NAME)
    page.locator("input[name=recipient_phone]").fill(RECIPIENT_PHONE)
    page.locator("input[name=recipient_address]").fill(RECIPIENT_ADDRESS)
    screenshot(page, "main-walk-3-cart")
    page.get_by_test_id("checkout").click()

    order = Order.objects.get(buyer__username="consumer")
    assert order.goods_fen == goods_fen
    expect(page).to_have_url(re.compile(rf"/shop/orders/{order.number}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"订单 {order.number}")
    expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.PAID.label))
    expect(page.get_by_test_id("order-total")).to_have_text(format_fen(goods_fen + order.postage_fen))
    tracking_number = order.shipments.get().parcel.tracking_number
    expect(page.get_by_test_id("shipment").get_by_role("link")).to_have_text(tracking_number)
    screenshot(page, "main-walk-4-order-paid")

    # The parcel goes through the network to the buyer's station.
    scan_to_delivery(order, shop)
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.DELIVERED.label))
    expect(page.get_by_test_id("shipment")).to_contain_text("已妥投")

    # The buyer confirms: the order completes and is settled.
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.COMPLETED.label))
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    screenshot(page, "main-walk-5-order-completed")

    # The cooperative sees the money: goods less 3 % commission, to the fen.
    page.get_by_role("button", name="退出").click()
    log_in(page, "seller")
    page.goto("/shop/seller/")
    commission_fen, payable_fen = allocate_fen(goods_fen, [COMMISSION_BP, 10_000 - COMMISSION_BP])
    assert (commission_fen, payable_fen) == (359, 11_601)
    settlement = Settlement.objects.get(order=order, seller=shop.cooperative)
    assert settlement.payable_fen == payable_fen
    row = page.get_by_test_id("settlement-row")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(order.number)
    expect(cells.nth(2)).to_have_text(format_fen(goods_fen))
    expect(cells.nth(3)).to_have_text(format_fen(commission_fen))
    expect(cells.nth(4)).to_have_text(format_fen(order.postage_fen))
    expect(cells.nth(5)).to_have_text(format_fen(payable_fen))
    expect(page.get_by_test_id("payable-total")).to_have_text("¥116.01")
    screenshot(page, "main-walk-6-seller-settlement")

    # Anyone scanning the box's QR code sees the farm, the batch and the journey, and nobody's details.
    page.get_by_role("button", name="退出").click()
    page.goto(f"/t/{shop.batch.code}/{tracking_number}")
    trace = page.get_by_test_id("trace")
    expect(trace.get_by_role("heading")).to_have_text("徐香猕猴桃")
    expect(trace.get_by_test_id("farm")).to_contain_text("王家村猕猴桃合作社 · 农民合作社")
    expect(trace.get_by_test_id("trace-code")).to_have_text(shop.batch.code)
    expect(trace).to_contain_text(shop.batch.harvested_on.strftime("%Y-%m-%d"))
    expect(trace.get_by_test_id("inspection")).to_have_text("合格 · 农残检测合格")
    expect(page.get_by_test_id("journey-status")).to_have_text("已妥投")
    steps = page.get_by_test_id("journey-steps").locator("li")
    expect(steps).to_have_count(7)
    expect(steps.first).to_contain_text("妥投")
    expect(steps.first).to_contain_text(shop.destination.name)
    screenshot(page, "main-walk-7-trace")
    body = page.locator("main").inner_text()
    for secret in (
        RECIPIENT_NAME,
        RECIPIENT_PHONE,
        RECIPIENT_PHONE[3:],
        RECIPIENT_ADDRESS,
        "consumer",
        "13700000001",
    ):
        assert secret not in body
