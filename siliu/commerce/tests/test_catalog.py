"""Sellers, trace batches and products: services, API, storefront and the public trace page."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.commerce.catalog import identity
from siliu.commerce.catalog.selectors import (
    seller_find_by_id_number,
    seller_id_number_reveal,
    seller_list_for_review,
)
from siliu.commerce.catalog.services import product_create, product_update, seller_register, seller_verify
from siliu.commerce.models import (
    Category,
    Direction,
    Order,
    OrderLine,
    PaymentMethod,
    Product,
    Seller,
    SellerKind,
    SellerStatus,
    Shipment,
    TraceBatch,
)
from siliu.commerce.tests.catalog_fixtures import (
    COOPERATIVE_USCC,
    FARMER_RIC,
    NOW,
    Catalog,
    make_ric,
    make_uscc,
)
from siliu.commerce.trace import services as trace_services
from siliu.commerce.trace.selectors import trace_qr_svg
from siliu.commerce.trace.services import TRACE_CODE_ALPHABET, trace_batch_create
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.roles import Role, user_roles
from siliu.logistics.models import Parcel
from siliu.network.models import Region, RegionLevel
from siliu.network.services import region_create


def _register(user: User, catalog_shop: Catalog, **overrides: Any) -> Seller:
    fields: dict[str, Any] = {
        "user": user,
        "kind": SellerKind.FAMILY_FARM,
        "name": "李家沟家庭农场",
        "id_number": make_uscc("92610199MA6X00077"),
        "village": catalog_shop.county["VS12"].region,
        "home_outlet": catalog_shop.county["VS12"],
        "contact_phone": "+8613700000077",
        "now": NOW,
    }
    fields.update(overrides)
    return seller_register(**fields)


# --- Sellers ---------------------------------------------------------------------------------------


def test_register_stores_the_number_encrypted_masked_and_hashed(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """A new seller waits for verification; the number is only recoverable by decryption."""
    user = make_user(username="farm_owner")
    seller = _register(user, catalog_shop, id_number=" " + make_uscc("92610199MA6X00077").lower())
    number = make_uscc("92610199MA6X00077")
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PENDING
    assert seller.id_number_masked == number[:6] + "********" + number[-4:]
    assert seller.id_number_hash == identity.id_number_hash(number)
    assert number not in seller.id_number_encrypted
    assert identity.id_number_decrypt(seller.id_number_encrypted) == number
    assert seller_id_number_reveal(seller=seller, actor=user) == number
    assert Role.SELLER.value in user_roles(User.objects.get(pk=user.pk))


def test_register_refuses_a_bad_number_and_writes_nothing(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """An invalid resident ID is refused on ``id_number``; no seller, no role."""
    user = make_user(username="typo")
    before = Seller.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _register(user, catalog_shop, kind=SellerKind.FARMER, id_number=FARMER_RIC[:-1] + "1")
    assert (refused.value.code, refused.value.field) == ("invalid_id_number", "id_number")
    assert Seller.objects.count() == before
    assert not user.groups.exists()


def test_register_refuses_a_duplicate_number_and_writes_nothing(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """The cooperative's code cannot be registered again, whatever its spelling."""
    user = make_user(username="copycat")
    before = Seller.objects.count()
    with pytest.raises(Conflict) as refused:
        _register(user, catalog_shop, kind=SellerKind.COOPERATIVE, id_number=COOPERATIVE_USCC.lower())
    assert (refused.value.code, refused.value.field) == ("duplicate_id_number", "id_number")
    assert Seller.objects.count() == before
    assert not user.groups.exists()


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"contact_phone": "call me"}, "invalid_phone", "contact_phone"),
        ({"name": "  "}, "required", "name"),
        ({"kind": "bank"}, "invalid_kind", "kind"),
    ],
)
def test_register_refuses_bad_fields(
    catalog_shop: Catalog, make_user: Callable[..., User], override: dict[str, Any], code: str, field: str
) -> None:
    """Each bad field is named; nothing is written."""
    before = Seller.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _register(make_user(), catalog_shop, **override)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Seller.objects.count() == before


