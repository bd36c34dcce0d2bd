"""Partner couriers: registration, manifests, billing, statements, proof-of-delivery webhooks, API, pages.

Partner parcels ride as ``ecommerce`` from the county hub; every destination in the test county is
``same_county`` from the hub: ¥6.00 for the first kilogram and ¥1.50 for each further kilogram started.
"""

import datetime
import hashlib
import hmac
import io
import json
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, Transfer
from siliu.logistics.models import (
    Parcel,
    ParcelEvent,
    Partner,
    PartnerManifest,
    PostagePayment,
    TrackingRange,
    WebhookDelivery,
    WebhookStatus,
)
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.partners.services import (
    MANIFEST_COLUMNS,
    ManifestRefused,
    manifest_receive,
    manifest_rows_from_csv,
    partner_register,
)
from siliu.logistics.partners.statements import partner_statement, statement_csv
from siliu.logistics.partners.tasks import webhooks_deliver
from siliu.logistics.partners.webhooks import (
    webhook_body,
    webhook_deliveries_send,
    webhook_signature,
    webhook_signature_verify,
)
from siliu.logistics.tests.conftest import MONDAY_0730, SHANGHAI, at
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

SECRET = "partner-secret"
CONTACT = "+8613700000009"
#: When the webhook tests send: the deliveries below happen at 11:00 and are recorded at 11:30.
SEND_AT = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def row(
    number: str, destination: str = "VS21", weight_g: object = 800, **fields: object
) -> dict[str, object]:
    return {
        "partner_tracking_number": number,
        "recipient_name": "王五",
        "recipient_phone": "+8613900000003",
        "recipient_address": "柳河乡河口村 3 号",
        "destination_outlet": destination,
        "weight_g": weight_g,
        **fields,
    }


#: Three parcels: 800 g → ¥6.00, 2500 g → ¥6.00 + 2 × ¥1.50, 1000 g → ¥6.00.
ROWS = [
    row("SF100000000001", "VS21", 800),
    row("SF100000000002", "VS11", 2500),
    row("sf 1000 0000 0003", "TS1", "1000"),
]
NUMBERS = ["SF100000000001", "SF100000000002", "SF100000000003"]


@pytest.fixture
def partner(county: dict[str, Outlet]) -> Partner:
    return partner_register(
        code="sf",
        name="顺丰速运",
        number_pattern="SF[0-9]{12}",
        webhook_url="http://127.0.0.1:9/hook",
        webhook_secret=SECRET,
    )


@pytest.fixture
def receive(partner: Partner, make_user: Callable[..., User]) -> Callable[..., Any]:
    clerk = make_user(Role.COUNTY_MANAGER, username="clerk")

    def receive_manifest(
        rows: list[dict[str, object]] = ROWS, reference: str = "M-1", now: datetime.datetime = MONDAY_0730
    ) -> Any:
        return manifest_receive(
            partner=partner, reference=reference, rows=rows, contact_phone=CONTACT, received_by=clerk, now=now
        )

    return receive_manifest


def deliver(number: str, prefix: str, *, proof: dict[str, str] | None = None) -> None:
    """Accept at the hub, arrive at the delivery outlet, go out and deliver: all by the partner's number."""
    results = scans_record(
        scans=[
            ScanInput(f"{prefix}1", number, "EMA", "HUB", at(8)),
            ScanInput(f"{prefix}2", number, "EMG", "VS21", at(10, 30)),
            ScanInput(f"{prefix}3", number, "EDG", "VS21", at(10, 40)),
            ScanInput(
                f"{prefix}4", number, "EMI", "VS21", at(11), **(proof or {"proof_signature_name": "王五"})
            ),
        ],
        now=at(11, 30),
    )
    assert [result.status for result in results] == ["created"] * 4


# --- registration ----------------------------------------------------------------------------------


