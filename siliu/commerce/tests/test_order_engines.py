"""The two order writers agree: Python (every database) and PL/pgSQL ``siliu_place_order`` (PostgreSQL).

On PostgreSQL both can run: each order is planned from a seeded identifier source and written by the
Python engine inside a savepoint, every row it wrote recorded and rolled back, then planned again from
the same seed and written by ``siliu_place_order``; the rows must be identical, column for column,
with database ids (sequences are not rolled back) replaced by the order number, the tracking number or
the account code. The refusals and the idempotency key are checked on each engine the database has.

The shop is the one in ``conftest``: kiwis (¥59.80 a 2.5 kg box) from a cooperative at VS11,
fertiliser (¥85.00 a 10 kg bag) from a merchant at TS1; here also apples (¥49.99 a 5 kg box) from a
family farm at VS12. Two boxes of kiwis to VS21 cost ¥131.60 with postage.
"""

import contextlib
import datetime
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from django.contrib.auth.models import User
from django.db import models, transaction

from siliu.commerce.models import (
    Order,
    OrderEvent,
    OrderLine,
    PaymentMethod,
    Product,
    Seller,
    SellerKind,
    SellerStatus,
    Shipment,
)
from siliu.commerce.orders.services import _order_plan, order_place
from siliu.commerce.orders.writers import OrderPlan, order_write_postgresql, order_write_python
from siliu.commerce.tests.conftest import Shop, product_create, seller_create
from siliu.core import ids
from siliu.core.errors import DomainError
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, Entry, Transfer
from siliu.finance.services import counter_cash_admit, transfer_create, wallet_open
from siliu.logistics.models import Parcel, ParcelEvent, TrackingRange
from siliu.logistics.parcels.s10 import s10_format
from siliu.logistics.parcels.services import Address
from siliu.logistics.tests.conftest import MONDAY_0730, SHANGHAI
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
Fund = Callable[[User, int], None]
Engine = Callable[[OrderPlan], int | None]
Snapshot = dict[str, list[dict[str, Any]]]

RECIPIENT = Address("李四", "+8613900000002", "陕西省示范县柳河乡河口村 8 号")
ENGINES = [
    pytest.param(order_write_python, id="python"),
    pytest.param(order_write_postgresql, id="postgresql", marks=pytest.mark.postgres),
]


def ha(serial: int) -> str:
    """The S10 number ``serial`` of the e-commerce parcel's range (``HA``)."""
    return s10_format(service_indicator="HA", serial=serial)


@pytest.fixture
def buyer(make_user: MakeUser, fund: Fund) -> User:
    user = make_user(Role.CONSUMER, username="buyer")
    fund(user, 50_000)
    return user


@pytest.fixture
def apples(shop: Shop, make_user: MakeUser) -> Product:
    """A second upward seller's product: a family farm at VS12."""
    farm = seller_create(
        user=make_user(Role.SELLER, username="apples"),
        name="李家沟苹果家庭农场",
        kind=SellerKind.FAMILY_FARM,
        outlet=shop.county["VS12"],
        serial="3",
    )
    return product_create(seller=farm, name="红富士苹果 10斤", price_fen=4999, weight_g=5000)


def plan_order(*, buyer: User, lines: list[tuple[int, int]], seed: str = "order", **fields: Any) -> OrderPlan:
    """The plan ``order_place`` would write, its order number and pickup codes drawn from ``seed``."""
    values: dict[str, Any] = {
        "buyer": buyer,
        "placed_by": buyer,
        "lines": lines,
        "recipient": RECIPIENT,
        "destination_outlet_code": "VS21",
        "destination_region_code": None,
        "payment_method": PaymentMethod.WALLET,
        "idempotency_key": "",
        "now": MONDAY_0730,
    }
    values.update(fields)
    with ids.seeded(seed):
        return _order_plan(**values)


# ---------------------------------------------------------------------------------------------------
# Snapshots