def test_register_refuses_a_township_as_village(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """The seller's place must be a village."""
    with pytest.raises(ValidationFailed) as refused:
        _register(make_user(), catalog_shop, village=catalog_shop.county["TS1"].region)
    assert refused.value.field == "village"


def test_find_by_id_number_uses_the_keyed_hash(catalog_shop: Catalog, make_user: Callable[..., User]) -> None:
    """The county manager finds the farmer by resident ID; a consumer may not search."""
    found = seller_find_by_id_number(
        id_number=FARMER_RIC.lower(), kind=SellerKind.FARMER, actor=catalog_shop.manager
    )
    assert found == catalog_shop.farmer
    unknown = seller_find_by_id_number(
        id_number=make_uscc("91610199MA6X99999"), kind=SellerKind.MERCHANT, actor=catalog_shop.manager
    )
    assert unknown is None
    with pytest.raises(PermissionRefused):
        seller_find_by_id_number(id_number=FARMER_RIC, kind=SellerKind.FARMER, actor=make_user(Role.CONSUMER))


def test_a_county_manager_verifies_and_finds_the_sellers_of_their_county_only(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """A manager of another county is refused the verification (nothing changes), lists no seller of
    this county and does not find one by its ID number; the county's own manager does all three."""
    farmer = catalog_shop.farmer
    province = Region.objects.get(code="610000")
    neighbour = region_create(code="610299", name="邻县", level=RegionLevel.COUNTY, parent=province)
    elsewhere = make_user(Role.COUNTY_MANAGER, username="elsewhere", county=neighbour)
    with pytest.raises(PermissionRefused):
        seller_verify(seller=farmer, actor=elsewhere, approve=True, now=NOW)
    farmer.refresh_from_db()
    assert farmer.status == SellerStatus.PENDING
    assert list(seller_list_for_review(actor=elsewhere)) == []
    assert list(seller_list_for_review(actor=catalog_shop.manager)) == [farmer]
    number = {"kind": farmer.kind, "id_number": FARMER_RIC}
    assert seller_find_by_id_number(**number, actor=elsewhere) is None
    assert seller_find_by_id_number(**number, actor=catalog_shop.manager) == farmer
    browser = Client()
    browser.force_login(elsewhere)
    assert "河口村张大伯" not in browser.get("/shop/sellers/review/").content.decode()
    browser.force_login(catalog_shop.manager)
    assert "河口村张大伯" in browser.get("/shop/sellers/review/").content.decode()


def test_only_county_managers_verify(catalog_shop: Catalog, make_user: Callable[..., User]) -> None:
    """A consumer and the seller themselves are refused and nothing changes; the manager verifies."""
    farmer = catalog_shop.farmer
    for actor in (make_user(Role.CONSUMER), farmer.user, make_user(Role.STATION_OPERATOR)):
        with pytest.raises(PermissionRefused):
            seller_verify(seller=farmer, actor=actor, approve=True, now=NOW)
        farmer.refresh_from_db()
        assert (farmer.status, farmer.verified_at, farmer.verified_by) == (SellerStatus.PENDING, None, None)
    verified = seller_verify(seller=farmer, actor=catalog_shop.manager, approve=True, now=NOW)
    assert (verified.status, verified.verified_at, verified.verified_by) == (
        SellerStatus.VERIFIED,
        NOW,
        catalog_shop.manager,
    )
    with pytest.raises(Conflict) as refused:
        seller_verify(seller=farmer, actor=catalog_shop.manager, approve=True, now=NOW)
    assert refused.value.code == "already_verified"
    suspended = seller_verify(seller=farmer, actor=catalog_shop.manager, approve=False, now=NOW)
    assert (suspended.status, suspended.verified_at) == (SellerStatus.SUSPENDED, None)


# --- Trace batches ---------------------------------------------------------------------------------


def test_trace_code_is_short_and_free_of_look_alikes(catalog_shop: Catalog) -> None:
    """Ten characters from the alphabet without 0, 1, O, I, L."""
    code = catalog_shop.batch.code
    assert len(code) == 10
    assert set(code) <= set(TRACE_CODE_ALPHABET)
    assert not set("01OIL") & set(TRACE_CODE_ALPHABET)


def test_trace_code_clash_draws_again(catalog_shop: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """A drawn code that is taken is replaced by a fresh one."""
    draws = iter([catalog_shop.batch.code, "ABCDEFGHJK"])
    monkeypatch.setattr(trace_services, "trace_code_new", lambda: next(draws))
    batch = trace_batch_create(
        seller=catalog_shop.cooperative,
        actor=catalog_shop.cooperative.user,
        product_name="红阳猕猴桃",
        place="王家村二组",
        harvested_on=datetime.date(2026, 10, 1),
        quantity=500,
        unit="公斤",
        now=NOW,
    )
    assert batch.code == "ABCDEFGHJK"


def test_trace_batch_refusals_write_nothing(catalog_shop: Catalog, make_user: Callable[..., User]) -> None:
    """Another user, a zero quantity or a future harvest are refused."""
    before = TraceBatch.objects.count()
    fields: dict[str, Any] = {
        "seller": catalog_shop.cooperative,
        "actor": catalog_shop.cooperative.user,
        "product_name": "猕猴桃",
        "place": "三组",
        "harvested_on": datetime.date(2026, 10, 1),
        "quantity": 10,
        "unit": "公斤",
        "now": NOW,
    }
    with pytest.raises(PermissionRefused):
        trace_batch_create(**{**fields, "actor": make_user(Role.SELLER)})
    with pytest.raises(ValidationFailed) as zero:
        trace_batch_create(**{**fields, "quantity": 0})
    assert zero.value.field == "quantity"
    with pytest.raises(ValidationFailed) as future:
        trace_batch_create(**{**fields, "harvested_on": datetime.date(2026, 12, 1)})
    assert future.value.field == "harvested_on"
    assert TraceBatch.objects.count() == before


def test_trace_qr_svg_points_at_the_trace_page(catalog_shop: Catalog) -> None:
    """The QR image is an SVG; the page serves it for the batch."""
    svg = trace_qr_svg(batch=catalog_shop.batch, base_url="https://siliu.example/")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    response = Client().get(f"/t/{catalog_shop.batch.code}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


# --- Products ----------------------------------------------------------------------------------------


def _product_fields(seller: Seller, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "seller": seller,
        "actor": seller.user,
        "name": "土蜂蜜 500克",
        "category": Category.HONEY,
        "direction": Direction.UPWARD,
        "unit": "瓶",
        "price_fen": 6800,
        "stock": 30,
        "weight_g": 700,
        "now": NOW,
    }
    fields.update(overrides)
    return fields


def test_only_verified_sellers_list_products(catalog_shop: Catalog) -> None:
    """The pending farmer is refused until verified; then the product takes the farmer's village."""
    farmer = catalog_shop.farmer
    before = Product.objects.count()
    with pytest.raises(PermissionRefused) as refused:
        product_create(**_product_fields(farmer))
    assert refused.value.code == "seller_not_verified"
    assert Product.objects.count() == before
    seller_verify(seller=farmer, actor=catalog_shop.manager, approve=True, now=NOW)
    farmer.refresh_from_db()
    honey = product_create(**_product_fields(farmer))
    assert honey.origin_village == farmer.village


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"price_fen": 0}, "invalid_price_fen", "price_fen"),
        ({"stock": 0}, "invalid_stock", "stock"),
        ({"weight_g": -5}, "invalid_weight_g", "weight_g"),
        ({"category": "gold"}, "invalid_category", "category"),
        ({"is_presale": True}, "presale_needs_date", "ships_from"),
    ],
)
def test_product_rules(catalog_shop: Catalog, override: dict[str, Any], code: str, field: str) -> None:
    """Positive price, stock and weight; a known category; a pre-sale has a shipping date."""
    before = Product.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        product_create(**_product_fields(catalog_shop.cooperative, **override))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Product.objects.count() == before


