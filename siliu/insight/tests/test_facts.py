"""The daily figures: every flow's change reaches the outbox in its own transaction, the fold turns the
outbox into figures exact to the fen on the right day and outlet, and a rebuild from the flows' tables
agrees — or, when a change reached no event, says where it does not.

The shop is the commerce tests' (``siliu/commerce/tests/conftest.py``): kiwis from a cooperative at
VS11, fertiliser from a merchant at TS1. Two boxes of kiwis to VS21 on Monday 23 November 2026 are
¥119.60 of goods and ¥12.00 of postage; settled the next day with ¥3.59 of commission.
"""

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from siliu.commerce.models import PaymentMethod
from siliu.commerce.orders.services import order_cancel, order_confirm
from siliu.commerce.tests.conftest import Shop
from siliu.commerce.tests.test_orders import at, deliver, place, race
from siliu.commerce.trace.services import trace_batch_create
from siliu.core import events
from siliu.core.models import Event
from siliu.core.roles import Role
from siliu.insight.facts.compute import figures_compute
from siliu.insight.facts.services import events_fold, events_fold_all, facts_check, figures_stored
from siliu.insight.models import OutletDay, SellerDay
from siliu.logistics.claims.services import claim_decide, claim_submit
from siliu.logistics.models import Claim, ClaimKind
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
MONDAY = datetime.date(2026, 11, 23)
TUESDAY = datetime.date(2026, 11, 24)
WEEK = (datetime.date(2026, 11, 20), datetime.date(2026, 11, 30))


def outlet_figures(code: str, day: datetime.date) -> dict[str, int]:
    return dict(OutletDay.objects.filter(outlet__code=code, day=day).values_list("measure", "value"))


def seller_figures(seller_id: int, day: datetime.date) -> dict[str, int]:
    return dict(SellerDay.objects.filter(seller_id=seller_id, day=day).values_list("measure", "value"))


@pytest.fixture
def buyer(make_user: MakeUser, fund: Callable[[User, int], None]) -> User:
    user = make_user(Role.CONSUMER, username="buyer")
    fund(user, 50_000)
    return user


def test_an_order_from_placing_to_settling_is_counted_exactly_where_and_when_it_happened(
    shop: Shop, buyer: User
) -> None:
    order = place(shop, buyer)
    assert list(Event.objects.filter(kind=events.ORDER_PLACED).values_list("ref", flat=True)) == [
        str(order.pk)
    ]
    assert events_fold_all() >= 1
    assert outlet_figures("VS11", MONDAY) == {"orders_up": 1, "gmv_up_fen": 11960}
    assert seller_figures(shop.cooperative.pk, MONDAY) == {"orders": 1, "gmv_fen": 11960}

    deliver(order.shipments.get().parcel)
    events_fold_all()
    # Accepted at VS11 (going to VS21 in the county: down), delivered at VS21 at 17:00, on time.
    assert outlet_figures("VS11", MONDAY) == {
        "orders_up": 1,
        "gmv_up_fen": 11960,
        "parcels_down": 1,
        "postage_fen": 1200,
        "weight_g": 5000,
    }
    assert outlet_figures("VS21", MONDAY) == {"parcels_delivered": 1, "parcels_on_time": 1}
    assert seller_figures(shop.cooperative.pk, MONDAY) == {
        "orders": 1,
        "gmv_fen": 11960,
        "parcels_sent": 1,
        "parcels_delivered": 1,
        "parcels_on_time": 1,
    }

    order_confirm(number=order.number, actor=buyer, now=at(9, day=24))
    events_fold_all()
    assert outlet_figures("VS11", TUESDAY) == {"commission_fen": 359}
    assert seller_figures(shop.cooperative.pk, TUESDAY) == {"settled_fen": 11601, "commission_fen": 359}
    assert facts_check(*WEEK, repair=False).differences == 0


