"""The pickup code on the tracking page: the buyer of the order (its parcel's recipient) sees it while
the parcel is to be collected; anyone else, and anyone not logged in, never does."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from siliu.commerce.models import PaymentMethod
from siliu.commerce.orders.services import order_place
from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.logistics.models import Parcel
from siliu.logistics.parcels.services import Address, ScanInput, scans_record
from siliu.logistics.tests.conftest import MONDAY_0730, at


def test_the_buyer_sees_the_pickup_code_on_the_tracking_page(
    shop: Shop, make_user: Callable[..., User], fund: Callable[[User, int], None]
) -> None:
    """On VS21's shelf the code shows to the buyer only; once collected, to no one."""
    buyer = make_user(Role.CONSUMER, username="buyer")
    fund(buyer, 100_000)
    order = order_place(
        buyer=buyer,
        placed_by=buyer,
        lines=[(shop.kiwi.pk, 1)],
        recipient=Address("李四", "+8613900000002", "陕西省示范县柳河乡河口村 8 号"),
        destination_outlet_code="VS21",
        payment_method=PaymentMethod.WALLET,
        idempotency_key="",
        now=MONDAY_0730,
    )
    parcel = Parcel.objects.get(shipment__order=order)
    number = parcel.tracking_number
    results = scans_record(
        scans=[
            ScanInput("p1", number, "EMA", "VS11", at(7, 45)),
            ScanInput("p2", number, "EDD", "HUB", at(10, 35)),
            ScanInput("p3", number, "EDE", "HUB", at(14)),
            ScanInput("p4", number, "EDH", "VS21", at(16, 30)),
        ],
        now=at(16, 45),
    )
    assert all(result.ok for result in results), results
    marker = f'<strong class="fs-4 font-monospace">{parcel.pickup_code}</strong>'
    as_buyer, as_other, anonymous = Client(), Client(), Client()
    as_buyer.force_login(buyer)
    as_other.force_login(make_user(Role.CONSUMER, username="neighbour"))
    assert marker in as_buyer.get(f"/track/{number}").content.decode()
    assert marker not in as_other.get(f"/track/{number}").content.decode()
    assert marker not in anonymous.get(f"/track/{number}").content.decode()
    scans_record(
        scans=[ScanInput("p5", number, "EMI", "VS21", at(17), proof_pickup_code=parcel.pickup_code)],
        now=at(17),
    )
    assert marker not in as_buyer.get(f"/track/{number}").content.decode()
