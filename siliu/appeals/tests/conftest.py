"""A small county for the requests' tests: two townships; 东村 has a station run by an operator, 西村 has
none (its township's office serves it), 南村 in the other township has its own station."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from siliu.core.people import user_profile_set
from siliu.core.roles import Role
from siliu.network.models import Outlet, OutletKind, Region
from siliu.network.tests.factories import OutletFactory, TownshipFactory, VillageFactory

#: A fixed moment (Asia/Shanghai 2026-11-16 10:00) for the tests that count days.
NOW = datetime.datetime(2026, 11, 16, 2, 0, tzinfo=datetime.UTC)


@dataclass
class County:
    qingshui: Region
    hongshan: Region
    east: Region
    west: Region
    south: Region
    east_station: Outlet
    office: Outlet
    south_station: Outlet
    operator: User
    south_operator: User
    manager: User
    villager: User


@pytest.fixture
def county(db: None, make_user: Callable[..., User]) -> County:
    qingshui = TownshipFactory.create(name="清水乡")
    hongshan = TownshipFactory.create(name="红山镇")
    east = VillageFactory.create(parent=qingshui, name="东村")
    west = VillageFactory.create(parent=qingshui, name="西村")
    south = VillageFactory.create(parent=hongshan, name="南村")
    operator = make_user(Role.STATION_OPERATOR, username="op_east")
    south_operator = make_user(Role.STATION_OPERATOR, username="op_south")
    office = OutletFactory.create(kind=OutletKind.TOWNSHIP_OFFICE, region=qingshui, name="清水乡邮政所")
    east_station = OutletFactory.create(region=east, name="东村服务站", operator=operator)
    south_station = OutletFactory.create(region=south, name="南村服务站", operator=south_operator)
    manager = make_user(Role.COUNTY_MANAGER, username="manager")
    villager = make_user(Role.CONSUMER, username="villager")
    user_profile_set(user=villager, phone="13800000001")
    return County(
        qingshui, hongshan, east, west, south, east_station, office, south_station, operator, south_operator,
        manager, villager,
    )  # fmt: skip