def rows(
    model: type[models.Model], keys: dict[str, dict[Any, Any]], *, leave_out: tuple[str, ...] = ("id",)
) -> list[dict[str, Any]]:
    """Every row of ``model`` in id order, every column but ``leave_out``, the ids in ``keys``'s
    columns replaced by stable keys (an id with no key stays as it is, and so shows)."""
    columns = [field.attname for field in model._meta.concrete_fields]
    found = []
    for row in model._default_manager.order_by("pk").values(*columns):
        for column, key in keys.items():
            row[column] = key.get(row[column], row[column])
        for column in leave_out:
            del row[column]
        found.append(row)
    return found


def snapshot() -> Snapshot:
    """Every row an order writer may write or change, ids replaced by order and tracking numbers and
    account codes. Accounts leave out ``created_at`` too: ``auto_now_add`` takes the wall clock when
    the counter-cash gate opens the station's drawer account for a counter-cash order."""
    orders = dict(Order.objects.values_list("pk", "number"))
    parcels = dict(Parcel.objects.values_list("pk", "tracking_number"))
    accounts = dict(Account.objects.values_list("pk", "code"))
    return {
        "orders": rows(Order, {}),
        "lines": rows(OrderLine, {"order_id": orders}),
        "order events": rows(OrderEvent, {"order_id": orders}),
        "parcels": rows(Parcel, {}),
        "parcel events": rows(ParcelEvent, {"parcel_id": parcels}),
        "shipments": rows(Shipment, {"order_id": orders, "parcel_id": parcels}),
        "transfers": rows(
            Transfer, {"debit_account_id": accounts, "credit_account_id": accounts}, leave_out=()
        ),
        "entries": rows(Entry, {"account_id": accounts}),
        "accounts": rows(Account, {}, leave_out=("id", "created_at")),
        "products": rows(Product, {}, leave_out=()),
        "tracking ranges": rows(TrackingRange, {}, leave_out=()),
    }


def assert_objects_are_the_rows(plan: OrderPlan) -> None:
    """The objects the writer leaves in ``plan`` are saved and hold exactly their rows' columns (ids,
    tracking numbers, the shipments' ``parcel_id`` and the lines' ``order_id`` included)."""
    objects: list[models.Model] = [plan.order, *plan.lines, *plan.events, *plan.parcels, *plan.shipments]
    for instance in objects:
        model = type(instance)
        columns = [field.attname for field in model._meta.concrete_fields]
        assert instance.pk is not None and not instance._state.adding, instance
        in_memory = {column: getattr(instance, column) for column in columns}
        assert model._default_manager.filter(pk=instance.pk).values(*columns).get() == in_memory
    assert [shipment.parcel_id for shipment in plan.shipments] == [parcel.pk for parcel in plan.parcels]
    assert {line.order_id for line in plan.lines} == {plan.order.pk}
    assert all(parcel.tracking_number for parcel in plan.parcels)


class _RollBack(Exception):
    pass


def written_by(engine: Engine, planned: Callable[[], OrderPlan]) -> tuple[list[str], Snapshot]:
    """Plan, write with ``engine`` and snapshot, all undone: the tracking numbers and the rows."""
    outcome: tuple[list[str], Snapshot] | None = None
    with contextlib.suppress(_RollBack), transaction.atomic():
        plan = planned()
        if plan.cash_outlet is not None:  # as order_place does: the station's gate first, in one transaction
            counter_cash_admit(
                outlet=plan.cash_outlet,
                amount_fen=plan.order.total_fen,
                cash_in=True,
                transfer_id=plan.hold.id,
                now=plan.order.created_at,
            )
        assert engine(plan) is None
        assert_objects_are_the_rows(plan)
        outcome = ([parcel.tracking_number for parcel in plan.parcels], snapshot())
        raise _RollBack
    assert outcome is not None
    return outcome


# ---------------------------------------------------------------------------------------------------
# The engines write the same rows


class Case(NamedTuple):
    """What to place, and what the engines must agree on besides each other."""

    fields: dict[str, Any]
    #: The parcels' tracking numbers, in the plan's order.
    numbers: list[str]
    #: When the goods are ready: every parcel is promised after it.
    ready_at: datetime.datetime = MONDAY_0730


