"""Commerce on the start page: villagers' orders to hand over at a station, the seller's orders to pack
and money to come, sellers awaiting verification, and a buyer's own orders and parcels; and the cash in
the operator's drawer (finance) beside them."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.commerce.models import Order, PaymentMethod, SellerKind
from siliu.commerce.orders.selectors import (
    buyer_progress,
    orders_to_hand_over,
    seller_money,
    seller_shipments_to_pack,
)
from siliu.commerce.orders.services import order_place, payout_request
from siliu.commerce.tests.conftest import Shop, seller_create
from siliu.commerce.tests.test_seller_tools import ACCOUNT, settle
from siliu.commerce.tests.test_seller_tools import at as day_at
from siliu.core.roles import Role
from siliu.finance.selectors import counter_drawer_get
from siliu.logistics.parcels.services import Address, ScanInput, scans_record
from siliu.logistics.station.selectors import parcels_waiting
from siliu.logistics.tests.conftest import MONDAY_0730, at
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
RECIPIENT = Address("李四", "+8613900000002", "陕西省示范县柳河乡河口村 8 号")


def place(shop: Shop, buyer: User, **fields: Any) -> Order:
    values: dict[str, Any] = {
        "buyer": buyer,
        "placed_by": buyer,
        "lines": [(shop.kiwi.pk, 2)],
        "recipient": RECIPIENT,
        "destination_outlet_code": "VS21",
        "payment_method": PaymentMethod.WALLET,
        "idempotency_key": "",
        "now": MONDAY_0730,
    }
    values.update(fields)
    return order_place(**values)


def accept(order: Order) -> None:
    parcel = order.shipments.get().parcel
    number = parcel.tracking_number
    scans_record(
        scans=[ScanInput(f"{number}-1", number, "EMA", parcel.origin_outlet.code, at(7, 45))], now=at(8)
    )


def arrive(order: Order, station: str) -> None:
    """Accept the order's parcel at its origin, sort it through the hub, scan it in at ``station``."""
    parcel = order.shipments.get().parcel
    number = parcel.tracking_number
    scans_record(
        scans=[
            ScanInput(f"{number}-1", number, "EMA", parcel.origin_outlet.code, at(7, 45)),
            ScanInput(f"{number}-2", number, "EDD", "HUB", at(10, 35)),
            ScanInput(f"{number}-3", number, "EDE", "HUB", at(14)),
            ScanInput(f"{number}-4", number, "EDH", station, at(16, 30)),
        ],
        now=at(16, 35),
    )


