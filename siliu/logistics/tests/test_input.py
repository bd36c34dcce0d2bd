"""Numbers beyond their columns are refused with a 400 naming the field, and nothing is written:
quotes, parcels (API and page), partner manifests, claims and round plans."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.core.errors import ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.roles import Role
from siliu.logistics.models import Parcel, PartnerManifest, RoundPlan
from siliu.logistics.partners.services import partner_register
from siliu.logistics.pricing.quotes import MAX_SIDE_MM, MAX_WEIGHT_G, QuoteRequest, parcel_quote
from siliu.logistics.tests.conftest import MONDAY_0730
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

HUGE = 2**63
QUOTE = {"product": "express", "origin_outlet": "VS11", "destination_outlet": "VS21", "weight_g": 2500}
PARTIES = {
    "sender": {"name": "张三", "phone": "+8613800000001", "address": "青龙镇王家村 1 号"},
    "recipient": {"name": "李四", "phone": "+8613900000002", "address": "柳河乡河口村 8 号"},
}
ROW = {
    "partner_tracking_number": "SF100000000001",
    "recipient_name": "王五",
    "recipient_phone": "+8613900000003",
    "recipient_address": "柳河乡河口村 3 号",
    "destination_outlet": "VS21",
    "weight_g": 800,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_g", HUGE),
        ("weight_g", MAX_WEIGHT_G + 1),
        ("length_mm", HUGE),
        ("width_mm", MAX_SIDE_MM + 1),
        ("height_mm", HUGE),
        ("declared_value_fen", HUGE),
        ("declared_value_fen", MAX_AMOUNT_FEN + 1),
        ("cod_amount_fen", HUGE),
    ],
)
def test_quote_refuses_numbers_beyond_their_bound(
    api_client: APIClient, county: dict[str, Outlet], field: str, value: int
) -> None:
    """2**63 (beyond any column) and one past the business bound: 400 naming the field."""
    response = api_client.post("/api/v1/quotes", {**QUOTE, field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("field", ["length_mm", "declared_value_fen", "cod_amount_fen"])
def test_parcel_create_refuses_2_63_and_writes_nothing(
    client_as: Callable[..., APIClient], county: dict[str, Outlet], field: str
) -> None:
    """Creating a parcel with a number no column holds is a 400, never a half-written parcel."""
    client = client_as(Role.STATION_OPERATOR)
    body = {**QUOTE, **PARTIES, "postage_payment": "cash", "is_insured": True, "declared_value_fen": 100}
    response = client.post("/api/v1/parcels", {**body, field: HUGE}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    assert Parcel.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"length_mm": MAX_SIDE_MM + 1}, "invalid_size", "length_mm"),
        ({"height_mm": -1}, "invalid_size", "height_mm"),
        (
            {"declared_value_fen": MAX_AMOUNT_FEN + 1, "is_insured": True},
            "amount_too_large",
            "declared_value_fen",
        ),
        ({"cod_amount_fen": HUGE}, "amount_too_large", "cod_amount_fen"),
    ],
)
def test_quote_service_holds_the_bounds_for_every_caller(
    county: dict[str, Outlet], change: dict[str, Any], code: str, field: str
) -> None:
    """Pages and manifests quote through the service: it refuses what the API's serializer refuses."""
    request = QuoteRequest(
        product_code="express",
        origin_outlet_code="VS11",
        destination_outlet_code="VS21",
        weight_g=2500,
        **change,
    )
    with pytest.raises(ValidationFailed) as refused:
        parcel_quote(request=request, now=MONDAY_0730)
    assert (refused.value.code, refused.value.field) == (code, field)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"weight_g": str(HUGE)}, "weight_g"), ({"declared_value": "99999999999999999999"}, "declared_value")],
)
def test_parcel_page_refuses_numbers_beyond_their_bound(
    county: dict[str, Outlet], make_user: Callable[..., User], change: dict[str, str], field: str
) -> None:
    """The counter's parcel form: 400 with the field's error, no parcel."""
    client = Client()
    client.force_login(make_user(Role.STATION_OPERATOR))
    form = {
        "product": "express",
        "origin_outlet": "VS11",
        "village": "610199002201",
        "weight_g": "2500",
        "declared_value": "0",
        "cod_amount": "0",
        "sender_name": "张三",
        "sender_phone": "+8613800000001",
        "sender_address": "王家村 1 号",
        "recipient_name": "李四",
        "recipient_phone": "+8613900000002",
        "recipient_address": "河口村 8 号",
        "postage_payment": "cash",
        "send": "1",
        **change,
    }
    response = client.post("/logistics/parcels/new/", form)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Parcel.objects.count() == 0


@pytest.fixture
def manager_client(county: dict[str, Outlet], client_as: Callable[..., APIClient]) -> APIClient:
    partner_register(code="sf", name="顺丰速运", number_pattern="SF[0-9]{12}")
    return client_as(Role.COUNTY_MANAGER)


@pytest.mark.parametrize("weight", [HUGE, str(HUGE), "9" * 5000, MAX_WEIGHT_G + 1])
def test_manifest_row_weight_beyond_the_bound_is_a_row_error(
    manager_client: APIClient, weight: object
) -> None:
    """A row's weight as a huge number or a string of 5,000 digits: a row error, nothing received."""
    body = {"reference": "M-1", "contact_phone": "+8613700000009", "rows": [{**ROW, "weight_g": weight}]}
    response = manager_client.post("/api/v1/partners/sf/manifests", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "manifest_invalid"
    assert list(response.json()["errors"]) == ["rows.1.weight_g"]
    assert (PartnerManifest.objects.count(), Parcel.objects.count()) == (0, 0)


def test_manifest_csv_with_a_nul_is_refused(manager_client: APIClient) -> None:
    """Python's csv reader takes NUL characters; the manifest does not."""
    upload = io.BytesIO(
        b"partner_tracking_number,recipient_name,recipient_phone,recipient_address,destination_outlet,weight_g\n"
        b"SF100000000001,\x00,+8613900000003,x,VS21,800\n"
    )
    upload.name = "manifest.csv"
    response = manager_client.post(
        "/api/v1/partners/sf/manifests",
        {"reference": "CSV-1", "contact_phone": "+8613700000009", "file": upload},
        format="multipart",
    )
    assert response.status_code == 400, response.json()
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid_csv", ["file"])
    assert Parcel.objects.count() == 0


def test_claim_and_round_plan_numbers_are_bounded(
    county: dict[str, Outlet], client_as: Callable[..., APIClient]
) -> None:
    """The endpoints that were bounded already stay so: 400 naming the field."""
    client = client_as(is_staff=True, is_superuser=True)
    claim = {"tracking_number": "EA000000005CN", "kind": "loss", "claimed_loss_fen": HUGE}
    response = client.post("/api/v1/claims", claim, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["claimed_loss_fen"])
    response = client.post("/api/v1/rounds/plan", {"outlet": "TS1", "date": "2026-11-23", "seconds": HUGE})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["seconds"])
    assert RoundPlan.objects.count() == 0
