"""Login lockout (django-axes) on the token endpoint and the login page: after the failure limit the
right password is refused until the cool-off; a success resets the count; the lockout is per username
and address."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

RIGHT = "siliu-demo"


def token_login(
    client: APIClient, password: str, *, username: str = "li", address: str = "198.51.100.1"
) -> Any:
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_limits_are_configured_as_documented(settings: Any) -> None:
    """Five failures, a 15-minute cool-off, per username and address, the project's client address."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_CLIENT_IP_CALLABLE == "siliu.core.ratelimit.client_address"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_token_login_locks_after_five_failures_even_for_the_right_password(
    api_client: APIClient, make_user: Callable[..., User]
) -> None:
    """Four wrong passwords are 400; the fifth locks (429 login_locked); the right one is then refused."""
    make_user(username="li")
    codes = [token_login(api_client, f"wrong-{n}").status_code for n in range(4)]
    assert codes == [400, 400, 400, 400]
    locked = token_login(api_client, "wrong-5")
    assert locked.status_code == 429
    assert locked.json() == {
        "code": "login_locked",
        "message": "登录失败次数过多，该账号已在此地址暂时锁定，请 15 分钟后再试。",
    }
    refused = token_login(api_client, RIGHT)
    assert (refused.status_code, refused.json()["code"]) == (429, "login_locked")
    assert Token.objects.count() == 0


def test_lockout_is_per_username_and_address(api_client: APIClient, make_user: Callable[..., User]) -> None:
    """The locked username logs in from another address; another username logs in from the locked one."""
    make_user(username="li")
    make_user(username="wang")
    for n in range(5):
        token_login(api_client, f"wrong-{n}")
    assert token_login(api_client, RIGHT, address="198.51.100.2").status_code == 200
    assert token_login(api_client, RIGHT, username="wang").status_code == 200
    assert token_login(api_client, RIGHT).status_code == 429


def test_lockout_ends_after_the_cool_off(api_client: APIClient, make_user: Callable[..., User]) -> None:
    """Once the failures are older than the cool-off, the right password gets a token."""
    make_user(username="li")
    for n in range(5):
        token_login(api_client, f"wrong-{n}")
    assert token_login(api_client, RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert token_login(api_client, RIGHT).status_code == 200


def test_a_success_resets_the_failures(api_client: APIClient, make_user: Callable[..., User]) -> None:
    """Four failures, a success, four more failures: still not locked."""
    make_user(username="li")
    for n in range(4):
        token_login(api_client, f"wrong-{n}")
    assert token_login(api_client, RIGHT).status_code == 200
    assert AccessAttempt.objects.count() == 0
    codes = [token_login(api_client, f"again-{n}").status_code for n in range(4)]
    assert codes == [400, 400, 400, 400]
    assert token_login(api_client, RIGHT).status_code == 200


def test_lockout_sees_the_client_behind_a_trusted_proxy(
    api_client: APIClient, make_user: Callable[..., User], settings: Any
) -> None:
    """Axes counts under the project's client address: a made-up X-Forwarded-For changes nothing, and
    behind a trusted proxy the real client is the one locked out."""
    make_user(username="li")
    for n in range(5):
        api_client.post(
            "/api/v1/auth/token",
            {"username": "li", "password": f"wrong-{n}"},
            format="json",
            REMOTE_ADDR="198.51.100.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    assert token_login(api_client, RIGHT).status_code == 429

    settings.SILIU_TRUSTED_PROXIES = ["10.0.0.1"]
    AccessAttempt.objects.all().delete()

    def behind_proxy(password: str, client: str) -> int:
        response = api_client.post(
            "/api/v1/auth/token",
            {"username": "li", "password": password},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.99, {client}",
        )
        return int(response.status_code)

    assert [behind_proxy(f"wrong-{n}", "203.0.113.50") for n in range(5)] == [400, 400, 400, 400, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}
    assert behind_proxy(RIGHT, "203.0.113.50") == 429
    assert behind_proxy(RIGHT, "203.0.113.51") == 200


def test_login_page_locks_after_five_failures(client: Client, make_user: Callable[..., User]) -> None:
    """The page says why (429, in the layout) and does not log in with the right password."""
    make_user(username="li")
    for n in range(4):
        assert client.post("/login/", {"username": "li", "password": f"wrong-{n}"}).status_code == 200
    locked = client.post("/login/", {"username": "li", "password": "wrong-5"})
    assert locked.status_code == 429
    refused = client.post("/login/", {"username": "li", "password": RIGHT})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert 'data-testid="login-refused"' in page
    assert "登录失败次数过多" in page
    assert 'value="li"' in page
    assert "_auth_user_id" not in client.session


def test_login_page_success_resets_the_failures(client: Client, make_user: Callable[..., User]) -> None:
    """Four failures then the right password: logged in, the failures forgotten."""
    make_user(username="li")
    for n in range(4):
        client.post("/login/", {"username": "li", "password": f"wrong-{n}"})
    response = client.post("/login/", {"username": "li", "password": RIGHT})
    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0
