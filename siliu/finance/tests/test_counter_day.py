"""The station counter's day (issue #11): villagers found and masked, today's drawer with its running
balance, receipts, and the day close with its county manager's sign-off over the limit."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.models import UserProfile
from siliu.core.people import people_search, user_profile_set
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, CashDayClose, CashDayCloseSignOff
from siliu.finance.receipts import receipt_rows
from siliu.finance.selectors import counter_drawer_get, counter_line_get, day_close_report, day_closes_pending
from siliu.finance.services import (
    outlet_day_close,
    outlet_day_close_sign_off,
    wallet_cash_in,
    wallet_cash_out,
)
from siliu.finance.tests.conftest import Snapshot, ledger_snapshot
from siliu.network.models import Outlet
from siliu.network.tests.factories import CountyFactory, OutletFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "610328198001011231"


def everything() -> Snapshot:
    """The ledger, the closes and their sign-offs: what a refused close or sign-off must leave alone."""
    return (*ledger_snapshot(), CashDayCloseSignOff.objects.count())


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def villager(make_user: Callable[..., AbstractUser]) -> AbstractUser:
    user = make_user(Role.CONSUMER, username="villager", last_name="张", first_name="三丰")
    user_profile_set(user=user, phone="138 1234 5678", resident_id=ID_NUMBER)
    return user


@pytest.fixture
def manager(make_user: Callable[..., AbstractUser], outlet: Outlet) -> AbstractUser:
    """The county manager of the outlet's county."""
    township = outlet.region.parent
    assert township is not None
    return make_user(Role.COUNTY_MANAGER, username="manager", county=township.parent)


def _yesterday_and_today() -> tuple[datetime.datetime, datetime.datetime]:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9, 0)))
    return start - datetime.timedelta(days=1), start


def test_profile_stores_the_id_encrypted_and_masked(villager: AbstractUser) -> None:
    """The phone is kept as 11 digits; the ID number only encrypted, hashed and masked."""
    profile = UserProfile.objects.get(user_id=villager.pk)
    assert (profile.phone, profile.resident_id_masked) == ("13812345678", "610328********1231")
    assert ID_NUMBER not in profile.resident_id_encrypted
    assert len(profile.resident_id_hash) == 64


@pytest.mark.parametrize(
    ("phone", "resident_id", "code"),
    [("12345", "", "invalid_phone"), ("13812345678", "610328198001011232", "invalid_id_number")],
)
def test_bad_profile_numbers_are_refused_and_nothing_written(
    make_user: Callable[..., AbstractUser], phone: str, resident_id: str, code: str
) -> None:
    """A short phone or an ID with a wrong check digit is refused; no profile row is left."""
    user = make_user(Role.CONSUMER)
    with pytest.raises(ValidationFailed) as refused:
        user_profile_set(user=user, phone=phone, resident_id=resident_id)
    assert refused.value.code == code
    assert not UserProfile.objects.filter(user_id=user.pk).exists()


@pytest.mark.parametrize("query", ["13812345678", "+86 138-1234-5678", "5678", "张三", "三丰", ID_NUMBER])
def test_villager_found_by_phone_name_or_id_masked(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, query: str
) -> None:
    """Whole phone, its last 4 digits, the name or the whole ID find the villager, shown masked."""
    (match,) = people_search(query=query, actor=operator)
    assert (match.user_id, match.name, match.phone, match.resident_id) == (
        villager.pk,
        "张**",
        "138****5678",
        "610328********1231",
    )


