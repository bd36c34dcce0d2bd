"""Counter cash that commerce moves — a villager's order paid in cash at the station, a seller's
withdrawal paid in cash — goes through the station's caps and day close like a wallet top-up or payout.

Fertiliser from TS1 to VS21 (a village station), paid in cash there: one bag ¥85.00 + ¥19.50 postage =
¥104.50; two bags ¥170.00 + ¥34.50 = ¥204.50.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.commerce.models import Order, PaymentMethod, Product
from siliu.commerce.orders.services import order_place, seller_payable_open, seller_withdraw
from siliu.commerce.tests.conftest import Shop
from siliu.commerce.tests.test_orders import RECIPIENT, balance, race, state
from siliu.core.errors import Conflict, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, CashDayClose, Transfer
from siliu.finance.selectors import counter_day_get
from siliu.finance.services import (
    counter_cash_day_total,
    outlet_day_close,
    system_account,
    transfer_create,
    wallet_cash_in,
    wallet_cash_out,
)
from siliu.logistics.models import TrackingRange
from siliu.logistics.tests.conftest import MONDAY_0730
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

ONE_BAG_FEN = 10_450
TWO_BAGS_FEN = 20_450
DRAWER = chart.outlet_cash_code(outlet_code="VS21")
MONDAY = MONDAY_0730.date()


@dataclass
class Station:
    """VS21 with its operator and a villager who buys there."""

    outlet: Outlet
    operator: User
    villager: User


@pytest.fixture
def station(shop: Shop, make_user: Callable[..., User]) -> Station:
    operator, villager = make_user(Role.STATION_OPERATOR), make_user(Role.CONSUMER)
    outlet = Outlet.objects.get(code="VS21")
    outlet.operator = operator
    outlet.save(update_fields=["operator"])
    return Station(outlet, operator, villager)


def caps(settings: Any, per_transaction_fen: int, per_day_fen: int) -> None:
    settings.SILIU_COUNTER_CASH_CAPS_FEN = {
        **settings.SILIU_COUNTER_CASH_CAPS_FEN,
        "village_station": (per_transaction_fen, per_day_fen),
    }


def cash_order(
    shop: Shop, station: Station, bags: int, now: datetime.datetime = MONDAY_0730, key: str = ""
) -> Order:
    return order_place(
        buyer=station.villager,
        placed_by=station.operator,
        lines=[(shop.fertiliser.pk, bags)],
        recipient=RECIPIENT,
        destination_outlet_code="VS21",
        payment_method=PaymentMethod.COUNTER_CASH,
        idempotency_key=key,
        now=now,
    )


def everything() -> dict[str, Any]:
    """All an order or a withdrawal touches (:func:`state`), with the tracking ranges and day closes."""
    return {
        **state(),
        "ranges": list(TrackingRange.objects.order_by("pk").values_list("pk", "next_serial")),
        "closes": CashDayClose.objects.count(),
    }


def fund_payable(shop: Shop, amount_fen: int) -> None:
    """What the fertiliser merchant is owed, put on the payable from capital (for tests)."""
    transfer_create(
        id="test:payable",
        debit_account=system_account(code=chart.CAPITAL).code,
        credit_account=seller_payable_open(seller=shop.merchant),
        amount_fen=amount_fen,
    )


def withdraw_cash(
    shop: Shop, station: Station, amount_fen: int, id: str, now: datetime.datetime = MONDAY_0730
) -> Transfer:
    return seller_withdraw(
        seller=shop.merchant,
        amount_fen=amount_fen,
        to="cash",
        outlet=station.outlet,
        actor=station.operator,
        id=id,
        now=now,
    )


def test_counter_order_counts_toward_the_daily_cash_cap(
    shop: Shop, make_user: Callable[..., User], settings: Any
) -> None:
    """With a day's cap of the order's total + ¥1.00, the station takes ¥1.00 more at the counter that
    day, not a fen beyond."""
    operator, villager = make_user(Role.STATION_OPERATOR), make_user(Role.CONSUMER)
    station = Outlet.objects.get(code="VS21")
    station.operator = operator
    station.save(update_fields=["operator"])
    order = order_place(
        buyer=villager,
        placed_by=operator,
        lines=[(shop.fertiliser.pk, 2)],
        recipient=RECIPIENT,
        destination_outlet_code="VS21",
        payment_method=PaymentMethod.COUNTER_CASH,
        now=MONDAY_0730,
    )
    settings.SILIU_COUNTER_CASH_CAPS_FEN = {
        **settings.SILIU_COUNTER_CASH_CAPS_FEN,
        "village_station": (order.total_fen, order.total_fen + 100),
    }
    later = MONDAY_0730 + datetime.timedelta(hours=2)
    with pytest.raises(Conflict) as refused:
        wallet_cash_in(
            outlet=station, customer=villager, amount_fen=101, id="ci-over", actor=operator, now=later
        )
    assert refused.value.code == "exceeds_daily_cap"
    taken = wallet_cash_in(
        outlet=station, customer=villager, amount_fen=100, id="ci-1", actor=operator, now=later
    )
    assert taken.status == "created"


def test_cash_order_over_the_transaction_cap_is_refused_and_writes_nothing(
    shop: Shop, station: Station, settings: Any
) -> None:
    """Two bags (¥204.50) over a ¥204.49 cap per transaction: ``exceeds_transaction_cap`` on
    ``amount_fen``, and no order, stock, parcel, tracking number, transfer or drawer account; one bag
    (¥104.50) is taken."""
    caps(settings, TWO_BAGS_FEN - 1, 5_000_000)
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        cash_order(shop, station, 2)
    assert (refused.value.code, refused.value.field) == ("exceeds_transaction_cap", "amount_fen")
    assert refused.value.message == "村级服务站单笔柜台现金最多 ¥204.49"
    assert everything() == before
    assert not Account.objects.filter(code=DRAWER).exists()
    order = cash_order(shop, station, 1)
    assert order.total_fen == ONE_BAG_FEN
    assert balance(DRAWER) == (ONE_BAG_FEN, 0, 0, 0)


def test_cash_order_that_would_pass_the_daily_cap_is_refused(
    shop: Shop, station: Station, settings: Any
) -> None:
    """A day's cap of ¥309.00: two bags (¥204.50) are taken, two more refused with
    ``exceeds_daily_cap`` writing nothing, one bag (¥104.50) fills the day to the fen, and then not
    a fen more is taken at the counter, for an order or a top-up."""
    caps(settings, 500_000, TWO_BAGS_FEN + ONE_BAG_FEN)
    cash_order(shop, station, 2)
    before = everything()
    later = MONDAY_0730 + datetime.timedelta(hours=1)
    with pytest.raises(Conflict) as refused:
        cash_order(shop, station, 2, now=later)
    assert (refused.value.code, refused.value.field) == ("exceeds_daily_cap", "amount_fen")
    assert refused.value.message == "本网点今日柜台现金收入已有 ¥204.50，日限额 ¥309.00，本笔最多 ¥104.50"
    assert everything() == before
    assert cash_order(shop, station, 1, now=later).total_fen == ONE_BAG_FEN
    assert balance(DRAWER) == (TWO_BAGS_FEN + ONE_BAG_FEN, 0, 0, 0)
    with pytest.raises(Conflict) as full:
        wallet_cash_in(
            outlet=station.outlet,
            customer=station.villager,
            amount_fen=1,
            id="ci-1",
            actor=station.operator,
            now=later,
        )
    assert full.value.code == "exceeds_daily_cap"
    # The next business day starts afresh.
    assert cash_order(shop, station, 2, now=MONDAY_0730 + datetime.timedelta(days=1)).status == "paid"


def test_cash_order_after_the_day_close_is_refused_and_a_retry_returns_the_stored_one(
    shop: Shop, station: Station
) -> None:
    """Once Monday is closed at VS21, a new cash order that day is ``day_closed`` and writes nothing;
    the order placed before the close, sent again with its key, is answered with that order; Tuesday
    is open."""
    first = cash_order(shop, station, 2, key="k-1")
    outlet_day_close(
        outlet=station.outlet,
        business_on=MONDAY,
        counted_cash_fen=TWO_BAGS_FEN,
        actor=station.operator,
        now=MONDAY_0730 + datetime.timedelta(hours=1),
    )
    before = everything()
    evening = MONDAY_0730 + datetime.timedelta(hours=12)  # 19:30, still Monday
    with pytest.raises(Conflict) as refused:
        cash_order(shop, station, 1, now=evening)
    assert refused.value.code == "day_closed"
    assert refused.value.message == "2026-11-23 已日结，不能再办理柜台现金业务"
    assert everything() == before
    again = cash_order(shop, station, 2, now=evening, key="k-1")
    assert (again.pk, again.total_fen) == (first.pk, TWO_BAGS_FEN)
    assert everything() == before
    tuesday = cash_order(shop, station, 1, now=MONDAY_0730 + datetime.timedelta(days=1))
    assert balance(DRAWER) == (TWO_BAGS_FEN + tuesday.total_fen, 0, 0, 0)


def test_api_and_counter_order_page_answer_the_cap_and_write_nothing(
    shop: Shop, station: Station, settings: Any, client: Client
) -> None:
    """Over a ¥204.49 cap per transaction, two bags are 400 ``exceeds_transaction_cap`` on
    ``amount_fen`` from the API, and the counter order page shows the cap in words; nothing is written."""
    caps(settings, TWO_BAGS_FEN - 1, 5_000_000)
    message = "村级服务站单笔柜台现金最多 ¥204.49"
    before = everything()
    api = APIClient()
    api.force_authenticate(station.operator)
    response = api.post(
        "/api/v1/orders",
        {
            "lines": [{"product_id": shop.fertiliser.pk, "quantity": 2}],
            "recipient": {"name": "李四", "phone": "+8613900000002", "address": "河口村 8 号"},
            "destination_outlet": "VS21",
            "payment_method": PaymentMethod.COUNTER_CASH,
            "buyer": station.villager.username,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "exceeds_transaction_cap",
        "message": message,
        "errors": {"amount_fen": [message]},
    }
    client.force_login(station.operator)
    page = client.post(
        "/shop/counter/",
        {
            "outlet": "VS21",
            "buyer": station.villager.username,
            "recipient_name": "赵大",
            "recipient_phone": "+8613900000003",
            "recipient_address": "河口村 3 号",
            "product_id": [str(shop.fertiliser.pk)],
            "quantity": ["2"],
        },
    )
    assert page.status_code == 400
    assert message in page.content.decode()
    assert everything() == before


def test_seller_cash_withdrawal_is_capped_and_counted_in_the_days_cash_out(
    shop: Shop, station: Station, settings: Any
) -> None:
    """¥30.00 a transaction and ¥50.00 a day: a ¥30.01 cash withdrawal is ``exceeds_transaction_cap``;
    ¥30.00 is paid and counts toward the day's cash out, so a ¥20.01 wallet payout or withdrawal is
    ``exceeds_daily_cap`` and ¥20.00 fills the day; a retry of the first still answers with it."""
    caps(settings, 3_000, 5_000)
    fund_payable(shop, 10_000)
    for n, amount_fen in enumerate((3_000, 2_000)):
        wallet_cash_in(
            outlet=station.outlet,
            customer=station.villager,
            amount_fen=amount_fen,
            id=f"ci-{n}",
            actor=station.operator,
            now=MONDAY_0730,
        )
    before = everything()
    with pytest.raises(ValidationFailed) as over:
        withdraw_cash(shop, station, 3_001, "w-over")
    assert (over.value.code, over.value.field) == ("exceeds_transaction_cap", "amount_fen")
    assert over.value.message == "村级服务站单笔柜台现金最多 ¥30.00"
    assert everything() == before
    first = withdraw_cash(shop, station, 3_000, "w-1")
    drawer = Account.objects.get(code=DRAWER)
    assert counter_cash_day_total(cash=drawer, cash_in=False, business_on=MONDAY) == 3_000
    before = everything()
    with pytest.raises(Conflict) as payout:
        wallet_cash_out(
            outlet=station.outlet,
            customer=station.villager,
            amount_fen=2_001,
            id="co-1",
            actor=station.operator,
            now=MONDAY_0730,
        )
    assert (payout.value.code, payout.value.field) == ("exceeds_daily_cap", "amount_fen")
    assert payout.value.message == "本网点今日柜台现金支出已有 ¥30.00，日限额 ¥50.00，本笔最多 ¥20.00"
    with pytest.raises(Conflict) as withdrawal:
        withdraw_cash(shop, station, 2_001, "w-2")
    assert (withdrawal.value.code, withdrawal.value.message) == ("exceeds_daily_cap", payout.value.message)
    assert everything() == before
    withdraw_cash(shop, station, 2_000, "w-2")
    assert counter_cash_day_total(cash=drawer, cash_in=False, business_on=MONDAY) == 5_000
    assert balance(DRAWER) == (5_000, 5_000, 0, 0)
    assert withdraw_cash(shop, station, 3_000, "w-1").pk == first.pk
    assert balance(DRAWER) == (5_000, 5_000, 0, 0)


def test_seller_cash_withdrawal_after_the_day_close_is_refused_and_a_retry_returns_the_stored_one(
    shop: Shop, station: Station
) -> None:
    """After Monday's close, a cash withdrawal that day is ``day_closed`` and writes nothing; the one
    paid before the close, sent again, answers with its transfer and pays nothing more."""
    fund_payable(shop, 10_000)
    wallet_cash_in(
        outlet=station.outlet,
        customer=station.villager,
        amount_fen=3_000,
        id="ci-1",
        actor=station.operator,
        now=MONDAY_0730,
    )
    first = withdraw_cash(shop, station, 1_000, "w-1")
    outlet_day_close(
        outlet=station.outlet,
        business_on=MONDAY,
        counted_cash_fen=2_000,
        actor=station.operator,
        now=MONDAY_0730 + datetime.timedelta(hours=1),
    )
    before = everything()
    evening = MONDAY_0730 + datetime.timedelta(hours=12)
    with pytest.raises(Conflict) as refused:
        withdraw_cash(shop, station, 500, "w-2", now=evening)
    assert refused.value.code == "day_closed"
    again = withdraw_cash(shop, station, 1_000, "w-1", now=evening)
    assert (again.pk, again.amount_fen, again.created_at) == (first.pk, 1_000, MONDAY_0730)
    assert everything() == before
    assert balance(DRAWER) == (3_000, 1_000, 0, 0)


def test_counter_page_counts_cash_orders_and_seller_withdrawals(
    shop: Shop, station: Station, client: Client
) -> None:
    """Today at VS21: a ¥10.00 top-up and a ¥204.50 cash order are ¥214.50 in (2); a ¥3.00 payout and a
    ¥7.00 cash withdrawal ¥10.00 out (2) — the totals the caps count — and the day's report lists
    each kind."""
    fund_payable(shop, 10_000)
    wallet_cash_in(
        outlet=station.outlet, customer=station.villager, amount_fen=1_000, id="ci-1", actor=station.operator
    )
    order_place(
        buyer=station.villager,
        placed_by=station.operator,
        lines=[(shop.fertiliser.pk, 2)],
        recipient=RECIPIENT,
        destination_outlet_code="VS21",
        payment_method=PaymentMethod.COUNTER_CASH,
    )
    wallet_cash_out(
        outlet=station.outlet, customer=station.villager, amount_fen=300, id="co-1", actor=station.operator
    )
    seller_withdraw(
        seller=shop.merchant,
        amount_fen=700,
        to="cash",
        outlet=station.outlet,
        actor=station.operator,
        id="w-1",
    )
    client.force_login(station.operator)
    response = client.get("/finance/counter/VS21/")
    assert response.status_code == 200
    day = response.context["day"]
    assert (day.cash_in_fen, day.cash_in_count, day.cash_out_fen, day.cash_out_count) == (21_450, 2, 1_000, 2)
    assert [(line.category, line.cash_in, line.amount_fen, line.count) for line in day.lines] == [
        ("cash_in", True, 1_000, 1),
        ("order", True, 20_450, 1),
        ("loan_repayment", True, 0, 0),
        ("agency_payment", True, 0, 0),
        ("cash_out", False, 300, 1),
        ("seller_withdraw", False, 700, 1),
        ("agency_payout", False, 0, 0),
    ]
    drawer = Account.objects.get(code=DRAWER)
    assert (day.cash_in_fen, day.cash_out_fen) == (
        counter_cash_day_total(cash=drawer, cash_in=True, business_on=day.business_on),
        counter_cash_day_total(cash=drawer, cash_in=False, business_on=day.business_on),
    )
    assert day == counter_day_get(outlet=station.outlet, business_on=day.business_on)
    html = response.content.decode()
    assert 'data-testid="cash-in"><span class="siliu-amount">¥214.50</span><' in html
    assert 'data-testid="cash-out"><span class="siliu-amount">¥10.00</span><' in html
    for testid, label, amount in [
        ("line-order", "村民订单现金代付", "¥204.50"),
        ("line-seller_withdraw", "卖家现金提现", "¥7.00"),
    ]:
        row = html.split(f'data-testid="{testid}">', 1)[1].split("</tr>", 1)[0]
        assert label in row and f">{amount}<" in row and ">1<" in row


# ---------------------------------------------------------------------------------------------------
# PostgreSQL: the drawer's lock admits what fits under the cap, whichever path the cash takes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_cash_orders_and_top_ups_never_pass_the_daily_cap(
    shop: Shop, station: Station, settings: Any
) -> None:
    """Four one-bag cash orders and four ¥104.50 top-ups at once under a day's cap of three of them:
    three are taken, five refused ``exceeds_daily_cap`` leaving nothing, the drawer holds ¥313.50."""
    caps(settings, 500_000, 3 * ONE_BAG_FEN)

    def attempt(index: int) -> str:
        if index % 2:
            return cash_order(shop, station, 1).status
        return wallet_cash_in(
            outlet=station.outlet,
            customer=station.villager,
            amount_fen=ONE_BAG_FEN,
            id=f"ci-{index}",
            actor=station.operator,
            now=MONDAY_0730,
        ).status

    outcomes = race(8, attempt)
    taken = [outcome for outcome in outcomes if outcome != "exceeds_daily_cap"]
    assert len(taken) == 3
    assert set(taken) <= {"paid", "created"}
    assert Order.objects.count() == taken.count("paid")
    assert Transfer.objects.filter(category="cash_in").count() == taken.count("created")
    assert balance(DRAWER) == (3 * ONE_BAG_FEN, 0, 0, 0)
    assert Product.objects.get(pk=shop.fertiliser.pk).stock == 100 - taken.count("paid")
