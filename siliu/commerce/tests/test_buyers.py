"""Buyers: the postage quoted before paying and held to at placement, saved addresses, the township →
village destination, the cart in the navbar, and the buyer's parcels with their journey and refund.

The shop and county are the ones of ``test_orders``: two boxes of kiwis from VS11 to VS21 (河口村,
柳河乡) are ¥119.60 of goods and ¥12.00 of postage, ¥131.60 in all.
"""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.test import APIClient

from siliu.commerce.models import BuyerAddress, Order, Product
from siliu.commerce.orders.selectors import buyer_address_get, order_get, order_shipments_followed
from siliu.commerce.orders.services import (
    AddressInput,
    buyer_address_create,
    buyer_address_default_set,
    buyer_address_delete,
    buyer_address_update,
    order_destination,
    order_quote,
)
from siliu.commerce.tests.conftest import Shop, product_create
from siliu.commerce.tests.test_orders import MONDAY_0730, Fund, MakeUser, at, place, state
from siliu.core.errors import Conflict, NotFound, ValidationFailed
from siliu.core.roles import Role
from siliu.logistics.claims.services import claim_decide, claim_submit
from siliu.logistics.models import ClaimKind
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.network.models import RegionLevel
from siliu.network.services import region_create

pytestmark = pytest.mark.django_db

HEKOU = "610199002201"  # 河口村, served by VS21
WANGJIA = "610199001201"  # 王家村, served by VS11


@pytest.fixture
def buyer(make_user: MakeUser, fund: Fund) -> User:
    user = make_user(Role.CONSUMER, username="buyer")
    fund(user, 50_000)
    return user


def address(**fields: str) -> AddressInput:
    values = {"name": "李四", "phone": "139 0000 0002", "village_code": HEKOU, "detail": "8 号"}
    values.update(fields)
    return AddressInput(**values)


# --- the quote -------------------------------------------------------------------------------------


def test_quote_equals_what_the_order_charges_to_the_fen(shop: Shop, buyer: User) -> None:
    """Two sellers' parcels: each quoted postage is the parcel's fee, and the totals agree."""
    walnuts = product_create(seller=shop.merchant, name="核桃 2斤", price_fen=3550, weight_g=1000)
    lines = [(shop.kiwi.pk, 2), (walnuts.pk, 3)]
    quote = order_quote(buyer=buyer, lines=lines, destination_outlet_code="VS21", now=MONDAY_0730)
    order = place(shop, buyer, lines=lines, expected_total_fen=quote.total_fen)

    assert quote.goods_fen == order.goods_fen == 11960 + 3 * 3550
    assert quote.postage_fen == order.postage_fen
    assert quote.total_fen == order.total_fen
    placed = {shipment.seller_id: shipment.postage_fen for shipment in order.shipments.all()}
    assert {shipment.seller.pk: shipment.postage_fen for shipment in quote.shipments} == placed
    assert [shipment.weight_g for shipment in quote.shipments] == [5000, 3000]


def test_quote_of_two_boxes_to_hekou(shop: Shop, buyer: User) -> None:
    """The documented example: ¥119.60 + ¥12.00 = ¥131.60, one parcel from the cooperative."""
    quote = order_quote(buyer=buyer, lines=[(shop.kiwi.pk, 2)], destination_outlet_code="VS21")
    assert (quote.goods_fen, quote.postage_fen, quote.total_fen) == (11960, 1200, 13160)
    assert [(line.product.pk, line.quantity, line.amount_fen) for line in quote.lines] == [
        (shop.kiwi.pk, 2, 11960)
    ]


def test_postage_changed_since_the_quote_is_refused_and_nothing_is_written(shop: Shop, buyer: User) -> None:
    """The kiwis weigh more than when quoted: 409 ``postage_changed`` naming the new amounts; no order,
    stock, parcel or transfer is written."""
    quote = order_quote(buyer=buyer, lines=[(shop.kiwi.pk, 2)], destination_outlet_code="VS21")
    Product.objects.filter(pk=shop.kiwi.pk).update(weight_g=6000)
    before = state()
    with pytest.raises(Conflict) as refused:
        place(shop, buyer, expected_total_fen=quote.total_fen)
    assert refused.value.code == "postage_changed"
    assert refused.value.field == "expected_total_fen"
    assert "¥131.60" in refused.value.message  # what the buyer confirmed
    new = order_quote(buyer=buyer, lines=[(shop.kiwi.pk, 2)], destination_outlet_code="VS21")
    assert new.total_fen != quote.total_fen
    assert f"合计 ¥{new.total_fen / 100:.2f}" in refused.value.message
    assert state() == before


