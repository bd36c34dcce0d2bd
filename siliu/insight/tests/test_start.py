"""The start page's card of today's orders, for who reads the figures."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from siliu.commerce.models import PaymentMethod
from siliu.commerce.tests.conftest import Shop
from siliu.commerce.tests.test_orders import place
from siliu.core.roles import Role
from siliu.insight.facts.services import events_fold_all
from siliu.insight.start import start_cards

pytestmark = pytest.mark.django_db


def test_today_s_orders_up_and_down_and_parcels_open_the_dashboard(
    shop: Shop, make_user: Callable[..., User], fund: Callable[[User, int], None], client: Client
) -> None:
    buyer = make_user(Role.CONSUMER, username="buyer")
    fund(buyer, 100_000)
    now = timezone.now()
    place(shop, buyer, now=now)
    place(shop, buyer, lines=[(shop.fertiliser.pk, 1)], payment_method=PaymentMethod.WALLET, now=now)
    events_fold_all()
    auditor = make_user(Role.AUDITOR)
    [card] = start_cards(auditor)
    assert (card.title, card.figure, card.url, card.note) == (
        "今日订单",
        "2",
        "/insight/",
        "上行 1 · 下行 1 · 收寄邮件 0",
    )
    assert start_cards(buyer) == []
    client.force_login(auditor)
    assert 'data-testid="start-insight-today"' in client.get("/").content.decode()
