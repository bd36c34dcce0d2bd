"""Home pickups in remote villages (上门揽收, issue #14): asked for, priced, routed to the village's station,
planned on the next round that collects there, shown to its driver, closed by the parcel accepted at the
station; missed, cancelled, refused."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.agency.pickups.models import HomePickup, HomePickupEvent, RemoteVillage
from siliu.agency.pickups.selectors import home_pickup_stops, unplanned_reason_words
from siliu.agency.pickups.services import (
    demo_home_pickups,
    home_pickup_cancel,
    home_pickup_miss,
    home_pickup_request,
)
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.logistics.models import Parcel, PostagePayment, RoundPlan, Vehicle
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.logistics.rounds.selectors import courier_routes_today
from siliu.logistics.rounds.tasks import round_plan_queue
from siliu.logistics.station.services import station_parcel_accept
from siliu.logistics.tests import conftest as logistics_fixtures
from siliu.logistics.tests.conftest import RECIPIENT, SENDER
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.services import county_post_create, region_create

pytestmark = pytest.mark.django_db

# The logistics tests' small county (HUB, TS1 → VS11, VS12; TS2 → VS21) and its station operators.
county = logistics_fixtures.county
operator_at = logistics_fixtures.operator_at

MakeUser = Callable[..., User]
WANGJIA, LIJIAGOU, HEKOU = "610199001201", "610199001202", "610199002201"
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "rounds"],
    }
}


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def ask(actor: User, village: str = WANGJIA, **fields: Any) -> HomePickup:
    """A home pickup in ``village`` tomorrow 09:00–11:00, 3 kg of eggs, unless ``fields`` say otherwise."""
    values: dict[str, Any] = {
        "village_code": village,
        "address": "王家村3组12号",
        "contact_name": "王秀英",
        "contact_phone": "139 0000 1234",
        "window_on": tomorrow(),
        "window_starts_at": datetime.time(9),
        "window_ends_at": datetime.time(11),
        "description": "土鸡蛋两箱",
        "weight_g": 3000,
        "actor": actor,
        **fields,
    }
    return home_pickup_request(**values)


def events(pickup: HomePickup) -> list[tuple[str, str]]:
    return list(pickup.events.order_by("pk").values_list("from_status", "to_status"))


@pytest.fixture
def remote(county: dict[str, Outlet]) -> dict[str, Outlet]:
    """王家村 (VS11) is remote and free; 李家沟村 (VS12) remote at ¥3.00; 河口村 (VS21) is not listed."""
    RemoteVillage.objects.create(village=Region.objects.get(code=WANGJIA), price_fen=0, note="山区")
    RemoteVillage.objects.create(village=Region.objects.get(code=LIJIAGOU), price_fen=300)
    return county


@pytest.fixture
def villager(make_user: MakeUser) -> User:
    return make_user(Role.CONSUMER, username="xiuying", first_name="秀英", last_name="王")


# --- asking, the price, the station ------------------------------------------------------------------


def test_a_villager_asks_in_a_free_remote_village_and_the_village_station_gets_it(
    remote: dict[str, Outlet], villager: User
) -> None:
    """王家村 is remote and free: the request goes to its station VS11 at ¥0.00, requested, one event."""
    pickup = ask(villager)
    assert (pickup.status, pickup.station, pickup.price_fen, pickup.is_remote) == (
        "requested",
        remote["VS11"],
        0,
        True,
    )
    assert (pickup.requester, pickup.filed_by, pickup.contact_phone) == (villager, villager, "13900001234")
    assert pickup.number.startswith("SM") and len(pickup.number) == 16
    assert events(pickup) == [("", "requested")]


def test_a_priced_remote_village_pays_its_price_and_another_the_standard_price(
    remote: dict[str, Outlet], villager: User, settings: Any
) -> None:
    """李家沟村 pays its own ¥3.00; 河口村, not listed, pays the standard price where VS21 offers home
    pickup (¥5.00 by default, the setting moves it)."""
    assert ask(villager, LIJIAGOU).price_fen == 300
    Outlet.objects.filter(pk=remote["VS21"].pk).update(offers_home_pickup=True)
    standard = ask(villager, HEKOU)
    assert (standard.price_fen, standard.is_remote, standard.station) == (500, False, remote["VS21"])
    settings.SILIU_HOME_PICKUP_PRICE_FEN = 800
    assert ask(villager, HEKOU).price_fen == 800


def test_a_village_neither_remote_nor_offered_is_refused_on_village_and_nothing_is_written(
    remote: dict[str, Outlet], villager: User
) -> None:
    """河口村 is not remote and VS21 does not offer home pickup: 400 on ``village``, no row, no event."""
    with pytest.raises(ValidationFailed) as refused:
        ask(villager, HEKOU)
    assert (refused.value.code, refused.value.field) == ("home_pickup_not_offered", "village")
    assert (HomePickup.objects.count(), HomePickupEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"address": "  "}, "invalid_address", "address"),
        ({"contact_name": ""}, "invalid_name", "contact_name"),
        ({"contact_phone": "12345"}, "invalid_phone", "contact_phone"),
        ({"description": "x" * 201}, "invalid_description", "description"),
        ({"weight_g": 0}, "invalid_weight", "weight_g"),
        ({"weight_g": 100_001}, "invalid_weight", "weight_g"),
        ({"window_ends_at": datetime.time(9, 20)}, "invalid_window", "window_ends_at"),
        ({"window_ends_at": datetime.time(8)}, "invalid_window", "window_ends_at"),
        ({"window_on": "yesterday"}, "window_in_past", "window_on"),
        ({"window_on": "eight days"}, "window_too_far", "window_on"),
        ({"village": "610199009999"}, "unknown_village", "village"),
        ({"village": "610199001299"}, "no_village_station", "village"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_writes_nothing(
    remote: dict[str, Outlet], villager: User, fields: dict[str, Any], code: str, field: str
) -> None:
    """Every field is checked; a refusal names it and writes nothing."""
    region_create(
        code="610199001299",
        name="无站村",
        level=RegionLevel.VILLAGE,
        parent=Region.objects.get(code="610199001"),
    )
    days = {"yesterday": -1, "eight days": 8}
    fields = dict(fields)
    if fields.get("window_on") in days:
        fields = {
            **fields,
            "window_on": timezone.localdate() + datetime.timedelta(days=days[fields["window_on"]]),
        }
    with pytest.raises(ValidationFailed) as refused:
        ask(villager, fields.pop("village", WANGJIA), **fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert (HomePickup.objects.count(), HomePickupEvent.objects.count()) == (0, 0)


def test_an_operator_files_for_a_villager_of_their_own_station_only(
    remote: dict[str, Outlet], operator_at: Callable[[str], User]
) -> None:
    """The operator of VS11 files for a villager of 王家村 (no account: no requester); not for 李家沟村,
    whose station is VS12 — ``not_your_outlet`` on ``village``, nothing written."""
    operator = operator_at("VS11")
    pickup = ask(operator, on_behalf=True)
    assert (pickup.requester, pickup.filed_by, pickup.station) == (None, operator, remote["VS11"])
    assert list(pickup.events.values_list("note", flat=True)) == ["站点代约"]
    with pytest.raises(PermissionRefused) as refused:
        ask(operator, LIJIAGOU, on_behalf=True)
    assert (refused.value.code, refused.value.field) == ("not_your_outlet", "village")
    assert HomePickup.objects.count() == 1


# --- the round, the courier, the acceptance ------------------------------------------------------------


def _van(outlet: Outlet, driver: User | None = None, **fields: Any) -> Vehicle:
    values: dict[str, Any] = {
        "capacity_g": 500_000,
        "shift_starts_at": datetime.time(8, 30),
        "shift_ends_at": datetime.time(18),
        "driver": driver,
        **fields,
    }
    return Vehicle.objects.create(outlet=outlet, name="面包车1号", **values)


def plan_rounds(outlet: Outlet, day: datetime.date, capture: Any) -> RoundPlan:
    """Plan ``outlet``'s rounds on ``day`` as the page and the API do: queued, run by the task on commit."""
    with capture(execute=True):
        plan = round_plan_queue(outlet_code=outlet.code, planned_on=day, seconds=1)
    plan.refresh_from_db()
    assert plan.status == "done", plan.error_message
    return plan