def test_an_order_without_expected_total_is_placed_as_before(shop: Shop, buyer: User) -> None:
    """API clients may leave ``expected_total_fen`` out."""
    assert place(shop, buyer).total_fen == 13160


# --- destinations ----------------------------------------------------------------------------------


def test_destination_from_a_village_is_its_station_and_from_an_address_carries_the_recipient(
    shop: Shop, buyer: User
) -> None:
    """河口村 is served by VS21; a saved address gives the recipient with township and village."""
    picked = order_destination(buyer=buyer, village_code=HEKOU)
    assert (picked.outlet.code, picked.recipient) == ("VS21", None)
    saved = buyer_address_create(user=buyer, data=address())
    chosen = order_destination(buyer=buyer, address_id=saved.pk)
    assert chosen.outlet.code == "VS21"
    assert chosen.recipient is not None
    assert (chosen.recipient.name, chosen.recipient.phone, chosen.recipient.address) == (
        "李四",
        "+8613900000002",
        "柳河乡河口村 8 号",
    )


def test_a_village_without_station_goes_to_its_township_office(shop: Shop, buyer: User) -> None:
    """A village with no station of its own is delivered by its township's office."""
    township = shop.county["TS2"].region
    region_create(code="610199002299", name="新村", level=RegionLevel.VILLAGE, parent=township)
    assert order_destination(buyer=buyer, village_code="610199002299").outlet.code == "TS2"


def test_destination_refusals_name_the_field(shop: Shop, buyer: User, make_user: MakeUser) -> None:
    """No choice, an unknown village and someone else's address are refused."""
    with pytest.raises(ValidationFailed) as none:
        order_destination(buyer=buyer)
    assert (none.value.code, none.value.field) == ("required", "village")
    with pytest.raises(ValidationFailed) as unknown:
        order_destination(buyer=buyer, village_code="610199009999")
    assert (unknown.value.code, unknown.value.field) == ("unknown_village", "village")
    theirs = buyer_address_create(user=make_user(Role.CONSUMER), data=address())
    with pytest.raises(NotFound) as other:
        order_destination(buyer=buyer, address_id=theirs.pk)
    assert (other.value.code, other.value.field) == ("unknown_address", "address")


# --- saved addresses -------------------------------------------------------------------------------


def test_address_create_normalises_the_mobile_and_the_first_is_default(shop: Shop, buyer: User) -> None:
    """A bare 11-digit mobile becomes E.164; the first address is the default, the second is not."""
    first = buyer_address_create(user=buyer, data=address())
    second = buyer_address_create(user=buyer, data=address(name="王五", village_code=WANGJIA))
    assert (first.phone, first.is_default, second.is_default) == ("+8613900000002", True, False)
    assert second.village.name == "王家村"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": " "}, "required", "name"),
        ({"name": "李" * 61}, "too_long", "name"),
        ({"phone": "010-12345678"}, "invalid_phone", "phone"),
        ({"phone": "+12025550100"}, "invalid_phone", "phone"),
        ({"village_code": "610199002"}, "unknown_village", "village"),  # a township is no village
        ({"detail": ""}, "required", "detail"),
        ({"detail": "x" * 201}, "too_long", "detail"),
    ],
)
def test_address_validation_names_the_field(
    shop: Shop, buyer: User, fields: dict[str, str], code: str, field: str
) -> None:
    """Each bad value is refused with its field; nothing is saved."""
    with pytest.raises(ValidationFailed) as refused:
        buyer_address_create(user=buyer, data=address(**fields))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert BuyerAddress.objects.count() == 0


