"""The logistics API end to end: quote, create, label, scans, tracking, exceptions."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from siliu.core.roles import Role
from siliu.finance.models import Account
from siliu.finance.services import wallet_cash_in
from siliu.logistics.models import Parcel, ParcelEvent, Vehicle
from siliu.logistics.parcels.exceptions import parcel_exceptions_flag
from siliu.logistics.tests.conftest import MONDAY_0730, SHANGHAI
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

QUOTE = {"product": "express", "origin_outlet": "VS11", "destination_outlet": "VS21", "weight_g": 2500}
PARTIES = {
    "sender": {"name": "张三", "phone": "+8613800000001", "address": "青龙镇王家村 1 号"},
    "recipient": {"name": "李四", "phone": "+8613900000002", "address": "柳河乡河口村 8 号"},
}


def test_quote_returns_fee_and_promise_without_writing(
    api_client: APIClient, county: dict[str, Outlet]
) -> None:
    """POST /api/v1/quotes prices the parcel and creates nothing."""
    response = api_client.post("/api/v1/quotes", QUOTE, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["zone"], body["postage_fen"], body["fee_fen"]) == ("same_county", 1600, 1600)
    assert [leg["from_code"] for leg in body["path"]] == ["VS11", "TS1", "HUB", "TS2"]
    assert Parcel.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"weight_g": 0}, 400, "weight_g"),
        ({"weight_g": "heavy"}, 400, "weight_g"),
        ({"product": "pigeon"}, 400, "product"),
        ({"origin_outlet": "NOPE"}, 404, "origin_outlet"),
        ({"destination_region_code": "12", "destination_outlet": ""}, 400, "destination_region_code"),
    ],
)
def test_quote_bad_input_is_a_clear_4xx(
    api_client: APIClient, county: dict[str, Outlet], change: dict[str, Any], status: int, field: str
) -> None:
    """Every bad quote names its field with a 4xx."""
    response = api_client.post("/api/v1/quotes", {**QUOTE, **change}, format="json")
    assert response.status_code == status
    assert field in response.json()["errors"]


def test_create_with_wallet_is_idempotent_and_masks_phones(
    client_as: Callable[..., APIClient], county: dict[str, Outlet], make_user: Callable[..., User]
) -> None:
    """A consumer sends a parcel from their wallet; the same Idempotency-Key returns the same parcel."""
    client = client_as(Role.CONSUMER, username="buyer")
    buyer = User.objects.get(username="buyer")
    wallet_cash_in(
        outlet=county["VS11"], customer=buyer, amount_fen=10_000, id="t1", actor=make_user(is_superuser=True)
    )
    payload = {**QUOTE, **PARTIES}
    first = client.post("/api/v1/parcels", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    body = first.json()
    assert body["fee_fen"] == 1600
    assert body["sender_phone"] == "+86 138****0001"
    again = client.post("/api/v1/parcels", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json()["tracking_number"] == body["tracking_number"]
    assert Parcel.objects.count() == 1
    assert Account.objects.get(code=f"wallet:{buyer.pk}").debits_pending == 1600
    listed = client.get("/api/v1/parcels").json()
    assert [p["tracking_number"] for p in listed["results"]] == [body["tracking_number"]]


def test_create_refusals(client_as: Callable[..., APIClient], county: dict[str, Outlet]) -> None:
    """Cash needs a counter clerk; a bad phone is a 400; an empty wallet is a 409; nothing is created."""
    client = client_as(Role.CONSUMER)
    cash = client.post("/api/v1/parcels", {**QUOTE, **PARTIES, "postage_payment": "cash"}, format="json")
    assert (cash.status_code, cash.json()["code"]) == (403, "cash_needs_counter")
    bad_phone = {**PARTIES, "recipient": {**PARTIES["recipient"], "phone": "139000"}}
    response = client.post("/api/v1/parcels", {**QUOTE, **bad_phone}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_phone")
    assert "recipient_phone" in response.json()["errors"]
    broke = client.post("/api/v1/parcels", {**QUOTE, **PARTIES}, format="json")
    assert (broke.status_code, broke.json()["code"]) == (409, "exceeds_credits")
    assert Parcel.objects.count() == 0
    assert client.post("/api/v1/parcels", {}, format="json").status_code == 400


def test_parcel_detail_is_private(
    client_as: Callable[..., APIClient], make_parcel: Callable[..., Parcel], api_client: APIClient
) -> None:
    """A parcel's details are for its sender and handlers; others get a 404, anonymous a 401/403. A
    courier handles the parcels on their round: one with no van sees nothing; the driver of a van of
    the parcel's origin outlet sees it."""
    parcel = make_parcel()
    url = f"/api/v1/parcels/{parcel.tracking_number}"
    assert APIClient().get(url).status_code in (401, 403)
    stranger = client_as(Role.CONSUMER)
    assert stranger.get(url).status_code == 404
    courier = client_as(Role.COURIER, username="c1")
    assert courier.get(url).status_code == 404
    Vehicle.objects.create(
        outlet=parcel.origin_outlet,
        name="van",
        capacity_g=500_000,
        shift_starts_at=datetime.time(8),
        shift_ends_at=datetime.time(17),
        driver=User.objects.get(username="c1"),
    )
    assert courier.get(url).json()["status"] == "created"