def test_register_anchors_the_pattern_and_generates_a_secret(county: dict[str, Outlet]) -> None:
    """A pattern is stored anchored to the whole number, ^(?:…)$; a webhook URL gets a 64-hex secret."""
    partner = partner_register(
        code="zto", name="中通快递", number_pattern="ZT[0-9]{10}", webhook_url="https://zto.example/pod"
    )
    assert partner.number_pattern == "^(?:ZT[0-9]{10})$"
    assert len(partner.webhook_secret) == 64
    assert int(partner.webhook_secret, 16) >= 0
    plain = partner_register(code="yd", name="韵达", number_pattern="^YD[0-9]{13}|YT[0-9]{12}$")
    assert (plain.number_pattern, plain.webhook_secret) == ("^(?:YD[0-9]{13}|YT[0-9]{12})$", "")


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"number_pattern": "[A-Z]{2}[0-9]{9}[A-Z]{2}"}, "invalid_pattern", "number_pattern"),
        ({"number_pattern": "E.*"}, "invalid_pattern", "number_pattern"),
        ({"number_pattern": "SF([0-9"}, "invalid_pattern", "number_pattern"),
        ({"number_pattern": ""}, "required", "number_pattern"),
        ({"code": "SF"}, "invalid_code", "code"),
        ({"code": "a-very-long-partner-code"}, "invalid_code", "code"),
        ({"name": " "}, "required", "name"),
        ({"webhook_url": "ftp://x"}, "invalid_url", "webhook_url"),
    ],
)
def test_register_refusals(county: dict[str, Outlet], fields: dict[str, str], code: str, field: str) -> None:
    """A pattern that matches S10 numbers (EA100000005CN) or does not compile, and bad fields, are refused."""
    arguments = {"code": "sf", "name": "顺丰速运", "number_pattern": "SF[0-9]{12}", **fields}
    with pytest.raises(ValidationFailed) as refused:
        partner_register(**arguments)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Partner.objects.count() == 0


def test_register_twice_is_a_conflict(partner: Partner) -> None:
    """The code is the partner's identity."""
    with pytest.raises(Conflict) as refused:
        partner_register(code="sf", name="另一家", number_pattern="XX[0-9]{12}")
    assert refused.value.code == "partner_exists"


# --- manifests and billing -------------------------------------------------------------------------


def test_manifest_creates_parcels_with_the_partner_numbers_and_bills_the_partner(
    receive: Callable[..., Any], partner: Partner, county: dict[str, Outlet]
) -> None:
    """Three rows: three ecommerce parcels from the hub keeping SF numbers, charged 600 + 900 + 600 fen."""
    result = receive()
    assert result.created is True
    assert result.tracking_numbers == NUMBERS
    assert (result.manifest.reference, result.manifest.parcel_count) == ("M-1", 3)
    parcels = list(Parcel.objects.filter(partner=partner).order_by("pk"))
    assert [
        (p.tracking_number, p.partner_tracking_number, p.destination_outlet.code, p.zone, p.fee_fen)
        for p in parcels
        if p.destination_outlet is not None
    ] == [
        ("SF100000000001", "SF100000000001", "VS21", "same_county", 600),
        ("SF100000000002", "SF100000000002", "VS11", "same_county", 900),
        ("SF100000000003", "SF100000000003", "TS1", "same_county", 600),
    ]
    first = parcels[0]
    assert (first.product.code, first.origin_outlet.code, first.postage_payment) == (
        "ecommerce",
        "HUB",
        PostagePayment.PARTNER,
    )
    assert (first.sender_name, first.sender_phone, first.cod_amount_fen) == ("顺丰速运", CONTACT, 0)
    assert list(first.events.values_list("event_id", "code")) == [("SF100000000001:created", "CRT")]
    charges = Transfer.objects.filter(category="partner_charge").order_by("id")
    assert [(t.id, t.debit_account.code, t.credit_account.code, t.amount_fen) for t in charges] == [
        (f"partner:sf:{number}:charge", "receivable:partner:sf", chart.POSTAGE_INCOME, fee)
        for number, fee in zip(NUMBERS, [600, 900, 600], strict=True)
    ]
    receivable = Account.objects.get(code="receivable:partner:sf")
    assert (receivable.type, receivable.allows_negative, receivable.balance_fen) == ("asset", False, 2100)
    assert Account.objects.get(code=chart.POSTAGE_INCOME).credits_posted == 2100


def test_partner_parcels_are_scanned_by_their_numbers_to_delivery(
    receive: Callable[..., Any], partner: Partner
) -> None:
    """The SF number scans through acceptance at the hub to delivery; the partner is owed a webhook."""
    receive()
    deliver("sf100000000001", "d")
    parcel = Parcel.objects.get(tracking_number="SF100000000001")
    assert (parcel.status, parcel.delivered_at, parcel.cod_collected_at) == ("delivered", at(11), None)
    assert list(parcel.events.values_list("code", flat=True)) == ["CRT", "EMA", "EMG", "EDG", "EMI"]
    webhook = WebhookDelivery.objects.get()
    assert (webhook.partner, webhook.parcel, webhook.event.code) == (partner, parcel, "EMI")
    assert (webhook.status, webhook.attempt_count, webhook.next_attempt_at) == ("pending", 0, at(11, 30))
    assert webhook.payload == {
        "event": "delivered",
        "partner": "sf",
        "partner_tracking_number": "SF100000000001",
        "status": "delivered",
        "delivered_at": "2026-11-23T03:00:00+00:00",
        "outlet_code": "VS21",
        "proof": {"type": "signature", "signer_name": "王五"},
    }
    # Partner parcels are billed at the manifest, not at acceptance.
    assert not Transfer.objects.filter(id=f"parcel:{parcel.tracking_number}:postage").exists()