def test_address_update_default_and_delete(shop: Shop, buyer: User) -> None:
    """Edit, make the second the default, delete it: the oldest left becomes the default again."""
    first = buyer_address_create(user=buyer, data=address())
    second = buyer_address_create(user=buyer, data=address(name="王五"))
    buyer_address_update(user=buyer, address_id=first.pk, data=address(detail="9 号", village_code=WANGJIA))
    first.refresh_from_db()
    assert (first.detail, first.village.code) == ("9 号", WANGJIA)
    buyer_address_default_set(user=buyer, address_id=second.pk)
    assert list(BuyerAddress.objects.order_by("pk").values_list("is_default", flat=True)) == [False, True]
    buyer_address_delete(user=buyer, address_id=second.pk)
    assert list(BuyerAddress.objects.values_list("pk", "is_default")) == [(first.pk, True)]


def test_only_the_owner_sees_or_changes_an_address(shop: Shop, buyer: User, make_user: MakeUser) -> None:
    """Another user's address is not found, for reading, editing, defaulting and deleting alike."""
    mine = buyer_address_create(user=buyer, data=address())
    stranger = make_user(Role.CONSUMER)
    for attempt in (
        lambda: buyer_address_get(actor=stranger, address_id=mine.pk),
        lambda: buyer_address_update(user=stranger, address_id=mine.pk, data=address(name="X")),
        lambda: buyer_address_default_set(user=stranger, address_id=mine.pk),
        lambda: buyer_address_delete(user=stranger, address_id=mine.pk),
    ):
        with pytest.raises(NotFound):
            attempt()
    mine.refresh_from_db()
    assert (mine.name, mine.is_default) == ("李四", True)


def test_the_database_holds_one_default_per_buyer(shop: Shop, buyer: User) -> None:
    """Two defaults for one buyer are refused by the database itself."""
    first = buyer_address_create(user=buyer, data=address())
    with pytest.raises(IntegrityError), transaction.atomic():
        BuyerAddress.objects.create(
            user=buyer,
            name="x",
            phone="+8613900000002",
            village=first.village,
            detail="x",
            is_default=True,
            created_at=first.created_at,
        )


# --- pages -----------------------------------------------------------------------------------------


def test_navbar_shows_the_cart_with_its_count(shop: Shop, client: Client) -> None:
    """Anyone's cart is linked from the navbar, with the units it holds once it has some."""
    page = client.get("/shop/").content.decode()
    assert 'href="/shop/cart/" data-testid="nav-cart"' in page and 'data-testid="cart-count"' not in page
    client.post("/shop/cart/add/", {"product_id": shop.kiwi.pk, "quantity": 3})
    assert 'data-testid="cart-count">3<' in client.get("/shop/").content.decode()


def test_cart_page_quotes_for_a_picked_village_and_for_a_saved_address(
    shop: Shop, buyer: User, client: Client
) -> None:
    """The township lists its villages; a village or an address shows each parcel's postage and the
    total that the checkout form sends back."""
    client.force_login(buyer)
    client.post("/shop/cart/add/", {"product_id": shop.kiwi.pk, "quantity": 2})
    page = client.get("/shop/cart/", {"township": "610199002", "pick": "township", "village": WANGJIA})
    assert "quote" not in page.context  # the township changed: pick a village of it first
    assert 'data-township="610199001" hidden disabled' in page.content.decode()
    quoted = client.get("/shop/cart/", {"township": "610199002", "village": HEKOU}).content.decode()
    assert 'data-testid="postage-total">¥12.00<' in quoted
    assert 'name="expected_total_fen" value="13160"' in quoted
    saved = buyer_address_create(user=buyer, data=address())
    by_address = client.get("/shop/cart/", {"address": saved.pk}).content.decode()
    assert 'name="expected_total_fen" value="13160"' in by_address and "柳河乡河口村 8 号" in by_address


def test_checkout_to_a_saved_address_and_a_changed_postage_shows_the_new_total(
    shop: Shop, buyer: User, client: Client
) -> None:
    """Checkout to an address for the total shown; a stale total is refused with the new one shown."""
    client.force_login(buyer)
    saved = buyer_address_create(user=buyer, data=address())
    client.post("/shop/cart/add/", {"product_id": shop.kiwi.pk, "quantity": 2})
    stale = client.post("/shop/checkout/", {"address": saved.pk, "expected_total_fen": "12000"})
    assert stale.status_code == 409 and stale.context["error"].code == "postage_changed"
    assert 'name="expected_total_fen" value="13160"' in stale.content.decode()
    assert Order.objects.count() == 0
    missing = client.post("/shop/checkout/", {"address": saved.pk})
    assert missing.status_code == 400 and missing.context["error"].field == "expected_total_fen"
    placed = client.post("/shop/checkout/", {"address": saved.pk, "expected_total_fen": "13160"})
    order = Order.objects.select_related("destination_outlet").get()
    assert placed["Location"] == f"/shop/orders/{order.number}/"
    assert order.destination_outlet is not None
    assert (order.destination_outlet.code, order.recipient_address, order.total_fen) == (
        "VS21",
        "柳河乡河口村 8 号",
        13160,
    )