def scan(
    number: str, event_id: str, code: str, outlet: str, hour: int, minute: int = 0, **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "tracking_number": number,
        "code": code,
        "outlet": outlet,
        "occurred_at": datetime.datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI).isoformat(),
        **extra,
    }


def test_scan_batch_per_item_results_and_public_tracking(
    client_as: Callable[..., APIClient], make_parcel: Callable[..., Parcel]
) -> None:
    """A scanner's batch (here the county manager's, who scans anywhere in the county) goes in item by
    item; the public journey shows places and no personal data."""
    parcel = make_parcel()
    number = parcel.tracking_number
    courier = client_as(Role.COUNTY_MANAGER)
    batch = {
        "device_id": "pda-7",
        "events": [
            scan(number, "a1", "EMA", "VS11", 7, 45),
            scan(number, "a2", "EMG", "VS21", 16, 30),
            scan(number, "a3", "EDG", "VS21", 16, 40),
            scan(number, "a4", "EMH", "VS21", 17, reason_code="11", action_code="HOLD"),
            scan(number, "a5", "EDH", "VS21", 17, 30),
            scan(number, "a6", "EMI", "VS21", 18, proof={"pickup_code": parcel.pickup_code}),
            scan(number, "a1", "EMA", "VS11", 7, 45),
            {
                "event_id": "bad",
                "tracking_number": number,
                "code": "XYZ",
                "outlet": "VS11",
                "occurred_at": "now",
            },
            scan("EA000000005CN", "a9", "EDD", "HUB", 9),
        ],
    }
    response = courier.post("/api/v1/scans", batch, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "created",
        "created",
        "created",
        "created",
        "created",
        "duplicate",
        "invalid",
        "unknown_tracking_number",
    ]
    assert (body["created"], body["duplicates"], body["refused"]) == (6, 1, 2)
    assert ParcelEvent.objects.get(event_id="a1").device_id == "pda-7"

    cache.clear()
    public = APIClient().get(f"/api/v1/parcels/{number.lower()}/events")
    assert public.status_code == 200
    journey = public.json()
    assert journey["status"] == "delivered"
    assert [e["code"] for e in journey["events"]] == ["CRT", "EMA", "EMG", "EDG", "EMH", "EDH", "EMI"]
    assert journey["events"][4]["note"] == "收件人不在 · 留站待取"
    assert journey["events"][1]["place"] == "青龙镇 王家村服务站"
    text = public.content.decode()
    for secret in ("张三", "李四", "13800000001", "13900000002", "王家村 1 号", parcel.pickup_code):
        assert secret not in text


