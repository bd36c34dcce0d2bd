from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from siliu.network.models import OutletKind
from siliu.network.services import opening_hours_set
from siliu.network.tests.factories import (
    OutletFactory,
    OutletLinkFactory,
    TownshipFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_network() -> dict[str, object]:
    """Two townships: 青龙镇 with an office and two stations, 柳河乡 with one station."""
    qinglong = TownshipFactory.create(code="610199001", name="青龙镇")
    liuhe = TownshipFactory.create(code="610199002", name="柳河乡")
    office = OutletFactory.create(
        code="TS610199001", name="青龙镇邮政所", kind=OutletKind.TOWNSHIP_OFFICE, region=qinglong
    )
    wang = OutletFactory.create(
        code="VS610199001201",
        name="王家村服务站",
        region=VillageFactory.create(code="610199001201", name="王家村", parent=qinglong),
        parent_outlet=office,
        has_sign_language_service=True,
    )
    OutletFactory.create(
        code="VS610199001202",
        name="李家沟村服务站",
        region=VillageFactory.create(code="610199001202", name="李家沟村", parent=qinglong),
        parent_outlet=office,
    )
    OutletFactory.create(
        code="VS610199002201",
        name="河口村服务站",
        region=VillageFactory.create(code="610199002201", name="河口村", parent=liuhe),
    )
    OutletLinkFactory.create(
        from_outlet=office, to_outlet=wang, distance_km=Decimal("4.30"), transit_minutes=12
    )
    return {"office": office, "wang": wang}


def codes(response_json: dict[str, list[dict[str, str]]]) -> list[str]:
    return [outlet["code"] for outlet in response_json["results"]]


def test_list_is_paginated_with_count(api_client: APIClient, small_network: dict[str, object]) -> None:
    """The list answers {count, next, previous, results}, township offices before stations."""
    body = api_client.get("/api/v1/outlets", {"page_size": 2}).json()
    assert body["count"] == 4
    assert body["previous"] is None
    assert body["next"].endswith("page=2&page_size=2")
    assert codes(body) == ["TS610199001", "VS610199001201"]


def test_list_filters_by_kind_township_and_search(
    api_client: APIClient, small_network: dict[str, object]
) -> None:
    """kind, township and search narrow the list and combine."""
    assert codes(api_client.get("/api/v1/outlets", {"kind": "township_office"}).json()) == ["TS610199001"]
    assert codes(api_client.get("/api/v1/outlets", {"township": "610199001"}).json()) == [
        "TS610199001",
        "VS610199001201",
        "VS610199001202",
    ]
    assert codes(api_client.get("/api/v1/outlets", {"search": "李家沟"}).json()) == ["VS610199001202"]
    assert codes(
        api_client.get("/api/v1/outlets", {"township": "610199002", "kind": "village_station"}).json()
    ) == ["VS610199002201"]
    assert codes(api_client.get("/api/v1/outlets", {"search": "河口村"}).json()) == ["VS610199002201"]


def test_list_finds_the_outlets_with_sign_language_service(
    api_client: APIClient, small_network: dict[str, object]
) -> None:
    """?service=sign_language answers the outlets with the flag, alone or with the other filters."""
    assert codes(api_client.get("/api/v1/outlets", {"service": "sign_language"}).json()) == ["VS610199001201"]
    assert (
        codes(api_client.get("/api/v1/outlets", {"service": "sign_language", "township": "610199002"}).json())
        == []
    )


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"kind": "castle"}, "kind", "invalid"),
        ({"township": "12"}, "township", "invalid"),
        ({"township": "999999999"}, "township", "unknown_township"),
        ({"service": "massage"}, "service", "invalid"),
    ],
)
def test_list_refuses_bad_filters(
    api_client: APIClient, small_network: dict[str, object], params: dict[str, str], field: str, code: str
) -> None:
    """A bad filter is a 400 naming the field, never a 500 or an empty list."""
    response = api_client.get("/api/v1/outlets", params)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]


def test_list_page_out_of_range_is_404(api_client: APIClient, small_network: dict[str, object]) -> None:
    """Asking for a page past the end is a 404 with the error shape."""
    response = api_client.get("/api/v1/outlets", {"page": 99})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_has_hours_links_and_flags(api_client: APIClient, small_network: dict[str, object]) -> None:
    """An outlet's detail shows its region, parent, opening hours and outgoing links."""
    import datetime

    office = small_network["office"]
    opening_hours_set(
        outlet=office,  # type: ignore[arg-type]
        periods=[(0, datetime.time(8, 30), datetime.time(17, 30))],
    )
    body = api_client.get("/api/v1/outlets/TS610199001").json()
    assert body["name"] == "青龙镇邮政所"
    assert body["kind"] == "township_office"
    assert body["region_code"] == "610199001"
    assert body["opening_hours"] == [{"weekday": 0, "opens_at": "08:30:00", "closes_at": "17:30:00"}]
    assert body["links"] == [
        {
            "to_outlet": "VS610199001201",
            "to_outlet_name": "王家村服务站",
            "distance_km": "4.30",
            "transit_minutes": 12,
            "departure_times": ["08:00", "14:00"],
        }
    ]
    station = api_client.get("/api/v1/outlets/VS610199001201").json()
    assert station["parent_outlet"] == "TS610199001"
    assert station["has_sign_language_service"] is True
    assert station["region_name"] == "王家村"


def test_detail_unknown_code_is_404(api_client: APIClient, small_network: dict[str, object]) -> None:
    """An unknown outlet code is a 404 with code unknown_outlet."""
    response = api_client.get("/api/v1/outlets/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_outlet"


def test_english_error_messages(api_client: APIClient, small_network: dict[str, object]) -> None:
    """Accept-Language: en gives the error message in English."""
    response = api_client.get("/api/v1/outlets/NOPE", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "There is no outlet with code NOPE"