def page(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def figure(body: str, testid: str) -> str:
    marker = f'data-testid="{testid}-figure">'
    assert marker in body, testid
    return body.split(marker, 1)[1].split("<", 1)[0]


@pytest.fixture
def buyer(make_user: MakeUser, fund: Callable[[User, int], None]) -> User:
    user = make_user(Role.CONSUMER, username="buyer")
    fund(user, 50_000)
    return user


def test_a_seller_sees_orders_to_pack_and_money_to_come(shop: Shop, buyer: User) -> None:
    """Two paid orders of two boxes (¥119.60 each); one accepted by the network: one to pack, and the
    cooperative's share after 3 % commission of both, ¥116.01 each, to come."""
    first, second = place(shop, buyer), place(shop, buyer)
    accept(first)
    assert list(seller_shipments_to_pack(seller=shop.cooperative)) == [second.shipments.get()]
    money = seller_money(seller=shop.cooperative)
    assert (money.to_come_fen, money.to_come_count) == (23202, 2)
    body = page(shop.cooperative.user)
    assert figure(body, "start-to-pack") == "1"
    assert figure(body, "start-money-to-come") == "¥232.02"
    assert 'href="/shop/seller/" data-testid="start-to-pack"' in body
    assert figure(page(shop.merchant.user), "start-to-pack") == "0"


def test_a_seller_still_pending_has_no_seller_cards(shop: Shop, make_user: MakeUser) -> None:
    """A registration not yet verified: no orders to pack, no money."""
    seller_create(
        user=(user := make_user(Role.SELLER)),
        name="新农场",
        kind=SellerKind.FAMILY_FARM,
        outlet=shop.county["VS12"],
        serial="9",
        verified=False,
    )
    assert 'data-testid="start-to-pack"' not in page(user)


def test_a_buyer_sees_orders_in_progress_and_parcels_on_the_way(
    shop: Shop, buyer: User, make_user: MakeUser
) -> None:
    """Two orders paid, one of them accepted: two in progress, one parcel on the way; nobody else's."""
    first, _second = place(shop, buyer), place(shop, buyer)
    accept(first)
    progress = buyer_progress(actor=buyer)
    assert (progress.order_count, progress.parcel_count) == (2, 1)
    body = page(buyer)
    assert (figure(body, "start-my-orders"), figure(body, "start-my-parcels")) == ("2", "1")
    other = buyer_progress(actor=make_user(Role.CONSUMER))
    assert (other.order_count, other.parcel_count) == (0, 0)


def test_an_operator_sees_villagers_orders_arrived_and_the_drawer(
    shop: Shop, buyer: User, make_user: MakeUser
) -> None:
    """A villager's fertiliser paid in cash at VS21 and arrived there: one order to hand over, and its
    cash in the drawer to the fen; a buyer's order arrived at VS12 is not VS21's."""
    operator = make_user(Role.STATION_OPERATOR)
    Outlet.objects.filter(code="VS21").update(operator=operator)
    villager = make_user(Role.CONSUMER)
    order = place(
        shop,
        villager,
        placed_by=operator,
        lines=[(shop.fertiliser.pk, 2)],
        payment_method=PaymentMethod.COUNTER_CASH,
    )
    arrive(order, "VS21")
    elsewhere = place(shop, buyer, destination_outlet_code="VS12")
    arrive(elsewhere, "VS12")
    at_vs21 = parcels_waiting(station=shop.county["VS21"])
    assert list(orders_to_hand_over(parcels=at_vs21)) == [order]
    assert counter_drawer_get(outlet=shop.county["VS21"]).closing_fen == order.total_fen == 20450
    body = page(operator)
    assert figure(body, "start-orders-to-hand-over") == "1"
    assert 'href="/logistics/station/handover/?station=VS21" data-testid="start-orders-to-hand-over"' in body
    assert figure(body, "start-parcels-waiting") == "1"
    assert figure(body, "start-drawer") == "¥204.50"
    assert 'href="/finance/counter/VS21/" data-testid="start-drawer"' in body
    # The operator's work comes before their own orders (those they placed for villagers).
    assert body.index('data-testid="start-drawer"') < body.index('data-testid="start-my-orders"')


def test_an_operator_whose_drawer_was_never_used_sees_nothing_in_it(shop: Shop, make_user: MakeUser) -> None:
    """A counter with no cash account yet: ¥0.00."""
    operator = make_user(Role.STATION_OPERATOR)
    Outlet.objects.filter(code="VS11").update(operator=operator)
    assert figure(page(operator), "start-drawer") == "¥0.00"


def test_a_county_manager_sees_sellers_awaiting_verification(shop: Shop, make_user: MakeUser) -> None:
    """One registration pending in the county; the link is the review list."""
    seller_create(
        user=make_user(Role.SELLER),
        name="新农场",
        kind=SellerKind.FAMILY_FARM,
        outlet=shop.county["VS12"],
        serial="9",
        verified=False,
    )
    manager = make_user(Role.COUNTY_MANAGER, county=shop.county["HUB"].region)
    body = page(manager)
    assert figure(body, "start-sellers-pending") == "1"
    assert 'href="/shop/sellers/review/" data-testid="start-sellers-pending"' in body
    assert figure(page(make_user(Role.COUNTY_MANAGER, county=False)), "start-sellers-pending") == "0"


def test_finance_staff_see_the_payouts_to_pay(shop: Shop, make_user: MakeUser) -> None:
    """Two requests of ¥300.01 and ¥100.00: two to pay, ¥400.01 in all; a seller sees no such card."""
    settle(shop.cooperative, 50_000, now=day_at(2), tag="1")
    for key, amount_fen in (("p1", 30_001), ("p2", 10_000)):
        payout_request(
            seller=shop.cooperative,
            actor=shop.cooperative.user,
            key=key,
            amount_fen=amount_fen,
            account_name=ACCOUNT["account_name"],
            bank_name=ACCOUNT["bank_name"],
            account_number=ACCOUNT["account_number"],
        )
    body = page(make_user(Role.FINANCE))
    assert figure(body, "start-payouts") == "2"
    assert "合计 ¥400.01" in body
    assert 'href="/shop/payouts/" data-testid="start-payouts"' in body
    assert 'data-testid="start-payouts"' not in page(shop.cooperative.user)