def test_scan_batch_refusals(client_as: Callable[..., APIClient], make_parcel: Callable[..., Parcel]) -> None:
    """Consumers may not scan; an empty or oversized batch is a 400; a wrong pickup code fails alone
    (a county manager scans anywhere in their county)."""
    parcel = make_parcel()
    assert (
        client_as(Role.CONSUMER)
        .post("/api/v1/scans", {"device_id": "x", "events": []}, format="json")
        .status_code
        == 403
    )
    operator = client_as(Role.COUNTY_MANAGER)
    assert operator.post("/api/v1/scans", {"device_id": "x", "events": []}, format="json").status_code == 400
    too_many = {"device_id": "x", "events": [{"event_id": str(i)} for i in range(1001)]}
    assert operator.post("/api/v1/scans", too_many, format="json").status_code == 400
    number = parcel.tracking_number
    events = [
        scan(number, "b1", "EMA", "VS11", 7, 45),
        scan(number, "b2", "EMG", "VS21", 16),
        scan(
            number,
            "b3",
            "EMI",
            "VS21",
            17,
            proof={"pickup_code": "000000" if parcel.pickup_code != "000000" else "111111"},
        ),
    ]
    body = operator.post("/api/v1/scans", {"device_id": "x", "events": events}, format="json").json()
    assert [r["status"] for r in body["results"]] == ["created", "created", "wrong_pickup_code"]
    parcel.refresh_from_db()
    assert parcel.status == "at_delivery_office"


def test_an_operator_scans_only_at_their_own_station(
    api_client: APIClient,
    make_parcel: Callable[..., Parcel],
    county: dict[str, Outlet],
    make_user: Callable[..., User],
) -> None:
    """``parcel.scan`` holds at the operator's own station: a scan placing the parcel at another
    outlet is refused item by item (``not_your_outlet``) and writes nothing, one at their station goes in;
    scans dated before the parcel existed or in the future are refused too."""
    parcel = make_parcel()  # at VS11, created MONDAY_0730
    operator = make_user(Role.STATION_OPERATOR, username="op11")
    Outlet.objects.filter(pk=county["VS11"].pk).update(operator=operator)
    client = api_client
    client.force_authenticate(operator)
    number = parcel.tracking_number
    elsewhere = [scan(number, "x1", "EMA", "HUB", 7, 45), scan(number, "x2", "EMA", "VS21", 7, 45)]
    body = client.post("/api/v1/scans", {"device_id": "x", "events": elsewhere}, format="json").json()
    assert [r["status"] for r in body["results"]] == ["not_your_outlet", "not_your_outlet"]
    assert list(parcel.events.values_list("code", flat=True)) == ["CRT"]
    early = {**scan(number, "x3", "EMA", "VS11", 7, 45), "occurred_at": "2026-11-22T08:00:00+08:00"}
    late = {**scan(number, "x4", "EMA", "VS11", 7, 45), "occurred_at": "2099-01-01T08:00:00+08:00"}
    own = scan(number, "x5", "EMA", "VS11", 7, 45)
    body = client.post(
        "/api/v1/scans", {"device_id": "x", "events": [early, late, own]}, format="json"
    ).json()
    assert [r["status"] for r in body["results"]] == [
        "occurred_before_parcel",
        "occurred_in_future",
        "created",
    ]
    assert list(parcel.events.order_by("occurred_at").values_list("code", flat=True)) == ["CRT", "EMA"]