def one_seller(shop: Shop, buyer: User, apples: Product, make_user: MakeUser) -> Case:
    """Two of the cooperative's products: two lines, one parcel."""
    dried = product_create(seller=shop.cooperative, name="猕猴桃干 500克", price_fen=2800, weight_g=600)
    return Case({"buyer": buyer, "lines": [(shop.kiwi.pk, 2), (dried.pk, 3)]}, [ha(10_000_000)])


def two_sellers(shop: Shop, buyer: User, apples: Product, make_user: MakeUser) -> Case:
    """Kiwis and apples: two parcels, numbered in seller order; placed with an idempotency key."""
    fields = {"buyer": buyer, "lines": [(apples.pk, 3), (shop.kiwi.pk, 1)], "idempotency_key": "k-1"}
    return Case(fields, [ha(10_000_000), ha(10_000_001)])


def presale(shop: Shop, buyer: User, apples: Product, make_user: MakeUser) -> Case:
    """A pre-sale harvest shipping in three weeks with a kiwi box: one parcel promised from then."""
    harvest = product_create(
        seller=shop.cooperative,
        name="红阳猕猴桃 预售",
        is_presale=True,
        ships_from=datetime.date(2026, 12, 14),
    )
    lines = [(harvest.pk, 1), (shop.kiwi.pk, 1)]
    return Case(
        {"buyer": buyer, "lines": lines},
        [ha(10_000_000)],
        datetime.datetime(2026, 12, 14, 8, tzinfo=SHANGHAI),
    )


def counter_cash(shop: Shop, buyer: User, apples: Product, make_user: MakeUser) -> Case:
    """Fertiliser for a villager with no wallet, paid in cash at VS21 by its operator."""
    operator = make_user(Role.STATION_OPERATOR, username="vs21")
    Outlet.objects.filter(code="VS21").update(operator=operator)
    fields = {
        "buyer": make_user(Role.CONSUMER, username="villager"),
        "placed_by": operator,
        "lines": [(shop.fertiliser.pk, 2)],
        "payment_method": PaymentMethod.COUNTER_CASH,
    }
    return Case(fields, [s10_format(service_indicator="CA", serial=10_000_000)])


def range_spill(shop: Shop, buyer: User, apples: Product, make_user: MakeUser) -> Case:
    """Two parcels when the e-commerce range holds one number: the second comes from the next range."""
    first = TrackingRange.objects.get(product__code="ecommerce")
    TrackingRange.objects.filter(pk=first.pk).update(next_serial=first.last_serial)
    TrackingRange.objects.create(
        product_id=first.product_id, service_indicator="HB", first_serial=1, last_serial=999, next_serial=1
    )
    numbers = [ha(99_999_999), s10_format(service_indicator="HB", serial=1)]
    return Case({"buyer": buyer, "lines": [(shop.kiwi.pk, 1), (apples.pk, 1)]}, numbers)


def to_region(shop: Shop, buyer: User, apples: Product, make_user: MakeUser) -> Case:
    """Kiwis to an address in another province (no destination station)."""
    fields = {
        "buyer": buyer,
        "lines": [(shop.kiwi.pk, 2)],
        "destination_outlet_code": None,
        "destination_region_code": "110105",
    }
    return Case(fields, [ha(10_000_000)])


@pytest.mark.postgres
@pytest.mark.parametrize("case", [one_seller, two_sellers, presale, counter_cash, range_spill, to_region])
def test_python_and_postgresql_engines_write_the_same_rows(
    shop: Shop,
    buyer: User,
    apples: Product,
    make_user: MakeUser,
    case: Callable[..., Case],
) -> None:
    """The same plan written by each engine leaves the same rows, column for column, and the same
    objects; the parcels get the numbers expected."""
    fields, numbers, ready_at = case(shop, buyer, apples, make_user)
    before = snapshot()
    numbers_in_python, in_python = written_by(order_write_python, lambda: plan_order(**fields))
    assert snapshot() == before
    numbers_in_postgresql, in_postgresql = written_by(order_write_postgresql, lambda: plan_order(**fields))
    assert snapshot() == before
    assert numbers_in_python == numbers_in_postgresql == numbers
    (order,) = in_python["orders"]
    assert [parcel["tracking_number"] for parcel in in_python["parcels"]] == numbers
    assert min(parcel["promised_at"] for parcel in in_python["parcels"]) > ready_at
    hold = "escrow-cash" if order["payment_method"] == PaymentMethod.COUNTER_CASH else "escrow"
    transfer_ids = {transfer["id"] for transfer in in_python["transfers"]}
    assert transfer_ids - {transfer["id"] for transfer in before["transfers"]} == {
        f"order:{order['number']}:{hold}"
    }
    for table, table_rows in in_python.items():
        assert in_postgresql[table] == table_rows, table
    assert in_postgresql == in_python


