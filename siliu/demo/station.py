"""Parcels waiting at the demo operator's station as ``siliu demo`` ends.

A village station's year is mostly parcels handed over within a day or two, so at any moment only a
few wait; the demo's own orders leave the `station_operator`'s station with none on most days. These
parcels, sent from the county hub by shops outside the platform, give its 本站邮件 page a 待取 list
(three that arrived in the last day and a half) and a 待退回 one (uncollected for nine days).
"""

import datetime

from siliu.logistics.models import Parcel, PostagePayment
from siliu.logistics.parcels.services import Address, ScanInput, parcel_create, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.network.models import Outlet, OutletKind

#: (recipient, phone, weight in grams, hours before the demo's end that the parcel reached the station)
WAITING_PARCELS = (
    ("王秀英", "+8613709181234", 1200, 2),
    ("李建国", "+8613809182345", 3500, 20),
    ("张桂兰", "+8613909183456", 800, 30),
    ("刘德福", "+8615109184567", 2200, 9 * 24),
)
SENDER = Address("县城农资店", "+862987651234", "示范县县城解放路 1 号")


def demo_station_parcels(*, now: datetime.datetime) -> list[Parcel]:
    """Send :data:`WAITING_PARCELS` from the hub to the operator's station, each accepted and sorted at
    the hub and arrived at the station (EDH) the given hours before ``now``. None without that station."""
    station = Outlet.objects.filter(operator__username="station_operator").first()
    hub = Outlet.objects.filter(kind=OutletKind.COUNTY_HUB).order_by("code").first()
    if station is None or hub is None:
        return []
    parcels = []
    for index, (name, phone, weight_g, hours) in enumerate(WAITING_PARCELS, start=1):
        arrived = now - datetime.timedelta(hours=hours)
        parcel = parcel_create(
            request=QuoteRequest(
                product_code="express",
                origin_outlet_code=hub.code,
                destination_outlet_code=station.code,
                weight_g=weight_g,
            ),
            sender=SENDER,
            recipient=Address(name, phone, f"{station.name} 代收"),
            postage_payment=PostagePayment.CASH,
            now=arrived - datetime.timedelta(hours=8),
        )
        number = parcel.tracking_number
        scans_record(
            scans=[
                ScanInput(
                    f"demo-wait-{index}-1", number, "EMA", hub.code, arrived - datetime.timedelta(hours=7)
                ),
                ScanInput(
                    f"demo-wait-{index}-2", number, "EDE", hub.code, arrived - datetime.timedelta(hours=5)
                ),
                ScanInput(f"demo-wait-{index}-3", number, "EDH", station.code, arrived),
            ],
            now=arrived,
        )
        parcel.refresh_from_db()
        parcels.append(parcel)
    return parcels
