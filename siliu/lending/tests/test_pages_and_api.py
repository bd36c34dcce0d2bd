"""Credit pages and API: consent on the page, the score page with and without it, the model page,
and the API's answers with the field at fault."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.core.roles import Role
from siliu.lending.credit.models import CreditConsent, ScoreRecord
from siliu.lending.credit.services import CONSENT_TEXT, credit_consent_give, scorecard_store
from siliu.lending.credit.training import scorecard_fit, synthetic_table


def test_a_seller_consents_on_the_page_and_sees_the_score_and_reasons(make_user: Callable[..., User]) -> None:
    """No consent: manual review only and a link; after 我同意: the score and three reasons."""
    farmer = make_user(Role.SELLER, username="farmer")
    client = Client()
    client.force_login(farmer)

    before = client.get("/lending/credit/").content.decode()
    assert "只能人工审核" in before and 'href="/lending/consent/"' in before
    assert CONSENT_TEXT in client.get("/lending/consent/").content.decode()

    response = client.post("/lending/consent/", {"action": "give"})
    assert (response.status_code, response["Location"]) == (302, "/lending/credit/")
    page = client.get("/lending/credit/").content.decode()
    record = ScoreRecord.objects.get(subject=farmer)
    assert f'data-testid="credit-score">{record.score}<' in page
    assert len(record.reasons) == 3 and all(reason in page for reason in record.reasons)
    client.get("/lending/credit/")  # the same day: the kept score, not another
    assert ScoreRecord.objects.count() == 1


def test_an_operator_consents_for_a_villager_by_username(make_user: Callable[..., User]) -> None:
    """The operator's form names the villager; an unknown name is shown on the field, nothing written."""
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    villager = make_user(Role.CONSUMER, username="villager")
    client = Client()
    client.force_login(operator)

    unknown = client.post("/lending/consent/", {"action": "give", "username": "nobody"})
    assert unknown.status_code == 200 and "没有这个用户" in unknown.content.decode()
    assert not CreditConsent.objects.exists()
    done = client.post("/lending/consent/", {"action": "give", "username": "villager"})
    assert done.status_code == 302
    assert CreditConsent.objects.get().subject == villager


def test_the_model_page_shows_metrics_beside_the_baseline_and_points(make_user: Callable[..., User]) -> None:
    """A loan officer sees the trained card's AUC and the baseline's, and every bin's points; a seller
    is refused."""
    card = scorecard_store(fitted=scorecard_fit(table=synthetic_table(count=800, seed=2), seed=2))
    officer = Client()
    officer.force_login(make_user(Role.LOAN_OFFICER, username="officer"))
    page = officer.get("/lending/credit/model/").content.decode()
    assert f"v{card.version}" in page
    assert str(card.metrics["auc"]) in page and str(card.metrics["baseline_auc"]) in page
    assert "近12个月取消订单数" in page and "稳定性监测（PSI）" in page
    seller = Client()
    seller.force_login(make_user(Role.SELLER, username="farmer"))
    assert seller.get("/lending/credit/model/").status_code == 403


def test_the_api_names_the_field_and_the_code(make_user: Callable[..., User]) -> None:
    """400 with ``errors.action``; 404 ``unknown_user`` on ``username``; 409 ``no_consent`` to score."""
    farmer = make_user(Role.SELLER, username="farmer")
    client = APIClient()
    client.force_authenticate(farmer)

    bad = client.post("/api/v1/credit/consent", {"action": "sign"}, format="json")
    assert bad.status_code == 400 and "action" in bad.json()["errors"]
    unknown = client.post("/api/v1/credit/consent", {"action": "give", "username": "nobody"}, format="json")
    assert (unknown.status_code, unknown.json()["code"], list(unknown.json()["errors"])) == (
        404,
        "unknown_user",
        ["username"],
    )
    no_consent = client.get("/api/v1/credit/score")
    assert (no_consent.status_code, no_consent.json()["code"]) == (409, "no_consent")
    assert not ScoreRecord.objects.exists()

    given = client.post("/api/v1/credit/consent", {"action": "give"}, format="json")
    assert given.status_code == 200 and given.json()["consent"]["text"] == CONSENT_TEXT
    score = client.get("/api/v1/credit/score").json()
    assert (score["scorecard_version"], len(score["reasons"])) == (0, 3)


def test_a_loan_officer_reads_a_borrowers_score_through_the_api(make_user: Callable[..., User]) -> None:
    """``?username=`` with ``credit.read``; a neighbour gets 403 ``not_allowed``."""
    farmer = make_user(Role.SELLER, username="farmer")
    credit_consent_give(subject=farmer, actor=farmer)
    officer = APIClient()
    officer.force_authenticate(make_user(Role.LOAN_OFFICER, username="officer"))
    assert officer.get("/api/v1/credit/score", {"username": "farmer"}).status_code == 200
    assert officer.get("/api/v1/credit/model").json()["version"] == 0
    neighbour = APIClient()
    neighbour.force_authenticate(make_user(Role.SELLER, username="neighbour"))
    refused = neighbour.get("/api/v1/credit/score", {"username": "farmer"})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed")