# ---------------------------------------------------------------------------------------------------
# Refusals: the world changed between planning and writing


def lower_apples(shop: Shop, apples: Product, buyer: User) -> None:
    Product.objects.filter(pk=apples.pk).update(stock=2)


def deactivate_kiwis(shop: Shop, apples: Product, buyer: User) -> None:
    Product.objects.filter(pk=shop.kiwi.pk).update(is_active=False)


def suspend_cooperative(shop: Shop, apples: Product, buyer: User) -> None:
    Seller.objects.filter(pk=shop.cooperative.pk).update(status=SellerStatus.SUSPENDED)


def spend_wallet(shop: Shop, apples: Product, buyer: User) -> None:
    """The buyer spends ¥450.00 of ¥500.00 elsewhere: ¥50.00 left, less than the ¥269.57 of goods alone."""
    transfer_create(
        id="test:spent",
        debit_account=wallet_open(user=buyer).code,
        credit_account=chart.CAPITAL,
        amount_fen=45_000,
    )


def delete_kiwis(shop: Shop, apples: Product, buyer: User) -> None:
    Product.objects.filter(pk=shop.kiwi.pk).delete()


def exhaust_ranges(shop: Shop, apples: Product, buyer: User) -> None:
    TrackingRange.objects.create(
        product=TrackingRange.objects.get(service_indicator="HA").product,
        service_indicator="HB",
        first_serial=1,
        last_serial=10,
        next_serial=11,
    )
    TrackingRange.objects.filter(product__code="ecommerce").update(next_serial=models.F("last_serial") + 1)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("change", "code", "message", "field"),
    [
        (lower_apples, "insufficient_stock", "红富士苹果 10斤 库存不足（剩 2 箱）", "lines"),
        (deactivate_kiwis, "product_unavailable", "徐香猕猴桃 5斤装 暂不可购买", "lines"),
        (suspend_cooperative, "product_unavailable", "徐香猕猴桃 5斤装 暂不可购买", "lines"),
        (delete_kiwis, "product_unavailable", "徐香猕猴桃 5斤装 暂不可购买", "lines"),
        (spend_wallet, "exceeds_credits", "余额不足", None),
        (exhaust_ranges, "tracking_numbers_exhausted", "电商包裹 的邮件号段已用完，请配置新号段", None),
    ],
    ids=[
        "stock_lowered",
        "product_deactivated",
        "seller_suspended",
        "product_deleted",
        "wallet_spent",
        "ranges_exhausted",
    ],
)
def test_writer_refuses_what_changed_since_planning_and_writes_nothing(
    shop: Shop,
    buyer: User,
    apples: Product,
    engine: Engine,
    change: Callable[[Shop, Product, User], None],
    code: str,
    message: str,
    field: str | None,
) -> None:
    """Short stock (named, with what is left), an unavailable product, a short wallet or no S10 number
    left: refused with the code, and no row written or changed."""
    plan = plan_order(buyer=buyer, lines=[(shop.kiwi.pk, 2), (apples.pk, 3)])
    assert plan.order.goods_fen == 2 * 5980 + 3 * 4999
    change(shop, apples, buyer)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        engine(plan)
    assert (refused.value.code, refused.value.message, refused.value.field) == (code, message, field)
    assert snapshot() == before


