"""Fixtures of the commerce tests (orders side): the logistics test county, sellers and products."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import Category, Direction, Product, Seller, SellerKind, SellerStatus
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.services import system_account, transfer_create, wallet_open
from siliu.logistics.tests.conftest import MONDAY_0730, county, make_parcel  # noqa: F401
from siliu.network.models import Outlet


@dataclass
class Shop:
    """Two verified sellers: a kiwi cooperative at VS11 and a fertiliser merchant at TS1."""

    county: dict[str, Outlet]
    cooperative: Seller
    merchant: Seller
    kiwi: Product
    fertiliser: Product


def seller_create(
    *, user: User, name: str, kind: SellerKind, outlet: Outlet, serial: str, verified: bool = True
) -> Seller:
    return Seller.objects.create(
        user=user,
        kind=kind,
        name=name,
        village=outlet.region,
        home_outlet=outlet,
        id_number_encrypted=f"test-{serial}",
        id_number_hash=f"hash-{serial}",
        id_number_masked="9161****0001",
        contact_phone="+8613800000011",
        status=SellerStatus.VERIFIED if verified else SellerStatus.PENDING,
        verified_at=MONDAY_0730 if verified else None,
        created_at=MONDAY_0730 - datetime.timedelta(days=30),
    )


def product_create(*, seller: Seller, name: str, **fields: object) -> Product:
    values: dict[str, object] = {
        "category": Category.FRUIT,
        "direction": Direction.UPWARD,
        "unit": "箱",
        "price_fen": 5980,
        "stock": 100,
        "weight_g": 2500,
        "created_at": MONDAY_0730 - datetime.timedelta(days=10),
    }
    values.update(fields)
    return Product.objects.create(seller=seller, name=name, **values)


@pytest.fixture
def shop(county: dict[str, Outlet], make_user: Callable[..., User]) -> Shop:  # noqa: F811
    cooperative = seller_create(
        user=make_user(Role.SELLER, username="kiwi_coop"),
        name="王家村猕猴桃专业合作社",
        kind=SellerKind.COOPERATIVE,
        outlet=county["VS11"],
        serial="1",
    )
    merchant = seller_create(
        user=make_user(Role.SELLER, username="nongzi"),
        name="青龙镇农资店",
        kind=SellerKind.MERCHANT,
        outlet=county["TS1"],
        serial="2",
    )
    kiwi = product_create(seller=cooperative, name="徐香猕猴桃 5斤装")
    fertiliser = product_create(
        seller=merchant,
        name="复合肥 10公斤",
        category=Category.FERTILISER,
        direction=Direction.DOWNWARD,
        unit="袋",
        price_fen=8500,
        weight_g=10_000,
    )
    return Shop(county, cooperative, merchant, kiwi, fertiliser)


@pytest.fixture
def fund() -> Callable[[User, int], None]:
    """``fund(user, amount_fen)``: put money on the user's wallet (from capital, for tests)."""

    def top_up(user: User, amount_fen: int) -> None:
        system_account(code=chart.CAPITAL)
        transfer_create(
            id=f"test:fund:{user.pk}:{amount_fen}",
            debit_account=chart.CAPITAL,
            credit_account=wallet_open(user=user).code,
            amount_fen=amount_fen,
        )

    return top_up


# Catalogue side (sellers, trace batches, products through siliu.commerce.catalog.services).
from siliu.commerce.tests.catalog_fixtures import catalog_shop  # noqa: E402, F401
