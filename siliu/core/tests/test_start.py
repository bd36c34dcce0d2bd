"""The start page: the public face for visitors, each logged-in user's cards, their work first."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core import start
from siliu.core.roles import Role
from siliu.core.start import StartCard, start_cards
from siliu.finance import chart
from siliu.finance.services import system_account, transfer_create, wallet_open

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]


def page(user: User | None = None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get("/").content.decode()


def test_visitors_get_the_public_face() -> None:
    """Track a parcel, find an outlet, the shop; no cards."""
    body = page()
    assert 'data-testid="home-track"' in body
    assert 'href="/shop/"' in body and 'href="/network/outlets/"' in body
    assert 'data-testid="start-cards"' not in body


def test_an_auditor_sees_the_trial_balance_to_the_fen(make_user: MakeUser) -> None:
    """¥1,234.56 put on a wallet from capital: balanced, debits ¥1,234.56 = credits ¥1,234.56, linking
    to the trial balance."""
    system_account(code=chart.CAPITAL)
    holder = make_user(Role.CONSUMER)
    transfer_create(
        id="test:start:1",
        debit_account=chart.CAPITAL,
        credit_account=wallet_open(user=holder).code,
        amount_fen=123456,
    )
    body = page(make_user(Role.AUDITOR))
    assert 'data-testid="start-trial-balance-figure">平衡<' in body
    assert "借方 ¥1,234.56 ＝ 贷方 ¥1,234.56" in body
    assert 'href="/finance/trial-balance/" data-testid="start-trial-balance"' in body


def test_a_loan_officer_has_the_review_queue_and_the_overdue_loans(make_user: MakeUser) -> None:
    """The applications to review and the overdue loans (lending's cards), then their own orders and
    parcels, and the public links."""
    body = page(make_user(Role.LOAN_OFFICER))
    assert body.count('data-testid="start-') - body.count('-figure"') == 5  # the list and four cards
    assert 'href="/lending/review/" data-testid="start-loan-review"' in body
    assert 'href="/lending/collections/" data-testid="start-loans-overdue"' in body
    assert 'data-testid="start-my-orders"' in body and 'data-testid="start-my-parcels"' in body
    assert 'href="/track/"' in body


def test_work_comes_before_ones_own_things(monkeypatch: pytest.MonkeyPatch, make_user: MakeUser) -> None:
    """Sources' cards in registration order, the ``mine`` ones after every source's work."""
    own = StartCard(title="我的", figure="1", url="/a/", testid="a", mine=True)
    work = StartCard(title="工作", figure="2", url="/b/", testid="b")
    later = StartCard(title="工作2", figure="3", url="", testid="c")
    monkeypatch.setattr(start, "_SOURCES", [lambda user: [own, work], lambda user: [later]])
    assert start_cards(user=make_user()) == [work, later, own]


def test_a_card_needs_a_testid() -> None:
    with pytest.raises(ValueError, match="testid"):
        StartCard(title="x", figure="0", url="", testid="")


def first_menu_entry(body: str) -> str:
    """The text of the first link of the main menu."""
    nav = body.split('id="main-nav"', 1)[1]
    return nav.split('class="nav-link"', 1)[1].split(">", 1)[1].split("<", 1)[0]


@pytest.mark.parametrize(
    ("role", "entry"),
    [
        (Role.CONSUMER, "商城"),
        (Role.COURIER, "投递班次"),
        (Role.STATION_OPERATOR, "柜台现金"),
        (Role.SELLER, "卖家中心"),
        (Role.COUNTY_MANAGER, "本站邮件"),
        (Role.FINANCE, "卖家提现"),
        (Role.AUDITOR, "投递班次"),
    ],
)
def test_the_menu_starts_with_the_roles_work(make_user: MakeUser, role: Role, entry: str) -> None:
    """A courier's menu is not a consumer's: their work entries come before the shop."""
    assert first_menu_entry(page(make_user(role))) == entry
