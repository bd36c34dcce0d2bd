"""Caps on counter cash: per transaction and per business day, by outlet kind, exact to the fen; a refusal
writes nothing."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser, User
from django.test import Client
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, ValidationFailed
from siliu.finance.services import counter_cash_caps, wallet_cash_in, wallet_cash_out
from siliu.finance.tests.conftest import Snapshot
from siliu.network.models import Outlet, OutletKind
from siliu.network.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

# 2026-05-01 10:00 in Asia/Shanghai.
MORNING = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.UTC)
NEXT_MORNING = MORNING + datetime.timedelta(days=1)


def cash_in(outlet: Outlet, operator: AbstractUser, villager: AbstractUser, amount_fen: int, id: str) -> str:
    result = wallet_cash_in(
        outlet=outlet, customer=villager, amount_fen=amount_fen, id=id, actor=operator, now=MORNING
    )
    return result.status


@pytest.mark.parametrize(
    ("kind", "per_transaction_fen", "per_day_fen"),
    [
        (OutletKind.VILLAGE_STATION, 500_000, 5_000_000),
        (OutletKind.TOWNSHIP_OFFICE, 2_000_000, 20_000_000),
        (OutletKind.COUNTY_HUB, 10_000_000, 100_000_000),
    ],
)
def test_default_caps_rise_with_the_outlet_kind(
    kind: str, per_transaction_fen: int, per_day_fen: int
) -> None:
    """¥5,000 / ¥50,000 at a village station, ¥20,000 / ¥200,000 at a township office, ¥100,000 /
    ¥1,000,000 at the county hub."""
    assert counter_cash_caps(outlet=Outlet(kind=kind)) == (per_transaction_fen, per_day_fen)


@pytest.mark.parametrize(
    "kind", [OutletKind.VILLAGE_STATION, OutletKind.TOWNSHIP_OFFICE, OutletKind.COUNTY_HUB]
)
def test_transaction_cap_accepted_and_one_fen_more_refused(
    kind: str,
    operator: AbstractUser,
    villager: AbstractUser,
    snapshot: Callable[[], Snapshot],
) -> None:
    """The cap itself is taken in; one fen more is ``exceeds_transaction_cap`` on ``amount_fen``, with
    nothing written (not even the accounts opened on first use)."""
    outlet: Outlet = OutletFactory.create(kind=kind, operator=operator)
    cap, _per_day = counter_cash_caps(outlet=outlet)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        cash_in(outlet, operator, villager, cap + 1, "ci-over")
    assert (refused.value.code, refused.value.field) == ("exceeds_transaction_cap", "amount_fen")
    assert snapshot() == before
    assert cash_in(outlet, operator, villager, cap, "ci-cap") == "created"


def test_daily_cap_on_cash_in_to_the_fen(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """Ten top-ups of ¥5,000 fill a village station's ¥50,000 day exactly; one fen more is
    ``exceeds_daily_cap`` and writes nothing; the next business day starts afresh."""
    for n in range(10):
        assert cash_in(outlet, operator, villager, 500_000, f"ci-{n}") == "created"
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        cash_in(outlet, operator, villager, 1, "ci-over")
    assert (refused.value.code, refused.value.field) == ("exceeds_daily_cap", "amount_fen")
    assert refused.value.message == "本网点今日柜台现金收入已有 ¥50,000.00，日限额 ¥50,000.00，本笔最多 ¥0.00"
    assert snapshot() == before
    # A retry of a top-up already taken answers with it, not with the cap.
    assert cash_in(outlet, operator, villager, 500_000, "ci-9") == "exists"
    tomorrow = wallet_cash_in(
        outlet=outlet, customer=villager, amount_fen=1, id="ci-tomorrow", actor=operator, now=NEXT_MORNING
    )
    assert tomorrow.status == "created"


def test_daily_cap_on_cash_out_is_counted_apart(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    settings: Any,
    snapshot: Callable[[], Snapshot],
) -> None:
    """With ¥30.00 a day: a full day of cash in does not stop ¥30.00 out; a fen more out is refused though
    the wallet and the drawer hold it."""
    settings.SILIU_COUNTER_CASH_CAPS_FEN = {
        **settings.SILIU_COUNTER_CASH_CAPS_FEN,
        "village_station": (3_000, 3_000),
    }
    yesterday = MORNING - datetime.timedelta(days=1)
    wallet_cash_in(
        outlet=outlet, customer=villager, amount_fen=3_000, id="ci-y", actor=operator, now=yesterday
    )
    assert cash_in(outlet, operator, villager, 3_000, "ci-1") == "created"
    for n, amount_fen in enumerate((1_000, 2_000)):
        wallet_cash_out(
            outlet=outlet, customer=villager, amount_fen=amount_fen, id=f"co-{n}", actor=operator, now=MORNING
        )
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        wallet_cash_out(
            outlet=outlet, customer=villager, amount_fen=1, id="co-over", actor=operator, now=MORNING
        )
    assert (refused.value.code, refused.value.field) == ("exceeds_daily_cap", "amount_fen")
    assert refused.value.message == "本网点今日柜台现金支出已有 ¥30.00，日限额 ¥30.00，本笔最多 ¥0.00"
    assert snapshot() == before


def test_api_refuses_a_huge_cash_in_and_writes_nothing(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """10¹⁵ fen at a village station: 400 ``exceeds_transaction_cap`` naming ``amount_fen``."""
    client = APIClient()
    client.force_authenticate(operator)
    before = snapshot()
    response = client.post(
        "/api/v1/outlets/V00001/cash-in",
        {"username": "villager", "amount_fen": 10**15, "id": "ci-1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "exceeds_transaction_cap",
        "message": "村级服务站单笔柜台现金最多 ¥5,000.00",
        "errors": {"amount_fen": ["村级服务站单笔柜台现金最多 ¥5,000.00"]},
    }
    assert snapshot() == before


def test_counter_page_shows_the_cap(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """¥5,000.01 typed at the counter page is refused with the cap in words; nothing is booked."""
    client = Client()
    client.force_login(User.objects.get(pk=operator.pk))
    before = snapshot()
    response = client.post(
        "/finance/counter/V00001/cash/",
        {"direction": "in", "customer": villager.pk, "amount": "5000.01", "idempotency_key": "ci-1"},
    )
    assert response.status_code == 400
    assert "村级服务站单笔柜台现金最多 ¥5,000.00" in response.content.decode()
    assert snapshot() == before
