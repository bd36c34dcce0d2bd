"""Fixtures and markers shared by every test suite.

- ``@pytest.mark.postgres`` tests are skipped unless the database is PostgreSQL
  (``DATABASE_URL=postgres://…``); CI runs the suite on both.
- ``@pytest.mark.browser`` tests live in ``tests/browser`` and drive Chromium.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from siliu.core.roles import Role
from siliu.core.tests.factories import UserFactory


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """PBKDF2 costs ~0.3 s per hash by design; tests log in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_reference_data() -> Iterator[None]:
    """Each test quotes from its own database's outlets and tariffs, not a snapshot kept from the last
    test (whose rows its rollback removed without a signal)."""
    from siliu.logistics.pricing.reference import reference_forget

    reference_forget()
    yield
    reference_forget()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Each test starts with every client's allowance whole: the rate limits count in the cache, which
    outlives a test's database rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def throttle_rates(settings: Any) -> Callable[..., None]:
    """``throttle_rates(public="3/min")`` → those scopes at those rates for this test (the others as
    configured); the throttles read the rates at each request."""

    def override(**rates: str) -> None:
        current = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **current,
            "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return override


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """``make_user(Role.COURIER, username="li")`` → a saved user holding those roles."""

    def make(*roles: Role, **fields: object) -> User:
        user: User = UserFactory.create(roles=roles, **fields)
        return user

    return make


@pytest.fixture
def client_as(api_client: APIClient, make_user: Callable[..., User]) -> Callable[..., APIClient]:
    """``client_as(Role.AUDITOR)`` → an API client authenticated as a new user with those roles."""

    def login(*roles: Role, **fields: object) -> APIClient:
        api_client.force_authenticate(make_user(*roles, **fields))
        return api_client

    return login