def test_address_pages_add_edit_default_delete(
    shop: Shop, buyer: User, make_user: MakeUser, client: Client
) -> None:
    """The buyer manages addresses on the page; a bad phone names its field; others' are 404."""
    client.force_login(buyer)
    form = {
        "name": "李四",
        "phone": "13900000002",
        "township": "610199002",
        "village": HEKOU,
        "detail": "8 号",
    }
    bad = client.post("/shop/addresses/", {**form, "phone": "123"})
    assert bad.status_code == 400 and 'data-field="phone"' in bad.content.decode()
    assert client.post("/shop/addresses/", form).status_code == 302
    assert client.post("/shop/addresses/", {**form, "name": "王五"}).status_code == 302
    first, second = BuyerAddress.objects.order_by("pk")
    assert client.get(f"/shop/addresses/{first.pk}/").status_code == 200
    client.post(f"/shop/addresses/{first.pk}/", {**form, "detail": "9 号"})
    client.post(f"/shop/addresses/{second.pk}/default/")
    first.refresh_from_db()
    assert (first.detail, first.is_default) == ("9 号", False)
    listed = client.get("/shop/addresses/").content.decode()
    assert listed.count('data-testid="address"') == 2
    client.force_login(make_user(Role.CONSUMER))
    assert client.get(f"/shop/addresses/{first.pk}/").status_code == 404
    assert client.post(f"/shop/addresses/{first.pk}/delete/").status_code == 404
    assert "李四" not in client.get("/shop/addresses/").content.decode()
    assert BuyerAddress.objects.count() == 2


def test_order_page_shows_each_parcel_journey_and_the_refund_of_a_lost_one(
    shop: Shop, buyer: User, make_user: MakeUser, client: Client
) -> None:
    """The accepted parcel's steps are listed; once it is lost and the claim paid, the refund shows."""
    order = place(shop, buyer)
    parcel = order.shipments.get().parcel
    scans_record(scans=[ScanInput("l-1", parcel.tracking_number, "EMA", "VS11", at(7, 45))], now=at(7, 50))
    client.force_login(buyer)
    page = client.get(f"/shop/orders/{order.number}/").content.decode()
    assert page.count('data-testid="journey-step"') == 2 and 'data-testid="refund"' not in page
    claim = claim_submit(
        parcel=parcel,
        kind=ClaimKind.LOSS,
        claimant=shop.cooperative.user,
        claimed_loss_fen=11960,
        now=at(9, day=26),
    )
    claim_decide(claim=claim, approve=True, actor=make_user(Role.COUNTY_MANAGER), now=at(10, day=26))
    followed = order_shipments_followed(order=order_get(number=order.number, actor=buyer))
    assert followed[0].refund is not None and followed[0].refund.amount_fen == 13160
    page = client.get(f"/shop/orders/{order.number}/").content.decode()
    assert "包裹丢失，已于 2026-11-26 10:00 退款 ¥131.60 到您的钱包" in page


# --- API -------------------------------------------------------------------------------------------