def test_delivery_enqueues_the_sending_once_the_scan_commits(
    receive: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The delivery hook owes the webhook inside the scan's transaction and queues the sending task
    only when that transaction commits."""
    from django_tasks_db.models import DBTaskResult

    receive()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver("SF100000000001", "d")
    assert WebhookDelivery.objects.count() == 1
    assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "siliu.logistics.partners.tasks.webhooks_deliver"
    ]


def test_pickup_code_proof_sends_no_code(receive: Callable[..., Any]) -> None:
    """Delivered against the pickup code: the partner learns the kind of proof, not the code."""
    receive()
    parcel = Parcel.objects.get(tracking_number="SF100000000001")
    deliver(parcel.tracking_number, "p", proof={"proof_pickup_code": parcel.pickup_code})
    assert WebhookDelivery.objects.get().payload["proof"] == {"type": "pickup_code"}


def test_no_webhook_is_owed_to_a_partner_without_a_url(county: dict[str, Outlet]) -> None:
    """A partner that registered no webhook URL gets no messages."""
    quiet = partner_register(code="yd", name="韵达", number_pattern="YD[0-9]{13}")
    manifest_receive(
        partner=quiet,
        reference="Y-1",
        rows=[row("YD1000000000001")],
        contact_phone=CONTACT,
        received_by=None,
        now=MONDAY_0730,
    )
    deliver("YD1000000000001", "y")
    assert WebhookDelivery.objects.count() == 0


def test_manifest_refusal_lists_every_row_error_and_writes_nothing(receive: Callable[..., Any]) -> None:
    """One good row and nine bad ones: refused as a whole, each error with its row and field."""
    range_before = TrackingRange.objects.get(service_indicator="HA").next_serial
    rows = [
        row("SF100000000001"),
        row("SF12"),
        row("SF100000000003", recipient_phone="13900000003"),
        row("SF100000000004", destination="HUB"),
        row("SF100000000005", weight_g="abc"),
        row("SF100000000006", cod_amount_fen=500),
        row("SF100000000001"),
        row("SF100000000008", recipient_name=""),
        row("SF100000000009", weight_g=40_000),
        row("SF100000000010", destination="NOPE", cod_amount_fen="-1"),
    ]
    with pytest.raises(ManifestRefused) as refused:
        receive(rows)
    assert [(e.row, e.field, e.code) for e in refused.value.row_errors] == [
        (2, "partner_tracking_number", "invalid_tracking_number"),
        (3, "recipient_phone", "invalid_phone"),
        (4, "destination_outlet", "invalid_destination"),
        (5, "weight_g", "invalid_weight"),
        (6, "cod_amount_fen", "cod_not_supported"),
        (7, "partner_tracking_number", "duplicate_in_manifest"),
        (8, "recipient_name", "required"),
        (9, "weight_g", "invalid_weight"),
        (10, "destination_outlet", "unknown_outlet"),
        (10, "cod_amount_fen", "invalid_amount"),
    ]
    body = refused.value.as_dict()
    assert body["code"] == "manifest_invalid"
    assert body["errors"]["rows.4.destination_outlet"] == ["投递网点应为村服务站或乡镇邮政所：HUB"]  # type: ignore[index]
    assert (Parcel.objects.count(), ParcelEvent.objects.count(), PartnerManifest.objects.count()) == (0, 0, 0)
    assert Transfer.objects.count() == 0
    assert not Account.objects.filter(code="receivable:partner:sf").exists()
    assert TrackingRange.objects.get(service_indicator="HA").next_serial == range_before


def test_manifest_refuses_numbers_already_in_the_network(receive: Callable[..., Any]) -> None:
    """A number received in an earlier manifest is refused in a new one; the first stays as it was."""
    receive()
    with pytest.raises(ManifestRefused) as refused:
        receive([row("SF100000000002"), row("SF100000000099")], reference="M-2")
    assert [(e.row, e.field, e.code) for e in refused.value.row_errors] == [
        (1, "partner_tracking_number", "duplicate_tracking_number")
    ]
    assert Parcel.objects.count() == 3
    assert Account.objects.get(code="receivable:partner:sf").balance_fen == 2100


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"rows": []}, "manifest_empty", "rows"),
        ({"reference": " "}, "required", "reference"),
        ({"contact_phone": "12345"}, "invalid_phone", "contact_phone"),
    ],
)
def test_manifest_whole_refusals(partner: Partner, arguments: dict[str, Any], code: str, field: str) -> None:
    """An empty manifest, no reference or a bad contact phone is refused before any row."""
    base: dict[str, Any] = {"reference": "M-1", "rows": ROWS, "contact_phone": CONTACT}
    with pytest.raises(ValidationFailed) as refused:
        manifest_receive(partner=partner, received_by=None, now=MONDAY_0730, **{**base, **arguments})
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Parcel.objects.count() == 0


def test_same_reference_twice_returns_the_first_result(receive: Callable[..., Any]) -> None:
    """A resent manifest writes nothing; resent with other parcels it is a conflict."""
    first = receive()
    again = receive(now=at(9))
    assert (again.created, again.manifest.pk, again.tracking_numbers) == (False, first.manifest.pk, NUMBERS)
    assert (Parcel.objects.count(), Transfer.objects.count(), PartnerManifest.objects.count()) == (3, 3, 1)
    with pytest.raises(Conflict) as refused:
        receive([*ROWS, row("SF100000000004")])
    assert refused.value.code == "manifest_exists_with_different_rows"
    assert Parcel.objects.count() == 3


def test_csv_rows_in_utf8_with_bom_or_gbk() -> None:
    """Excel's UTF-8 (with BOM) and GBK CSV files read the same; blank lines and extra columns are ignored."""
    text = (
        "weight_g,partner_tracking_number,recipient_name,recipient_phone,recipient_address,destination_outlet,note\r\n"
        "800,SF100000000001,王五,+8613900000003,河口村 3 号,VS21,易碎\r\n"
        ",,,,,,\r\n"
    )
    expected = [
        {
            "weight_g": "800",
            "partner_tracking_number": "SF100000000001",
            "recipient_name": "王五",
            "recipient_phone": "+8613900000003",
            "recipient_address": "河口村 3 号",
            "destination_outlet": "VS21",
            "note": "易碎",
        }
    ]
    assert manifest_rows_from_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == expected
    assert manifest_rows_from_csv(text.encode("gbk")) == expected
    with pytest.raises(ValidationFailed) as refused:
        manifest_rows_from_csv("partner_tracking_number,weight_g\r\nSF1,1\r\n")
    assert (refused.value.code, refused.value.field) == ("invalid_csv", "file")
    assert "recipient_name" in refused.value.message


# --- statements ------------------------------------------------------------------------------------


def test_monthly_statement_counts_and_totals_exactly(receive: Callable[..., Any]) -> None:
    """November: 4 handed over (the 30th at 23:59 local included), 1 delivered, 1 failed, ¥27.00."""
    receive()
    receive([row("SF100000000004", weight_g=3001)], reference="M-2", now=at(23, 59, day=30))
    receive([row("SF100000000005")], reference="M-0", now=at(23, 50, day=31, month=10))
    receive([row("SF100000000006")], reference="M-3", now=at(0, 10, day=1, month=12))
    deliver("SF100000000001", "d")
    scans_record(
        scans=[
            ScanInput("f1", "SF100000000002", "EMA", "HUB", at(8)),
            ScanInput("f2", "SF100000000002", "EMG", "VS11", at(10, 30)),
            ScanInput("f3", "SF100000000002", "EDG", "VS11", at(10, 40)),
            ScanInput("f4", "SF100000000002", "EMH", "VS11", at(11), reason_code="11", action_code="RETRY"),
        ],
        now=at(12),
    )
    statement = partner_statement(partner=Partner.objects.get(code="sf"), month="2026-11")
    assert (statement.period_start, statement.period_end) == (at(0, 0, day=1), at(0, 0, day=1, month=12))
    assert [line.tracking_number for line in statement.lines] == [*NUMBERS, "SF100000000004"]
    assert [line.charge_fen for line in statement.lines] == [600, 900, 600, 1050]
    assert (statement.handed_over_count, statement.delivered_count, statement.failed_count) == (4, 1, 1)
    assert statement.total_charges_fen == 600 + 900 + 600 + 1050
    assert [m.reference for m in statement.manifests] == ["M-1", "M-2"]
    assert statement.receivable_balance_fen == 3150 + 600 + 600
    october = partner_statement(partner=Partner.objects.get(code="sf"), month="2026-10")
    assert (october.handed_over_count, october.total_charges_fen) == (1, 600)
    csv_text = statement_csv(statement)
    assert csv_text.splitlines()[:2] == [
        "partner_tracking_number,handed_over_at,destination_outlet,zone,weight_g,chargeable_weight_g,"
        "charge_fen,charge_yuan,status,delivered_at",
        "SF100000000001,2026-11-23 07:30,VS21,same_county,800,800,600,6.00,delivered,2026-11-23 11:00",
    ]
    assert csv_text.splitlines()[-7:] == [
        "partner,sf",
        "month,2026-11",
        "handed_over_count,4",
        "delivered_count,1",
        "failed_count,1",
        "total_charges_fen,3150",
        "total_charges_yuan,31.50",
    ]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "november"])
