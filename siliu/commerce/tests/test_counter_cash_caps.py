"""A villager's order paid in cash at the station counts toward the station's cap on cash in that day."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import PaymentMethod
from siliu.commerce.orders.services import order_place
from siliu.commerce.tests.conftest import Shop
from siliu.core.errors import Conflict
from siliu.core.roles import Role
from siliu.finance.services import wallet_cash_in
from siliu.logistics.parcels.services import Address
from siliu.logistics.tests.conftest import MONDAY_0730
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


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
        recipient=Address("李四", "+8613900000002", "陕西省示范县柳河乡河口村 8 号"),
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
