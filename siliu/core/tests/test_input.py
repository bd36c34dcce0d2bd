"""Bad input never reaches a view or the database: deep JSON, NUL characters and oversized bodies are
refused with a 4xx in the project's error shape (JSON under /api/, the site's page elsewhere)."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from siliu.core.parsers import MAX_JSON_DEPTH, json_check
from siliu.core.roles import Role
from siliu.core.tests.factories import UserFactory
from siliu.finance.models import Transfer

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    """A JSON body of ``depth`` nested arrays inside the token request's fields."""
    return json.dumps({"username": "u", "password": "p", "x": 0}).replace("0", "[" * depth + "]" * depth)


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert list(body["errors"]) == [field]


# --- JSON nested too deep --------------------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_a_400_on_the_public_token_endpoint(api_client: APIClient) -> None:
    """1,000 nested arrays used to end in a RecursionError (500); now 400 json_too_deep, no token made."""
    UserFactory.create(username="u")
    response = api_client.post("/api/v1/auth/token", nested(1000), content_type="application/json")
    assert_error(response, 400, "json_too_deep")
    assert Token.objects.count() == 0


def test_json_depth_limit_is_exact() -> None:
    """MAX_JSON_DEPTH levels of arrays and objects pass; one more is refused."""
    deepest: Any = "leaf"
    for level in range(MAX_JSON_DEPTH):
        deepest = [deepest] if level % 2 else {"k": deepest}
    json_check(deepest)
    with pytest.raises(Exception) as refused:
        json_check([deepest])
    assert getattr(refused.value, "code", None) == "json_too_deep"


def test_json_within_the_depth_limit_reaches_the_view(api_client: APIClient) -> None:
    """A body nested to the limit is parsed and judged by the view's serializer as usual."""
    UserFactory.create(username="u")
    response = api_client.post(
        "/api/v1/auth/token", nested(MAX_JSON_DEPTH - 1), content_type="application/json"
    )
    assert_error(response, 400, "invalid_credentials", "password")


def test_deep_json_to_a_logged_in_endpoint_is_a_400(client_as: Callable[..., APIClient]) -> None:
    """The default parser guards every API view, not only the public ones."""
    client = client_as(Role.CONSUMER)
    body = json.dumps({"product": "express", "origin_outlet": "[]"}).replace('"[]"', "[" * 1000 + "]" * 1000)
    assert_error(client.post("/api/v1/parcels", body, content_type="application/json"), 400, "json_too_deep")


# --- NUL characters ----------------------------------------------------------------------------------


def test_nul_in_a_public_page_path_is_the_sites_400_page() -> None:
    """A NUL in a page's path never reaches the database (PostgreSQL refuses it in text)."""
    response = Client().get("/track/EA%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL" in response.content.decode()


def test_nul_in_a_public_page_query_is_a_400() -> None:
    """The query string is checked as well as the path."""
    response = Client().get("/shop/?search=%E8%8B%B9%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_nul_in_a_public_api_path_and_query_is_a_json_400(api_client: APIClient) -> None:
    """Under /api/ the refusal is the API's error shape, naming the query parameter."""
    assert_error(api_client.get("/api/v1/outlets/HUB%00"), 400, "nul_character", "path")
    assert_error(api_client.get("/api/v1/outlets?search=a%00b"), 400, "nul_character", "search")


def test_nul_in_a_logged_in_api_path_is_a_json_400() -> None:
    """A token-authenticated request is refused the same way, before its token is even looked up."""
    user = UserFactory.create(username="sender")
    token = Token.objects.create(user=user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert_error(client.get("/api/v1/parcels/EA%00CN"), 400, "nul_character", "path")


def test_nul_in_a_json_string_is_a_400_naming_the_field(
    api_client: APIClient, client_as: Callable[..., APIClient]
) -> None:
    """JSON strings and keys are checked by the parser, with the dotted path of the field."""
    UserFactory.create(username="u")
    response = api_client.post("/api/v1/auth/token", {"username": "u\x00", "password": "p"}, format="json")
    assert_error(response, 400, "nul_character", "username")
    assert Token.objects.count() == 0
    response = client_as(is_staff=True, is_superuser=True).post(
        "/api/v1/transfers/batch", {"transfers": [{"id": "a", "reference": "r\x00"}]}, format="json"
    )
    assert_error(response, 400, "nul_character", "transfers.0.reference")
    assert Transfer.objects.count() == 0


# --- bodies over the limit -----------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_json_413(api_client: APIClient, settings: Settings) -> None:
    """Django's own refusal (an HTML 400) becomes the API's error shape with code body_too_large."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    UserFactory.create(username="u")
    body = {"username": "u", "password": "p" * 2000}
    response = api_client.post("/api/v1/auth/token", body, format="json")
    assert_error(response, 413, "body_too_large")
    assert Token.objects.count() == 0


def test_a_form_body_over_the_limit_is_a_json_413_under_api(
    api_client: APIClient, settings: Settings
) -> None:
    """Form and multipart bodies, read before any view, are refused the same way."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post("/api/v1/auth/token", {"username": "u", "password": "p" * 2000})
    assert_error(response, 413, "body_too_large")


def test_a_page_form_over_the_limit_is_a_413_page(client: Client, settings: Settings) -> None:
    """Pages answer with the site's plain page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/login/", {"username": "u", "password": "p" * 2000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")


def test_an_unreadable_multipart_body_is_a_json_400(api_client: APIClient) -> None:
    """A multipart body without a boundary: 400 invalid_body (Django's parser error was a 500)."""
    response = api_client.post("/api/v1/auth/token", b"x", content_type="multipart/form-data")
    assert_error(response, 400, "invalid_body")
    assert Token.objects.count() == 0


def test_too_many_form_fields_is_a_json_400(api_client: APIClient, settings: Settings) -> None:
    """More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: 400 too_many_fields, not an HTML page."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api_client.post("/api/v1/auth/token", {f"f{n}": "x" for n in range(20)})
    assert_error(response, 400, "too_many_fields")


# --- ids beyond the id column ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/99999999999999999999",
        "/api/v1/products/99999999999999999999",
        "/api/v1/rounds/99999999999999999999",
        "/shop/products/99999999999999999999/",
        "/logistics/claims/99999999999999999999/",
    ],
)
def test_an_id_beyond_the_id_column_is_not_found(client_as: Callable[..., APIClient], url: str) -> None:
    """A path id no 64-bit column holds is simply not found (404), on either database."""
    client = client_as(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get())
    assert client.get(url).status_code == 404
