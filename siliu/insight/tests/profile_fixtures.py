"""A year of the test county's cooperative across the four flows, for the profile and scorecard tests.

The shop of ``siliu.commerce.tests.conftest``: kiwis (¥59.80 a box) from 王家村猕猴桃专业合作社 at
VS11, fertiliser (¥85.00 a bag) from 青龙镇农资店 at TS1. Commission is 3 % (``allocate_fen``).

- 20 October 2026: buyer A orders 1 box (¥59.80), left paid (not shipped).
- 23 November 07:30: buyer A orders 2 boxes (¥119.60, postage ¥12.00) to VS21; accepted at VS11,
  delivered on time at 17:00, confirmed on the 24th: settled ¥116.01 to the cooperative, ¥3.59
  commission. Buyer B orders 3 boxes at 08:00 and cancels them.
- 25 November 10:00: buyer B orders 1 box (¥59.80), left paid.
- 23 November: villager 张 orders 2 bags of fertiliser (¥170.00) for cash at VS21; delivered on the
  23rd, confirmed on the 24th: ¥5.10 commission kept at VS21. Villager 李 orders 1 bag (¥85.00) for
  cash, left paid.
- The cooperative withdraws ¥50.00 to its wallet on 25 November, asks for ¥20.00 to its bank account
  on the 26th (rejected by finance the same day) and ¥10.00 on the 27th (still pending).
- Its trace batch KIWI2026XU is opened twice on 1 November, once on 20 November, once on 15 October
  and once on 20 November 2025 (before the twelve months).
- It borrows ¥10,000.00 on 26 November (a 12-month loan, sweep 30 %) and repays ¥500.00 early on the
  28th from its wallet.

Every event is folded into the daily figures at the end.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import Order, PaymentMethod, TraceBatch
from siliu.commerce.orders.services import (
    order_cancel,
    order_confirm,
    order_place,
    payout_reject,
    payout_request,
    seller_withdraw,
)
from siliu.commerce.tests.conftest import Shop
from siliu.core.events import TRACE_OPENED, events_append
from siliu.core.roles import Role
from siliu.insight.facts.services import events_fold_all
from siliu.lending.loans.models import Loan
from siliu.lending.loans.services import loan_repay_from_wallet
from siliu.logistics.models import Parcel
from siliu.logistics.parcels.services import Address, ScanInput, scans_record
from siliu.logistics.tests.conftest import SHANGHAI
from siliu.network.models import Outlet

RECIPIENT = Address("李四", "+8613900000002", "陕西省示范县柳河乡河口村 8 号")
TRACE_CODE = "KIWI2026XU"


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def deliver(parcel: Parcel, *, day: int = 23) -> None:
    """Scan ``parcel`` from its origin through the hub to VS21, delivered at 17:00 (on time)."""
    number, origin = parcel.tracking_number, parcel.origin_outlet.code
    scans = [
        ScanInput(f"{number}-1", number, "EMA", origin, at(11, day, 7, 45)),
        ScanInput(f"{number}-2", number, "EDD", "HUB", at(11, day, 10, 35)),
        ScanInput(f"{number}-3", number, "EDE", "HUB", at(11, day, 14)),
        ScanInput(f"{number}-4", number, "EMG", "VS21", at(11, day, 16, 30)),
        ScanInput(f"{number}-5", number, "EDG", "VS21", at(11, day, 16, 40)),
        ScanInput(f"{number}-6", number, "EMI", "VS21", at(11, day, 17), proof_signature_name="李四"),
    ]
    results = scans_record(scans=scans, now=at(11, day, 17, 5))
    assert {result.status for result in results} == {"created"}


@dataclass
class Year:
    shop: Shop
    buyer_a: User
    buyer_b: User
    villager: User
    finance: User
    kiwi_order: Order
    fertiliser_order: Order
    loan: Loan


@pytest.fixture
def year_of_flows(
    shop: Shop,
    make_user: Callable[..., User],
    fund: Callable[[User, int], None],
    lend: Callable[..., Loan],
) -> Year:
    cooperative = shop.cooperative
    buyer_a = make_user(Role.CONSUMER, username="buyer_a")
    buyer_b = make_user(Role.CONSUMER, username="buyer_b")
    for buyer in (buyer_a, buyer_b):
        fund(buyer, 100_000)

    def kiwis(buyer: User, boxes: int, now: datetime.datetime) -> Order:
        return order_place(
            buyer=buyer,
            placed_by=buyer,
            lines=[(shop.kiwi.pk, boxes)],
            recipient=RECIPIENT,
            destination_outlet_code="VS21",
            now=now,
        )

    kiwis(buyer_a, 1, at(10, 20))
    kiwi_order = kiwis(buyer_a, 2, at(11, 23, 7, 30))
    cancelled = kiwis(buyer_b, 3, at(11, 23, 8))
    order_cancel(number=cancelled.number, actor=buyer_b, now=at(11, 23, 9))
    deliver(kiwi_order.shipments.get().parcel)
    order_confirm(number=kiwi_order.number, actor=buyer_a, now=at(11, 24, 9))
    kiwis(buyer_b, 1, at(11, 25))

    operator = make_user(Role.STATION_OPERATOR)
    Outlet.objects.filter(code="VS21").update(operator=operator)
    villager = make_user(Role.CONSUMER, username="zhang", last_name="张", first_name="大山")
    other_villager = make_user(Role.CONSUMER, username="li", last_name="李", first_name="小河")

    def fertiliser(buyer: User, bags: int, now: datetime.datetime) -> Order:
        return order_place(
            buyer=buyer,
            placed_by=operator,
            lines=[(shop.fertiliser.pk, bags)],
            recipient=RECIPIENT,
            destination_outlet_code="VS21",
            payment_method=PaymentMethod.COUNTER_CASH,
            now=now,
        )

    fertiliser_order = fertiliser(villager, 2, at(11, 23, 7, 40))
    deliver(fertiliser_order.shipments.get().parcel)
    order_confirm(number=fertiliser_order.number, actor=villager, now=at(11, 24, 9, 30))
    fertiliser(other_villager, 1, at(11, 25, 11))

    seller_withdraw(
        seller=cooperative, amount_fen=5000, to="wallet", actor=cooperative.user, id="w1", now=at(11, 25, 12)
    )
    finance = make_user(Role.FINANCE, username="cashier")
    bank = {
        "account_name": cooperative.name,
        "bank_name": "示范县农商银行",
        "account_number": "6217000011112222",
    }
    rejected = payout_request(
        seller=cooperative, actor=cooperative.user, key="p1", amount_fen=2000, now=at(11, 26), **bank
    )
    payout_reject(payout_id=rejected.pk, actor=finance, note="账号有误", now=at(11, 26, 15))
    payout_request(
        seller=cooperative, actor=cooperative.user, key="p2", amount_fen=1000, now=at(11, 27), **bank
    )

    TraceBatch.objects.create(
        seller=cooperative,
        code=TRACE_CODE,
        product_name="徐香猕猴桃",
        place="王家村三组",
        harvested_on=datetime.date(2026, 9, 20),
        quantity=800,
        unit="公斤",
        created_at=at(9, 21),
    )
    for moment in (at(11, 1, 9), at(11, 1, 20), at(11, 20), at(10, 15), at(11, 20, year=2025)):
        events_append(TRACE_OPENED, [TRACE_CODE], at=moment)

    loan = lend(amount_fen=1_000_000, term_months=12, now=at(11, 26, 11))
    loan_repay_from_wallet(
        number=loan.number, actor=cooperative.user, amount_fen=50_000, early=True, now=at(11, 28)
    )
    events_fold_all()
    loan.refresh_from_db()
    return Year(shop, buyer_a, buyer_b, villager, finance, kiwi_order, fertiliser_order, loan)
