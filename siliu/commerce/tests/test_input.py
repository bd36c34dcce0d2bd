"""Numbers beyond their columns and NUL characters are refused with a 400 naming the field, and
nothing is written: products, orders, seller registration."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.commerce.catalog.services import MAX_PRICE_FEN, MAX_STOCK, MAX_UNIT_WEIGHT_G, product_update
from siliu.commerce.models import Order, Product, Seller
from siliu.commerce.orders.services import order_place
from siliu.commerce.tests.catalog_fixtures import NOW, Catalog, make_ric
from siliu.core.errors import ValidationFailed
from siliu.logistics.parcels.services import Address

pytestmark = pytest.mark.django_db

HUGE = 2**63
PRODUCT = {
    "name": "土鸡蛋 30枚",
    "category": "meat_egg",
    "unit": "盒",
    "price_fen": 3600,
    "stock": 50,
    "weight_g": 1800,
}
RECIPIENT = {"name": "李四", "phone": "+8613900000002", "address": "河口村 8 号"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_fen", HUGE),
        ("price_fen", MAX_PRICE_FEN + 1),
        ("stock", HUGE),
        ("stock", MAX_STOCK + 1),
        ("weight_g", HUGE),
        ("weight_g", MAX_UNIT_WEIGHT_G + 1),
    ],
)
def test_product_api_refuses_numbers_beyond_their_bound(
    catalog_shop: Catalog, api_client: APIClient, field: str, value: int
) -> None:
    """2**63 (beyond the column) and one past the business bound are both a 400 naming the field."""
    api_client.force_authenticate(catalog_shop.cooperative.user)
    before = Product.objects.count()
    response = api_client.post("/api/v1/products", {**PRODUCT, field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    assert Product.objects.count() == before


def test_product_api_takes_numbers_at_their_bound(catalog_shop: Catalog, api_client: APIClient) -> None:
    """The bounds themselves are accepted."""
    api_client.force_authenticate(catalog_shop.cooperative.user)
    body = {**PRODUCT, "price_fen": MAX_PRICE_FEN, "stock": MAX_STOCK, "weight_g": MAX_UNIT_WEIGHT_G}
    response = api_client.post("/api/v1/products", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["price_fen"], response.json()["stock"]) == (MAX_PRICE_FEN, MAX_STOCK)


def test_product_update_refuses_a_price_beyond_the_bound(catalog_shop: Catalog) -> None:
    """The service holds the bound for every caller (pages, admin, imports), not only the API."""
    with pytest.raises(ValidationFailed) as refused:
        product_update(
            product=catalog_shop.kiwi, actor=catalog_shop.cooperative.user, changes={"price_fen": HUGE}
        )
    assert (refused.value.code, refused.value.field) == ("invalid_price_fen", "price_fen")
    catalog_shop.kiwi.refresh_from_db()
    assert catalog_shop.kiwi.price_fen == 5980


@pytest.mark.parametrize(("field", "value"), [("product_id", HUGE), ("quantity", HUGE), ("product_id", 0)])
def test_order_api_refuses_ids_and_quantities_out_of_range(
    catalog_shop: Catalog, api_client: APIClient, make_user: Callable[..., User], field: str, value: int
) -> None:
    """A line's product id and quantity are bounded; the error names the line and its field."""
    api_client.force_authenticate(make_user(username="buyer"))
    line = {"product_id": catalog_shop.kiwi.pk, "quantity": 1, field: value}
    body = {"lines": [line], "recipient": RECIPIENT, "destination_outlet": "VS21"}
    response = api_client.post("/api/v1/orders", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [f"lines.0.{field}"]
    assert Order.objects.count() == 0


def test_order_service_refuses_a_product_id_beyond_the_id_column(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """Pages pass ids straight from the form: an id no column can hold is an unknown product."""
    buyer = make_user(username="buyer")
    with pytest.raises(ValidationFailed) as refused:
        order_place(
            buyer=buyer,
            placed_by=buyer,
            lines=[(HUGE, 1)],
            recipient=Address(**RECIPIENT),
            destination_outlet_code="VS21",
            now=NOW,
        )
    assert (refused.value.code, refused.value.field) == ("unknown_product", "lines")
    assert Order.objects.count() == 0


def test_seller_registration_page_refuses_a_nul_and_registers_nothing(
    catalog_shop: Catalog, make_user: Callable[..., User]
) -> None:
    """A NUL in a form field is a 400 page before the view runs (it would be a 500 on PostgreSQL)."""
    client = Client()
    user = make_user(username="web_farmer")
    client.force_login(user)
    form = {
        "kind": "farmer",
        "name": "王家村\x00李大姐",
        "id_number": make_ric("11010519800101007"),
        "village": "610199001201",
        "home_outlet": "VS11",
        "contact_phone": "13700000055",
    }
    response = client.post("/shop/sellers/register/", form)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not Seller.objects.filter(user=user).exists()
    assert not user.groups.exists()
