from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed
from siliu.core.rest import exception_handler

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "status"),
    [(ValidationFailed, 400), (PermissionRefused, 403), (NotFound, 404), (Conflict, 409)],
)
def test_domain_errors_map_to_their_status(error: type[DomainError], status: int) -> None:
    """One handler turns each DomainError kind into its HTTP status with code and message."""
    response = exception_handler(error("some_code", "说明", field="amount_fen"), {})
    assert response is not None
    assert response.status_code == status
    assert response.data == {"code": "some_code", "message": "说明", "errors": {"amount_fen": ["说明"]}}


def test_token_login_returns_a_token_that_authenticates(
    api_client: APIClient, make_user: Callable[..., User]
) -> None:
    """POST /api/v1/auth/token gives a token usable as `Authorization: Token …`."""
    user = make_user(username="li")
    response = api_client.post(
        "/api/v1/auth/token", {"username": "li", "password": "siliu-demo"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/outlets").status_code == 200


def test_token_login_with_wrong_password_is_400(
    api_client: APIClient, make_user: Callable[..., User]
) -> None:
    """A wrong password is a 400 naming the password field, and no token is created."""
    make_user(username="li")
    response = api_client.post("/api/v1/auth/token", {"username": "li", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert "password" in response.json()["errors"]
    assert Token.objects.count() == 0


def test_token_login_missing_fields_is_400(api_client: APIClient) -> None:
    """Missing username and password are reported field by field."""
    response = api_client.post("/api/v1/auth/token", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_bad_token_is_401(api_client: APIClient) -> None:
    """An unknown token is refused with the standard error body."""
    api_client.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    response = api_client.get("/api/v1/outlets")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_path_is_json_404(client: Client) -> None:
    """An unknown path under /api/ answers in the API's JSON error shape."""
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_and_docs_are_served(client: Client) -> None:
    """The OpenAPI schema lists the outlet and token endpoints; Swagger UI renders."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/outlets", "/api/v1/outlets/{code}", "/api/v1/auth/token"} <= set(paths)
    assert client.get("/api/docs/").status_code == 200
