"""A new buyer on a phone (360 px): the demo ``consumer`` — whose wallet the demo filled — puts a product
in the cart (the navbar counts it), picks a township then a village, sees the postage and the total
before paying, pays exactly that, and follows the order's parcel and its journey."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from stdnum.cn import uscc

from siliu.commerce.catalog.services import product_create, seller_register, seller_verify
from siliu.commerce.models import Category, Direction, Order, OrderStatus, Product, SellerKind
from siliu.commerce.orders.services import order_quote
from siliu.core.money import format_fen
from siliu.finance.selectors import wallet_get
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.network.models import Outlet, OutletKind
from tests.browser.conftest import checked_context, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def walnuts(demo_county: None) -> Product:
    """A verified family farm at the demo county's first station selling walnuts."""
    now = timezone.now()
    origin = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).order_by("code").first()
    assert origin is not None
    farm = seller_register(
        user=User.objects.get(username="seller"),
        kind=SellerKind.COOPERATIVE,
        name="核桃专业合作社",
        id_number="93610199MA6X00002" + uscc.calc_check_digit("93610199MA6X00002"),
        village=origin.region,
        home_outlet=origin,
        contact_phone="+8613700000002",
        now=now - datetime.timedelta(days=40),
    )
    farm = seller_verify(
        seller=farm,
        actor=User.objects.get(username="county_manager"),
        approve=True,
        now=now - datetime.timedelta(days=39),
    )
    return product_create(
        seller=farm,
        actor=farm.user,
        name="薄皮核桃 2斤装",
        category=Category.NUT,
        direction=Direction.UPWARD,
        unit="袋",
        price_fen=3500,
        stock=50,
        weight_g=1000,
        description="今年新核桃",
        now=now - datetime.timedelta(days=8),
    )


def test_a_buyer_on_a_phone_sees_the_postage_before_paying_and_follows_the_parcel(
    browser: Browser, live_server: object, walnuts: Product
) -> None:
    consumer = User.objects.get(username="consumer")
    assert wallet_get(user=consumer).available_fen > 0  # the demo filled it
    stations = list(Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION).select_related("region__parent"))
    destination = max(stations, key=lambda station: station.code)
    village, township = destination.region, destination.region.parent
    assert township is not None
    quote = order_quote(buyer=consumer, lines=[(walnuts.pk, 2)], destination_outlet_code=destination.code)

    with checked_context(browser, live_server, width=360, height=740) as context:
        page: Page = context.new_page()
        log_in(page, "consumer")
        page.goto(f"/shop/products/{walnuts.pk}/")
        expect(page.get_by_test_id("origin")).to_contain_text(walnuts.seller.village.name)
        page.get_by_label("数量").fill("2")
        page.get_by_role("button", name="加入购物车").click()
        page.get_by_label("菜单").click()
        expect(page.get_by_test_id("nav-cart")).to_contain_text("购物车 2")
        page.get_by_label("菜单").click()
        screenshot(page, "buyer-1-cart-360")

        # The destination is picked, never typed: the township narrows the villages in place.
        page.locator("select[name=township]").select_option(township.code)
        expect(page.locator(f'optgroup[data-township="{township.code}"]')).not_to_have_attribute("hidden", "")
        page.locator("select[name=village]").select_option(village.code)
        page.get_by_test_id("quote").click()
        expect(page.get_by_test_id("destination")).to_contain_text(destination.name)
        expect(page.get_by_test_id("postage-total")).to_have_text(format_fen(quote.postage_fen))
        expect(page.get_by_test_id("quote-total")).to_have_text(format_fen(quote.total_fen))
        page.get_by_label("收件人").fill("周小梅")
        page.get_by_label("手机号（+86…）").fill("+8613912345678")
        page.get_by_label("详细地址（组、门牌）").fill("3 组 8 号")
        screenshot(page, "buyer-2-postage-before-paying-360")
        page.get_by_test_id("checkout").click()

        order = Order.objects.get(buyer=consumer)
        assert (order.total_fen, order.postage_fen) == (quote.total_fen, quote.postage_fen)
        assert order.destination_outlet_id == destination.pk
        expect(page.get_by_test_id("order-status")).to_have_text(str(OrderStatus.PAID.label))
        expect(page.get_by_test_id("order-total")).to_have_text(format_fen(quote.total_fen))
        shipment = order.shipments.select_related("parcel").get()
        number = shipment.parcel.tracking_number
        expect(page.get_by_test_id("shipment").get_by_role("link")).to_have_text(number)

        # The parcel is accepted at the farm's station: the buyer's order shows the step.
        accepted_at = order.created_at + datetime.timedelta(minutes=1)
        scans_record(
            scans=[ScanInput("buyer-1", number, "EMA", shipment.parcel.origin_outlet.code, accepted_at)],
            now=accepted_at + datetime.timedelta(minutes=1),
        )
        page.reload()
        steps = page.get_by_test_id("journey-step")
        expect(steps.last).to_contain_text("收寄")
        screenshot(page, "buyer-3-order-journey-360")
