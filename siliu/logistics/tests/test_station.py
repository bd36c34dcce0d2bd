"""The station's parcels (issue #11): waiting with their codes, for return, accepted today; handing
one over by code or phone; a villager's parcel accepted at the counter and collected by the next round."""

import datetime
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.finance.models import Account, Transfer
from siliu.finance.services import outlet_cash_open, wallet_cash_in, wallet_open
from siliu.logistics.models import Parcel, ParcelEvent, PostagePayment
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.logistics.rounds.planning import station_loads, stations_served
from siliu.logistics.station.selectors import (
    parcels_accepted_today,
    parcels_to_return,
    parcels_waiting,
    station_get,
    stations_of,
)
from siliu.logistics.station.services import station_handover, station_parcel_accept
from siliu.logistics.station.slips import pickup_slip_pdf
from siliu.logistics.tests.conftest import RECIPIENT, SENDER, at
from siliu.logistics.tests.test_labels import label_font  # noqa: F401
from siliu.network.models import Outlet, Region

MakeParcel = Callable[..., Parcel]
MakeUser = Callable[..., User]


def arrive(parcel: Parcel, *, prefix: str, arrived_at: datetime.datetime | None = None) -> Parcel:
    """Scan ``parcel`` (VS11 → VS21) to VS21's shelf: accepted, through the hub, EDH at VS21."""
    number = parcel.tracking_number
    results = scans_record(
        scans=[
            ScanInput(f"{prefix}1", number, "EMA", "VS11", at(7, 45)),
            ScanInput(f"{prefix}2", number, "EDD", "HUB", at(10, 35)),
            ScanInput(f"{prefix}3", number, "EDE", "HUB", at(14)),
            ScanInput(f"{prefix}4", number, "EDH", "VS21", arrived_at or at(16, 30)),
        ],
        now=at(16, 45),
    )
    assert all(result.ok for result in results), results
    return Parcel.objects.get(pk=parcel.pk)


@pytest.fixture
def waiting(make_parcel: MakeParcel) -> Parcel:
    """A parcel on VS21's shelf since 16:30 on the Monday."""
    return arrive(make_parcel(), prefix="w")


def test_waiting_lists_the_parcels_arrived_at_the_station(
    waiting: Parcel, make_parcel: MakeParcel, county: dict[str, Outlet]
) -> None:
    """A parcel scanned in at VS21 for pickup waits there with its code; one still on the way does not."""
    on_the_way = make_parcel()
    scans_record(scans=[ScanInput("o1", on_the_way.tracking_number, "EMA", "VS11", at(7, 45))], now=at(8))
    assert [
        (parcel.tracking_number, parcel.pickup_code, parcel.last_event_at)
        for parcel in parcels_waiting(station=county["VS21"])
    ] == [(waiting.tracking_number, waiting.pickup_code, at(16, 30))]
    assert len(waiting.pickup_code) == 6 and waiting.pickup_code.isdigit()
    assert list(parcels_waiting(station=county["VS11"])) == []


def test_uncollected_parcels_are_listed_for_return_after_the_set_days(
    waiting: Parcel, county: dict[str, Outlet], settings: object
) -> None:
    """Seven days after its arrival (SILIU_PICKUP_RETURN_DAYS) a waiting parcel is to be returned."""
    station = county["VS21"]
    seven_days = at(16, 30) + datetime.timedelta(days=7)
    assert list(parcels_to_return(station=station, now=seven_days - datetime.timedelta(minutes=1))) == []
    assert list(parcels_to_return(station=station, now=seven_days)) == [waiting]
    settings.SILIU_PICKUP_RETURN_DAYS = 2  # type: ignore[attr-defined]
    assert list(parcels_to_return(station=station, now=at(16, 30) + datetime.timedelta(days=2))) == [waiting]


