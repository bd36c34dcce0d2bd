"""The ledger's REST API: status codes, bodies, idempotency, permissions, error shape."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, CashDayClose, Transfer, TransferKind
from siliu.finance.services import BATCH_LIMIT, transfer_create, wallet_cash_in, wallet_open
from siliu.finance.tests.conftest import Snapshot
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client_as: Callable[..., APIClient]) -> APIClient:
    """The ledger's administrator: only a superuser holds ``ledger.post`` (and ``ledger.read``)."""
    return client_as(is_staff=True, is_superuser=True, username="admin")


@pytest.fixture
def wallets(make_account: Callable[..., Account], fund: Callable[[Account, int], None]) -> None:
    alice = make_account(code="wallet:alice")
    fund(alice, 10_000)
    make_account(code="wallet:bob")


def body(**fields: Any) -> dict[str, Any]:
    return {"debit_account": "wallet:alice", "credit_account": "wallet:bob", "amount_fen": 1_500, **fields}


# --- POST /transfers ------------------------------------------------------------------------------


def test_transfer_create_then_identical_retry(admin: APIClient, wallets: None) -> None:
    """First send answers 201, the retry with the same Idempotency-Key 200 with the same body."""
    first = admin.post("/api/v1/transfers", body(), format="json", headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.json()
    assert first.json() | {"created_at": None} == {
        "id": "k-1",
        "kind": "posted",
        "debit_account": "wallet:alice",
        "credit_account": "wallet:bob",
        "amount_fen": 1_500,
        "pending_id": None,
        "linked": False,
        "category": "",
        "reference": "",
        "timeout_seconds": 0,
        "expires_at": None,
        "state": "",
        "resolved_at": None,
        "created_at": None,
    }
    again = admin.post("/api/v1/transfers", body(), format="json", headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()) == (200, first.json())
    assert Account.objects.get(code="wallet:alice").balance_fen == 8_500


def test_transfer_id_may_come_in_the_body(admin: APIClient, wallets: None) -> None:
    """Without the header, the body's id is the idempotency key."""
    response = admin.post("/api/v1/transfers", body(id="k-2"), format="json")
    assert (response.status_code, response.json()["id"]) == (201, "k-2")


@pytest.mark.parametrize(
    ("fields", "headers", "code", "field"),
    [
        ({}, {}, "idempotency_key_required", "id"),
        ({"id": "a"}, {"Idempotency-Key": "b"}, "idempotency_key_mismatch", "id"),
        ({"id": "k", "amount_fen": 0}, {}, "amount_must_be_positive", "amount_fen"),
        ({"id": "k", "amount_fen": "lots"}, {}, "invalid", "amount_fen"),
        ({"id": "k", "kind": "sideways"}, {}, "invalid", "kind"),
        ({"id": "k", "credit_account": "wallet:alice"}, {}, "accounts_must_be_different", "credit_account"),
        ({"id": "k k"}, {}, "invalid_id", "id"),
    ],
)
def test_transfer_bad_input_is_400_with_field_errors(
    admin: APIClient,
    wallets: None,
    snapshot: Callable[[], Snapshot],
    fields: dict[str, Any],
    headers: dict[str, str],
    code: str,
    field: str,
) -> None:
    """Malformed input is 400 with the error code and the field at fault; nothing is written."""
    before = snapshot()
    response = admin.post("/api/v1/transfers", body(**fields), format="json", headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"amount_fen": 10_001}, 409, "exceeds_credits"),
        ({"debit_account": "wallet:ghost"}, 404, "debit_account_not_found"),
        ({"kind": "post_pending", "pending_id": "ghost"}, 404, "pending_transfer_not_found"),
    ],
)
def test_transfer_refusals_map_to_404_and_409(
    admin: APIClient,
    wallets: None,
    snapshot: Callable[[], Snapshot],
    fields: dict[str, Any],
    status: int,
    code: str,
) -> None:
    """Refusals keep their TigerBeetle-style code and map to 404/409."""
    before = snapshot()
    response = admin.post("/api/v1/transfers", body(id="k", **fields), format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert snapshot() == before


def test_transfer_same_key_different_fields_is_409(admin: APIClient, wallets: None) -> None:
    """Reusing a key for another amount is 409 ``exists_with_different_fields``."""
    admin.post("/api/v1/transfers", body(id="k"), format="json")
    response = admin.post("/api/v1/transfers", body(id="k", amount_fen=1), format="json")
    assert (response.status_code, response.json()["code"]) == (409, "exists_with_different_fields")


def test_two_phase_over_the_api(admin: APIClient, wallets: None) -> None:
    """A pending transfer with a timeout, then a partial post; a second post is 409."""
    pending = admin.post(
        "/api/v1/transfers", body(id="p", kind="pending", timeout_seconds=600), format="json"
    )
    assert pending.status_code == 201
    assert pending.json()["state"] == "pending"
    assert pending.json()["expires_at"] is not None
    post = admin.post(
        "/api/v1/transfers",
        {"id": "q", "kind": "post_pending", "pending_id": "p", "amount_fen": 1_000},
        format="json",
    )
    assert (post.status_code, post.json()["amount_fen"], post.json()["debit_account"]) == (
        201,
        1_000,
        "wallet:alice",
    )
    again = admin.post(
        "/api/v1/transfers", {"id": "r", "kind": "void_pending", "pending_id": "p"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "pending_transfer_already_posted")


@pytest.mark.parametrize(
    ("roles", "is_staff"),
    [
        ((), False),
        ((), True),
        ((Role.AUDITOR,), True),
        ((Role.COUNTY_MANAGER,), True),
        ((Role.STATION_OPERATOR,), False),
    ],
)
def test_transfers_need_ledger_post(
    client_as: Callable[..., APIClient], wallets: None, roles: tuple[Role, ...], is_staff: bool
) -> None:
    """Only ``ledger.post`` (a superuser) posts transfers between accounts: staff status, the auditor
    and the county manager get 403 on both transfer endpoints, and nothing is booked."""
    client = client_as(*roles, is_staff=is_staff)
    assert client.post("/api/v1/transfers", body(id="k"), format="json").status_code == 403
    assert (
        client.post("/api/v1/transfers/batch", {"transfers": [body(id="k")]}, format="json").status_code
        == 403
    )
    assert not Transfer.objects.filter(pk="k").exists()


def test_anonymous_gets_401_or_403(api_client: APIClient, wallets: None) -> None:
    """Anonymous callers are refused everywhere in the ledger API."""
    for method, url in [
        ("post", "/api/v1/transfers"),
        ("get", "/api/v1/wallet"),
        ("get", "/api/v1/accounts/wallet:alice"),
        ("get", "/api/v1/ledger/trial-balance"),
    ]:
        assert getattr(api_client, method)(url).status_code in (401, 403), url


# --- POST /transfers/batch ------------------------------------------------------------------------


def test_batch_results_per_item(admin: APIClient, wallets: None) -> None:
    """The batch answers 200 with one result per item, failures included."""
    response = admin.post(
        "/api/v1/transfers/batch",
        {
            "transfers": [
                body(id="a", linked=True),
                body(id="b", amount_fen=99_999),
                body(id="c", amount_fen=100),
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["id"], r["status"]) for r in results] == [
        (0, "a", "linked_event_failed"),
        (1, "b", "exceeds_credits"),
        (2, "c", "created"),
    ]
    assert results[1]["message"]
    assert results[2]["transfer"]["amount_fen"] == 100
    assert Account.objects.get(code="wallet:alice").balance_fen == 9_900


def test_batch_response_reads_account_codes_once(admin: APIClient, wallets: None) -> None:
    """The batch answer names each transfer's accounts without a query per transfer."""

    def queries_for(count: int, prefix: str) -> int:
        transfers = [body(id=f"{prefix}{i}", amount_fen=1) for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            response = admin.post("/api/v1/transfers/batch", {"transfers": transfers}, format="json")
        results = response.json()["results"]
        assert [result["transfer"]["debit_account"] for result in results] == ["wallet:alice"] * count
        return len(queries.captured_queries)

    assert queries_for(20, "many-") == queries_for(2, "few-")


def test_batch_too_large_or_malformed_is_400(
    admin: APIClient, wallets: None, snapshot: Callable[[], Snapshot]
) -> None:
    """More than 1,000 items, none, or an item without an id is 400; nothing is written."""
    before = snapshot()
    too_many = admin.post(
        "/api/v1/transfers/batch",
        {"transfers": [body(id=f"t{i}") for i in range(BATCH_LIMIT + 1)]},
        format="json",
    )
    assert (too_many.status_code, too_many.json()["code"]) == (400, "batch_too_large")
    empty = admin.post("/api/v1/transfers/batch", {"transfers": []}, format="json")
    assert empty.status_code == 400
    no_id = admin.post("/api/v1/transfers/batch", {"transfers": [body()]}, format="json")
    assert no_id.status_code == 400
    assert "transfers.0.id" in no_id.json()["errors"] or "transfers" in no_id.json()["errors"]
    assert snapshot() == before


# --- accounts and wallet --------------------------------------------------------------------------


def test_account_detail_and_entries_for_the_ledger_reader(admin: APIClient, wallets: None) -> None:
    """Staff see any account and its entries, newest first with the running balance."""
    transfer_create(id="t1", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=300)
    transfer_create(id="t2", debit_account="wallet:alice", credit_account="wallet:bob", amount_fen=200)
    detail = admin.get("/api/v1/accounts/wallet:alice")
    assert detail.status_code == 200
    assert {
        k: detail.json()[k]
        for k in ("code", "type", "debits_posted", "credits_posted", "balance_fen", "available_fen")
    } == {
        "code": "wallet:alice",
        "type": "liability",
        "debits_posted": 500,
        "credits_posted": 10_000,
        "balance_fen": 9_500,
        "available_fen": 9_500,
    }
    entries = admin.get("/api/v1/accounts/wallet:alice/entries?page_size=2")
    assert entries.status_code == 200
    page = entries.json()
    assert page["count"] == 3
    assert [
        (e["transfer_id"], e["side"], e["amount_fen"], e["balance_fen"], e["counterparty"])
        for e in page["results"]
    ] == [
        ("t2", "debit", 200, 9_500, "wallet:bob"),
        ("t1", "debit", 300, 9_700, "wallet:bob"),
    ]


def test_account_of_someone_else_is_404(
    client_as: Callable[..., APIClient], make_user: Callable[..., AbstractUser]
) -> None:
    """A user sees their own wallet, not another user's (404, indistinguishable from missing)."""
    owner = make_user(username="owner")
    code = wallet_open(user=owner).code
    other = client_as(Role.CONSUMER, username="other")
    assert other.get(f"/api/v1/accounts/{code}").status_code == 404
    assert other.get(f"/api/v1/accounts/{code}/entries").status_code == 404
    assert other.get("/api/v1/accounts/nothing-here").json()["code"] == "account_not_found"
    other.force_authenticate(owner)
    assert other.get(f"/api/v1/accounts/{code}").status_code == 200


def test_auditor_sees_any_account(client_as: Callable[..., APIClient], wallets: None) -> None:
    """Auditors read every account."""
    assert client_as(Role.AUDITOR).get("/api/v1/accounts/wallet:alice").status_code == 200


def test_wallet_endpoint(
    client_as: Callable[..., APIClient], make_user: Callable[..., AbstractUser], capital: Account
) -> None:
    """The caller's wallet: zero before first use; then balance, available less holds, statement."""
    user = make_user(Role.CONSUMER, username="villager")
    client = client_as()
    client.force_authenticate(user)
    empty = client.get("/api/v1/wallet")
    assert empty.status_code == 200
    assert (empty.json()["code"], empty.json()["balance_fen"], empty.json()["statement"]) == (
        f"wallet:{user.pk}",
        0,
        [],
    )
    code = wallet_open(user=user).code
    transfer_create(id="in", debit_account=capital.code, credit_account=code, amount_fen=5_000)
    transfer_create(
        id="hold",
        debit_account=code,
        credit_account=chart.ESCROW,
        amount_fen=1_200,
        kind=TransferKind.PENDING,
    )
    response = client.get("/api/v1/wallet?limit=5")
    data = response.json()
    assert (data["balance_fen"], data["available_fen"], data["pending_out_fen"]) == (5_000, 3_800, 1_200)
    assert [(h["id"], h["amount_fen"]) for h in data["holds"]] == [("hold", 1_200)]
    assert [(e["transfer_id"], e["balance_fen"]) for e in data["statement"]] == [("in", 5_000)]
    assert client.get("/api/v1/wallet?limit=0").status_code == 400


# --- counter cash and day close -------------------------------------------------------------------


def as_user(api_client: APIClient, user: AbstractUser) -> APIClient:
    api_client.force_authenticate(user)
    return api_client


def test_cash_in_and_out_over_the_api(
    api_client: APIClient, outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """The operator takes ¥30.00 in and pays ¥12.34 out; a retried cash-in is 200 and counted once."""
    client = as_user(api_client, operator)
    cash_in = client.post(
        "/api/v1/outlets/V00001/cash-in",
        {"username": "villager", "amount_fen": 3_000},
        format="json",
        headers={"Idempotency-Key": "ci-1"},
    )
    assert cash_in.status_code == 201, cash_in.json()
    assert (cash_in.json()["debit_account"], cash_in.json()["category"]) == ("cash:V00001", "cash_in")
    retry = client.post(
        "/api/v1/outlets/V00001/cash-in",
        {"username": "villager", "amount_fen": 3_000},
        format="json",
        headers={"Idempotency-Key": "ci-1"},
    )
    assert retry.status_code == 200
    cash_out = client.post(
        "/api/v1/outlets/V00001/cash-out",
        {"username": "villager", "amount_fen": 1_234, "id": "co-1"},
        format="json",
    )
    assert cash_out.status_code == 201
    assert Account.objects.get(code=f"wallet:{villager.pk}").balance_fen == 1_766


@pytest.mark.parametrize(
    ("url", "payload", "status", "code"),
    [
        ("/api/v1/outlets/NOPE/cash-in", {"username": "villager", "amount_fen": 1}, 404, "unknown_outlet"),
        ("/api/v1/outlets/V00001/cash-in", {"username": "ghost", "amount_fen": 1}, 400, "invalid"),
        (
            "/api/v1/outlets/V00001/cash-in",
            {"username": "villager", "amount_fen": -1},
            400,
            "amount_must_be_positive",
        ),
        ("/api/v1/outlets/V00001/cash-in", {"username": "villager"}, 400, "invalid"),
        (
            "/api/v1/outlets/V00001/cash-out",
            {"username": "villager", "amount_fen": 1},
            409,
            "exceeds_credits",
        ),
    ],
)
def test_counter_errors(
    api_client: APIClient,
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    snapshot: Callable[[], Snapshot],
    url: str,
    payload: dict[str, Any],
    status: int,
    code: str,
) -> None:
    """Unknown outlet 404, bad input 400 with field errors, an empty wallet 409; nothing written."""
    before = snapshot()
    response = as_user(api_client, operator).post(
        url, payload, format="json", headers={"Idempotency-Key": "k"}
    )
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert snapshot() == before


def test_counter_needs_the_outlets_operator(
    api_client: APIClient, outlet: Outlet, villager: AbstractUser, make_user: Callable[..., AbstractUser]
) -> None:
    """Someone else's station operator gets 403 for cash and close-day."""
    client = as_user(api_client, make_user(Role.STATION_OPERATOR, username="elsewhere"))
    response = client.post(
        "/api/v1/outlets/V00001/cash-in",
        {"username": "villager", "amount_fen": 1},
        format="json",
        headers={"Idempotency-Key": "k"},
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_outlet_operator")
    today = timezone.localdate().isoformat()
    assert (
        client.post(
            "/api/v1/outlets/V00001/close-day", {"date": today, "counted_cash_fen": 0}, format="json"
        ).status_code
        == 403
    )
    assert CashDayClose.objects.count() == 0


def test_close_day_over_the_api(
    api_client: APIClient, outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """Close-day is 201 with expected, counted, difference; a second close is 409, so is later cash."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=2_000, id="ci-1", actor=operator)
    client = as_user(api_client, operator)
    today = timezone.localdate().isoformat()
    response = client.post(
        "/api/v1/outlets/V00001/close-day", {"date": today, "counted_cash_fen": 1_950}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert {
        k: response.json()[k]
        for k in (
            "outlet",
            "business_on",
            "expected_cash_fen",
            "counted_cash_fen",
            "difference_fen",
            "adjustment_transfer",
            "closed_by",
        )
    } == {
        "outlet": "V00001",
        "business_on": today,
        "expected_cash_fen": 2_000,
        "counted_cash_fen": 1_950,
        "difference_fen": -50,
        "adjustment_transfer": f"close:V00001:{today}",
        "closed_by": "op",
    }
    again = client.post(
        "/api/v1/outlets/V00001/close-day", {"date": today, "counted_cash_fen": 1_950}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "day_already_closed")
    cash = client.post(
        "/api/v1/outlets/V00001/cash-in",
        {"username": "villager", "amount_fen": 1},
        format="json",
        headers={"Idempotency-Key": "late"},
    )
    assert (cash.status_code, cash.json()["code"]) == (409, "day_closed")


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"date": "yesterday", "counted_cash_fen": 0}, "invalid", "date"),
        ({"date": "2999-01-01", "counted_cash_fen": 0}, "date_in_future", "date"),
        ({"date": None, "counted_cash_fen": -5}, "invalid_amount", "counted_cash_fen"),
    ],
)
def test_close_day_bad_input_is_400(
    api_client: APIClient,
    outlet: Outlet,
    operator: AbstractUser,
    payload: dict[str, Any],
    code: str,
    field: str,
) -> None:
    """Bad dates and negative counts are 400 with the field at fault."""
    if payload["date"] is None:
        payload = {**payload, "date": timezone.localdate().isoformat()}
    response = as_user(api_client, operator).post("/api/v1/outlets/V00001/close-day", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert field in response.json()["errors"]


# --- trial balance --------------------------------------------------------------------------------


def test_trial_balance_for_auditors(
    client_as: Callable[..., APIClient],
    wallets: None,
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
) -> None:
    """Auditors get the trial balance, balanced, with wallets summed into one row."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=700, id="ci-1", actor=operator)
    response = client_as(Role.AUDITOR).get("/api/v1/ledger/trial-balance")
    assert response.status_code == 200
    data = response.json()
    assert data["is_balanced"] is True
    assert data["total_debits_posted"] == data["total_credits_posted"] == 10_700
    rows = {row["code"]: row for row in data["rows"]}
    assert (rows["wallet:*"]["account_count"], rows["wallet:*"]["credit_balance_fen"]) == (3, 10_700)
    assert rows["cash:*"]["debit_balance_fen"] == 700
    assert rows["equity:capital"]["debit_balance_fen"] == 10_000
    assert data["total_debit_balance_fen"] == data["total_credit_balance_fen"] == 10_700


@pytest.mark.parametrize("roles", [(Role.CONSUMER,), (Role.STATION_OPERATOR,), (Role.LOAN_OFFICER,)])
def test_trial_balance_refused_to_others(
    client_as: Callable[..., APIClient], roles: tuple[Role, ...]
) -> None:
    """Users without ``ledger.read`` (the auditor's) get 403."""
    assert client_as(*roles).get("/api/v1/ledger/trial-balance").status_code == 403
