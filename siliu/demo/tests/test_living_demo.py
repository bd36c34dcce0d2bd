"""The demo county lives on the day it is built: history ending on ``--today``, times of their causes."""

import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from siliu.commerce.models import Order, OrderStatus, Settlement, Shipment
from siliu.core.errors import ValidationFailed
from siliu.demo.commerce_history import commerce_history_generate, history_window
from siliu.demo.generator import demo_county_generate
from siliu.finance.models import Transfer
from siliu.logistics.models import ParcelEvent, RoundPlan, RoundPlanStatus, Vehicle

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def _demo_settings(settings: Any) -> None:
    settings.DEBUG = True


@pytest.fixture(scope="module")
def window() -> Any:
    return history_window(today=TODAY)


def _generate(window: Any, orders: int = 60) -> None:
    demo_county_generate(seed=3, village_count=24, consumer_count=30, seller_count=30)
    commerce_history_generate(seed=3, window=window, order_count=orders)


def test_the_window_is_the_twelve_months_ending_at_noon_today_or_now_if_earlier() -> None:
    """Noon of ``--today``; a run that morning ends at that moment; never before 2026."""
    window = history_window(today=TODAY)
    assert (window.start, window.end) == (
        datetime.datetime(2025, 12, 6, tzinfo=SHANGHAI),
        datetime.datetime(2026, 12, 6, 12, tzinfo=SHANGHAI),
    )
    morning = datetime.datetime(2026, 12, 6, 9, 30, tzinfo=SHANGHAI)
    assert history_window(today=TODAY, now=morning).end == morning
    assert history_window(today=TODAY, now=morning + datetime.timedelta(hours=5)).end == window.end
    assert history_window(today=datetime.date(2028, 2, 29)).start.date() == datetime.date(2027, 2, 28)
    with pytest.raises(ValidationFailed) as refused:
        history_window(today=datetime.date(2025, 12, 31))
    assert refused.value.code == "invalid_today"


def test_the_last_activity_is_on_today_and_settlements_carry_their_orders_completion(window: Any) -> None:
    """Orders and scans run up to today; each settlement, and its ledger transfers, at its order's
    completion; no order is left due for the live auto-completion."""
    _generate(window)
    placed = [order.created_at for order in Order.objects.all()]
    scanned = list(ParcelEvent.objects.values_list("occurred_at", flat=True))
    assert max(placed + scanned).astimezone(SHANGHAI).date() == TODAY
    assert max(placed + scanned) < window.end
    assert min(placed) >= window.start
    settlements = list(Settlement.objects.select_related("order"))
    assert settlements
    for settlement in settlements:
        assert settlement.settled_at == settlement.order.completed_at
        transfers = Transfer.objects.filter(
            reference=f"order:{settlement.order.number}", category="settlement"
        )
        assert {transfer.created_at for transfer in transfers} == {settlement.order.completed_at}
    week_before = window.end - datetime.timedelta(days=7)
    assert not Order.objects.filter(status=OrderStatus.DELIVERED, delivered_at__lte=week_before).exists()


def test_trace_batches_are_harvested_before_their_goods_ship(window: Any) -> None:
    """Every parcel with traced produce is first scanned on or after its batch's harvest day."""
    _generate(window)
    checked = 0
    for shipment in Shipment.objects.select_related("parcel").prefetch_related(
        "order__lines__product__trace_batch"
    ):
        first = shipment.parcel.events.filter(code="EMA").order_by("occurred_at").first()
        if first is None:
            continue
        for line in shipment.order.lines.all():
            batch = line.product.trace_batch
            if batch is not None and line.seller_id == shipment.seller_id:
                assert batch.harvested_on <= first.occurred_at.astimezone(SHANGHAI).date()
                assert batch.created_at <= first.occurred_at
                checked += 1
    assert checked


def test_the_command_builds_to_today_and_plans_the_couriers_round(window: Any) -> None:
    """``siliu demo --today`` ends its history that day and plans the rounds the courier drives."""
    out = StringIO()
    call_command(
        "demo", "--villages=24", "--orders=20", "--today=2026-12-06", "--round-seconds=1", stdout=out
    )
    van = Vehicle.objects.get(driver__username="courier")
    plan = RoundPlan.objects.get()
    assert (plan.outlet, plan.planned_on, plan.status) == (van.outlet, TODAY, RoundPlanStatus.DONE)
    assert "2026-12-06" in out.getvalue() and "异常邮件：长时间无扫描" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("demo", "--villages=3", "--orders=0", "--today=2025-06-01", stdout=StringIO())