def test_handover_by_code_records_the_delivery_scan_at_the_station(
    waiting: Parcel, operator_at: Callable[[str], User], county: dict[str, Outlet]
) -> None:
    """The right code delivers the parcel at VS21 with the code and the collector's name as proof."""
    operator = operator_at("VS21")
    parcel = station_handover(
        station=county["VS21"], code=waiting.pickup_code, collector_name=" 李四 ", actor=operator, now=at(17)
    )
    assert (parcel.status, parcel.delivered_at, parcel.last_outlet_id) == (
        "delivered",
        at(17),
        county["VS21"].pk,
    )
    event = parcel.events.get(code="EMI")
    assert (
        event.event_id,
        event.outlet_id,
        event.actor_id,
        event.proof_pickup_code,
        event.proof_signature_name,
    ) == (f"handover:{parcel.tracking_number}", county["VS21"].pk, operator.pk, waiting.pickup_code, "李四")
    assert list(parcels_waiting(station=county["VS21"])) == []


def test_handover_by_phone_asks_which_parcel_when_several_wait(
    waiting: Parcel, make_parcel: MakeParcel, operator_at: Callable[[str], User], county: dict[str, Outlet]
) -> None:
    """Two parcels for 13900000002: the phone alone is refused on tracking_number, then one is chosen."""
    second = arrive(make_parcel(weight_g=800), prefix="s")
    operator = operator_at("VS21")
    events_before = ParcelEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        station_handover(
            station=county["VS21"], phone="139 0000 0002", collector_name="李四", actor=operator, now=at(17)
        )
    assert (refused.value.code, refused.value.field) == ("choose_parcel", "tracking_number")
    assert ParcelEvent.objects.count() == events_before
    parcel = station_handover(
        station=county["VS21"],
        phone="13900000002",
        tracking_number=second.tracking_number.lower(),
        collector_name="李四家人",
        actor=operator,
        now=at(17),
    )
    assert parcel.tracking_number == second.tracking_number
    event = parcel.events.get(code="EMI")
    assert (event.proof_pickup_code, event.proof_signature_name) == ("", "李四家人")
    assert [p.tracking_number for p in parcels_waiting(station=county["VS21"])] == [waiting.tracking_number]


@pytest.mark.parametrize(
    ("fields", "error", "code", "field"),
    [
        ({"code": "WRONG"}, ValidationFailed, "wrong_pickup_code", "code"),
        ({"code": "12345"}, ValidationFailed, "invalid_pickup_code", "code"),
        ({"phone": "13700000000"}, ValidationFailed, "no_parcel_for_phone", "phone"),
        ({"phone": "12"}, ValidationFailed, "invalid_phone", "phone"),
        ({}, ValidationFailed, "code_or_phone", "code"),
        (
            {"code": "RIGHT", "collector_name": ""},
            ValidationFailed,
            "collector_name_required",
            "collector_name",
        ),
        ({"code": "RIGHT", "station": "VS11"}, PermissionRefused, "not_your_outlet", "station"),
    ],
)
def test_handover_refusals_write_nothing(
    waiting: Parcel,
    operator_at: Callable[[str], User],
    county: dict[str, Outlet],
    fields: dict[str, str],
    error: type[Exception],
    code: str,
    field: str,
) -> None:
    """A wrong or missing code, an unknown phone, no name, another station: refused on its field, and
    the parcel still waits with no new event."""
    operator = operator_at("VS21")
    values = {"collector_name": "李四", **fields}
    if values.get("code") == "WRONG":
        values["code"] = f"{(int(waiting.pickup_code) + 1) % 1_000_000:06d}"
    if values.get("code") == "RIGHT":
        values["code"] = waiting.pickup_code
    station = county[values.pop("station", "VS21")]
    events_before = ParcelEvent.objects.count()
    with pytest.raises(error) as refused:
        station_handover(station=station, actor=operator, now=at(17), **values)
    assert (refused.value.code, refused.value.field) == (code, field)  # type: ignore[attr-defined]
    assert ParcelEvent.objects.count() == events_before
    assert Parcel.objects.get(pk=waiting.pk).status == "awaiting_pickup"


def _accept(operator: User, station: Outlet, **fields: object) -> Parcel:
    values: dict[str, object] = {
        "station": station,
        "request": QuoteRequest(
            product_code="express",
            origin_outlet_code=station.code,
            destination_outlet_code="VS11",
            weight_g=1500,
        ),
        "sender": RECIPIENT,
        "recipient": SENDER,
        "postage_payment": PostagePayment.CASH,
        "actor": operator,
        "now": at(9),
        **fields,
    }
    return station_parcel_accept(**values)  # type: ignore[arg-type]


