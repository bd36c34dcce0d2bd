"""Every demo login of the README's table works for that role's pages: its start page and each page of
its menu open (200), on a small demo built today."""

import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from siliu.commerce.models import Payout, PayoutStatus
from siliu.demo.generator import DEMO_PASSWORD
from siliu.logistics.models import RoundPlan, RoundPlanStatus, Vehicle
from siliu.logistics.station.selectors import parcels_to_return, parcels_waiting
from siliu.network.models import Outlet

README = Path(django_settings.BASE_DIR).parent / "README.md"
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def readme_logins() -> list[str]:
    """The usernames of the README's "Demo logins" table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)


def menu_paths(html: str) -> list[str]:
    """The site's own links in the page's main menu (``#main-nav``)."""
    nav = html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    return [href for href in re.findall(r'href="([^"]+)"', nav) if href.startswith("/")]


@pytest.fixture(scope="module")
def _small_demo_built(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The small demo, built once for this module inside a transaction that is rolled back after it
    (each test's own transaction nests in it as a savepoint): thirteen tests read one county instead
    of building thirteen (about 7 s each on SQLite, 15 s on PostgreSQL)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # As the tests see them: DEBUG, and conftest's fast hasher (the demo hashes its password).
            with override_settings(DEBUG=True, PASSWORD_HASHERS=[MD5_HASHER]):
                call_command("demo", "--villages=24", "--orders=20", "--round-seconds=1", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def small_demo(_small_demo_built: None, db: None, settings: Any) -> None:
    """The module's small demo, seen from inside this test's transaction."""
    settings.DEBUG = True


def test_the_readme_documents_every_role() -> None:
    assert readme_logins() == [
        "admin",
        "consumer",
        "seller",
        "station_operator",
        "courier",
        "county_manager",
        "loan_officer",
        "auditor",
        "finance",
    ]


@pytest.mark.parametrize("username", readme_logins())
def test_each_demo_login_opens_its_start_page_and_every_page_of_its_menu(
    small_demo: None, username: str
) -> None:
    """Logged in with the demo password, the start page and each menu page answer 200, none 403."""
    client = Client()
    cache.clear()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200 and response.context["user"].username == username
    paths = menu_paths(response.content.decode())
    assert paths
    for path in paths:
        cache.clear()
        # A menu entry may lead on to the user's own page (the counter index to their only counter).
        assert client.get(path, follow=True).status_code == 200, f"{username} {path}"


def test_the_courier_has_a_round_today(small_demo: None) -> None:
    """The demo plans today's rounds of the office whose first van the courier drives; their rounds page
    lists it."""
    van = Vehicle.objects.get(driver__username="courier")
    plan = RoundPlan.objects.get(outlet=van.outlet, planned_on=timezone.localdate())
    assert plan.status == RoundPlanStatus.DONE
    client = Client()
    client.post("/login/", {"username": "courier", "password": DEMO_PASSWORD})
    assert f"/logistics/rounds/{plan.pk}/" in client.get("/logistics/rounds/").content.decode()


def test_finance_has_the_demo_sellers_payout_to_pay(small_demo: None) -> None:
    """The demo seller asked for half of its payable in whole yuan; the `finance` login finds it
    waiting, with the account number in full."""
    payout = Payout.objects.get(seller__user__username="seller")
    assert payout.status == PayoutStatus.REQUESTED
    assert payout.amount_fen > 0 and payout.amount_fen % 100 == 0
    client = Client()
    client.post("/login/", {"username": "finance", "password": DEMO_PASSWORD})
    page = client.get("/shop/payouts/").content.decode()
    assert "6210 9840 0000 1234 567" in page or "6210984000001234567" in page


def test_the_operator_has_parcels_waiting_and_one_to_return(small_demo: None) -> None:
    """Three parcels reached the operator's station in the last day and a half, one nine days ago: the
    station's 待取 list shows all four with their pickup codes, the 待退回 list the old one."""
    station = Outlet.objects.get(operator__username="station_operator")
    waiting = parcels_waiting(station=station)
    assert sorted(parcel.recipient_name for parcel in waiting) == ["刘德福", "张桂兰", "李建国", "王秀英"]
    assert all(len(parcel.pickup_code) == 6 for parcel in waiting)
    old = parcels_to_return(station=station, now=timezone.now())
    assert [parcel.recipient_name for parcel in old] == ["刘德福"]


def test_the_courier_drives_the_van_today_s_plan_loads(small_demo: None) -> None:
    """When today's plan has a route, one of them is the courier's van's."""
    plan = RoundPlan.objects.get(planned_on=timezone.localdate())
    loaded = {route["vehicle"]["id"] for route in plan.result.get("routes", []) if route.get("stops")}
    if loaded:
        assert Vehicle.objects.get(driver__username="courier").pk in loaded