def _accept(operator: User, station: Outlet, home_pickup: str) -> Parcel:
    return station_parcel_accept(
        station=station,
        request=QuoteRequest(
            product_code="express",
            origin_outlet_code=station.code,
            destination_outlet_code="VS21",
            weight_g=2900,
        ),
        sender=SENDER,
        recipient=RECIPIENT,
        postage_payment=PostagePayment.CASH,
        home_pickup=home_pickup,
        actor=operator,
    )


@pytest.fixture
def planned(
    remote: dict[str, Outlet],
    villager: User,
    make_user: MakeUser,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """The villager's pickup tomorrow, on 青龙镇 (TS1)'s round planned for tomorrow, driven by 老李."""
    settings.TASKS = IMMEDIATE_TASKS
    courier = make_user(Role.COURIER, username="laoli")
    _van(remote["TS1"], driver=courier)
    pickup = ask(villager)
    plan = plan_rounds(remote["TS1"], tomorrow(), django_capture_on_commit_callbacks)
    return {"pickup": pickup, "plan": plan, "courier": courier, **remote}


def test_a_booked_pickup_is_on_the_next_round_and_closes_with_the_accepted_parcel(
    planned: dict[str, Any], operator_at: Callable[[str], User]
) -> None:
    """The plan of TS1 for tomorrow stops at VS11's place for the pickup in its window with 20 minutes'
    detour; storing it plans the request (vehicle, arrival); the driver sees it with the full phone; the
    parcel accepted at VS11 naming it closes it, in the acceptance's transaction."""
    pickup, plan = planned["pickup"], planned["plan"]
    (route,) = plan.result["routes"]
    (stop,) = route["stops"]
    assert (stop["code"], stop["pickup_kg"], stop["deliveries"], stop["pickups"]) == ("VS11", 3.0, [], [])
    assert stop["home_pickup"] == {
        "reference": pickup.number,
        "label": "王** · 王家村 · 王家村3组12号",
        "description": "土鸡蛋两箱",
        "phone_masked": "139****1234",
        "window": "09:00–11:00",
        "weight_kg": 3.0,
    }
    assert "09:00" <= stop["starts_service_at"] <= "11:00"
    pickup.refresh_from_db()
    assert (pickup.status, pickup.round_plan, pickup.planned_on, pickup.planned_vehicle) == (
        "planned",
        plan,
        tomorrow(),
        "面包车1号",
    )
    assert pickup.planned_arrives_at == stop["arrives_at"]
    assert events(pickup) == [("", "requested"), ("requested", "planned")]

    (driven,) = courier_routes_today(actor=planned["courier"], today=tomorrow())
    seen = driven.route["stops"][0]["home_pickup"]
    assert (seen["phone"], seen["status_label"], seen["is_open"]) == ("13900001234", "已排班", True)

    operator = operator_at("VS11")
    parcel = _accept(operator, planned["VS11"], pickup.number)
    pickup.refresh_from_db()
    assert (pickup.status, pickup.parcel, parcel.status) == ("collected", parcel, "accepted")
    assert pickup.collected_at == parcel.accepted_at
    assert events(pickup)[-1] == ("planned", "collected")
    assert pickup.events.last().note == parcel.tracking_number


def test_a_window_outside_the_vans_shift_stays_requested_and_says_why(
    remote: dict[str, Outlet],
    villager: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """19:00–20:00 is after the van's shift (08:30–18:00): the plan leaves it out and the request stays
    requested with the reason in words; no event (its status did not change)."""
    settings.TASKS = IMMEDIATE_TASKS
    _van(remote["TS1"])
    pickup = ask(villager, window_starts_at=datetime.time(19), window_ends_at=datetime.time(20))
    plan = plan_rounds(remote["TS1"], tomorrow(), django_capture_on_commit_callbacks)
    assert plan.result["routes"] == []
    assert [(item["reason"], item["home_pickup"]["reference"]) for item in plan.result["unserved"]] == [
        ("outside_shift", pickup.number)
    ]
    pickup.refresh_from_db()
    assert (pickup.status, pickup.unplanned_reason, unplanned_reason_words(pickup)) == (
        "requested",
        "outside_shift",
        "上门时段不在车辆班次内",
    )
    assert events(pickup) == [("", "requested")]


def test_a_plan_made_again_keeps_its_planned_pickups_and_a_cancelled_one_drops_out(
    planned: dict[str, Any], villager: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Planning the same day again takes the planned request again (no new event); one cancelled since
    is not asked for."""
    first = planned["pickup"]
    second = ask(villager, window_starts_at=datetime.time(14), window_ends_at=datetime.time(16))
    home_pickup_cancel(pickup=second, actor=villager)
    again = plan_rounds(planned["TS1"], tomorrow(), django_capture_on_commit_callbacks)
    (stop,) = again.result["routes"][0]["stops"]
    assert stop["home_pickup"]["reference"] == first.number
    first.refresh_from_db()
    assert (first.status, first.round_plan) == ("planned", again)
    assert events(first) == [("", "requested"), ("requested", "planned")]


def test_a_missed_pickup_returns_to_requested_for_the_next_round(
    planned: dict[str, Any], operator_at: Callable[[str], User]
) -> None:
    """未揽到: missed and at once requested again (two events), off the plan, on the next day's round."""
    operator = operator_at("VS11")
    pickup = home_pickup_miss(pickup=planned["pickup"], actor=operator, note="家中无人")
    pickup.refresh_from_db()
    assert (pickup.status, pickup.missed_count, pickup.round_plan, pickup.planned_on) == (
        "requested",
        1,
        None,
        None,
    )
    assert events(pickup) == [
        ("", "requested"),
        ("requested", "planned"),
        ("planned", "missed"),
        ("missed", "requested"),
    ]
    day_after = tomorrow() + datetime.timedelta(days=1)
    assert [stop.reference for stop in home_pickup_stops([planned["VS11"]], day_after)] == [pickup.number]


def test_only_a_planned_pickup_is_missed_and_only_at_its_station(
    remote: dict[str, Outlet], villager: User, operator_at: Callable[[str], User]
) -> None:
    """A request not planned yet cannot be missed (``invalid_transition``); another station's operator
    may not record it (``not_your_outlet``); nothing changes."""
    pickup = ask(villager)
    with pytest.raises(Conflict) as not_planned:
        home_pickup_miss(pickup=pickup, actor=operator_at("VS11"))
    with pytest.raises(PermissionRefused) as elsewhere:
        home_pickup_miss(pickup=pickup, actor=operator_at("VS21"))
    assert (not_planned.value.code, elsewhere.value.code) == ("invalid_transition", "not_your_outlet")
    pickup.refresh_from_db()
    assert (pickup.status, pickup.missed_count, events(pickup)) == ("requested", 0, [("", "requested")])


def test_cancel_is_refused_after_collection_and_changes_nothing(
    planned: dict[str, Any], operator_at: Callable[[str], User], villager: User
) -> None:
    """Once collected, neither the villager nor the station can cancel it."""
    operator = operator_at("VS11")
    _accept(operator, planned["VS11"], planned["pickup"].number)
    for actor in (villager, operator):
        with pytest.raises(Conflict) as refused:
            home_pickup_cancel(pickup=planned["pickup"], actor=actor)
        assert refused.value.code == "invalid_transition"
    pickup = HomePickup.objects.get(pk=planned["pickup"].pk)
    assert (pickup.status, len(events(pickup))) == ("collected", 3)


def test_the_requester_or_the_station_cancels_nobody_else(
    remote: dict[str, Outlet], villager: User, make_user: MakeUser, operator_at: Callable[[str], User]
) -> None:
    """Another villager is refused (``not_yours``); the villager and VS11's operator may cancel."""
    pickup = ask(villager)
    with pytest.raises(PermissionRefused) as refused:
        home_pickup_cancel(pickup=pickup, actor=make_user(Role.CONSUMER))
    assert refused.value.code == "not_yours"
    assert HomePickup.objects.get(pk=pickup.pk).status == "requested"
    assert home_pickup_cancel(pickup=pickup, actor=villager).status == "cancelled"
    other = ask(villager)
    assert home_pickup_cancel(pickup=other, actor=operator_at("VS11")).status == "cancelled"
    assert events(other) == [("", "requested"), ("requested", "cancelled")]


def test_acceptance_naming_a_wrong_or_closed_pickup_is_refused_and_writes_nothing(
    planned: dict[str, Any], operator_at: Callable[[str], User], villager: User
) -> None:
    """VS21 cannot close VS11's request (``unknown_home_pickup``), nor VS11 a cancelled one
    (``home_pickup_not_open``): no parcel is created, the request is unchanged."""
    with pytest.raises(ValidationFailed) as elsewhere:
        _accept(operator_at("VS21"), planned["VS21"], planned["pickup"].number)
    assert (elsewhere.value.code, elsewhere.value.field) == ("unknown_home_pickup", "home_pickup")
    cancelled = home_pickup_cancel(pickup=ask(villager), actor=villager)
    with pytest.raises(Conflict) as closed:
        _accept(operator_at("VS11"), planned["VS11"], cancelled.number)
    assert (closed.value.code, closed.value.field) == ("home_pickup_not_open", "home_pickup")
    assert Parcel.objects.count() == 0
    assert HomePickup.objects.get(pk=planned["pickup"].pk).status == "planned"


# --- the API -----------------------------------------------------------------------------------------------


def _payload(**fields: Any) -> dict[str, Any]:
    return {
        "village": WANGJIA,
        "address": "王家村3组12号",
        "contact_name": "王秀英",
        "contact_phone": "13900001234",
        "window_on": tomorrow().isoformat(),
        "window_starts_at": "09:00",
        "window_ends_at": "11:00",
        "description": "土鸡蛋两箱",
        "weight_g": 3000,
        **fields,
    }


def test_api_quotes_creates_lists_and_cancels(
    remote: dict[str, Outlet], villager: User, api_client: APIClient
) -> None:
    """The price first, then the request (201), the caller's list, and a cancel."""
    api_client.force_authenticate(villager)
    quote = api_client.post(reverse("api:home-pickup-quote"), {"village": LIJIAGOU}, format="json")
    assert quote.json() == {
        "village": "李家沟村",
        "station": "VS12",
        "station_name": "李家沟村服务站",
        "price_fen": 300,
        "price": "¥3.00",
        "is_remote": True,
        "note": "",
    }
    created = api_client.post(reverse("api:home-pickups"), _payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {key: body[key] for key in ("status", "station", "price_fen", "price", "window_starts_at")} == {
        "status": "requested",
        "station": "VS11",
        "price_fen": 0,
        "price": "免费",
        "window_starts_at": "09:00",
    }
    listed = api_client.get(reverse("api:home-pickups")).json()
    assert [row["number"] for row in listed] == [body["number"]]
    cancelled = api_client.post(reverse("api:home-pickup-cancel", args=[body["number"]]))
    assert (cancelled.status_code, cancelled.json()["status_label"]) == (200, "已取消")
    again = api_client.post(reverse("api:home-pickup-cancel", args=[body["number"]]))
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"contact_phone": "123"}, 400, "contact_phone"),
        ({"village": HEKOU}, 400, "village"),
        ({"window_on": "2020-01-01"}, 400, "window_on"),
        ({"weight_g": 0}, 400, "weight_g"),
        ({"window_starts_at": "nine"}, 400, "window_starts_at"),
        ({"on_behalf": True}, 403, "village"),
    ],
)
def test_api_refuses_bad_input_with_the_field_and_writes_nothing(
    remote: dict[str, Outlet],
    villager: User,
    api_client: APIClient,
    fields: dict[str, Any],
    status: int,
    field: str,
) -> None:
    """400 (or 403 for a villager filing for someone) naming the field; no row."""
    api_client.force_authenticate(villager)
    response = api_client.post(reverse("api:home-pickups"), _payload(**fields), format="json")
    assert response.status_code == status, response.json()
    assert field in response.json()["errors"]
    assert HomePickup.objects.count() == 0