def test_a_cancelled_order_leaves_the_figures_of_its_day(shop: Shop, buyer: User) -> None:
    order = place(shop, buyer)
    events_fold_all()
    order_cancel(number=order.number, actor=buyer)
    assert Event.objects.filter(kind="order.cancelled", folded_at__isnull=True).count() == 1
    events_fold_all()
    assert outlet_figures("VS11", MONDAY) == {}
    assert seller_figures(shop.cooperative.pk, MONDAY) == {}
    assert facts_check(*WEEK, repair=False).differences == 0


def test_counter_cash_and_an_order_going_down_count_at_the_station(shop: Shop, make_user: MakeUser) -> None:
    operator = make_user(Role.STATION_OPERATOR)
    Outlet.objects.filter(code="VS21").update(operator=operator)
    order = place(
        shop,
        make_user(Role.CONSUMER),
        placed_by=operator,
        lines=[(shop.fertiliser.pk, 2)],
        payment_method=PaymentMethod.COUNTER_CASH,
    )
    assert Event.objects.filter(kind=events.CASH_MOVED).count() == 1
    events_fold_all()
    assert outlet_figures("VS21", MONDAY) == {
        "orders_down": 1,
        "gmv_down_fen": 17000,
        "cash_in_fen": order.total_fen,
    }
    assert seller_figures(shop.merchant.pk, MONDAY) == {"orders": 1, "gmv_fen": 17000}
    assert facts_check(*WEEK, repair=False).differences == 0


def test_a_loss_claim_counts_at_the_outlet_that_accepted_the_parcel(
    shop: Shop, buyer: User, make_user: MakeUser
) -> None:
    order = place(shop, buyer)
    parcel = order.shipments.get().parcel
    scans_record(scans=[ScanInput("l-1", parcel.tracking_number, "EMA", "VS11", at(7, 45))], now=at(7, 50))
    claim = claim_submit(
        parcel=parcel,
        kind=ClaimKind.LOSS,
        claimant=shop.cooperative.user,
        claimed_loss_fen=11960,
        now=at(9, day=26),
    )
    claim_decide(claim=claim, approve=True, actor=make_user(Role.COUNTY_MANAGER), now=at(10, day=26))
    events_fold_all()
    claim = Claim.objects.get()
    thursday = datetime.date(2026, 11, 26)
    paid = {"claims_paid_fen": claim.compensation_fen} if claim.paid_at else {}
    assert claim.compensation_fen > 0
    assert outlet_figures("VS11", thursday) == {"claims_loss": 1, **paid}
    assert seller_figures(shop.cooperative.pk, thursday) == {"claims": 1}
    # The order was refunded: it no longer stands on Monday.
    assert "orders_up" not in outlet_figures("VS11", MONDAY)
    assert facts_check(*WEEK, repair=False).differences == 0


def test_a_buyer_opening_a_trace_page_counts_for_its_seller(shop: Shop, client: Client) -> None:
    batch = trace_batch_create(
        seller=shop.cooperative,
        actor=shop.cooperative.user,
        product_name="徐香猕猴桃",
        place="王家村 3 号地",
        harvested_on=datetime.date(2026, 10, 1),
        quantity=200,
        unit="箱",
        now=at(8),
    )
    assert client.get(f"/t/{batch.code}").status_code == 200
    assert client.get("/t/NOSUCHCODE").status_code == 404
    assert list(Event.objects.values_list("kind", "ref")) == [(events.TRACE_OPENED, batch.code)]
    events_fold_all()
    today = Event.objects.get().occurred_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    assert seller_figures(shop.cooperative.pk, today) == {"trace_opens": 1}