def test_statement_month_must_be_yyyy_mm(partner: Partner, month: str) -> None:
    """A month that is not YYYY-MM is refused naming the field."""
    with pytest.raises(ValidationFailed) as refused:
        partner_statement(partner=partner, month=month)
    assert (refused.value.code, refused.value.field) == ("invalid_month", "month")


# --- webhooks --------------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    """The header is sha256=<hex HMAC(secret, "<ts>.<body>")>; verifying refuses tampering and staleness."""
    body = webhook_body({"status": "delivered", "partner_tracking_number": "SF100000000001"})
    assert body == b'{"partner_tracking_number":"SF100000000001","status":"delivered"}'
    expected = "sha256=" + hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhook_signature(secret="s3cret", timestamp=1700000000, body=body) == expected
    now = datetime.datetime.fromtimestamp(1700000100, tz=datetime.UTC)
    assert webhook_signature_verify("s3cret", "1700000000", body, expected, now=now)
    assert webhook_signature_verify("s3cret", "1700000000", body.decode(), expected, now=now)
    assert not webhook_signature_verify("other", "1700000000", body, expected, now=now)
    assert not webhook_signature_verify("s3cret", "1700000000", body + b" ", expected, now=now)
    assert not webhook_signature_verify("s3cret", "1700000001", body, expected, now=now)
    assert not webhook_signature_verify("s3cret", "abc", body, expected, now=now)
    late = now + datetime.timedelta(seconds=301)
    assert not webhook_signature_verify("s3cret", "1700000000", body, expected, now=late)
    assert webhook_signature_verify("s3cret", "1700000000", body, expected, now=late, tolerance_seconds=0)


