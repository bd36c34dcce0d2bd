"""Seller registration is not an oracle: a duplicate ID number is still a 409, but every attempt counts
against a strict allowance per user and per address, checked before the number is looked at."""

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.commerce.models import Seller
from siliu.commerce.tests.catalog_fixtures import COOPERATIVE_USCC, Catalog, make_uscc
from siliu.core.roles import Role

pytestmark = pytest.mark.django_db


def registration(id_number: str, **overrides: str) -> dict[str, str]:
    return {
        "kind": "family_farm",
        "name": "河口村家庭农场",
        "id_number": id_number,
        "village": "610199002201",
        "home_outlet": "VS21",
        "contact_phone": "13700000088",
        **overrides,
    }


def test_registration_rates_are_strict_by_default(settings: Any) -> None:
    """Five attempts an hour per user, ten per address."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert (rates["seller_registration"], rates["seller_registration_ip"]) == ("5/hour", "10/hour")


def test_probing_id_numbers_is_throttled_per_user(
    catalog_shop: Catalog, client_as: Callable[..., APIClient], caplog: pytest.LogCaptureFixture
) -> None:
    """The genuine duplicate is a 409 (logged without the number); past the allowance the same probe is a
    429 exactly like any other attempt, and nothing is written."""
    client = client_as(Role.CONSUMER, username="prober")
    before = Seller.objects.count()
    with caplog.at_level(logging.WARNING, logger="siliu.security"):
        duplicate = client.post("/api/v1/sellers", registration(COOPERATIVE_USCC), format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate_id_number")
    prober = User.objects.get(username="prober")
    assert [record.getMessage() for record in caplog.records if record.name == "siliu.security"] == [
        f"seller registration refused: ID number already registered (user {prober.pk})"
    ]
    assert COOPERATIVE_USCC not in caplog.text
    for _attempt in range(4):
        assert client.post("/api/v1/sellers", registration("bad"), format="json").status_code == 400
    probe = client.post("/api/v1/sellers", registration(COOPERATIVE_USCC), format="json")
    fresh = client.post("/api/v1/sellers", registration(make_uscc("92610199MA6X00088")), format="json")
    assert (probe.status_code, fresh.status_code) == (429, 429)
    assert probe.json()["code"] == fresh.json()["code"] == "throttled"
    assert probe.json().keys() == fresh.json().keys() == {"code", "message"}
    assert Seller.objects.count() == before


def test_registration_is_throttled_per_address(
    catalog_shop: Catalog, make_user: Callable[..., User], throttle_rates: Callable[..., None]
) -> None:
    """Many logins behind one address share its allowance; another address has its own."""
    throttle_rates(seller_registration_ip="3/hour")
    codes = []
    for n in range(4):
        client = APIClient()
        client.force_authenticate(make_user(username=f"user{n}"))
        codes.append(client.post("/api/v1/sellers", registration("bad"), format="json").status_code)
    assert codes == [400, 400, 400, 429]
    elsewhere = APIClient()
    elsewhere.force_authenticate(make_user(username="elsewhere"))
    response = elsewhere.post(
        "/api/v1/sellers",
        registration(make_uscc("92610199MA6X00088")),
        format="json",
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 201


def test_registration_page_shares_the_allowance(
    catalog_shop: Catalog, make_user: Callable[..., User], throttle_rates: Callable[..., None]
) -> None:
    """The page counts its posts like the API and answers 429 with the form; viewing the form is free."""
    throttle_rates(seller_registration="2/hour")
    user = make_user(username="web_prober")
    api = APIClient()
    api.force_authenticate(user)
    assert api.post("/api/v1/sellers", registration("bad"), format="json").status_code == 400
    page = Client()
    page.force_login(user)
    assert page.post("/shop/sellers/register/", registration(COOPERATIVE_USCC)).status_code == 409
    refused = page.post("/shop/sellers/register/", registration(make_uscc("92610199MA6X00088")))
    assert refused.status_code == 429
    assert "登记尝试过于频繁" in refused.content.decode()
    assert page.get("/shop/sellers/register/").status_code == 200
    assert not Seller.objects.filter(user=user).exists()
