"""A small county for outreach's tests: two townships, villages with and without stations."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from siliu.network.models import Outlet, OutletKind, Region
from siliu.network.tests.factories import CountyFactory, OutletFactory, TownshipFactory, VillageFactory
from siliu.outreach.models import StampIssue, StampTheme


@dataclass
class County:
    """青龙镇 (``east``): three villages, the first two with a station, and its office; 白马乡 (``west``):
    one village without a station, and its office."""

    county: Region
    east: Region
    west: Region
    villages: list[Region]
    stations: list[Outlet]
    east_office: Outlet
    west_office: Outlet


def county_build() -> County:
    county = CountyFactory.create()
    east = TownshipFactory.create(name="青龙镇", parent=county)
    west = TownshipFactory.create(name="白马乡", parent=county)
    villages = [
        VillageFactory.create(parent=east, name="王家沟村"),
        VillageFactory.create(parent=east, name="李家庄村"),
        VillageFactory.create(parent=east, name="石门村"),
        VillageFactory.create(parent=west, name="柳树湾村"),
    ]
    east_office = OutletFactory.create(
        kind=OutletKind.TOWNSHIP_OFFICE,
        region=east,
        name="青龙镇邮政所",
        latitude=Decimal("34.200000"),
        longitude=Decimal("108.700000"),
    )
    west_office = OutletFactory.create(
        kind=OutletKind.TOWNSHIP_OFFICE,
        region=west,
        name="白马乡邮政所",
        latitude=Decimal("34.050000"),
        longitude=Decimal("108.400000"),
    )
    stations = [
        OutletFactory.create(
            region=villages[0],
            parent_outlet=east_office,
            latitude=Decimal("34.210000"),
            longitude=Decimal("108.710000"),
        ),
        OutletFactory.create(
            region=villages[1],
            parent_outlet=east_office,
            latitude=Decimal("34.220000"),
            longitude=Decimal("108.720000"),
        ),
    ]
    return County(county, east, west, villages, stations, east_office, west_office)


def stamp_issue_build(**fields: object) -> StampIssue:
    """An issue written straight to the table (no picture), for tests of what uses the catalogue."""
    values: dict[str, object] = {
        "name": "中国共产党成立九十周年",
        "series_number": "2011-16",
        "issued_on": datetime.date(2011, 6, 22),
        "stamp_count": 6,
        "souvenir_sheet_count": 1,
        "face_value_fen": 720,
        "theme": StampTheme.PARTY,
        **fields,
    }
    return StampIssue.objects.create(**values)