def test_api_station_acceptance_closes_the_pickup(
    planned: dict[str, Any], operator_at: Callable[[str], User], api_client: APIClient
) -> None:
    """``POST /station/acceptances`` naming the request: the parcel accepted in cash, the request
    collected; naming it again is a 409 on ``home_pickup`` and no second parcel."""
    api_client.force_authenticate(operator_at("VS11"))
    payload = {
        "product": "express",
        "origin_outlet": "VS11",
        "destination_outlet": "VS21",
        "weight_g": 2900,
        "sender": {"name": "王秀英", "phone": "+8613900001234", "address": "王家村3组12号"},
        "recipient": {"name": "李四", "phone": "+8613900000002", "address": "河口村 8 号"},
        "home_pickup": planned["pickup"].number,
    }
    response = api_client.post(reverse("api:station-acceptances"), payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["postage_payment"]) == ("accepted", "cash")
    pickup = HomePickup.objects.select_related("parcel").get(pk=planned["pickup"].pk)
    assert (pickup.status, pickup.parcel.tracking_number) == ("collected", response.json()["tracking_number"])  # type: ignore[union-attr]
    again = api_client.post(reverse("api:station-acceptances"), payload, format="json")
    assert (again.status_code, again.json()["code"], list(again.json()["errors"])) == (
        409,
        "home_pickup_not_open",
        ["home_pickup"],
    )
    assert Parcel.objects.count() == 1


