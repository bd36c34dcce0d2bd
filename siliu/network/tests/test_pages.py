from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.roles import Role
from siliu.network.models import OutletKind
from siliu.network.tests.factories import OutletFactory, TownshipFactory

pytestmark = pytest.mark.django_db


def test_outlet_list_page_searches(client: Client) -> None:
    """The list page finds an outlet by a part of its name and links to its detail page."""
    OutletFactory.create(code="VS1", name="王家村服务站")
    OutletFactory.create(code="VS2", name="李家沟村服务站")
    page = client.get("/network/outlets/", {"search": "王家"}).content.decode()
    assert 'href="/network/outlets/VS1/"' in page
    assert "VS2" not in page


def test_outlet_list_page_bad_filter_is_400_with_message(client: Client) -> None:
    """A bad filter on the page shows the reason with status 400."""
    response = client.get("/network/outlets/", {"township": "000000000"})
    assert response.status_code == 400
    assert "没有代码为 000000000 的乡镇" in response.content.decode()


def test_outlet_detail_page_and_unknown_code(client: Client) -> None:
    """The detail page shows the outlet; an unknown code is a 404."""
    OutletFactory.create(
        code="VS1",
        name="王家村服务站",
        region__name="王家村",
        region__parent=TownshipFactory.create(name="青龙镇"),
    )
    page = client.get("/network/outlets/VS1/").content.decode()
    assert "王家村服务站" in page
    assert "青龙镇 · 王家村" in page
    assert client.get("/network/outlets/NOPE/").status_code == 404


def test_map_page_embeds_outlets(client: Client) -> None:
    """The map page embeds the outlets as JSON and loads the vendored ECharts."""
    OutletFactory.create(code="VS1", name="王家村服务站")
    page = client.get("/network/map/").content.decode()
    assert 'id="network-map-data"' in page
    assert '"code": "VS1"' in page
    assert "vendor/echarts.custom.min.js" in page


def test_public_outlet_pages_name_the_operator_by_role_only(
    client: Client, make_user: Callable[..., User]
) -> None:
    """The outlet page and its API show who runs a station by role, never the person's name."""
    operator = make_user(Role.STATION_OPERATOR, first_name="秀英", last_name="王")
    station = OutletFactory.create(kind=OutletKind.VILLAGE_STATION, operator=operator)
    page = client.get(f"/network/outlets/{station.code}/").content.decode()
    assert "站点运营员" in page and "秀英" not in page and "王秀英" not in page
    detail = client.get(f"/api/v1/outlets/{station.code}").json()
    assert detail["operator"] == "站点运营员"


def test_the_list_and_the_map_find_the_outlets_with_sign_language_service(client: Client) -> None:
    """The list page and the map filter by service; the map's data names each outlet's services for its
    tooltip's badge; an unknown service is a 400 with the reason."""
    OutletFactory.create(
        code="VS1", name="王家村服务站", has_sign_language_service=True, has_cash_counter=True
    )
    OutletFactory.create(code="VS2", name="李家沟村服务站")
    page = client.get("/network/outlets/", {"service": "sign_language"}).content.decode()
    assert 'href="/network/outlets/VS1/"' in page and "VS2" not in page
    assert '<option value="sign_language" selected>手语服务</option>' in page
    response = client.get("/network/map/", {"service": "sign_language"})
    data = response.context["map_data"]
    assert [outlet["code"] for outlet in data["outlets"]] == ["VS1"]
    assert data["outlets"][0]["services"] == ["sign_language", "cash_counter"]
    assert data["services"]["sign_language"] == "手语服务"
    assert [outlet["code"] for outlet in client.get("/network/map/").context["map_data"]["outlets"]] == [
        "VS1",
        "VS2",
    ]
    refused = client.get("/network/outlets/", {"service": "massage"})
    assert refused.status_code == 400
    assert "服务应为 sign_language" in refused.content.decode()
    assert client.get("/network/map/", {"service": "massage"}).status_code == 400
