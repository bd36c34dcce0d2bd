"""The demo county's commerce history: sellers, products, a year of orders, settled through the services."""

import datetime
import hashlib
import re
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from stdnum.cn import ric, uscc

from siliu.commerce.catalog.identity import id_number_decrypt
from siliu.commerce.models import (
    Direction,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
    Product,
    Seller,
    SellerKind,
    SellerStatus,
    Settlement,
    TraceBatch,
)
from siliu.core.errors import ValidationFailed
from siliu.demo.commerce_history import (
    CommerceHistorySummary,
    _season_opening,
    commerce_history_generate,
    history_window,
)
from siliu.demo.generator import demo_county_generate
from siliu.finance.models import Transfer
from siliu.finance.selectors import trial_balance
from siliu.logistics.models import Parcel, ParcelEvent
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

ORDERS = 40
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The demo's "today" in these tests: its history runs from 2025-11-01 to noon on 2026-11-01.
TODAY = datetime.date(2026, 11, 1)
WINDOW = history_window(today=TODAY)
HISTORY_START, HISTORY_END, CATALOG_START = WINDOW.start, WINDOW.end, WINDOW.catalog_start
#: The twelve months of the history, by business day in Shanghai.
MONTHS = [
    "2025-11",
    "2025-12",
    "2026-01",
    "2026-02",
    "2026-03",
    "2026-04",
    "2026-05",
    "2026-06",
    "2026-07",
    "2026-08",
    "2026-09",
    "2026-10",
]


@pytest.fixture(autouse=True)
def _demo_settings(settings: Any) -> None:
    settings.DEBUG = True


def _generate(seed: int = 11, orders: int = ORDERS) -> CommerceHistorySummary:
    demo_county_generate(seed=seed, village_count=30, consumer_count=40, seller_count=50)
    return commerce_history_generate(seed=seed, window=WINDOW, order_count=orders)


class _Rollback(Exception):
    pass


def _digest_of_a_run(seed: int) -> str:
    """Generate in a savepoint, digest what was written, and roll it back."""
    digest = ""
    try:
        with transaction.atomic():
            _generate(seed)
            digest = _digest()
            raise _Rollback
    except _Rollback:
        pass
    assert not Order.objects.exists()
    return digest