def test_api_rounds_today_shows_the_home_pickup_with_the_full_phone_to_its_driver(
    planned: dict[str, Any], api_client: APIClient
) -> None:
    """The driver's 我的班次 on the plan's day: the stop marked with the villager, window, goods, phone."""
    RoundPlan.objects.filter(pk=planned["plan"].pk).update(planned_on=timezone.localdate())
    api_client.force_authenticate(planned["courier"])
    (route,) = api_client.get(reverse("api:rounds-today")).json()
    (stop,) = route["stops"]
    assert stop["home_pickup"] == {
        "villager": "王** · 王家村 · 王家村3组12号",
        "reference": planned["pickup"].number,
        "description": "土鸡蛋两箱",
        "phone": "13900001234",
        "window": "09:00–11:00",
        "weight_kg": 3.0,
        "status": "planned",
        "status_label": "已排班",
        "is_open": True,
    }


# --- the pages -----------------------------------------------------------------------------------------


def test_villager_page_shows_the_price_then_books_and_lists(
    remote: dict[str, Outlet], villager: User
) -> None:
    """查看上门费 shows the price and books nothing; 确认预约 books; the list shows it with its status."""
    client = Client()
    client.force_login(villager)
    form = {**_payload(), "weight_kg": "3", "township": "610199001"}
    quoted = client.post(reverse("agency:pickups"), {**form, "quote": ""})
    assert quoted.status_code == 200
    assert "上门费" in quoted.content.decode() and "免费" in quoted.content.decode()
    assert HomePickup.objects.count() == 0
    booked = client.post(reverse("agency:pickups"), {**form, "confirm": ""})
    assert booked.status_code == 302
    pickup = HomePickup.objects.get()
    assert (pickup.weight_g, pickup.requester) == (3000, villager)
    page = client.get(reverse("agency:pickups")).content.decode()
    assert pickup.number in page and "待安排" in page


