"""Amounts beyond ``MAX_AMOUNT_FEN`` (and beyond any column) are refused with a 400 naming the field,
everywhere money comes in: transfers, counter cash and the daily close, by API and by page."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.core.errors import ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.finance.models import CashDayClose
from siliu.finance.services import outlet_day_close
from siliu.finance.tests.conftest import Snapshot
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

HUGE = 2**63


@pytest.mark.parametrize("amount", [HUGE, MAX_AMOUNT_FEN + 1])
def test_transfer_api_refuses_an_amount_beyond_the_bound(
    client_as: Callable[..., APIClient], snapshot: Callable[[], Snapshot], amount: int
) -> None:
    """A single transfer and a batch item: 400 naming amount_fen, nothing booked."""
    client = client_as(is_staff=True, is_superuser=True)
    before = snapshot()
    transfer = {"id": "t-1", "debit_account": "a", "credit_account": "b", "amount_fen": amount}
    response = client.post("/api/v1/transfers", transfer, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["amount_fen"])
    response = client.post("/api/v1/transfers/batch", {"transfers": [transfer]}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["transfers.0.amount_fen"])
    assert snapshot() == before


@pytest.mark.parametrize("action", ["cash-in", "cash-out"])
@pytest.mark.parametrize("amount", [HUGE, MAX_AMOUNT_FEN + 1])
def test_counter_cash_api_refuses_an_amount_beyond_the_bound(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    api_client: APIClient,
    snapshot: Callable[[], Snapshot],
    action: str,
    amount: int,
) -> None:
    """Cash in or out at a counter: 400 naming amount_fen, nothing booked."""
    api_client.force_authenticate(operator)
    before = snapshot()
    body = {"username": "villager", "amount_fen": amount, "id": "c-1"}
    response = api_client.post(f"/api/v1/outlets/V00001/{action}", body, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["amount_fen"])
    assert snapshot() == before


@pytest.mark.parametrize("counted", [HUGE, MAX_AMOUNT_FEN + 1])
def test_day_close_api_refuses_a_count_beyond_the_bound(
    outlet: Outlet, operator: AbstractUser, api_client: APIClient, counted: int
) -> None:
    """A day closed with a count no drawer holds: 400 naming counted_cash_fen, no close written."""
    api_client.force_authenticate(operator)
    body = {"date": timezone.localdate().isoformat(), "counted_cash_fen": counted}
    response = api_client.post("/api/v1/outlets/V00001/close-day", body, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["counted_cash_fen"])
    assert CashDayClose.objects.count() == 0


def test_day_close_service_refuses_a_count_beyond_the_bound(outlet: Outlet, operator: AbstractUser) -> None:
    """The service holds the bound for the page too: amount_too_large, nothing written."""
    with pytest.raises(ValidationFailed) as refused:
        outlet_day_close(
            outlet=outlet,
            business_on=timezone.localdate() - datetime.timedelta(days=1),
            counted_cash_fen=MAX_AMOUNT_FEN + 1,
            actor=operator,
        )
    assert (refused.value.code, refused.value.field) == ("amount_too_large", "counted_cash_fen")
    assert CashDayClose.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("cash", {"direction": "in", "username": "villager", "amount": "99999999999999999999"}),
        ("close", {"business_on": "2026-05-01", "counted_cash": "99999999999999999999"}),
    ],
)
def test_counter_pages_refuse_yuan_beyond_the_bound(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    snapshot: Callable[[], Snapshot],
    path: str,
    form: dict[str, str],
) -> None:
    """Twenty nines of yuan in a counter form: the form's error (400), nothing booked or closed."""
    client = Client()
    client.force_login(operator)  # type: ignore[arg-type]
    before = snapshot()
    response = client.post(f"/finance/counter/V00001/{path}/", {**form, "idempotency_key": "k"})
    assert response.status_code == 400
    assert "金额超出上限" in response.content.decode()
    assert snapshot() == before
    assert CashDayClose.objects.count() == 0
