"""Fixtures of the information flow's tests: the commerce tests' county, shop and wallets."""

from siliu.commerce.tests.conftest import fund, shop  # noqa: F401
from siliu.logistics.tests.conftest import county  # noqa: F401
