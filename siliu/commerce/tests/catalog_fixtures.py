"""Fixtures of the catalogue tests: sellers registered and verified through the catalogue services.

Imported by ``conftest.py``; the county (``county``) is the logistics tests' county.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from stdnum.cn import ric, uscc

from siliu.commerce.catalog.services import product_create, seller_register, seller_verify
from siliu.commerce.models import (
    Category,
    Direction,
    InspectionResult,
    Product,
    Seller,
    SellerKind,
    TraceBatch,
)
from siliu.commerce.trace.services import trace_batch_create
from siliu.core.roles import Role
from siliu.logistics.tests.conftest import MONDAY_0730
from siliu.network.models import Outlet

#: When the catalogue tests act: a Monday morning in the county.
NOW = MONDAY_0730


def make_uscc(body: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return body + uscc.calc_check_digit(body)


def make_ric(body: str) -> str:
    """A valid resident ID number from its first 17 digits (the check digit is computed)."""
    return body + ric.calc_check_digit(body + "0")


COOPERATIVE_USCC = make_uscc("93610199MA6X00001")
FARMER_RIC = make_ric("11010519491231002")


@dataclass
class Catalog:
    """A verified kiwi cooperative at 王家村 with a batch and a product; a pending farmer at 河口村."""

    county: dict[str, Outlet]
    manager: User
    cooperative: Seller
    farmer: Seller
    batch: TraceBatch
    kiwi: Product


@pytest.fixture
def catalog_shop(county: dict[str, Outlet], make_user: Callable[..., User]) -> Catalog:
    manager = make_user(Role.COUNTY_MANAGER, username="county_boss")
    cooperative = seller_register(
        user=make_user(username="coop_user"),
        kind=SellerKind.COOPERATIVE,
        name="王家村猕猴桃合作社",
        id_number=COOPERATIVE_USCC,
        village=county["VS11"].region,
        home_outlet=county["VS11"],
        contact_phone="+8613700000001",
        now=NOW - datetime.timedelta(days=40),
    )
    cooperative = seller_verify(
        seller=cooperative, actor=manager, approve=True, now=NOW - datetime.timedelta(days=39)
    )
    farmer = seller_register(
        user=make_user(username="farmer_user"),
        kind=SellerKind.FARMER,
        name="河口村张大伯",
        id_number=FARMER_RIC,
        village=county["VS21"].region,
        home_outlet=county["VS21"],
        contact_phone="13700000002",
        now=NOW - datetime.timedelta(days=2),
    )
    batch = trace_batch_create(
        seller=cooperative,
        actor=cooperative.user,
        product_name="徐香猕猴桃",
        place="王家村三组 5 号地块",
        harvested_on=datetime.date(2026, 10, 20),
        quantity=2000,
        unit="公斤",
        inspection_result=InspectionResult.PASSED,
        inspection_note="农残检测合格",
        certificates=["绿色食品证书 LB-45-2026"],
        now=NOW - datetime.timedelta(days=30),
    )
    kiwi = product_create(
        seller=cooperative,
        actor=cooperative.user,
        name="徐香猕猴桃 5斤装",
        category=Category.FRUIT,
        direction=Direction.UPWARD,
        unit="箱",
        price_fen=5980,
        stock=100,
        weight_g=2600,
        trace_batch=batch,
        description="当季现摘",
        now=NOW - datetime.timedelta(days=29),
    )
    return Catalog(county, manager, cooperative, farmer, batch, kiwi)