def test_accepting_at_the_station_takes_cash_and_the_next_round_collects_it(
    operator_at: Callable[[str], User], county: dict[str, Outlet]
) -> None:
    """揽收 in cash: created and accepted at VS21 at once, the fee in VS21's drawer, listed as today's,
    and a pickup of TS2's round (VS21's own office) that day."""
    operator = operator_at("VS21")
    parcel = _accept(operator, county["VS21"])
    assert (parcel.status, parcel.accepted_at, parcel.last_outlet_id, parcel.fee_fen) == (
        "accepted",
        at(9),
        county["VS21"].pk,
        1300,
    )
    assert list(parcel.events.order_by("pk").values_list("code", "event_id")) == [
        ("CRT", f"{parcel.tracking_number}:created"),
        ("EMA", f"accept:{parcel.tracking_number}"),
    ]
    drawer = Account.objects.get(code=outlet_cash_open(outlet=county["VS21"]).code)
    assert drawer.debits_posted == 1300
    assert list(parcels_accepted_today(station=county["VS21"], now=at(18))) == [parcel]
    assert list(parcels_accepted_today(station=county["VS21"], now=at(9, day=24))) == []
    loads = station_loads(outlet=county["TS2"], stations=stations_served(outlet=county["TS2"]))
    assert [(load.outlet.code, [p.tracking_number for p in load.pickups]) for load in loads] == [
        ("VS21", [parcel.tracking_number])
    ]


def test_accepting_from_a_villagers_wallet_takes_the_fee_from_it(
    operator_at: Callable[[str], User], make_user: MakeUser, county: dict[str, Outlet]
) -> None:
    """揽收 from the wallet: the fee is held and taken at once, nothing in the drawer."""
    operator = operator_at("VS21")
    villager = make_user(username="villager")
    wallet_cash_in(outlet=county["VS21"], customer=villager, amount_fen=5000, id="topup-v", actor=operator)
    parcel = _accept(operator, county["VS21"], postage_payment=PostagePayment.WALLET, sender_user=villager)
    wallet = Account.objects.get(code=wallet_open(user=villager).code)
    assert (wallet.debits_pending, wallet.debits_posted, parcel.status) == (0, 1300, "accepted")


def test_accepting_refusals_write_nothing(
    operator_at: Callable[[str], User], make_user: MakeUser, county: dict[str, Outlet]
) -> None:
    """An empty wallet, another station, an origin that is not the station: no parcel, no transfer."""
    operator = operator_at("VS21")
    transfers_before = Transfer.objects.count()
    with pytest.raises(Conflict) as broke:
        _accept(operator, county["VS21"], postage_payment=PostagePayment.WALLET, sender_user=make_user())
    assert broke.value.code == "exceeds_credits"
    with pytest.raises(PermissionRefused) as elsewhere:
        _accept(operator, county["VS11"])
    assert (elsewhere.value.code, elsewhere.value.field) == ("not_your_outlet", "station")
    with pytest.raises(ValidationFailed) as origin:
        _accept(
            operator,
            county["VS21"],
            request=QuoteRequest(
                product_code="express", origin_outlet_code="VS11", destination_outlet_code="VS21", weight_g=1
            ),
        )
    assert (origin.value.code, origin.value.field) == ("origin_not_station", "origin_outlet")
    assert (Parcel.objects.count(), Transfer.objects.count()) == (0, transfers_before)


def test_a_county_manager_chooses_a_station_of_their_county(
    make_user: MakeUser, operator_at: Callable[[str], User], county: dict[str, Outlet]
) -> None:
    """The manager of 示范县 may open any outlet of it; an operator only their own; others are not found."""
    manager = make_user(Role.COUNTY_MANAGER, username="here", county=Region.objects.get(code="610199"))
    assert [outlet.code for outlet in stations_of(actor=manager)] == [
        "HUB",
        "TS1",
        "TS2",
        "VS11",
        "VS12",
        "VS21",
    ]
    assert station_get(actor=manager, code="VS21") == county["VS21"]
    operator = operator_at("VS21")
    assert station_get(actor=operator) == county["VS21"]
    with pytest.raises(NotFound) as other:
        station_get(actor=operator, code="VS11")
    assert (other.value.code, other.value.field) == ("unknown_outlet", "station")


