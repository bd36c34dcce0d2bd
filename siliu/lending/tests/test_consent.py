"""Consent given and withdrawn, with events; scores refused without it and nothing written."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import Order, OrderStatus
from siliu.commerce.tests.conftest import Shop
from siliu.core.errors import Conflict, PermissionRefused
from siliu.core.roles import Role
from siliu.lending.credit.models import CreditConsent, CreditConsentEvent, ScoreRecord
from siliu.lending.credit.services import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    credit_consent_give,
    credit_consent_withdraw,
    credit_score,
)
from siliu.lending.tests.conftest import at, inflows_on

ON = datetime.date(2026, 11, 23)


def test_a_borrower_gives_and_withdraws_consent_with_the_text_and_events(
    make_user: Callable[..., User],
) -> None:
    """The text and version are stored verbatim; each step writes an event; the row is kept."""
    farmer = make_user(Role.SELLER, username="farmer")

    consent = credit_consent_give(subject=farmer, actor=farmer)
    assert (consent.text, consent.text_version, consent.given_by_id) == (
        CONSENT_TEXT,
        CONSENT_VERSION,
        farmer.pk,
    )
    credit_consent_withdraw(subject=farmer, actor=farmer)

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == farmer.pk
    assert list(CreditConsentEvent.objects.order_by("pk").values_list("kind", "actor_id")) == [
        ("given", farmer.pk),
        ("withdrawn", farmer.pk),
    ]
    credit_consent_give(subject=farmer, actor=farmer)  # given again after withdrawing: a new row
    assert CreditConsent.objects.filter(subject=farmer).count() == 2


def test_consent_twice_or_withdrawing_none_is_refused_and_nothing_is_written(
    make_user: Callable[..., User],
) -> None:
    """``consent_in_force`` and ``no_consent``: no row, no event."""
    farmer = make_user(Role.SELLER, username="farmer")
    with pytest.raises(Conflict) as nothing:
        credit_consent_withdraw(subject=farmer, actor=farmer)
    assert nothing.value.code == "no_consent"
    credit_consent_give(subject=farmer, actor=farmer)
    with pytest.raises(Conflict) as twice:
        credit_consent_give(subject=farmer, actor=farmer)
    assert twice.value.code == "consent_in_force"
    assert (CreditConsent.objects.count(), CreditConsentEvent.objects.count()) == (1, 1)


def test_a_station_operator_consents_for_a_villager_and_nobody_else_may(
    make_user: Callable[..., User],
) -> None:
    """``credit.consent_for`` lets the operator act; another villager is refused ``not_your_consent``."""
    villager = make_user(Role.CONSUMER, username="villager")
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    neighbour = make_user(Role.CONSUMER, username="neighbour")

    with pytest.raises(PermissionRefused) as refused:
        credit_consent_give(subject=villager, actor=neighbour)
    assert refused.value.code == "not_your_consent"
    assert not CreditConsent.objects.exists()

    consent = credit_consent_give(subject=villager, actor=operator)
    assert (consent.subject_id, consent.given_by_id) == (villager.pk, operator.pk)


def test_no_score_without_consent_and_nothing_written(make_user: Callable[..., User]) -> None:
    """Without consent (never given, or withdrawn) the score is refused ``no_consent``: manual review."""
    farmer = make_user(Role.SELLER, username="farmer")
    with pytest.raises(Conflict) as never:
        credit_score(user=farmer, on=ON, actor=farmer)
    assert never.value.code == "no_consent"
    credit_consent_give(subject=farmer, actor=farmer)
    credit_consent_withdraw(subject=farmer, actor=farmer)
    with pytest.raises(Conflict) as withdrawn:
        credit_score(user=farmer, on=ON, actor=farmer)
    assert withdrawn.value.code == "no_consent"
    assert not ScoreRecord.objects.exists()


def test_someone_elses_score_needs_credit_read(make_user: Callable[..., User]) -> None:
    """A neighbour is refused ``not_allowed``; a loan officer scores the borrower."""
    farmer = make_user(Role.SELLER, username="farmer")
    credit_consent_give(subject=farmer, actor=farmer)
    with pytest.raises(PermissionRefused) as refused:
        credit_score(user=farmer, on=ON, actor=make_user(Role.SELLER, username="neighbour"))
    assert refused.value.code == "not_allowed"
    record = credit_score(user=farmer, on=ON, actor=make_user(Role.LOAN_OFFICER, username="officer"))
    assert record.subject_id == farmer.pk


def test_the_score_comes_with_the_three_reasons_that_cost_most(
    shop: Shop,
    make_user: Callable[..., User],
    order_for: Callable[..., Order],
    fund: Callable[[User, int], None],
) -> None:
    """On the expert card (v0): the kept record holds the features, points and the three sentences."""
    user = shop.cooperative.user
    User.objects.filter(pk=user.pk).update(date_joined=at("2026-09-01"))
    user.refresh_from_db()
    buyer = make_user(Role.CONSUMER, username="buyer")
    for day in ("2026-08-01", "2026-09-01", "2026-10-01"):
        order_for(shop.cooperative, buyer, status=OrderStatus.CANCELLED, created=day)
    inflows_on(user, fund, ["2026-10-05", "2026-11-05"])
    credit_consent_give(subject=user, actor=user)

    record = credit_score(user=user, on=ON, actor=user)

    # base 400 + sales 0 + trend 20 (no change) + completed 0 + cancelled 5 (3 orders) + claims 25
    # + dispatch 20 + months 0 (2 months) + inflow months 0 (2) + late 30; most points lost: sales and
    # inflow months 40 each, then completed orders and months on the platform 30 each (in feature order)
    assert record.score == 500
    assert record.scorecard.version == 0
    assert record.reasons == [
        "近12个月在平台上没有卖出货物",
        "近12个月有10个月钱包没有收入",
        "近12个月没有完成的订单",
    ]
    assert record.points["orders_cancelled_12m"] == 5


def test_a_county_manager_reads_the_scores_of_sellers_in_their_county_only(
    shop: Shop, make_user: Callable[..., User]
) -> None:
    """Posted to the seller's county: through; posted nowhere, or a villager without a shop: refused."""
    seller = shop.cooperative.user
    villager = make_user(Role.CONSUMER, username="villager")
    for borrower in (seller, villager):
        credit_consent_give(subject=borrower, actor=borrower)
    manager = make_user(Role.COUNTY_MANAGER, username="manager")  # posted to the test county
    elsewhere = make_user(Role.COUNTY_MANAGER, username="elsewhere", county=False)

    assert credit_score(user=seller, on=ON, actor=manager).subject_id == seller.pk
    for actor, borrower in [(elsewhere, seller), (manager, villager)]:
        with pytest.raises(PermissionRefused) as refused:
            credit_score(user=borrower, on=ON, actor=actor)
        assert refused.value.code == "not_allowed"
    assert ScoreRecord.objects.count() == 1
