"""A parcel's destination is picked, never typed: a village of the county or a province outside it."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.errors import ValidationFailed
from siliu.logistics.models import Parcel
from siliu.network.destinations import Destination, destination_choose
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

FORM = {
    "product": "express",
    "origin_outlet": "VS11",
    "weight_g": "2500",
    "declared_value": "0",
    "cod_amount": "0",
    "sender_name": "张三",
    "sender_phone": "+8613800000001",
    "sender_address": "王家村 1 号",
    "recipient_name": "李四",
    "recipient_phone": "+8613900000002",
    "recipient_address": "杭州市西湖区 8 号",
    "postage_payment": "cash",
}


def test_a_village_goes_to_its_station_and_a_province_to_its_code(county: dict[str, Outlet]) -> None:
    """河口村 is delivered by its station; 浙江 is region 330000; the words say where."""
    assert destination_choose(village_code="610199002201") == Destination(
        "VS21", None, "柳河乡河口村（河口村服务站）"
    )
    assert destination_choose(province_code="33") == Destination(None, "330000", "浙江省")


@pytest.mark.parametrize(
    ("choice", "code", "field"),
    [
        ({}, "destination_required", "village"),
        ({"village_code": "610199009999"}, "unknown_village", "village"),
        ({"province_code": "99"}, "unknown_province", "province"),
    ],
)
def test_a_bad_choice_names_its_field(
    county: dict[str, Outlet], choice: dict[str, str], code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        destination_choose(**choice)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_the_counter_sends_out_of_the_province_by_picking_one(
    county: dict[str, Outlet], operator_at: Callable[[str], User]
) -> None:
    """Picking 浙江省 prices the parcel for another province; without a choice the page says to pick one
    and nothing is created; the page lists townships, villages and provinces by name."""
    client = Client()
    client.force_login(operator_at("VS11"))
    page = client.get("/logistics/parcels/new/").content.decode()
    assert "柳河乡" in page and "河口村" in page and "浙江省" in page and 'list="outlet-codes"' not in page

    missing = client.post("/logistics/parcels/new/", {**FORM, "send": "1"})
    assert missing.status_code == 400 and 'data-testid="error-village"' in missing.content.decode()
    assert Parcel.objects.count() == 0

    sent = client.post("/logistics/parcels/new/", {**FORM, "province": "33", "send": "1"})
    assert sent.status_code == 302
    parcel = Parcel.objects.get()
    assert (parcel.destination_outlet_id, parcel.destination_region_code, parcel.zone) == (
        None,
        "330000",
        "other_province",
    )
