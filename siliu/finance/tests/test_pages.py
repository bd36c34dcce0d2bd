"""The funds-flow pages: wallet, counter (cash and daily close), trial balance."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import timezone

from siliu.core.roles import Role
from siliu.finance.models import CashDayClose, Transfer
from siliu.finance.selectors import wallet_get
from siliu.finance.services import wallet_cash_in
from siliu.finance.tests.conftest import Snapshot
from siliu.network.models import Outlet
from siliu.network.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.STATION_OPERATOR, username="op")


@pytest.fixture
def outlet(operator: AbstractUser) -> Outlet:
    return OutletFactory.create(code="V00001", name="桃园村服务站", operator=operator)


@pytest.fixture
def villager(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    return make_user(Role.CONSUMER, username="villager")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_wallet_page_shows_balance_and_statement(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """The villager sees ¥12.50 after a cash-in, with the statement line and running balance."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=1_250, id="ci-1", actor=operator)
    response = logged_in(villager).get("/finance/wallet/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的钱包" in html
    assert 'data-testid="balance">¥12.50<' in html
    assert html.count("¥12.50") >= 3  # balance, available, statement credit and balance


def test_wallet_page_needs_login(client: Client) -> None:
    """Anonymous visitors are sent to the login page."""
    response = client.get("/finance/wallet/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_counter_index_redirects_an_operator_to_their_counter(outlet: Outlet, operator: AbstractUser) -> None:
    """An operator with one counter lands on it."""
    response = logged_in(operator).get("/finance/counter/")
    assert (response.status_code, response["Location"]) == (302, "/finance/counter/V00001/")


def test_counter_cash_in_by_form_in_yuan(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """Posting 20.05 yuan tops up 2,005 fen once, even when the form is submitted twice."""
    client = logged_in(operator)
    page = client.get("/finance/counter/V00001/")
    assert page.status_code == 200
    assert "存取现金" in page.content.decode()
    form = {"direction": "in", "customer": villager.pk, "amount": "20.05", "idempotency_key": "form-1"}
    first = client.post("/finance/counter/V00001/cash/", form)
    second = client.post("/finance/counter/V00001/cash/", form)
    assert (first.status_code, second.status_code) == (302, 302)
    assert wallet_get(user=villager).balance_fen == 2_005
    assert Transfer.objects.filter(category="cash_in").count() == 1
    totals = client.get("/finance/counter/V00001/").content.decode()
    assert 'data-testid="cash-in"><span class="siliu-amount">¥20.05</span><' in totals


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"direction": "in", "customer": "villager", "amount": "1.234"}, 400, "金额最多保留两位小数"),
        ({"direction": "in", "customer": "999999", "amount": "1"}, 400, "请先查找并选择村民"),
        ({"direction": "out", "customer": "villager", "amount": "1"}, 409, "余额不足"),
    ],
)
def test_counter_form_errors_are_shown(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    snapshot: Callable[[], Snapshot],
    form: dict[str, str],
    status: int,
    message: str,
) -> None:
    """Bad amounts, unknown customers and refusals re-show the form with the reason; nothing changes."""
    before = snapshot()
    if form["customer"] == "villager":
        form = {**form, "customer": str(villager.pk)}
    response = logged_in(operator).post("/finance/counter/V00001/cash/", {**form, "idempotency_key": "k"})
    assert response.status_code == status
    assert message in response.content.decode()
    assert snapshot() == before


def test_counter_is_refused_to_other_users(outlet: Outlet, villager: AbstractUser) -> None:
    """A villager cannot open or post to the counter page (403); an unknown outlet is 404."""
    client = logged_in(villager)
    assert client.get("/finance/counter/V00001/").status_code == 403
    assert (
        client.post(
            "/finance/counter/V00001/cash/",
            {"direction": "in", "customer": villager.pk, "amount": "1", "idempotency_key": "k"},
        ).status_code
        == 403
    )
    assert client.get("/finance/counter/NOPE/").status_code == 404


def test_day_close_form(outlet: Outlet, operator: AbstractUser, villager: AbstractUser) -> None:
    """Closing with ¥0.10 short shows the report to confirm, then books it, shows the result and hides
    the cash form."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=1_000, id="ci-1", actor=operator)
    client = logged_in(operator)
    page = client.get("/finance/counter/V00001/").content.decode()
    assert 'data-testid="expected"><span class="siliu-amount">¥10.00</span><' in page
    today = timezone.localdate().isoformat()
    form = {"business_on": today, "counted_cash": "9.90"}
    confirm = client.post("/finance/counter/V00001/close/", form)
    assert (confirm.status_code, CashDayClose.objects.count()) == (200, 0)
    assert (
        'data-testid="report-difference"><span class="siliu-amount">-¥0.10</span>' in confirm.content.decode()
    )
    response = client.post("/finance/counter/V00001/close/", {**form, "confirm": "1"})
    assert response.status_code == 302
    close = CashDayClose.objects.get()
    assert (close.expected_cash_fen, close.counted_cash_fen, close.difference_fen) == (1_000, 990, -10)
    after = client.get("/finance/counter/V00001/").content.decode()
    assert 'data-testid="closed"' in after
    assert "-¥0.10" in after
    assert "确认办理" not in after


def test_trial_balance_page_for_auditors_only(
    make_user: Callable[..., AbstractUser], outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """The auditor sees balanced totals; a consumer gets 403."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=3_300, id="ci-1", actor=operator)
    response = logged_in(make_user(Role.AUDITOR)).get("/finance/trial-balance/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="balanced"' in html
    assert 'data-testid="total-debits">¥33.00<' in html
    assert 'data-testid="total-credits">¥33.00<' in html
    assert logged_in(villager).get("/finance/trial-balance/").status_code == 403