@pytest.mark.parametrize("engine", ENGINES)
def test_products_are_refused_in_id_order_a_deleted_one_in_its_turn(
    shop: Shop, buyer: User, apples: Product, engine: Engine
) -> None:
    """Kiwis deleted and apples short since planning: the kiwis, first in id order, are the refusal."""
    plan = plan_order(buyer=buyer, lines=[(shop.kiwi.pk, 2), (apples.pk, 3)])
    assert shop.kiwi.pk < apples.pk
    delete_kiwis(shop, apples, buyer)
    lower_apples(shop, apples, buyer)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        engine(plan)
    assert (refused.value.code, refused.value.message) == (
        "product_unavailable",
        "徐香猕猴桃 5斤装 暂不可购买",
    )
    assert snapshot() == before


@pytest.mark.parametrize("engine", ENGINES)
def test_wallet_never_opened_is_refused_as_too_little_and_stays_unopened(
    shop: Shop, make_user: MakeUser, engine: Engine
) -> None:
    """A buyer whose wallet was never opened: ``exceeds_credits``, nothing written, no wallet opened."""
    newcomer = make_user(Role.CONSUMER, username="newcomer")
    plan = plan_order(buyer=newcomer, lines=[(shop.kiwi.pk, 2)])
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        engine(plan)
    assert (refused.value.code, refused.value.message, refused.value.field) == (
        "exceeds_credits",
        "余额不足",
        None,
    )
    assert snapshot() == before
    assert not Account.objects.filter(code=chart.wallet_code(user_id=newcomer.pk)).exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_writer_returns_the_order_the_placer_placed_with_the_key(
    shop: Shop, buyer: User, make_user: MakeUser, fund: Fund, engine: Engine
) -> None:
    """The same key from the same placer: the first order's id, nothing written. Another placer's
    order with that key is an order of its own."""
    first = order_place(
        buyer=buyer,
        placed_by=buyer,
        lines=[(shop.kiwi.pk, 2)],
        recipient=RECIPIENT,
        destination_outlet_code="VS21",
        idempotency_key="k-1",
        now=MONDAY_0730,
    )
    plan = plan_order(buyer=buyer, lines=[(shop.kiwi.pk, 5)], idempotency_key="k-1", seed="retry")
    before = snapshot()
    assert engine(plan) == first.pk
    assert snapshot() == before
    assert plan.order.pk is None

    other = make_user(Role.CONSUMER, username="other")
    fund(other, 50_000)
    plan = plan_order(buyer=other, lines=[(shop.kiwi.pk, 5)], idempotency_key="k-1", seed="other")
    assert engine(plan) is None
    assert plan.order.pk != first.pk
    assert list(Order.objects.order_by("pk").values_list("placed_by_id", "idempotency_key")) == [
        (buyer.pk, "k-1"),
        (other.pk, "k-1"),
    ]
    shop.kiwi.refresh_from_db()
    assert shop.kiwi.stock == 93


# ---------------------------------------------------------------------------------------------------
# Through order_place


def test_retry_after_the_first_attempt_sold_the_last_units_returns_the_first_order(
    shop: Shop, buyer: User
) -> None:
    """A retry with the same key once the first attempt took the last two boxes gets the first order,
    not ``insufficient_stock``; a new order (no key) is refused."""
    Product.objects.filter(pk=shop.kiwi.pk).update(stock=2)
    fields: dict[str, Any] = {
        "buyer": buyer,
        "placed_by": buyer,
        "lines": [(shop.kiwi.pk, 2)],
        "recipient": RECIPIENT,
        "destination_outlet_code": "VS21",
        "now": MONDAY_0730,
    }
    first = order_place(**fields, idempotency_key="k-1")
    assert (first.total_fen, Product.objects.get(pk=shop.kiwi.pk).stock) == (13160, 0)
    before = snapshot()
    again = order_place(**fields, idempotency_key="k-1")
    assert (again.pk, again.number, again.total_fen) == (first.pk, first.number, 13160)
    assert [line.quantity for line in again.lines.all()] == [2]
    assert snapshot() == before
    with pytest.raises(DomainError) as refused:
        order_place(**fields)
    assert refused.value.code == "insufficient_stock"
    assert snapshot() == before