def test_villager_page_names_the_field_at_fault(remote: dict[str, Outlet], villager: User) -> None:
    """A village without home pickup: 400 with the message under the village picker, nothing booked."""
    client = Client()
    client.force_login(villager)
    response = client.post(
        reverse("agency:pickups"), {**_payload(village=HEKOU), "weight_kg": "3", "confirm": ""}
    )
    assert response.status_code == 400
    assert 'data-testid="error-village"' in response.content.decode()
    assert HomePickup.objects.count() == 0


def test_station_page_lists_files_and_the_accept_page_offers_the_pickup(
    remote: dict[str, Outlet], operator_at: Callable[[str], User]
) -> None:
    """The operator files for a villager, the station's list shows it with the masked phone, and the
    accept page offers it in its select with the price to collect."""
    operator = operator_at("VS11")
    client = Client()
    client.force_login(operator)
    form = {**_payload(), "weight_kg": "3", "station": "VS11", "confirm": ""}
    filed = client.post(reverse("agency:pickup-new-for"), form)
    assert filed.status_code == 302, filed.content.decode()
    pickup = HomePickup.objects.get()
    assert pickup.requester is None
    page = client.get(reverse("agency:pickups-station")).content.decode()
    assert pickup.number in page and "139****1234" in page and "13900001234" not in page
    accept = client.get(
        reverse("logistics:station-accept"), {"station": "VS11", "home_pickup": pickup.number}
    )
    assert f'<option value="{pickup.number}" selected>' in accept.content.decode()
    assert "上门费 免费" in accept.content.decode()