def test_api_quote_then_order_for_exactly_that_total(shop: Shop, buyer: User) -> None:
    """``POST /orders/quote`` gives lines, shipments, postage and total; the order sent with that total
    is placed; one sent with another total is 409 ``postage_changed`` with its field."""
    api = APIClient()
    api.force_authenticate(buyer)
    body: dict[str, Any] = {"lines": [{"product_id": shop.kiwi.pk, "quantity": 2}], "village": HEKOU}
    quote = api.post("/api/v1/orders/quote", body, format="json")
    assert quote.status_code == 200
    data = quote.json()
    assert (data["destination_outlet"], data["goods_fen"], data["postage_fen"], data["total_fen"]) == (
        "VS21",
        11960,
        1200,
        13160,
    )
    assert [(s["weight_g"], s["postage_fen"]) for s in data["shipments"]] == [(5000, 1200)]
    recipient = {"name": "李四", "phone": "+8613900000002", "address": "8 号"}
    stale = api.post(
        "/api/v1/orders", {**body, "recipient": recipient, "expected_total_fen": 13000}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "postage_changed" and "expected_total_fen" in stale.json()["errors"]
    assert Order.objects.count() == 0
    placed = api.post(
        "/api/v1/orders", {**body, "recipient": recipient, "expected_total_fen": 13160}, format="json"
    )
    assert placed.status_code == 201 and placed.json()["total_fen"] == 13160


def test_api_order_to_a_saved_address_and_refusals_are_4xx(shop: Shop, buyer: User) -> None:
    """A saved address stands for destination and recipient; bad input is a 4xx naming the field."""
    saved = buyer_address_create(user=buyer, data=address())
    api = APIClient()
    api.force_authenticate(buyer)
    lines = [{"product_id": shop.kiwi.pk, "quantity": 2}]
    placed = api.post("/api/v1/orders", {"lines": lines, "address": saved.pk}, format="json")
    assert placed.status_code == 201 and placed.json()["destination_outlet"] == "VS21"
    nowhere = api.post("/api/v1/orders/quote", {"lines": lines}, format="json")
    assert nowhere.status_code == 400 and "destination_outlet" in nowhere.json()["errors"]
    unknown = api.post("/api/v1/orders/quote", {"lines": lines, "village": "610199009999"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"] == {"village": [unknown.json()["message"]]}
    no_recipient = api.post("/api/v1/orders", {"lines": lines, "village": HEKOU}, format="json")
    assert no_recipient.status_code == 400 and "recipient" in no_recipient.json()["errors"]
    assert APIClient().post("/api/v1/orders/quote", {"lines": lines}, format="json").status_code in (401, 403)


def test_api_schema_documents_the_quote_and_the_expected_total(client: Client) -> None:
    """The OpenAPI schema has the quote operation and ``expected_total_fen`` on the order."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "post" in schema["paths"]["/api/v1/orders/quote"]
    assert "expected_total_fen" in schema["components"]["schemas"]["OrderCreateRequest"]["properties"]
    assert "total_fen" in schema["components"]["schemas"]["OrderQuote"]["properties"]


def test_api_addresses_crud_owner_only(shop: Shop, buyer: User, make_user: MakeUser) -> None:
    """Save, list, change (and make default), delete; bad fields are 400 naming them; another user's
    address is 404."""
    api = APIClient()
    api.force_authenticate(buyer)
    body = {"name": "李四", "phone": "13900000002", "village": HEKOU, "detail": "8 号"}
    created = api.post("/api/v1/addresses", body, format="json")
    assert created.status_code == 201
    assert created.json() | {"id": 0} == {
        "id": 0,
        "name": "李四",
        "phone": "+8613900000002",
        "village": HEKOU,
        "village_name": "河口村",
        "township_name": "柳河乡",
        "detail": "8 号",
        "is_default": True,
    }
    second = api.post("/api/v1/addresses", {**body, "name": "王五"}, format="json").json()
    bad = api.post("/api/v1/addresses", {**body, "phone": "123"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["phone"]
    unknown = api.post("/api/v1/addresses", {**body, "village": "610199009999"}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["village"]
    changed = api.put(f"/api/v1/addresses/{second['id']}", {**body, "is_default": True}, format="json")
    assert changed.status_code == 200 and changed.json()["is_default"] is True
    listed = api.get("/api/v1/addresses").json()
    assert [(row["id"], row["is_default"]) for row in listed] == [
        (second["id"], True),
        (created.json()["id"], False),
    ]

    stranger = APIClient()
    stranger.force_authenticate(make_user(Role.CONSUMER))
    assert stranger.get("/api/v1/addresses").json() == []
    refused = stranger.delete(f"/api/v1/addresses/{second['id']}")
    assert refused.status_code == 404 and refused.json()["code"] == "unknown_address"
    assert stranger.put(f"/api/v1/addresses/{second['id']}", body, format="json").status_code == 404
    assert api.delete(f"/api/v1/addresses/{second['id']}").status_code == 204
    assert list(BuyerAddress.objects.values_list("is_default", flat=True)) == [True]