def test_villager_search_is_refused_to_villagers_and_too_short(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """A consumer may not search people; a query of 1 character or 3 digits is refused."""
    with pytest.raises(PermissionRefused):
        people_search(query="张三", actor=villager)
    for query in ("张", "567"):
        with pytest.raises(ValidationFailed) as refused:
            people_search(query=query, actor=operator)
        assert refused.value.code == "query_too_short"
    assert people_search(query="61032819800101123X", actor=operator) == []


def test_drawer_lists_the_day_with_running_balance(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """Yesterday's ¥100.00 opens the day; +¥20.05, −¥7.30, +¥0.45 run to ¥113.20, totals exact."""
    yesterday, today = _yesterday_and_today()
    wallet_cash_in(
        outlet=outlet, customer=villager, amount_fen=10_000, id="d-0", actor=operator, now=yesterday
    )
    for n, (service, amount) in enumerate(
        ((wallet_cash_in, 2_005), (wallet_cash_out, 730), (wallet_cash_in, 45))
    ):
        service(
            outlet=outlet,
            customer=villager,
            amount_fen=amount,
            id=f"d-{n + 1}",
            actor=operator,
            now=today + datetime.timedelta(minutes=n),
        )
    drawer = counter_drawer_get(outlet=outlet)
    assert drawer.opening_fen == 10_000
    assert [(line.kind, line.cash_in, line.amount_fen, line.balance_fen) for line in drawer.lines] == [
        ("钱包存入", True, 2_005, 12_005),
        ("钱包支取", False, 730, 11_275),
        ("钱包存入", True, 45, 11_320),
    ]
    assert (drawer.cash_in_fen, drawer.cash_out_fen, drawer.closing_fen) == (2_050, 730, 11_320)
    assert {line.customer for line in drawer.lines} == {"张** 138****5678"}
    page = logged_in(operator).get("/finance/counter/V00001/").content.decode()
    assert page.count('data-testid="drawer-line"') == 3
    assert 'data-testid="closing"><span class="siliu-amount">¥113.20</span>' in page
    assert "13812345678" not in page and "cash_in" not in page.split('data-testid="drawer"')[1]


def test_counter_page_lookup_fills_the_form(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """Searching by phone lists the villager masked; choosing one puts their id in the cash form."""
    client = logged_in(operator)
    found = client.get("/finance/counter/V00001/", {"q": "13812345678"}).content.decode()
    people = found.split('data-testid="people"')[1].split("</ul>")[0]
    assert "张**" in people and "138****5678" in people and "13812345678" not in people
    assert f'href="?customer={villager.pk}"' in found
    chosen = client.get("/finance/counter/V00001/", {"customer": villager.pk}).content.decode()
    assert f'name="customer" value="{villager.pk}"' in chosen
    response = client.post(
        "/finance/counter/V00001/cash/",
        {"direction": "in", "customer": villager.pk, "amount": "12.34", "idempotency_key": "k-1"},
    )
    assert response.status_code == 302
    assert counter_drawer_get(outlet=outlet).closing_fen == 1_234


def test_receipt_is_a_58_mm_pdf_with_the_amount_in_capitals(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """The receipt names the station, the kind, the masked villager, ¥1,234.50 and 壹仟贰佰叁拾肆元伍角."""
    Outlet.objects.filter(pk=outlet.pk).update(name="桃园村服务站", address="桃园村 1 号")
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=123_450, id="r-1", actor=operator)
    response = logged_in(operator).get("/finance/counter/V00001/receipts/r-1.pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 164.4094 " in response.content  # 58 mm wide
    rows = dict(receipt_rows(line=counter_line_get(outlet=outlet, transfer_id="r-1")))
    assert {key: rows[key] for key in ("业务", "客户", "金额", "大写", "流水号")} == {
        "业务": "钱包存入",
        "客户": "张** 138****5678",
        "金额": "¥1,234.50",
        "大写": "壹仟贰佰叁拾肆元伍角整",
        "流水号": "r-1",
    }


def test_receipt_and_drawer_of_another_station_are_refused(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, make_user: Callable[..., AbstractUser]
) -> None:
    """Another station's operator gets 403 on this drawer's page, receipt and API; an unknown
    transaction is 404."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=100, id="r-1", actor=operator)
    other = make_user(Role.STATION_OPERATOR, username="other")
    OutletFactory.create(code="V00002", operator=other)
    client = logged_in(other)
    assert client.get("/finance/counter/V00001/").status_code == 403
    assert client.get("/finance/counter/V00001/receipts/r-1.pdf").status_code == 403
    assert client.get("/finance/counter/V00002/receipts/r-1.pdf").status_code == 404
    api = APIClient()
    api.force_authenticate(other)
    assert api.get("/api/v1/outlets/V00001/counter/transactions").status_code == 403


def _close_today(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, counted_fen: int
) -> CashDayClose:
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=20_000, id="c-1", actor=operator)
    return outlet_day_close(
        outlet=outlet, business_on=timezone.localdate(), counted_cash_fen=counted_fen, actor=operator
    )


def test_difference_at_the_limit_is_booked_without_sign_off(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """¥50.00 short (the default limit, exactly) is booked at once: the drawer ends at ¥150.00."""
    close = _close_today(outlet, operator, villager, 15_000)
    assert (close.difference_fen, close.needs_sign_off, close.adjustment_transfer_id) == (
        -5_000,
        False,
        f"close:V00001:{timezone.localdate().isoformat()}",
    )
    assert Account.objects.get(code=chart.outlet_cash_code(outlet_code="V00001")).balance_fen == 15_000


def test_difference_over_the_limit_waits_for_the_county_manager(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, manager: AbstractUser
) -> None:
    """¥50.01 short books nothing and stops the day's cash; the county manager's sign-off books it."""
    close = _close_today(outlet, operator, villager, 14_999)
    cash = chart.outlet_cash_code(outlet_code="V00001")
    assert (close.difference_fen, close.needs_sign_off, close.adjustment_transfer_id) == (-5_001, True, None)
    assert Account.objects.get(code=cash).balance_fen == 20_000
    with pytest.raises(Conflict) as refused:
        wallet_cash_in(outlet=outlet, customer=villager, amount_fen=100, id="c-2", actor=operator)
    assert refused.value.code == "day_closed"
    assert list(day_closes_pending(actor=manager)) == [close]
    sign_off = outlet_day_close_sign_off(outlet=outlet, business_on=close.business_on, actor=manager)
    assert (sign_off.adjustment_transfer.amount_fen, sign_off.signed_off_by) == (5_001, manager)
    assert Account.objects.get(code=cash).balance_fen == 14_999
    assert list(day_closes_pending(actor=manager)) == []
    report = day_close_report(outlet=outlet, business_on=close.business_on)
    assert (report.drawer.cash_in_fen, report.expected_fen, report.difference_fen) == (20_000, 20_000, -5_001)


def test_sign_off_refusals_change_nothing(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    manager: AbstractUser,
    make_user: Callable[..., AbstractUser],
) -> None:
    """The operator, another county's manager, a day not closed, a close under the limit and a
    second sign-off are all refused, each leaving the ledger, closes and sign-offs as they were."""
    close = _close_today(outlet, operator, villager, 30_000)  # ¥100.00 over
    elsewhere = make_user(Role.COUNTY_MANAGER, county=CountyFactory.create(code="610125", name="邻县"))
    before = everything()
    for actor in (operator, elsewhere):
        with pytest.raises(PermissionRefused):
            outlet_day_close_sign_off(outlet=outlet, business_on=close.business_on, actor=actor)
    with pytest.raises(NotFound):
        outlet_day_close_sign_off(
            outlet=outlet, business_on=close.business_on - datetime.timedelta(days=1), actor=manager
        )
    assert everything() == before
    outlet_day_close_sign_off(outlet=outlet, business_on=close.business_on, actor=manager)
    after = everything()
    with pytest.raises(Conflict) as refused:
        outlet_day_close_sign_off(outlet=outlet, business_on=close.business_on, actor=manager)
    assert refused.value.code == "not_pending_sign_off"
    assert everything() == after


def test_close_page_confirms_then_pending_then_signed_off_by_page(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, manager: AbstractUser
) -> None:
    """The confirm step warns of the sign-off; the manager's page lists the close and signs it off;
    the report prints as a PDF for both."""
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=20_000, id="c-1", actor=operator)
    today = timezone.localdate().isoformat()
    client = logged_in(operator)
    form = {"business_on": today, "counted_cash": "100.00"}
    confirm = client.post("/finance/counter/V00001/close/", form).content.decode()
    assert 'data-testid="needs-sign-off"' in confirm and CashDayClose.objects.count() == 0
    assert client.post("/finance/counter/V00001/close/", {**form, "confirm": "1"}).status_code == 302
    assert 'data-testid="pending"' in client.get("/finance/counter/V00001/").content.decode()
    assert client.get(f"/finance/counter/V00001/closes/{today}.pdf").status_code == 200
    assert client.get("/finance/counter/sign-offs/").status_code == 403
    boss = logged_in(manager)
    assert boss.get("/finance/counter/sign-offs/").content.decode().count('data-testid="pending-close"') == 1
    assert boss.get(f"/finance/counter/V00001/closes/{today}.pdf").status_code == 200
    response = boss.post(f"/finance/counter/V00001/closes/{today}/sign-off/")
    assert response.status_code == 302
    assert CashDayCloseSignOff.objects.get().adjustment_transfer.amount_fen == 10_000
    assert 'data-testid="none-pending"' in boss.get("/finance/counter/sign-offs/").content.decode()


def test_api_lookup_transactions_and_sign_off(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, manager: AbstractUser
) -> None:
    """The API finds the villager masked, lists the day with balances, and signs off with field errors."""
    api = APIClient()
    api.force_authenticate(operator)
    assert api.get("/api/v1/people", {"q": "5678"}).json() == [
        {"user_id": villager.pk, "name": "张**", "phone": "138****5678", "resident_id": "610328********1231"}
    ]
    short = api.get("/api/v1/people", {"q": "5"})
    assert (short.status_code, short.json()["errors"]) == (400, {"q": [short.json()["message"]]})
    close = _close_today(outlet, operator, villager, 10_000)
    day = api.get("/api/v1/outlets/V00001/counter/transactions").json()
    assert (day["opening_fen"], day["cash_in_fen"], day["closing_fen"]) == (0, 20_000, 20_000)
    assert [(line["kind"], line["balance_fen"]) for line in day["lines"]] == [("钱包存入", 20_000)]
    assert (
        api.post("/api/v1/outlets/V00001/close-day/sign-off", {"date": close.business_on}).status_code == 403
    )
    api.force_authenticate(manager)
    bad = api.post("/api/v1/outlets/V00001/close-day/sign-off", {"date": "soon"}, format="json")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["date"])
    done = api.post("/api/v1/outlets/V00001/close-day/sign-off", {"date": close.business_on.isoformat()})
    assert (done.status_code, done.json()["difference_fen"], done.json()["signed_off_by"]) == (
        201,
        -10_000,
        "manager",
    )