def test_presale_with_date_is_listed(catalog_shop: Catalog) -> None:
    """A pre-sale of next season's harvest ships from its date."""
    presale = product_create(
        **_product_fields(catalog_shop.cooperative, is_presale=True, ships_from=datetime.date(2027, 9, 1))
    )
    assert (presale.is_presale, presale.ships_from) == (True, datetime.date(2027, 9, 1))


def test_product_cannot_use_another_sellers_batch(catalog_shop: Catalog) -> None:
    """The farmer (once verified) cannot attach the cooperative's batch."""
    seller_verify(seller=catalog_shop.farmer, actor=catalog_shop.manager, approve=True, now=NOW)
    catalog_shop.farmer.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        product_create(**_product_fields(catalog_shop.farmer, trace_batch=catalog_shop.batch))
    assert refused.value.field == "trace_batch"


def test_product_update_checks_the_whole_product(catalog_shop: Catalog) -> None:
    """Sold out (stock 0) is allowed; a zero price is refused and nothing changes."""
    kiwi = catalog_shop.kiwi
    actor = catalog_shop.cooperative.user
    assert product_update(product=kiwi, actor=actor, changes={"stock": 0}).stock == 0
    with pytest.raises(ValidationFailed):
        product_update(product=kiwi, actor=actor, changes={"price_fen": 0, "name": "改名"})
    with pytest.raises(ValidationFailed) as unknown:
        product_update(product=kiwi, actor=actor, changes={"seller": catalog_shop.farmer})
    assert unknown.value.code == "unknown_field"
    kiwi.refresh_from_db()
    assert (kiwi.price_fen, kiwi.name, kiwi.stock) == (5980, "徐香猕猴桃 5斤装", 0)