class _PartnerServer(ThreadingHTTPServer):
    """A partner's webhook endpoint: checks the signature and answers ``status`` (401 if it is wrong)."""

    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _PartnerHandler)
        self.status = status
        self.received: list[tuple[dict[str, str], bytes, bool]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/pod"


class _PartnerHandler(BaseHTTPRequestHandler):
    server: _PartnerServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        # The clock is the test's: the senders' timestamps are checked by the tests themselves.
        verified = webhook_signature_verify(
            SECRET,
            self.headers["X-Siliu-Timestamp"],
            body,
            self.headers["X-Siliu-Signature"],
            tolerance_seconds=0,
        )
        self.server.received.append((dict(self.headers.items()), body, verified))
        self.send_response(self.server.status if verified else 401)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def partner_server() -> Iterator[Callable[[int], _PartnerServer]]:
    servers: list[_PartnerServer] = []

    def start(status: int) -> _PartnerServer:
        server = _PartnerServer(status)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_webhook_is_signed_and_delivered_to_a_real_server(
    receive: Callable[..., Any], partner: Partner, partner_server: Callable[[int], _PartnerServer]
) -> None:
    """The local partner server verifies the signature and answers 200: the message is delivered once."""
    server = partner_server(200)
    Partner.objects.filter(pk=partner.pk).update(webhook_url=server.url)
    receive()
    deliver("SF100000000001", "d")
    summary = webhook_deliveries_send(now=SEND_AT, timeout_seconds=5)
    assert (summary.attempted, summary.delivered, summary.retrying, summary.given_up) == (1, 1, 0, 0)
    ((headers, body, verified),) = server.received
    webhook = WebhookDelivery.objects.get()
    assert verified is True
    assert headers["X-Siliu-Timestamp"] == str(int(SEND_AT.timestamp()))
    assert headers["X-Siliu-Delivery"] == str(webhook.pk)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body) == webhook.payload
    assert (webhook.status, webhook.attempt_count, webhook.delivered_at, webhook.last_error) == (
        WebhookStatus.DELIVERED,
        1,
        SEND_AT,
        "",
    )
    assert webhook_deliveries_send(now=SEND_AT + datetime.timedelta(hours=1)).attempted == 0
    assert len(server.received) == 1


