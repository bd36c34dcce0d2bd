"""The counter's 便民服务 pages and the agency API: the confirmation step, booking, the receipt, errors
naming the field, who may see what."""

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.agency.catalogue import AgencyService, AgencyTransaction
from siliu.agency.tests.conftest import BANK_CARD, agency_snapshot, balance
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(operator: User, catalogue: dict[str, AgencyService]) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def test_the_menu_leads_the_operator_to_the_station_s_services(desk: Client, station: Outlet) -> None:
    """便民服务 is in the operator's menu; with one station it opens that station's page, which lists
    every service offered there by name."""
    home = desk.get("/").content.decode()
    assert "便民服务" in home and 'href="/agency/"' in home
    response = desk.get("/agency/")
    assert response.status_code == 302 and response["Location"] == "/agency/counter/VS9001/"
    page = desk.get("/agency/counter/VS9001/").content.decode()
    for name in (
        "电费",
        "水费",
        "话费充值",
        "城乡居民养老保险缴费",
        "城乡居民医保缴费",
        "养老金领取",
        "惠农补贴领取",
        "助农取款",
    ):
        assert name in page


def test_a_bill_is_confirmed_then_booked_and_its_receipt_printed(
    desk: Client, station: Outlet, tmp_path: Path
) -> None:
    """The first post shows what to collect and books nothing; the confirmation books once (a second
    confirmation of the same form is the same transaction); the receipt prints the bill in figures and
    大写 under the station's name."""
    form = {"service": "electricity", "account": "3201887766", "amount": "123.45", "paid_with": "cash"}
    page = desk.get("/agency/counter/VS9001/?service=electricity").content.decode()
    number = page.split('name="number" value="')[1].split('"')[0]
    preview = desk.post("/agency/counter/VS9001/submit", {**form, "number": number})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "应收客户现金" in text and "¥123.45" in text and "委托方付" in text
    assert AgencyTransaction.objects.count() == 0
    booked = desk.post("/agency/counter/VS9001/submit", {**form, "number": number, "confirm": "1"})
    assert booked.status_code == 302 and booked["Location"] == f"/agency/counter/VS9001/t/{number}/"
    again = desk.post("/agency/counter/VS9001/submit", {**form, "number": number, "confirm": "1"})
    assert again.status_code == 302
    assert AgencyTransaction.objects.count() == 1
    assert balance(chart.outlet_cash_code(outlet_code="VS9001")) == 12_345
    detail = desk.get(booked["Location"]).content.decode()
    assert "国网示范县供电公司" in detail and "壹佰贰拾叁元肆角伍分" in detail
    receipt = desk.get(f"/agency/counter/VS9001/t/{number}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(receipt.content)
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in (
        "桃园村服务站",
        "代收业务回单",
        "电费",
        "3201887766",
        "¥123.45",
        "壹佰贰拾叁元肆角伍分",
        number,
    ):
        assert words in printed


def test_a_bad_account_is_shown_on_its_field_and_nothing_is_booked(desk: Client, station: Outlet) -> None:
    """A card number failing its check digit comes back 400 with the reason beside the field."""
    before = agency_snapshot()
    response = desk.post(
        "/agency/counter/VS9001/submit",
        {
            "service": "cash-withdrawal",
            "account": "6217000010012345678",
            "amount": "100",
            "paid_with": "cash",
            "number": "AG2605040000000009",
            "confirm": "1",
        },
    )
    assert response.status_code == 400
    assert "银行卡号应为 13–19 位数字且校验位正确" in response.content.decode()
    assert agency_snapshot() == before


def test_the_api_books_refuses_with_fields_and_scopes_reads(
    station: Outlet,
    operator: User,
    make_user: Callable[..., User],
    catalogue: dict[str, AgencyService],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """201 with the booking; 400 naming ``account``; 403 at another station; the transaction is found by
    the operator and an auditor, not by another station's operator."""
    stock_drawer(station, 100_000)
    api = APIClient()
    api.force_authenticate(operator)
    made = api.post(
        "/api/v1/agency/transactions",
        {"outlet": "VS9001", "service": "cash-withdrawal", "account": BANK_CARD, "amount_fen": 50_000},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["customer_fen"], body["provider_fen"], body["station_fee_fen"]) == (50_000, -50_150, 120)
    assert body["account"] == "621700*********5677"
    bad = api.post(
        "/api/v1/agency/transactions",
        {"outlet": "VS9001", "service": "cash-withdrawal", "account": "1234", "amount_fen": 50_000},
        format="json",
    )
    assert bad.status_code == 400 and "account" in str(bad.json())
    services = api.get("/api/v1/agency/outlets/VS9001/services").json()
    assert [service["code"] for service in services][:3] == ["electricity", "water", "mobile-top-up"]
    stranger = APIClient()
    stranger.force_authenticate(make_user(Role.STATION_OPERATOR))
    refused = stranger.post(
        "/api/v1/agency/transactions",
        {"outlet": "VS9001", "service": "electricity", "account": "32018877", "amount_fen": 1_000},
        format="json",
    )
    assert refused.status_code == 403
    assert stranger.get(f"/api/v1/agency/transactions/{body['number']}").status_code == 404
    auditor = APIClient()
    auditor.force_authenticate(make_user(Role.AUDITOR))
    assert auditor.get(f"/api/v1/agency/transactions/{body['number']}").json()["fee_fen"] == 150
    reversed_ = api.post(
        f"/api/v1/agency/transactions/{body['number']}/reverse", {"reason": "客户取消"}, format="json"
    )
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert balance(chart.outlet_cash_code(outlet_code="VS9001")) == 100_000


def test_the_start_page_tells_the_operator_today_s_services(
    desk: Client, station: Outlet, operator: User
) -> None:
    """今日便民服务: today's count and the station's share, opening the station's page."""
    from siliu.agency.counter.services import agency_transact

    agency_transact(
        outlet=station, service_code="electricity", account="32018877", amount_fen=5_000, actor=operator
    )
    page = desk.get("/").content.decode()
    card = page.split('data-testid="start-agency"')[1][:600]
    assert "1 笔" in card and "¥0.35" in card and "/agency/counter/VS9001/" in page