def _digest() -> str:
    """Orders, lines, settlements, parcel events and transfers, by stable keys (never database ids)."""
    sellers = {pk: username for pk, username in Seller.objects.values_list("pk", "user__username")}
    users = {pk: username for pk, username in User.objects.values_list("pk", "username")}

    def stable(text: str) -> str:
        text = re.sub(r"seller:(\d+)", lambda match: f"seller:{sellers[int(match[1])]}", text)
        return re.sub(r"wallet:(\d+)", lambda match: f"wallet:{users[int(match[1])]}", text)

    rows: list[object] = [
        list(
            Seller.objects.order_by("user__username").values_list(
                "user__username",
                "kind",
                "name",
                "id_number_hash",
                "home_outlet__code",
                "status",
                "created_at",
            )
        ),
        list(
            TraceBatch.objects.order_by("code").values_list(
                "code", "seller__user__username", "product_name", "place", "harvested_on", "quantity"
            )
        ),
        list(
            Product.objects.order_by("seller__user__username", "name").values_list(
                "seller__user__username", "name", "price_fen", "stock", "trace_batch__code", "ships_from"
            )
        ),
        list(
            Order.objects.order_by("number").values_list(
                "number",
                "status",
                "direction",
                "buyer__username",
                "placed_by__username",
                "goods_fen",
                "postage_fen",
                "created_at",
                "delivered_at",
                "completed_at",
            )
        ),
        list(
            OrderEvent.objects.order_by("order__number", "occurred_at", "to_status").values_list(
                "order__number", "from_status", "to_status", "occurred_at"
            )
        ),
        list(
            Settlement.objects.order_by("order__number", "seller__user__username").values_list(
                "order__number", "seller__user__username", "goods_fen", "commission_fen", "payable_fen"
            )
        ),
        list(
            ParcelEvent.objects.order_by("event_id").values_list(
                "event_id", "parcel__tracking_number", "code", "outlet__code", "occurred_at"
            )
        ),
        sorted(
            (
                stable(id_),
                stable(debit),
                stable(credit),
                amount,
                kind,
                created_at.isoformat(),
            )
            for id_, debit, credit, amount, kind, created_at in Transfer.objects.values_list(
                "id", "debit_account__code", "credit_account__code", "amount_fen", "kind", "created_at"
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    """Orders, settlements, scans and transfers (numbers and times included) repeat for a seed."""
    first = _digest_of_a_run(11)
    assert _digest_of_a_run(11) == first
    assert _digest_of_a_run(12) != first


def test_sellers_are_registered_verified_with_valid_id_numbers_at_village_stations() -> None:
    summary = _generate()

    sellers = list(Seller.objects.select_related("home_outlet", "user"))
    assert summary.seller_count == len(sellers) == 40
    assert {seller.kind for seller in sellers} == set(SellerKind.values)
    for seller in sellers:
        assert seller.status == SellerStatus.VERIFIED
        number = id_number_decrypt(seller.id_number_encrypted)
        assert (ric if seller.kind == SellerKind.FARMER else uscc).is_valid(number)
        assert re.fullmatch(r"s[0-9]{4}|seller", seller.user.username)
        expected_kind = "township_office" if seller.kind == SellerKind.MERCHANT else "village_station"
        assert seller.home_outlet.kind == expected_kind
    # The demo's `seller` login owns a shop with products (issue #12).
    assert Product.objects.filter(seller__user__username="seller").exists()
    assert not Product.objects.filter(direction=Direction.DOWNWARD).exclude(seller__kind="merchant").exists()
    upward = Product.objects.filter(direction=Direction.UPWARD)
    assert upward.exists()
    assert not upward.filter(trace_batch__isnull=True).exists()
    assert TraceBatch.objects.count() == summary.batch_count == upward.count()
    names = " ".join(Product.objects.values_list("name", flat=True))
    assert any(word in names for word in ("猕猴桃", "苹果", "蜂蜜", "茶", "米", "香菇", "核桃"))


def test_accounts_harvests_and_presales_fit_the_calendar_of_the_history() -> None:
    """Users joined before the first seller registered; each batch is the last harvest in the year before
    the catalogue opened (2025-09-22); each pre-sale ships on the 20th of a month within the history."""
    _generate()

    first_registration = min(Seller.objects.values_list("created_at", flat=True))
    assert first_registration >= CATALOG_START
    assert max(User.objects.values_list("date_joined", flat=True)) < first_registration
    harvests = list(TraceBatch.objects.values_list("harvested_on", flat=True))
    assert harvests
    opened = CATALOG_START.date()
    assert all(opened - datetime.timedelta(days=365) <= day < opened for day in harvests)
    presales = list(Product.objects.filter(is_presale=True).values_list("ships_from", flat=True))
    assert presales
    assert all(
        day is not None and day.day == 20 and HISTORY_START.date() <= day <= HISTORY_END.date()
        for day in presales
    )


@pytest.mark.parametrize(
    ("month", "opening"),
    [
        (11, datetime.date(2025, 11, 20)),
        (12, datetime.date(2025, 12, 20)),
        (1, datetime.date(2026, 1, 20)),
        (10, datetime.date(2026, 10, 20)),
    ],
)
def test_a_presale_opens_with_the_first_harvest_on_or_after_the_first_day(
    month: int, opening: datetime.date
) -> None:
    """The history starts 2025-11-01: November's harvest is still to come that year, October's next year."""
    assert _season_opening(month, window=WINDOW) == opening


def test_orders_span_the_history_in_both_directions_with_a_spread_of_statuses() -> None:
    summary = _generate()

    orders = list(Order.objects.all())
    assert summary.order_count == len(orders) == ORDERS
    assert all(HISTORY_START <= order.created_at < HISTORY_END for order in orders)
    assert {order.direction for order in orders} == {Direction.UPWARD, Direction.DOWNWARD}
    for order in orders:
        expected = PaymentMethod.WALLET if order.direction == Direction.UPWARD else PaymentMethod.COUNTER_CASH
        assert order.payment_method == expected
        if order.payment_method == PaymentMethod.COUNTER_CASH:
            assert order.destination_outlet is not None
            assert order.placed_by_id == order.destination_outlet.operator_id
    statuses = {order.status for order in orders}
    assert {OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.DELIVERED} <= statuses
    assert summary.status_counts == {
        status: sum(1 for order in orders if order.status == status)
        for status in OrderStatus.values
        if any(order.status == status for order in orders)
    }
    # Some completed by the buyer, some by the week-later automatic confirmation.
    completions = OrderEvent.objects.filter(to_status=OrderStatus.COMPLETED)
    assert completions.filter(actor__isnull=False).exists()
    assert completions.filter(actor__isnull=True).exists()


def test_orders_fill_each_of_the_twelve_months_in_both_directions_at_that_years_postage() -> None:
    """160 orders: up and down in every month 2025-11 … 2026-10 (and a few on "today", 2026-11-01); each
    parcel is priced by the tariff of its day, 2025's (migration 0006) before the new year and 2026's
    from it."""
    _generate(orders=160)

    cells = {
        (order.created_at.astimezone(SHANGHAI).strftime("%Y-%m"), order.direction)
        for order in Order.objects.all()
    }
    assert {(month, direction) for month in MONTHS for direction in Direction.values} <= cells
    assert {month for month, _direction in cells} <= {*MONTHS, "2026-11"}
    years = {
        (parcel.created_at.astimezone(SHANGHAI).year, parcel.tariff.effective_on)
        for parcel in Parcel.objects.select_related("tariff")
    }
    assert years == {(2025, datetime.date(2025, 1, 1)), (2026, datetime.date(2026, 1, 1))}


def test_every_completed_order_is_settled_exactly_and_the_ledger_balances() -> None:
    _generate()

    completed = Order.objects.filter(status=OrderStatus.COMPLETED).prefetch_related("settlements")
    assert completed.exists()
    for order in completed:
        settlements = list(order.settlements.all())
        assert settlements
        assert sum(s.goods_fen for s in settlements) == order.goods_fen
        assert sum(s.postage_fen for s in settlements) == order.postage_fen
        assert all(s.payable_fen + s.commission_fen == s.goods_fen for s in settlements)
        assert order.completed_at is not None and order.delivered_at is not None
        assert order.completed_at >= order.delivered_at
    assert not Settlement.objects.exclude(order__status=OrderStatus.COMPLETED).exists()
    balance = trial_balance()
    assert balance.total_debits_posted == balance.total_credits_posted
    assert balance.total_debits_pending == balance.total_credits_pending
    assert Transfer.objects.filter(category="seller_withdraw").exists()


def test_parcels_are_scanned_after_placement_and_cancelled_orders_never_shipped() -> None:
    _generate()

    for order in Order.objects.prefetch_related("shipments__parcel__events"):
        for shipment in order.shipments.all():
            parcel: Parcel = shipment.parcel
            scans = [event for event in parcel.events.all() if event.code not in ("CRT", "CAN")]
            assert all(order.created_at < event.occurred_at < HISTORY_END for event in scans)
            if order.status == OrderStatus.CANCELLED:
                assert scans == []
                assert parcel.status == "cancelled"
            if order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
                assert parcel.status == "delivered"
                assert min(scans, key=lambda event: event.occurred_at).code == "EMA"


def test_command_generates_the_history_and_reports_the_orders() -> None:
    """``siliu demo --orders 30`` writes the history and reports its progress through the orders."""
    out = StringIO()
    call_command("demo", "--villages", "12", "--orders", "30", stdout=out)
    output = out.getvalue()
    assert "卖家" in output
    assert "订单 30/30" in output
    assert Order.objects.count() == 30
    assert Outlet.objects.exists()


def test_command_with_zero_orders_writes_no_commerce() -> None:
    call_command("demo", "--villages", "5", "--orders", "0", stdout=StringIO())
    assert Outlet.objects.exists()
    assert not Seller.objects.exists()
    assert not Order.objects.exists()


def test_order_count_out_of_range_is_refused() -> None:
    demo_county_generate(seed=1, village_count=3, consumer_count=2, seller_count=2)
    with pytest.raises(ValidationFailed, match="--orders"):
        commerce_history_generate(seed=1, window=WINDOW, order_count=-1)
    assert not Seller.objects.exists()