def test_a_county_manager_reads_the_stations_of_their_county_and_files_nothing(
    remote: dict[str, Outlet], villager: User, make_user: MakeUser
) -> None:
    """pickup.read in the county: the list, without the buttons to file, cancel or mark missed."""
    pickup = ask(villager)
    manager = make_user(Role.COUNTY_MANAGER)
    county_post_create(user=manager, county=Region.objects.get(code="610199"))
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("agency:pickups-station"), {"station": "VS11"}).content.decode()
    assert pickup.number in page
    assert 'data-testid="pickup-new-for"' not in page and 'data-testid="pickup-cancel"' not in page
    assert client.get(reverse("agency:pickup-new-for")).status_code == 403


def test_demo_home_pickups_are_filed_once_by_the_stations(
    remote: dict[str, Outlet], operator_at: Callable[[str], User]
) -> None:
    """The demo flags every third station's village remote and files requests there by its operator;
    a second run adds nothing."""
    for code in ("VS11", "VS12", "VS21"):
        operator_at(code)
    RemoteVillage.objects.all().delete()
    created = demo_home_pickups(count=2)
    assert [(pickup.station.code, pickup.status, pickup.requester) for pickup in created] == [
        ("VS11", "requested", None),
        ("VS11", "requested", None),
    ]
    assert list(RemoteVillage.objects.values_list("village__code", "price_fen")) == [(WANGJIA, 0)]
    assert demo_home_pickups(count=2) == []