def test_tracking_is_rate_limited(
    api_client: APIClient, make_parcel: Callable[..., Parcel], throttle_rates: Callable[..., None]
) -> None:
    """The public journey allows SILIU_PUBLIC_RATE lookups per client, then answers 429."""
    parcel = make_parcel()
    throttle_rates(public="3/min")
    codes = [api_client.get(f"/api/v1/parcels/{parcel.tracking_number}/events").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api_client.get(f"/track/{parcel.tracking_number}").status_code == 429


def test_label_pdf(
    client_as: Callable[..., APIClient],
    make_parcel: Callable[..., Parcel],
    operator_at: Callable[[str], User],
) -> None:
    """The label is a one-page 100 × 150 mm PDF for handlers (the origin station's operator);
    strangers, another station's operator included, get a 404."""
    parcel = make_parcel(cod_amount_fen=0)
    elsewhere = client_as(Role.STATION_OPERATOR).get(f"/api/v1/parcels/{parcel.tracking_number}/label.pdf")
    assert elsewhere.status_code == 404
    client = client_as()
    client.force_authenticate(operator_at("VS11"))
    response = client.get(f"/api/v1/parcels/{parcel.tracking_number}/label.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 283.4646 425.1969 ]" in pdf
    assert b"/Count 1" in pdf
    stranger = client_as(Role.CONSUMER).get(f"/api/v1/parcels/{parcel.tracking_number}/label.pdf")
    assert stranger.status_code == 404


def test_exceptions_flagged_and_listed(
    client_as: Callable[..., APIClient], make_parcel: Callable[..., Parcel]
) -> None:
    """The sweep flags a silent parcel and an overdue one; the county manager sees them; clearing works."""
    from siliu.logistics.parcels.services import ScanInput, scans_record

    silent, late, fine = make_parcel(), make_parcel(), make_parcel()
    scans_record(
        scans=[
            ScanInput(
                f"x{p.pk}", p.tracking_number, "EMA", "VS11", MONDAY_0730 + datetime.timedelta(minutes=15)
            )
            for p in (silent, late, fine)
        ],
        now=MONDAY_0730 + datetime.timedelta(hours=1),
    )
    Parcel.objects.filter(pk__in=[silent.pk, fine.pk]).update(
        promised_at=MONDAY_0730 + datetime.timedelta(days=3)
    )
    # The late parcel was scanned an hour ago: late, not silent.
    Parcel.objects.filter(pk__in=[fine.pk, late.pk]).update(
        last_event_at=MONDAY_0730 + datetime.timedelta(hours=25)
    )
    counts = parcel_exceptions_flag(now=MONDAY_0730 + datetime.timedelta(hours=26))
    assert counts == {"overdue": 1, "no_scan": 1}
    body = client_as(Role.COUNTY_MANAGER).get("/api/v1/logistics/exceptions").json()
    assert {(p["tracking_number"], p["exception"], p["last_outlet"]) for p in body["results"]} == {
        (silent.tracking_number, "no_scan", "VS11"),
        (late.tracking_number, "overdue", "VS11"),
    }
    assert client_as(Role.COURIER).get("/api/v1/logistics/exceptions").status_code == 403
    bad = client_as(Role.COUNTY_MANAGER).get("/api/v1/logistics/exceptions", {"kind": "late"})
    assert bad.status_code == 400
    Parcel.objects.filter(pk=silent.pk).update(last_event_at=MONDAY_0730 + datetime.timedelta(hours=26))
    parcel_exceptions_flag(now=MONDAY_0730 + datetime.timedelta(hours=26, minutes=5))
    assert Parcel.objects.get(pk=silent.pk).exception == ""


def test_a_parcel_silent_for_five_weeks_is_flagged_silent_since_its_last_scan(
    make_parcel: Callable[..., Parcel],
) -> None:
    """However old, a parcel with no scan past its product's limit is silent (which wins over overdue);
    the flag keeps the time it was first raised."""
    from siliu.logistics.parcels.services import ScanInput, scans_record

    parcel = make_parcel()
    scans_record(
        scans=[
            ScanInput(
                "old", parcel.tracking_number, "EMA", "VS11", MONDAY_0730 + datetime.timedelta(minutes=15)
            )
        ],
        now=MONDAY_0730 + datetime.timedelta(hours=1),
    )
    five_weeks_later = MONDAY_0730 + datetime.timedelta(weeks=5)
    assert parcel_exceptions_flag(now=five_weeks_later) == {"overdue": 0, "no_scan": 1}
    parcel_exceptions_flag(now=five_weeks_later + datetime.timedelta(minutes=10))
    parcel.refresh_from_db()
    assert (parcel.exception, parcel.exception_flagged_at) == ("no_scan", five_weeks_later)


def test_a_parcel_waiting_at_a_pickup_point_is_neither_silent_nor_late(
    make_parcel: Callable[..., Parcel],
) -> None:
    """Arrived at its station (EDH) it waits for its recipient: a week later the sweep flags nothing, and
    a flag raised on its way there is cleared."""
    from siliu.logistics.parcels.services import ScanInput, scans_record

    parcel = make_parcel()
    scans_record(
        scans=[
            ScanInput(
                "acc", parcel.tracking_number, "EMA", "VS11", MONDAY_0730 + datetime.timedelta(minutes=15)
            )
        ],
        now=MONDAY_0730 + datetime.timedelta(hours=1),
    )
    Parcel.objects.filter(pk=parcel.pk).update(exception="no_scan", exception_flagged_at=MONDAY_0730)
    scans_record(
        scans=[
            ScanInput("edh", parcel.tracking_number, "EDH", "VS11", MONDAY_0730 + datetime.timedelta(hours=2))
        ],
        now=MONDAY_0730 + datetime.timedelta(hours=2),
    )
    assert parcel_exceptions_flag(now=MONDAY_0730 + datetime.timedelta(weeks=1)) == {
        "overdue": 0,
        "no_scan": 0,
    }
    parcel.refresh_from_db()
    assert (parcel.status, parcel.exception, parcel.exception_flagged_at) == ("awaiting_pickup", "", None)


def test_pages(
    client: Client,
    make_parcel: Callable[..., Parcel],
    make_user: Callable[..., User],
    operator_at: Callable[[str], User],
) -> None:
    """Tracking page for anyone; parcel page with the print button for handlers; exceptions for managers."""
    parcel = make_parcel()
    cache.clear()
    page = client.get(f"/track/{parcel.tracking_number}").content.decode()
    assert "已下单" in page and "李四" not in page
    assert client.get("/track/EA000000005CN").status_code == 404
    assert client.get("/track/?number=nonsense").status_code == 404
    client.force_login(make_user(Role.STATION_OPERATOR))
    assert client.get(f"/logistics/parcels/{parcel.tracking_number}/").status_code == 404  # another station
    client.force_login(operator_at("VS11"))
    detail = client.get(f"/logistics/parcels/{parcel.tracking_number}/").content.decode()
    assert f"/api/v1/parcels/{parcel.tracking_number}/label.pdf" in detail
    assert client.get("/logistics/exceptions/").status_code == 302
    client.force_login(make_user(Role.COUNTY_MANAGER))
    assert client.get("/logistics/exceptions/").status_code == 200


def test_parcel_new_page_quotes_then_sends(
    client: Client, county: dict[str, Outlet], operator_at: Callable[[str], User]
) -> None:
    """A station operator quotes, then sends a cash parcel from the counter form."""
    client.force_login(operator_at("VS11"))
    form = {
        "product": "express",
        "origin_outlet": "VS11",
        "village": "610199002201",
        "weight_g": "2500",
        "declared_value": "0",
        "cod_amount": "0",
        "sender_name": "张三",
        "sender_phone": "+8613800000001",
        "sender_address": "王家村 1 号",
        "recipient_name": "李四",
        "recipient_phone": "+8613900000002",
        "recipient_address": "河口村 8 号",
        "postage_payment": "cash",
    }
    quoted = client.post("/logistics/parcels/new/", {**form, "quote": "1"})
    assert "¥16.00" in quoted.content.decode()
    assert Parcel.objects.count() == 0
    sent = client.post("/logistics/parcels/new/", {**form, "send": "1"})
    parcel = Parcel.objects.get()
    assert sent.status_code == 302 and sent["Location"].endswith(
        f"/logistics/parcels/{parcel.tracking_number}/"
    )
    bad = client.post("/logistics/parcels/new/", {**form, "recipient_phone": "12", "send": "1"})
    assert bad.status_code == 400 and "E.164" in bad.content.decode()
    assert Parcel.objects.count() == 1


def test_parcel_new_page_takes_yuan(
    client: Client, county: dict[str, Outlet], operator_at: Callable[[str], User]
) -> None:
    """Declared value and COD are typed in yuan; fractions of a fen are refused with the field named."""
    client.force_login(operator_at("VS11"))
    form = {
        "product": "express",
        "origin_outlet": "VS11",
        "village": "610199002201",
        "weight_g": "1000",
        "declared_value": "¥500",
        "is_insured": "on",
        "cod_amount": "0",
        "sender_name": "张三",
        "sender_phone": "+8613800000001",
        "sender_address": "王家村 1 号",
        "recipient_name": "李四",
        "recipient_phone": "+8613900000002",
        "recipient_address": "河口村 8 号",
        "postage_payment": "cash",
        "send": "1",
    }
    client.post("/logistics/parcels/new/", form)
    assert Parcel.objects.get().declared_value_fen == 50_000
    bad = client.post("/logistics/parcels/new/", {**form, "declared_value": "1.005"})
    assert bad.status_code == 400 and "金额最多保留两位小数" in bad.content.decode()
    assert Parcel.objects.count() == 1