# --- the API ---------------------------------------------------------------------------------------


def test_api_hands_over_by_code(waiting: Parcel, operator_at: Callable[[str], User]) -> None:
    """POST /api/v1/station/handovers with the code: 201 and the parcel delivered."""
    client = APIClient()
    client.force_authenticate(operator_at("VS21"))
    response = client.post(
        "/api/v1/station/handovers",
        {"station": "VS21", "code": waiting.pickup_code, "collector_name": "李四"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["tracking_number"], body["status"], body["station"], body["collector_name"]) == (
        waiting.tracking_number,
        "delivered",
        "VS21",
        "李四",
    )


@pytest.mark.parametrize(
    ("who", "body", "status", "code", "field"),
    [
        (
            "VS21",
            {"station": "VS21", "code": "WRONG", "collector_name": "李四"},
            400,
            "wrong_pickup_code",
            "code",
        ),
        (
            "VS21",
            {"station": "VS21", "phone": "13700000000", "collector_name": "李四"},
            400,
            "no_parcel_for_phone",
            "phone",
        ),
        ("VS21", {"station": "VS21", "code": "RIGHT"}, 400, "invalid", "collector_name"),
        (
            "VS21",
            {"station": "VS11", "code": "RIGHT", "collector_name": "李四"},
            404,
            "unknown_outlet",
            "station",
        ),
        (
            "consumer",
            {"station": "VS21", "code": "RIGHT", "collector_name": "李四"},
            403,
            "permission_denied",
            None,
        ),
    ],
)
def test_api_refusals_name_the_field_and_write_nothing(
    waiting: Parcel,
    operator_at: Callable[[str], User],
    make_user: MakeUser,
    who: str,
    body: dict[str, str],
    status: int,
    code: str,
    field: str | None,
) -> None:
    """Wrong code → 400 on code; no parcel for the phone → 400 on phone; no name → 400; another station
    → 404; a consumer → 403. The parcel still waits."""
    client = APIClient()
    client.force_authenticate(operator_at("VS21") if who == "VS21" else make_user(Role.CONSUMER))
    if body.get("code") == "WRONG":
        body = {**body, "code": f"{(int(waiting.pickup_code) + 1) % 1_000_000:06d}"}
    if body.get("code") == "RIGHT":
        body = {**body, "code": waiting.pickup_code}
    events_before = ParcelEvent.objects.count()
    response = client.post("/api/v1/station/handovers", body, format="json")
    answer = response.json()
    assert response.status_code == status, answer
    assert answer["code"] == code
    assert list(answer.get("errors", {})) == ([field] if field else [])
    assert ParcelEvent.objects.count() == events_before
    assert Parcel.objects.get(pk=waiting.pk).status == "awaiting_pickup"


# --- the pages -------------------------------------------------------------------------------------


def test_station_page_lists_waiting_parcels_with_code_and_masked_phone(
    waiting: Parcel, operator_at: Callable[[str], User]
) -> None:
    """本站邮件 shows the code, the recipient and 139****0002; the slip prints as a PDF."""
    client = Client()
    client.force_login(operator_at("VS21"))
    page = client.get("/logistics/station/")
    assert page.status_code == 200
    html = page.content.decode()
    assert waiting.pickup_code in html and "+86 139****0002" in html and "+8613900000002" not in html
    slip = client.get(f"/logistics/station/slips/{waiting.tracking_number}.pdf")
    assert (slip.status_code, slip["Content-Type"], slip.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert client.get("/logistics/station/slips/EA000000005CN.pdf").status_code == 404


def test_handover_page_refuses_a_wrong_code_on_its_field(
    waiting: Parcel, operator_at: Callable[[str], User]
) -> None:
    """A wrong code answers 400 with the error under the code field; the right one redirects."""
    client = Client()
    client.force_login(operator_at("VS21"))
    wrong = f"{(int(waiting.pickup_code) + 1) % 1_000_000:06d}"
    page = client.post(
        "/logistics/station/handover/", {"station": "VS21", "code": wrong, "collector_name": "李四"}
    )
    assert page.status_code == 400
    assert 'data-testid="error-code"' in page.content.decode()
    done = client.post(
        "/logistics/station/handover/",
        {"station": "VS21", "code": waiting.pickup_code, "collector_name": "李四"},
    )
    assert (done.status_code, done["Location"]) == (302, "/logistics/station/handover/?station=VS21")
    assert Parcel.objects.get(pk=waiting.pk).status == "delivered"


def test_handover_page_by_phone_offers_the_parcels_waiting_for_it(
    waiting: Parcel, make_parcel: MakeParcel, operator_at: Callable[[str], User]
) -> None:
    """Two parcels for the phone: the page lists both to choose from (400), the chosen one is delivered."""
    second = arrive(make_parcel(weight_g=800), prefix="s")
    client = Client()
    client.force_login(operator_at("VS21"))
    form = {"station": "VS21", "phone": "13900000002", "collector_name": "李四"}
    page = client.post("/logistics/station/handover/", form)
    assert page.status_code == 400
    html = page.content.decode()
    assert f'value="{waiting.tracking_number}"' in html and f'value="{second.tracking_number}"' in html
    done = client.post("/logistics/station/handover/", {**form, "tracking_number": second.tracking_number})
    assert done.status_code == 302
    assert (Parcel.objects.get(pk=waiting.pk).status, Parcel.objects.get(pk=second.pk).status) == (
        "awaiting_pickup",
        "delivered",
    )


def test_accept_page_takes_the_wallet_only_with_the_villagers_password(
    operator_at: Callable[[str], User], make_user: MakeUser, county: dict[str, Outlet]
) -> None:
    """揽收 from a wallet: a wrong password is refused on wallet_username with nothing written; the
    right one accepts the parcel, paid from the villager's wallet, and links its label."""
    operator = operator_at("VS21")
    villager = make_user(username="villager")
    villager.set_password("villager-pass")
    villager.save()
    wallet_cash_in(outlet=county["VS21"], customer=villager, amount_fen=5000, id="topup-v", actor=operator)
    client = Client()
    client.force_login(operator)
    form = {
        "station": "VS21",
        "village": "610199001201",
        "weight_g": "1500",
        "sender_name": "李四",
        "sender_phone": "+8613900000002",
        "sender_address": "河口村 8 号",
        "recipient_name": "张三",
        "recipient_phone": "+8613800000001",
        "recipient_address": "王家村 1 号",
        "postage_payment": "wallet",
        "wallet_username": "villager",
        "wallet_password": "wrong",
        "accept": "",
    }
    quoting = {key: value for key, value in form.items() if key != "accept"}
    quote = client.post("/logistics/station/accept/", {**quoting, "quote": ""})
    assert quote.status_code == 200 and 'data-testid="quote"' in quote.content.decode()
    refused = client.post("/logistics/station/accept/", form)
    assert refused.status_code == 400 and 'data-testid="error-wallet_username"' in refused.content.decode()
    assert Parcel.objects.count() == 0
    done = client.post("/logistics/station/accept/", {**form, "wallet_password": "villager-pass"})
    assert done.status_code == 302
    parcel = Parcel.objects.get()
    assert (parcel.status, parcel.postage_payment, parcel.sender_user_id) == (
        "accepted",
        "wallet",
        villager.pk,
    )
    page = client.get(done["Location"])
    assert f"/api/v1/parcels/{parcel.tracking_number}/label.pdf" in page.content.decode()


@pytest.mark.usefixtures("label_font")
def test_pickup_slip_is_58_mm_wide_with_the_code_and_its_font_embedded(
    waiting: Parcel, county: dict[str, Outlet], tmp_path: Path
) -> None:
    """The slip: 58 mm wide, the station, the code, the number and the masked recipient, CJK embedded."""
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(pickup_slip_pdf(parcel=waiting, station=county["VS21"]))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "164.409 x 198.425 pts" in info  # 58 × 70 mm
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYiMicroHei" in fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    expected = ["河口村服务站", waiting.pickup_code, waiting.tracking_number, "收件人：李四"]
    expected.append("+86 139****0002")
    assert [line for line in expected if line in text] == expected