def test_failing_server_backs_off_exponentially_then_gives_up(
    receive: Callable[..., Any], partner: Partner, partner_server: Callable[[int], _PartnerServer]
) -> None:
    """A 500 is retried after 1, 2, 4 … 256 minutes; the tenth failure gives up; nothing raises."""
    server = partner_server(500)
    Partner.objects.filter(pk=partner.pk).update(webhook_url=server.url)
    receive()
    deliver("SF100000000001", "d")
    moment = at(11, 30)  # due from the delivery scan's batch
    for attempt in range(1, 11):
        assert (
            webhook_deliveries_send(now=moment - datetime.timedelta(seconds=1), timeout_seconds=5).attempted
            == 0
        )
        assert webhook_deliveries_send(now=moment, timeout_seconds=5).attempted == 1
        webhook = WebhookDelivery.objects.get()
        assert (webhook.attempt_count, webhook.last_error) == (attempt, "HTTP 500 Internal Server Error")
        if attempt < 10:
            assert webhook.status == WebhookStatus.PENDING
            assert webhook.next_attempt_at == moment + datetime.timedelta(minutes=2 ** (attempt - 1))
            moment = webhook.next_attempt_at
    assert webhook.status == WebhookStatus.FAILED
    assert len(server.received) == 10
    assert all(verified for _headers, _body, verified in server.received)
    assert webhook_deliveries_send(now=moment + datetime.timedelta(days=1)).attempted == 0