# --- API -----------------------------------------------------------------------------------------------


def test_product_api_lists_verified_sellers_products_with_filters(
    catalog_shop: Catalog, api_client: APIClient
) -> None:
    """Filters by category, township and search; the pending farmer's goods never appear."""
    body = api_client.get("/api/v1/products").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert (item["name"], item["price_fen"], item["seller_name"], item["trace_code"]) == (
        "徐香猕猴桃 5斤装",
        5980,
        "王家村猕猴桃合作社",
        catalog_shop.batch.code,
    )
    assert (item["origin_village"], item["origin_township"]) == ("王家村", "青龙镇")
    assert "contact_phone" not in item and "id_number_masked" not in item
    assert api_client.get("/api/v1/products?category=fruit&township=610199001").json()["count"] == 1
    assert api_client.get("/api/v1/products?township=610199002").json()["count"] == 0
    assert api_client.get("/api/v1/products?category=tea").json()["count"] == 0
    assert api_client.get("/api/v1/products?search=合作社").json()["count"] == 1
    assert api_client.get("/api/v1/products?search=苹果").json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("category=gold", "category", "invalid_category"),
        ("township=999999999", "township", "unknown_township"),
    ],
)
def test_product_api_bad_filters_are_400_with_the_field(
    catalog_shop: Catalog, api_client: APIClient, query: str, field: str, code: str
) -> None:
    """An unknown category or township is bad input, named."""
    response = api_client.get(f"/api/v1/products?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]


def test_product_detail_api(catalog_shop: Catalog, api_client: APIClient) -> None:
    """One product with its batch; an unknown one is 404."""
    body = api_client.get(f"/api/v1/products/{catalog_shop.kiwi.pk}").json()
    assert body["trace_batch"]["code"] == catalog_shop.batch.code
    assert body["trace_batch"]["inspection_result"] == "passed"
    assert api_client.get("/api/v1/products/999999").status_code == 404


def test_seller_api_register_verify_and_list(
    catalog_shop: Catalog, client_as: Callable[..., APIClient], make_user: Callable[..., User]
) -> None:
    """Register through the API (masked in the answer), verified by the manager, then list a product."""
    client = client_as(Role.CONSUMER, username="new_farm")
    number = make_uscc("92610199MA6X00088")
    response = client.post(
        "/api/v1/sellers",
        {
            "kind": "family_farm",
            "name": "河口村家庭农场",
            "id_number": number,
            "village": "610199002201",
            "home_outlet": "VS21",
            "contact_phone": "13700000088",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert number not in response.content.decode()
    seller_id = body["id"]

    product = {
        "name": "香菇 1斤",
        "category": "mushroom",
        "unit": "袋",
        "price_fen": 3500,
        "stock": 50,
        "weight_g": 600,
    }
    assert client.post("/api/v1/products", product, format="json").status_code == 403

    assert (
        client.post(f"/api/v1/sellers/{seller_id}/verify", {"approve": True}, format="json").status_code
        == 403
    )
    manager = APIClient()
    manager.force_authenticate(catalog_shop.manager)
    verified = manager.post(f"/api/v1/sellers/{seller_id}/verify", {"approve": True}, format="json")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"

    created = client.post("/api/v1/products", product, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["origin_village"] == "河口村"


def test_seller_api_refuses_bad_number_with_field(
    client_as: Callable[..., APIClient], catalog_shop: Catalog
) -> None:
    """400 with ``errors.id_number``; no seller written."""
    before = Seller.objects.count()
    response = client_as(Role.CONSUMER).post(
        "/api/v1/sellers",
        {
            "kind": "farmer",
            "name": "某农户",
            "id_number": "110105194912310021",
            "village": "610199002201",
            "home_outlet": "VS21",
            "contact_phone": "13700000099",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "id_number" in response.json()["errors"]
    assert Seller.objects.count() == before


def test_trace_api_is_public_without_personal_data(catalog_shop: Catalog, api_client: APIClient) -> None:
    """Farm, village, place, harvest, inspection; no phone, no ID number."""
    response = api_client.get(f"/api/v1/trace/{catalog_shop.batch.code.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert (body["seller_name"], body["village"], body["township"], body["county"]) == (
        "王家村猕猴桃合作社",
        "王家村",
        "青龙镇",
        "示范县",
    )
    assert (body["harvested_on"], body["inspection_result"], body["products"]) == (
        "2026-10-20",
        "passed",
        ["徐香猕猴桃 5斤装"],
    )
    text = response.content.decode()
    for secret in ("13700000001", COOPERATIVE_USCC, catalog_shop.cooperative.id_number_masked, "coop_user"):
        assert secret not in text
    assert api_client.get("/api/v1/trace/ZZZZZZZZZZ").status_code == 404


def test_trace_is_rate_limited(
    catalog_shop: Catalog, api_client: APIClient, throttle_rates: Callable[..., None]
) -> None:
    """The API and the page share the public allowance, then answer 429."""
    throttle_rates(public="3/min")
    code = catalog_shop.batch.code
    codes = [api_client.get(f"/api/v1/trace/{code}").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    assert api_client.get(f"/api/v1/trace/{code}").status_code == 429
    assert Client().get(f"/t/{code}").status_code == 429


# --- Pages ---------------------------------------------------------------------------------------------


def test_storefront_browses_by_township_and_category(catalog_shop: Catalog) -> None:
    """The storefront lists the kiwis; an unknown category is a 400 page with the message."""
    client = Client()
    page = client.get("/shop/?township=610199001&category=fruit").content.decode()
    assert "徐香猕猴桃 5斤装" in page and "¥59.80" in page
    assert "徐香猕猴桃" not in client.get("/shop/?township=610199002").content.decode()
    assert client.get("/shop/?category=gold").status_code == 400


def test_product_page_shows_farm_batch_and_cart_form(catalog_shop: Catalog) -> None:
    """The farm and the batch, and a form posting product_id and quantity to the cart."""
    response = Client().get(f"/shop/products/{catalog_shop.kiwi.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "王家村猕猴桃合作社" in page and "王家村三组 5 号地块" in page and catalog_shop.batch.code in page
    assert 'action="/shop/cart/add/"' in page
    assert f'name="product_id" value="{catalog_shop.kiwi.pk}"' in page and 'name="quantity"' in page
    assert "13700000001" not in page
    assert Client().get("/shop/products/999999/").status_code == 404


def test_seller_registration_page(catalog_shop: Catalog, make_user: Callable[..., User]) -> None:
    """A bad number re-shows the form with the error; a good one registers and shows the status."""
    client = Client()
    client.force_login(make_user(username="web_farmer"))
    form = {
        "kind": "farmer",
        "name": "王家村李大姐",
        "id_number": "110105194912310021",
        "village": "610199001201",
        "home_outlet": "VS11",
        "contact_phone": "13700000055",
    }
    refused = client.post("/shop/sellers/register/", form)
    assert refused.status_code == 400
    assert 'data-testid="error-id_number"' in refused.content.decode()
    good = client.post(
        "/shop/sellers/register/", {**form, "id_number": make_ric("11010519800101007")}, follow=True
    )
    assert good.status_code == 200
    seller = Seller.objects.get(name="王家村李大姐")
    assert (seller.kind, seller.status, seller.village.code) == ("farmer", "pending", "610199001201")
    assert 'data-testid="seller-status"' in good.content.decode()
    assert "110105********" in good.content.decode()


def test_seller_review_page_is_for_county_managers(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """The manager sees the pending farmer masked and approves; a consumer is sent to log in."""
    consumer = Client()
    consumer.force_login(make_user(Role.CONSUMER))
    assert consumer.get("/shop/sellers/review/").status_code == 302
    assert (
        consumer.post(f"/shop/sellers/{catalog_shop.farmer.pk}/verify/", {"approve": "1"}).status_code == 302
    )
    catalog_shop.farmer.refresh_from_db()
    assert catalog_shop.farmer.status == SellerStatus.PENDING

    manager = Client()
    manager.force_login(catalog_shop.manager)
    page = manager.get("/shop/sellers/review/").content.decode()
    assert "河口村张大伯" in page and "110105********002X" in page and FARMER_RIC not in page
    manager.post(f"/shop/sellers/{catalog_shop.farmer.pk}/verify/", {"approve": "1"})
    catalog_shop.farmer.refresh_from_db()
    assert catalog_shop.farmer.status == SellerStatus.VERIFIED


def _order_with_parcel(catalog_shop: Catalog, parcel: Parcel, buyer: User) -> Order:
    """An order for two boxes of kiwis, carried by ``parcel`` (written directly: orders are not ours)."""
    order = Order.objects.create(
        number="SO202611230001",
        direction=Direction.UPWARD,
        buyer=buyer,
        placed_by=buyer,
        payment_method=PaymentMethod.WALLET,
        recipient_name="李四",
        recipient_phone="+8613900000002",
        recipient_address="陕西省示范县柳河乡河口村 8 号",
        destination_region_code="610199002201",
        goods_fen=11960,
        postage_fen=1200,
        total_fen=13160,
        created_at=NOW,
    )
    OrderLine.objects.create(
        order=order,
        product=catalog_shop.kiwi,
        seller=catalog_shop.cooperative,
        quantity=2,
        unit_price_fen=5980,
        amount_fen=11960,
    )
    Shipment.objects.create(
        order=order, seller=catalog_shop.cooperative, parcel=parcel, goods_fen=11960, postage_fen=1200
    )
    return order


def test_trace_page_shows_farm_and_batch_without_personal_data(catalog_shop: Catalog) -> None:
    """Farm, place, harvest and inspection; no phone, no ID number, masked or not."""
    response = Client().get(f"/t/{catalog_shop.batch.code}")
    page = response.content.decode()
    assert response.status_code == 200
    for shown in (
        "王家村猕猴桃合作社",
        "农民合作社",
        "青龙镇",
        "王家村三组 5 号地块",
        "2026-10-20",
        "合格",
        "绿色食品证书 LB-45-2026",
    ):
        assert shown in page
    for hidden in ("13700000001", COOPERATIVE_USCC, catalog_shop.cooperative.id_number_masked):
        assert hidden not in page
    assert Client().get("/t/ZZZZZZZZZZ").status_code == 404


def test_trace_page_with_tracking_number_shows_the_journey(
    catalog_shop: Catalog, make_parcel: Callable[..., Parcel], make_user: Callable[..., User]
) -> None:
    """A parcel carrying the batch shows its journey, with no recipient name, phone or address."""
    parcel = make_parcel(origin="VS11", destination="VS21", weight_g=5200)
    _order_with_parcel(catalog_shop, parcel, make_user(Role.CONSUMER))
    response = Client().get(f"/t/{catalog_shop.batch.code}/{parcel.tracking_number}")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="journey-steps"' in page and parcel.tracking_number in page
    for hidden in ("李四", "张三", "13900000002", "13800000001", "河口村 8 号", "王家村 1 号"):
        assert hidden not in page


def test_trace_page_ignores_a_parcel_of_another_batch(
    catalog_shop: Catalog, make_parcel: Callable[..., Parcel]
) -> None:
    """A tracking number that carries nothing of the batch shows the batch alone."""
    parcel = make_parcel()
    response = Client().get(f"/t/{catalog_shop.batch.code}/{parcel.tracking_number}")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="journey-steps"' not in page and 'data-testid="no-journey"' in page
