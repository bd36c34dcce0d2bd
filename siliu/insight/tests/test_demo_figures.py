"""On a year of the demo county's history, the figures kept from the outbox equal a rebuild from the
flows' tables, to the fen, and the county summary adds up to what the tables hold."""

import datetime
from typing import Any

import pytest
from django.db.models import Sum

from siliu.commerce.models import Order, OrderStatus
from siliu.core.models import Event
from siliu.demo.commerce_history import commerce_history_generate, history_window
from siliu.demo.generator import demo_county_generate
from siliu.insight.dashboard.selectors import Period, county_figures
from siliu.insight.facts.services import events_fold_all, facts_check
from siliu.logistics.models import Parcel
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _demo_settings(settings: Any) -> None:
    settings.DEBUG = True


def test_the_figures_kept_from_the_outbox_equal_a_rebuild_of_the_demo_year() -> None:
    window = history_window(today=TODAY)
    demo_county_generate(seed=7, village_count=30, consumer_count=40, seller_count=30)
    commerce_history_generate(seed=7, window=window, order_count=300)
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"order.placed", "order.completed", "order.cancelled", "parcel.scanned", "cash.moved"} <= kinds
    assert events_fold_all() == Event.objects.count()

    year = (window.start.date() - datetime.timedelta(days=1), TODAY)
    check = facts_check(*year, repair=False)
    assert check.figures > 1000
    assert (check.differences, check.sample) == (0, [])

    figures = county_figures(Period(*year), outlet_ids=list(Outlet.objects.values_list("pk", flat=True)))
    standing = Order.objects.exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
    assert figures["orders_up"] + figures["orders_down"] == standing.count()
    assert (
        figures["gmv_up_fen"] + figures["gmv_down_fen"] == standing.aggregate(total=Sum("goods_fen"))["total"]
    )
    accepted = Parcel.objects.filter(accepted_at__isnull=False)
    assert figures["parcels"] == accepted.count()
    assert figures["postage_fen"] == accepted.aggregate(total=Sum("postage_fen"))["total"]
    assert figures["parcels_delivered"] == Parcel.objects.filter(delivered_at__isnull=False).count()
