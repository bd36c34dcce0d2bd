"""Rate limits: who the client is (behind proxies or not), per-address and per-user allowances, the
public endpoints and pages they cover, and seller registration."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from siliu.core.ratelimit import client_address

pytestmark = pytest.mark.django_db


# --- The client's address ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        # No proxy is trusted: the header is the client's own words, and ignored.
        ([], "198.51.100.9", "203.0.113.7", "198.51.100.9"),
        # A trusted proxy: the right-most entry it wrote, not the made-up one on the left.
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # Two trusted proxies (a network): skip the inner one.
        (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # A peer that is not the trusted proxy is the client, whatever it forwards.
        (["10.0.0.1"], "10.0.0.9", "203.0.113.7", "10.0.0.9"),
        # Every hop trusted: the left-most one.
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),
        # A trusted proxy that sent no header, or nonsense: the proxy itself.
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, unknown", "10.0.0.1"),
        # IPv6, canonical form; ports, which some proxies add, dropped.
        (["::1"], "::1", "2001:DB8:0::1", "2001:db8::1"),
        (["10.0.0.1"], "10.0.0.1", "203.0.113.7:4711", "203.0.113.7"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::1]:4711", "2001:db8::1"),
    ],
)
def test_client_address_believes_only_trusted_proxies(
    settings: Any, trusted: list[str], remote: str, forwarded: str, client: str
) -> None:
    """The socket peer, or behind trusted proxies the right-most forwarded entry that is not one."""
    settings.SILIU_TRUSTED_PROXIES = trusted
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    assert client_address(request) == client


def test_made_up_forwarded_for_headers_are_one_client(
    api_client: APIClient, throttle_rates: Callable[..., None]
) -> None:
    """150 requests, each claiming another address in X-Forwarded-For, share one allowance."""
    throttle_rates(public="100/min")
    codes = [
        api_client.get("/api/v1/outlets", HTTP_X_FORWARDED_FOR=f"203.0.{n // 250}.{n % 250 + 1}").status_code
        for n in range(150)
    ]
    assert codes == [200] * 100 + [429] * 50


def test_clients_behind_a_trusted_proxy_are_told_apart(
    api_client: APIClient, settings: Any, throttle_rates: Callable[..., None]
) -> None:
    """Behind the configured proxy, each real client has its own allowance; a spoofed left part is moot."""
    settings.SILIU_TRUSTED_PROXIES = ["10.0.0.1"]
    throttle_rates(public="2/min")

    def get(forwarded: str) -> int:
        return api_client.get(
            "/api/v1/outlets", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [get(f"198.51.100.{n}, 203.0.113.7") for n in range(3)] == [200, 200, 429]
    assert [get("203.0.113.8") for _ in range(3)] == [200, 200, 429]


# --- Per address, per user -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/outlets"),
        ("get", "/api/v1/outlets/NOPE"),
        ("get", "/api/v1/products"),
        ("get", "/api/v1/products/999999"),
        ("post", "/api/v1/quotes"),
        ("get", "/api/v1/parcels/XX000000000CN/events"),
        ("get", "/api/v1/trace/ZZZZZZZZZZ"),
        ("get", "/network/outlets/"),
        ("get", "/network/outlets/NOPE/"),
        ("get", "/network/map/"),
        ("get", "/shop/"),
        ("get", "/shop/products/999999/"),
        ("get", "/track/XX000000000CN"),
        ("get", "/t/ZZZZZZZZZZ"),
    ],
)
def test_every_public_endpoint_and_page_is_limited_per_address(
    client: Client, throttle_rates: Callable[..., None], method: str, path: str
) -> None:
    """Anonymous clients get SILIU_PUBLIC_RATE on each public endpoint and page, then 429."""
    throttle_rates(public="2/min")
    for _attempt in range(2):
        assert getattr(client, method)(path).status_code != 429
    refused = getattr(client, method)(path)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_token_requests_are_limited_per_user(
    make_user: Callable[..., User], throttle_rates: Callable[..., None]
) -> None:
    """A token has SILIU_USER_RATE requests per user, not the public allowance; another user has their own."""
    throttle_rates(public="1/min", user="3/min")
    clients = []
    for username in ("li", "wang"):
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=make_user(username=username))}"
        )
        clients.append(client)
    assert [clients[0].get("/api/v1/wallet").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = clients[0].get("/api/v1/outlets")
    assert (refused.status_code, refused.json()["code"]) == (429, "throttled")
    assert clients[1].get("/api/v1/outlets").status_code == 200


def test_session_requests_are_limited_per_user(
    make_user: Callable[..., User], throttle_rates: Callable[..., None]
) -> None:
    """A logged-in browser draws on the same per-user allowance through the API and public pages."""
    throttle_rates(public="1/min", user="3/min")
    client = Client()
    client.force_login(make_user(username="li"))
    assert [client.get("/api/v1/wallet").status_code for _ in range(2)] == [200, 200]
    assert client.get("/network/outlets/").status_code == 200
    assert client.get("/network/outlets/").status_code == 429
    assert client.get("/api/v1/wallet").status_code == 429


def test_token_login_is_limited_per_address(
    api_client: APIClient, make_user: Callable[..., User], throttle_rates: Callable[..., None]
) -> None:
    """SILIU_LOGIN_RATE login attempts per address, whichever usernames they name."""
    throttle_rates(login="3/min")
    make_user(username="li")
    codes = [
        api_client.post("/api/v1/auth/token", {"username": name, "password": "x"}, format="json").status_code
        for name in ("a", "b", "c", "li")
    ]
    assert codes == [400, 400, 400, 429]


def test_login_page_is_limited_per_address(
    client: Client, make_user: Callable[..., User], throttle_rates: Callable[..., None]
) -> None:
    """The login form takes SILIU_LOGIN_RATE posts per address; past it even the right password waits."""
    throttle_rates(login="2/min")
    make_user(username="li")
    assert client.post("/login/", {"username": "a", "password": "x"}).status_code == 200
    assert client.post("/login/", {"username": "b", "password": "x"}).status_code == 200
    refused = client.post("/login/", {"username": "li", "password": "siliu-demo"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
