"""Finance on the start page: the cash in the operator's drawer, the day closes a county manager has to
sign off, the trial balance."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.utils import timezone

from siliu.core.roles import Role
from siliu.finance.services import outlet_day_close, wallet_cash_in
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


def page(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def figure(body: str, testid: str) -> str:
    marker = f'data-testid="{testid}-figure">'
    assert marker in body, testid
    return body.split(marker, 1)[1].split("<", 1)[0]


def test_the_operator_sees_the_drawer_and_the_manager_the_close_to_sign_off(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    make_user: Callable[..., AbstractUser],
) -> None:
    """¥200.00 taken in: the drawer holds ¥200.00; closed ¥50.01 short (over the limit): one close
    waits for the county manager of the outlet's county, none for a manager posted elsewhere."""
    manager = make_user(Role.COUNTY_MANAGER)
    wallet_cash_in(outlet=outlet, customer=villager, amount_fen=20_000, id="c-1", actor=operator)
    body = page(operator)
    assert figure(body, "start-drawer") == "¥200.00"
    assert 'href="/finance/counter/V00001/" data-testid="start-drawer"' in body
    assert figure(page(manager), "start-day-close-sign-offs") == "0"
    close = outlet_day_close(
        outlet=outlet, business_on=timezone.localdate(), counted_cash_fen=14_999, actor=operator
    )
    assert close.needs_sign_off
    body = page(manager)
    assert figure(body, "start-day-close-sign-offs") == "1"
    assert 'href="/finance/counter/sign-offs/" data-testid="start-day-close-sign-offs"' in body
    other_county = make_user(Role.COUNTY_MANAGER, county=False)
    assert figure(page(other_county), "start-day-close-sign-offs") == "0"
    assert 'data-testid="start-day-close-sign-offs"' not in page(operator)
