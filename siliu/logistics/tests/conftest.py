"""A small county for logistics tests, built through the network services.

::

    HUB ── TS1 (青龙镇) ── VS11, VS12 ── (VS12 beyond VS11)
        └─ TS2 (柳河乡) ── VS21

Every link leaves at 08:00, 10:00, 14:00 and 16:00 and takes 30 minutes; trunks leave the hub at
18:00 (same province, 12 h) and 18:30 (other provinces, 30 h).
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from siliu.core.roles import Role
from siliu.logistics.models import Parcel, PostagePayment, Zone
from siliu.logistics.parcels.services import Address, ScanInput, parcel_create
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.logistics.pricing.services import trunk_route_set
from siliu.network.models import Outlet, OutletKind, RegionLevel
from siliu.network.services import outlet_create, outlet_link_create, region_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMES = ["08:00", "10:00", "14:00", "16:00"]
#: A Monday morning in the county, before the first departure.
MONDAY_0730 = datetime.datetime(2026, 11, 23, 7, 30, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0, day: int = 23, month: int = 11) -> datetime.datetime:
    """A local time in the county in 2026, by default on that Monday."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def journey(number: str, prefix: str = "e", delivered_at: datetime.datetime | None = None) -> list[ScanInput]:
    """The scans of a parcel from VS11 to VS21 on that Monday, event ids ``<prefix>1`` to ``<prefix>6``:
    accepted at 07:45, through the hub, delivered (signed for) at ``delivered_at``, by default 17:00."""
    return [
        ScanInput(f"{prefix}1", number, "EMA", "VS11", at(7, 45)),
        ScanInput(f"{prefix}2", number, "EDD", "HUB", at(10, 35)),
        ScanInput(f"{prefix}3", number, "EDE", "HUB", at(14)),
        ScanInput(f"{prefix}4", number, "EMG", "VS21", at(16, 30)),
        ScanInput(f"{prefix}5", number, "EDG", "VS21", at(16, 40)),
        ScanInput(f"{prefix}6", number, "EMI", "VS21", delivered_at or at(17), proof_signature_name="李四"),
    ]


SENDER = Address("张三", "+8613800000001", "陕西省示范县青龙镇王家村 1 号")
RECIPIENT = Address("李四", "+8613900000002", "陕西省示范县柳河乡河口村 8 号")


@pytest.fixture
def county(db: None) -> dict[str, Outlet]:
    province = region_create(code="610000", name="陕西省", level=RegionLevel.PROVINCE)
    county_region = region_create(code="610199", name="示范县", level=RegionLevel.COUNTY, parent=province)
    qinglong = region_create(
        code="610199001", name="青龙镇", level=RegionLevel.TOWNSHIP, parent=county_region
    )
    liuhe = region_create(code="610199002", name="柳河乡", level=RegionLevel.TOWNSHIP, parent=county_region)
    villages = {
        code: region_create(code=code, name=name, level=RegionLevel.VILLAGE, parent=parent)
        for code, name, parent in [
            ("610199001201", "王家村", qinglong),
            ("610199001202", "李家沟村", qinglong),
            ("610199002201", "河口村", liuhe),
        ]
    }

    def place(
        code: str, name: str, kind: OutletKind, region: Any, parent: Outlet | None, lat: str, lon: str
    ) -> Outlet:
        return outlet_create(
            code=code,
            name=name,
            kind=kind,
            region=region,
            parent_outlet=parent,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            has_cash_counter=True,
        )

    hub = place("HUB", "示范县寄递中心", OutletKind.COUNTY_HUB, county_region, None, "34.10", "108.60")
    ts1 = place("TS1", "青龙镇邮政所", OutletKind.TOWNSHIP_OFFICE, qinglong, hub, "34.20", "108.65")
    ts2 = place("TS2", "柳河乡邮政所", OutletKind.TOWNSHIP_OFFICE, liuhe, hub, "34.00", "108.50")
    vs11 = place(
        "VS11", "王家村服务站", OutletKind.VILLAGE_STATION, villages["610199001201"], ts1, "34.22", "108.66"
    )
    vs12 = place(
        "VS12", "李家沟村服务站", OutletKind.VILLAGE_STATION, villages["610199001202"], ts1, "34.24", "108.67"
    )
    vs21 = place(
        "VS21", "河口村服务站", OutletKind.VILLAGE_STATION, villages["610199002201"], ts2, "33.98", "108.48"
    )
    for a, b in [(hub, ts1), (hub, ts2), (ts1, vs11), (vs11, vs12), (ts2, vs21)]:
        outlet_link_create(
            from_outlet=a,
            to_outlet=b,
            distance_km=Decimal("10"),
            transit_minutes=30,
            departure_times=TIMES,
            both_ways=True,
        )
    trunk_route_set(hub=hub, zone=Zone.SAME_PROVINCE, departure_times=["18:00"], transit_minutes=720)
    trunk_route_set(hub=hub, zone=Zone.OTHER_PROVINCE, departure_times=["18:30"], transit_minutes=1800)
    return {"HUB": hub, "TS1": ts1, "TS2": ts2, "VS11": vs11, "VS12": vs12, "VS21": vs21}


@pytest.fixture
def make_parcel(county: dict[str, Outlet]) -> Callable[..., Parcel]:
    """``make_parcel(origin="VS11", destination="VS21", weight_g=1500, ...)`` → a created cash parcel."""

    def make(
        *,
        origin: str = "VS11",
        destination: str | None = "VS21",
        product: str = "express",
        weight_g: int = 1500,
        postage_payment: PostagePayment = PostagePayment.CASH,
        sender_user: User | None = None,
        now: datetime.datetime = MONDAY_0730,
        **request_fields: Any,
    ) -> Parcel:
        request = QuoteRequest(
            product_code=product,
            origin_outlet_code=origin,
            destination_outlet_code=destination,
            weight_g=weight_g,
            **request_fields,
        )
        return parcel_create(
            request=request,
            sender=SENDER,
            recipient=RECIPIENT,
            postage_payment=postage_payment,
            sender_user=sender_user,
            now=now,
        )

    return make


@pytest.fixture
def operator_at(county: dict[str, Outlet], make_user: Callable[..., User]) -> Callable[[str], User]:
    """``operator_at("VS11")`` → a station operator who runs that outlet (``parcel.scan``, cash and
    ``parcel.read`` hold there and nowhere else)."""

    def make(code: str) -> User:
        user = make_user(Role.STATION_OPERATOR, username=f"op-{code.lower()}")
        Outlet.objects.filter(pk=county[code].pk).update(operator=user)
        county[code].operator = user
        return user

    return make
