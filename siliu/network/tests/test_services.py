import datetime
from decimal import Decimal

import pytest

from siliu.core.errors import Conflict, ValidationFailed
from siliu.network.models import OpeningHours, Outlet, OutletKind, OutletLink, Region, RegionLevel
from siliu.network.selectors import network_map_data, outlet_counts
from siliu.network.services import (
    opening_hours_set,
    outlet_create,
    outlet_link_create,
    region_create,
)
from siliu.network.tests.factories import CountyFactory, OutletFactory, TownshipFactory

pytestmark = pytest.mark.django_db


def test_region_create_checks_code_length_and_parent() -> None:
    """Codes have the level's length and extend the parent's; nothing is saved when refused."""
    county = CountyFactory.create()
    township = region_create(code="610124101", name="青龙镇", level=RegionLevel.TOWNSHIP, parent=county)
    assert township.parent == county
    before = Region.objects.count()
    with pytest.raises(ValidationFailed) as too_short:
        region_create(code="61012410", name="坏", level=RegionLevel.TOWNSHIP, parent=county)
    assert too_short.value.field == "code"
    with pytest.raises(ValidationFailed) as wrong_prefix:
        region_create(code="620124101201", name="坏村", level=RegionLevel.VILLAGE, parent=township)
    assert wrong_prefix.value.field == "code"
    with pytest.raises(ValidationFailed) as wrong_parent:
        region_create(code="610124101", name="坏", level=RegionLevel.VILLAGE, parent=county)
    assert wrong_parent.value.field in {"code", "parent"}
    with pytest.raises(ValidationFailed) as duplicate:
        region_create(code="610124101", name="又一个", level=RegionLevel.TOWNSHIP, parent=county)
    assert duplicate.value.code == "duplicate"
    assert Region.objects.count() == before


def test_outlet_create_enforces_the_hierarchy() -> None:
    """A station needs a township office above it; a hub has no parent."""
    county = CountyFactory.create()
    township = TownshipFactory.create(parent=county)
    hub = outlet_create(
        code="HUB1",
        name="县中心",
        kind=OutletKind.COUNTY_HUB,
        region=county,
        latitude=Decimal("34.1"),
        longitude=Decimal("108.6"),
    )
    with pytest.raises(ValidationFailed) as refused:
        outlet_create(
            code="VS1",
            name="站",
            kind=OutletKind.VILLAGE_STATION,
            region=township,
            latitude=Decimal("34.1"),
            longitude=Decimal("108.6"),
            parent_outlet=hub,
        )
    assert refused.value.code == "invalid_parent"
    with pytest.raises(ValidationFailed) as bad_latitude:
        outlet_create(
            code="TS1",
            name="所",
            kind=OutletKind.TOWNSHIP_OFFICE,
            region=township,
            latitude=Decimal("134.1"),
            longitude=Decimal("108.6"),
            parent_outlet=hub,
        )
    assert bad_latitude.value.field == "latitude"
    assert list(Outlet.objects.values_list("code", flat=True)) == ["HUB1"]


def test_opening_hours_set_replaces_and_refuses_overlaps() -> None:
    """Opening hours are replaced as a whole; overlapping or inverted periods are refused."""
    outlet = OutletFactory.create()
    opening_hours_set(
        outlet=outlet,
        periods=[(0, datetime.time(8), datetime.time(12)), (0, datetime.time(14), datetime.time(19))],
    )
    with pytest.raises(ValidationFailed):
        opening_hours_set(
            outlet=outlet,
            periods=[(1, datetime.time(8), datetime.time(12)), (1, datetime.time(11), datetime.time(19))],
        )
    with pytest.raises(ValidationFailed):
        opening_hours_set(outlet=outlet, periods=[(2, datetime.time(12), datetime.time(8))])
    with pytest.raises(ValidationFailed):
        opening_hours_set(outlet=outlet, periods=[(7, datetime.time(8), datetime.time(12))])
    assert [str(period) for period in OpeningHours.objects.filter(outlet=outlet)] == [
        "周一 08:00–12:00",
        "周一 14:00–19:00",
    ]


def test_outlet_link_create_both_ways_and_refusals() -> None:
    """Links are created per direction; loops, bad times and duplicates are refused, nothing half-written."""
    a, b = OutletFactory.create(), OutletFactory.create()
    there, back = outlet_link_create(
        from_outlet=a,
        to_outlet=b,
        distance_km=Decimal("3.5"),
        transit_minutes=10,
        departure_times=["08:00"],
        both_ways=True,
        return_departure_times=["16:00"],
    )
    assert (there.from_outlet, there.to_outlet, there.departure_times) == (a, b, ["08:00"])
    assert (back.from_outlet, back.to_outlet, back.departure_times) == (b, a, ["16:00"])
    assert there.departures() == [datetime.time(8)]
    c = OutletFactory.create()
    outlet_link_create(from_outlet=c, to_outlet=a, distance_km=Decimal(1), transit_minutes=1)
    with pytest.raises(ValidationFailed):
        outlet_link_create(from_outlet=a, to_outlet=a, distance_km=Decimal(1), transit_minutes=1)
    with pytest.raises(ValidationFailed):
        outlet_link_create(from_outlet=a, to_outlet=c, distance_km=Decimal(0), transit_minutes=1)
    with pytest.raises(ValidationFailed) as bad_time:
        outlet_link_create(
            from_outlet=a, to_outlet=c, distance_km=Decimal(1), transit_minutes=1, departure_times=["25:00"]
        )
    assert bad_time.value.field == "departure_times"
    with pytest.raises(ValidationFailed):
        outlet_link_create(
            from_outlet=a,
            to_outlet=c,
            distance_km=Decimal(1),
            transit_minutes=1,
            departure_times=["9:00", "8:00"],
        )
    with pytest.raises(Conflict):
        outlet_link_create(
            from_outlet=a, to_outlet=c, distance_km=Decimal(1), transit_minutes=1, both_ways=True
        )
    assert OutletLink.objects.count() == 3


def test_map_data_draws_each_road_once() -> None:
    """The map gets every active outlet with [lon, lat] and one line per pair of linked outlets."""
    a = OutletFactory.create(code="A1", latitude=Decimal("34.1"), longitude=Decimal("108.6"))
    b = OutletFactory.create(code="B1", latitude=Decimal("34.2"), longitude=Decimal("108.7"))
    OutletFactory.create(code="C1", is_active=False)
    outlet_link_create(
        from_outlet=a, to_outlet=b, distance_km=Decimal("12.5"), transit_minutes=20, both_ways=True
    )
    data = network_map_data()
    assert [(o["code"], o["value"]) for o in data["outlets"]] == [
        ("A1", [108.6, 34.1]),
        ("B1", [108.7, 34.2]),
    ]
    assert data["links"] == [{"source": "A1", "target": "B1", "distance_km": 12.5}]
    assert outlet_counts() == {"county_hub": 0, "township_office": 0, "village_station": 2}


def test_region_create_county_code_shares_the_province_prefix() -> None:
    """A county under 陕西省 (61…) must have a code starting 61."""
    from siliu.network.tests.factories import ProvinceFactory

    province = ProvinceFactory.create()
    with pytest.raises(ValidationFailed):
        region_create(code="110101", name="东城区", level=RegionLevel.COUNTY, parent=province)
    assert (
        region_create(code="610124", name="周至县", level=RegionLevel.COUNTY, parent=province).code
        == "610124"
    )