def test_unreachable_partner_is_an_error_recorded_not_raised(
    receive: Callable[..., Any], partner: Partner
) -> None:
    """A refused connection counts as a failed attempt, through the task too."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    Partner.objects.filter(pk=partner.pk).update(webhook_url=f"http://127.0.0.1:{closed_port}/pod")
    receive()
    deliver("SF100000000001", "d")
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))
    assert webhooks_deliver.call() == 1
    webhook = WebhookDelivery.objects.get()
    assert (webhook.status, webhook.attempt_count) == (WebhookStatus.PENDING, 1)
    assert webhook.last_error.startswith("URLError")


# --- API -------------------------------------------------------------------------------------------


def test_api_register_needs_partner_manage_and_shows_the_secret_once(
    client_as: Callable[..., APIClient], county: dict[str, Outlet]
) -> None:
    """Staff status, auditors and operators may not register; a county manager (``partner.manage``)
    registers (201 with the secret) and lists them (no secret)."""
    payload = {
        "code": "sf",
        "name": "顺丰速运",
        "number_pattern": "SF[0-9]{12}",
        "webhook_url": "https://sf.example/pod",
    }
    for roles, is_staff in (((), True), ((Role.AUDITOR,), True), ((Role.STATION_OPERATOR,), False)):
        refused = client_as(*roles, is_staff=is_staff).post("/api/v1/partners", payload, format="json")
        assert refused.status_code == 403
    assert not Partner.objects.exists()
    staff = client_as(Role.COUNTY_MANAGER, username="manager")  # partner.manage
    created = staff.post("/api/v1/partners", payload, format="json")
    assert created.status_code == 201
    assert len(created.json()["webhook_secret"]) == 64
    assert created.json()["number_pattern"] == "^(?:SF[0-9]{12})$"
    clash = staff.post("/api/v1/partners", {**payload, "number_pattern": "EA[0-9]{9}CN"}, format="json")
    assert (clash.status_code, clash.json()["code"]) == (400, "invalid_pattern")
    assert "number_pattern" in clash.json()["errors"]
    listed = client_as(Role.COUNTY_MANAGER, username="manager2").get("/api/v1/partners")
    assert listed.status_code == 200
    assert listed.json() == [
        {
            "code": "sf",
            "name": "顺丰速运",
            "number_pattern": "^(?:SF[0-9]{12})$",
            "webhook_url": "https://sf.example/pod",
            "has_webhook": True,
            "is_active": True,
        }
    ]
    assert client_as(Role.CONSUMER, username="villager").get("/api/v1/partners").status_code == 403


def test_api_manifest_json_then_replay_then_refusal(
    client_as: Callable[..., APIClient], partner: Partner
) -> None:
    """201 the first time, 200 with the same body again; a bad manifest is a 400 listing its rows."""
    client = client_as(Role.COUNTY_MANAGER)
    payload = {"reference": "M-1", "contact_phone": CONTACT, "rows": ROWS}
    first = client.post("/api/v1/partners/sf/manifests", payload, format="json")
    assert first.status_code == 201
    assert first.json()["tracking_numbers"] == NUMBERS
    assert (first.json()["partner"], first.json()["parcel_count"]) == ("sf", 3)
    again = client.post("/api/v1/partners/sf/manifests", payload, format="json")
    assert (again.status_code, again.json()) == (200, first.json())
    bad = client.post(
        "/api/v1/partners/sf/manifests",
        {"reference": "M-2", "contact_phone": CONTACT, "rows": [row("SF100000000009", weight_g=0)]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "manifest_invalid"
    assert bad.json()["rows"] == [
        {"row": 1, "field": "weight_g", "code": "invalid_weight", "message": "重量应为大于 0 的整数（克）"}
    ]
    assert list(bad.json()["errors"]) == ["rows.1.weight_g"]
    assert client.post("/api/v1/partners/nope/manifests", payload, format="json").status_code == 404
    neither = client.post(
        "/api/v1/partners/sf/manifests", {"reference": "M-3", "contact_phone": CONTACT}, format="json"
    )
    assert (neither.status_code, list(neither.json()["errors"])) == (400, ["rows"])


def test_api_manifest_csv_upload_and_statement(client_as: Callable[..., APIClient], partner: Partner) -> None:
    """A multipart CSV upload creates the parcels; the statement is served as JSON and CSV."""
    client = client_as(Role.COUNTY_MANAGER)
    csv_bytes = (
        "partner_tracking_number,recipient_name,recipient_phone,recipient_address,destination_outlet,weight_g\n"
        "SF100000000001,王五,+8613900000003,河口村 3 号,VS21,800\n"
        "SF100000000002,赵六,+8613900000004,王家村 6 号,VS11,2500\n"
    ).encode()
    upload = io.BytesIO(csv_bytes)
    upload.name = "manifest.csv"
    response = client.post(
        "/api/v1/partners/sf/manifests",
        {"reference": "CSV-1", "contact_phone": CONTACT, "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["tracking_numbers"] == NUMBERS[:2]
    month = Parcel.objects.get(tracking_number=NUMBERS[0]).created_at.astimezone(SHANGHAI).strftime("%Y-%m")
    statement = client.get(f"/api/v1/partners/sf/statements/{month}")
    assert statement.status_code == 200
    body = statement.json()
    assert (body["handed_over_count"], body["total_charges_fen"], body["receivable_balance_fen"]) == (
        2,
        1500,
        1500,
    )
    assert [(line["tracking_number"], line["charge_fen"]) for line in body["lines"]] == [
        ("SF100000000001", 600),
        ("SF100000000002", 900),
    ]
    download = client.get(f"/api/v1/partners/sf/statements/{month}.csv")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="sf-{month}.csv"'
    assert download.content.startswith(b"\xef\xbb\xbfpartner_tracking_number,")
    assert b"total_charges_fen,1500" in download.content
    bad_month = client.get("/api/v1/partners/sf/statements/2026-13")
    assert (bad_month.status_code, bad_month.json()["code"]) == (400, "invalid_month")


def test_schema_documents_the_partner_endpoints(client_as: Callable[..., APIClient]) -> None:
    """drf-spectacular builds the OpenAPI schema with the partner paths."""
    response = client_as(is_staff=True).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in (
        "/api/v1/partners",
        "/api/v1/partners/{code}/manifests",
        "/api/v1/partners/{code}/statements/{month}",
        "/api/v1/partners/{code}/statements/{month}.csv",
    ):
        assert path in paths


# --- pages -----------------------------------------------------------------------------------------


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_list_upload_with_row_errors_and_statement(
    partner: Partner, make_user: Callable[..., User]
) -> None:
    """The manager sees partners, uploads a bad CSV (row errors shown, nothing written), then a good one."""
    manager = logged_in(make_user(Role.COUNTY_MANAGER))
    listing = manager.get("/logistics/partners/")
    assert listing.status_code == 200
    assert "顺丰速运" in listing.content.decode()
    header = ",".join(MANIFEST_COLUMNS[:-1]) + "\n"
    bad = io.BytesIO((header + "SF100000000001,王五,139,河口村 3 号,VS21,800\n").encode())
    bad.name = "bad.csv"
    refused = manager.post(
        "/logistics/partners/sf/manifests/new/", {"reference": "P-1", "contact_phone": CONTACT, "file": bad}
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'data-testid="row-errors"' in page
    assert "invalid_phone" in page
    assert Parcel.objects.count() == 0
    good = io.BytesIO((header + "SF100000000001,王五,+8613900000003,河口村 3 号,VS21,800\n").encode())
    good.name = "good.csv"
    accepted = manager.post(
        "/logistics/partners/sf/manifests/new/", {"reference": "P-1", "contact_phone": CONTACT, "file": good}
    )
    assert accepted.status_code == 302
    month = Parcel.objects.get().created_at.astimezone(SHANGHAI).strftime("%Y-%m")
    assert accepted["Location"] == f"/logistics/partners/sf/statements/{month}/"
    statement = manager.get(accepted["Location"])
    assert statement.status_code == 200
    assert 'data-testid="total">¥6.00<' in statement.content.decode()
    xlsx = manager.get(f"/logistics/partners/sf/statements/{month}.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook["明细"]["A2"].value == "SF100000000001"
    assert workbook["明细"]["G2"].value == 600
    assert [cell.value for cell in workbook["汇总"]["A6:B6"][0]] == ["total_charges_fen", 600]
    assert manager.get(f"/logistics/partners/sf/statements/{month}.csv").status_code == 200
    assert manager.get("/logistics/partners/sf/statements/bad/").status_code == 404
    assert logged_in(make_user(Role.CONSUMER)).get("/logistics/partners/").status_code == 403


# --- management commands ---------------------------------------------------------------------------


def test_manifest_import_command_prints_row_errors_or_the_count(partner: Partner, tmp_path: Path) -> None:
    """A bad file fails naming each row; a good one is received; the same reference again is reported."""
    header = ",".join(MANIFEST_COLUMNS[:-1]) + "\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "SF12,王五,+8613900000003,河口村 3 号,VS21,800\n", encoding="utf-8")
    errors = StringIO()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command(
            "partner_manifest_import", "sf", str(bad), reference="C-1", contact_phone=CONTACT, stderr=errors
        )
    assert errors.getvalue().startswith("row 1 partner_tracking_number: invalid_tracking_number:")
    good = tmp_path / "good.csv"
    good.write_text(header + "SF100000000001,王五,+8613900000003,河口村 3 号,VS21,800\n", encoding="utf-8")
    for expected in ("received C-1: 1 parcel(s)", "already received C-1: 1 parcel(s)"):
        out = StringIO()
        call_command(
            "partner_manifest_import", "sf", str(good), reference="C-1", contact_phone=CONTACT, stdout=out
        )
        assert out.getvalue().strip() == expected
    with pytest.raises(CommandError, match="unknown_partner"):
        call_command("partner_manifest_import", "zz", str(good), reference="C-2", contact_phone=CONTACT)


def test_webhooks_command_reports_the_round(receive: Callable[..., Any], partner: Partner) -> None:
    """``siliu partner_webhooks_deliver`` sends what is due and says how it went."""
    receive()
    deliver("SF100000000001", "d")
    Partner.objects.filter(pk=partner.pk).update(webhook_url="http://127.0.0.1:9/closed")
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))
    out = StringIO()
    call_command("partner_webhooks_deliver", stdout=out)
    assert out.getvalue().strip() == "attempted 1: delivered 0, retrying 1, given up 0"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_first_sends_of_one_manifest_create_it_once(partner: Partner) -> None:
    """Four clerks send the same manifest at once: one creates it, the others get the same result."""

    def send(_number: int) -> Any:
        try:
            return manifest_receive(
                partner=partner, reference="M-1", rows=ROWS, contact_phone=CONTACT, received_by=None
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(send, range(4)))
    assert sorted(result.created for result in results) == [False, False, False, True]
    assert {tuple(result.tracking_numbers) for result in results} == {tuple(NUMBERS)}
    assert (Parcel.objects.count(), PartnerManifest.objects.count()) == (3, 1)
    assert Account.objects.get(code="receivable:partner:sf").balance_fen == 2100