def test_a_change_that_reached_no_event_is_found_by_the_check_and_repaired(
    shop: Shop, buyer: User, make_user: MakeUser
) -> None:
    order = place(shop, buyer)
    parcel = order.shipments.get().parcel
    scans_record(scans=[ScanInput("l-1", parcel.tracking_number, "EMA", "VS11", at(7, 45))], now=at(7, 50))
    claim_submit(
        parcel=parcel,
        kind=ClaimKind.LOSS,
        claimant=shop.cooperative.user,
        claimed_loss_fen=11960,
        now=at(9, day=26),
    )
    Event.objects.filter(kind__startswith="claim.").delete()  # as if the claim had told no one
    events_fold_all()
    thursday = datetime.date(2026, 11, 26)
    assert outlet_figures("VS11", thursday) == {}
    check = facts_check(*WEEK)
    # Monday: VS11's order, amount, parcel, postage and weight; the seller's order, amount and parcel.
    # Thursday: the claim, at VS11 and for the seller.
    assert (check.differences, check.figures) == (2, 10)
    assert sorted(
        (row["scope"], row["day"], row["measure"], row["kept"], row["rebuilt"]) for row in check.sample
    ) == [
        ("outlet", "2026-11-26", "claims_loss", 0, 1),
        ("seller", "2026-11-26", "claims", 0, 1),
    ]
    assert outlet_figures("VS11", thursday) == {"claims_loss": 1}
    assert facts_check(*WEEK).differences == 0


def test_folding_again_or_in_pieces_gives_the_same_figures(shop: Shop, buyer: User) -> None:
    order = place(shop, buyer)
    deliver(order.shipments.get().parcel)
    order_confirm(number=order.number, actor=buyer, now=at(9, day=24))
    while events_fold(limit=1):
        pass
    once = figures_stored(*WEEK)
    Event.objects.update(folded_at=None)
    events_fold_all()
    assert figures_stored(*WEEK) == once == figures_compute(*WEEK)
    assert len(once) == 15


def test_the_command_folds_checks_and_rebuilds_and_refuses_bad_dates(shop: Shop, buyer: User) -> None:
    place(shop, buyer)
    out = StringIO()
    call_command("insight_figures", stdout=out)
    assert out.getvalue() == "folded 1 events into the figures\n"
    OutletDay.objects.all().delete()
    out = StringIO()
    call_command("insight_figures", "--check", "--from", "2026-11-23", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2026-11-23–2026-11-23: 4 figures, 2 differed"
    assert lines[-1] == "the rebuilt figures are kept"
    assert outlet_figures("VS11", MONDAY) == {"orders_up": 1, "gmv_up_fen": 11960}
    out = StringIO()
    call_command("insight_figures", "--rebuild", "--from", "2026-11-23", "--to", "2026-11-23", stdout=out)
    assert out.getvalue() == "2026-11-23–2026-11-23: 4 figures rebuilt\n"
    with pytest.raises(CommandError, match="--from 应为 YYYY-MM-DD"):
        call_command("insight_figures", "--check", "--from", "23/11/2026")
    with pytest.raises(CommandError, match="is after --to"):
        call_command("insight_figures", "--rebuild", "--from", "2026-11-24", "--to", "2026-11-23")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_orders_placed_while_three_folds_run_end_in_figures_equal_to_a_rebuild(
    shop: Shop, make_user: MakeUser, fund: Callable[[User, int], None]
) -> None:
    """Six buyers order while three workers fold the outbox, all released together: no fold fails
    on another's rows, and once the last events are folded the figures are the rebuild's."""
    buyers = [make_user(Role.CONSUMER, username=f"racer{index}") for index in range(6)]
    for user in buyers:
        fund(user, 20_000)

    def attempt(index: int) -> str:
        if index < len(buyers):
            return place(shop, buyers[index], quantity=1).status
        for _ in range(5):
            events_fold()
        return "folded"

    assert sorted(race(9, attempt)) == ["folded"] * 3 + ["paid"] * 6
    events_fold_all()
    assert outlet_figures("VS11", MONDAY) == {"orders_up": 6, "gmv_up_fen": 6 * 5980}
    assert seller_figures(shop.cooperative.pk, MONDAY) == {"orders": 6, "gmv_fen": 6 * 5980}
    assert facts_check(*WEEK, repair=False).differences == 0
