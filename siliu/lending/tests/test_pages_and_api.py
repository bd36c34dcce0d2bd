"""Credit pages and API: consent on the page, the score page with and without it, the model page,
and the API's answers with the field at fault."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from siliu.commerce.tests.conftest import Shop
from siliu.core.people import user_profile_set
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


def test_an_operator_finds_a_villager_and_consents_for_them(make_user: Callable[..., User]) -> None:
    """The operator's search finds the villager as at the counter (masked); 代为同意 posts their id; an
    unknown id is refused on the page and nothing is written."""
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    villager = make_user(Role.CONSUMER, username="villager", last_name="李", first_name="秀英")
    user_profile_set(user=villager, phone="13800001234")
    client = Client()
    client.force_login(operator)

    found = client.get("/lending/consent/", {"q": "1234"}).content.decode()
    assert "李*" in found and "138****1234" in found and "未同意" in found
    assert f'name="person" value="{villager.pk}"' in found

    unknown = client.post("/lending/consent/", {"action": "give", "person": 999_999})
    assert unknown.status_code == 400 and "没有这个人" in unknown.content.decode()
    assert not CreditConsent.objects.exists()
    done = client.post("/lending/consent/", {"action": "give", "person": villager.pk})
    assert (done.status_code, done["Location"]) == (302, "/lending/consent/")
    consent = CreditConsent.objects.get()
    assert (consent.subject, consent.given_by) == (villager, operator)
    assert "已同意" in client.get("/lending/consent/", {"q": "1234"}).content.decode()


def test_a_seller_may_not_consent_for_someone_else(make_user: Callable[..., User]) -> None:
    """Without ``credit.consent_for``: no search form, and a posted id is refused ``not_your_consent``."""
    seller = make_user(Role.SELLER, username="farmer")
    neighbour = make_user(Role.CONSUMER, username="neighbour")
    client = Client()
    client.force_login(seller)
    assert "查找村民" not in client.get("/lending/consent/").content.decode()
    refused = client.post("/lending/consent/", {"action": "give", "person": neighbour.pk})
    assert refused.status_code == 400 and "只能为自己" in refused.content.decode()
    assert not CreditConsent.objects.exists()


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
    """400 with ``errors.action``; 404 ``unknown_person`` on ``person``; 409 ``no_consent`` to score."""
    farmer = make_user(Role.SELLER, username="farmer")
    client = APIClient()
    client.force_authenticate(farmer)

    bad = client.post("/api/v1/credit/consent", {"action": "sign"}, format="json")
    assert bad.status_code == 400 and "action" in bad.json()["errors"]
    unknown = client.post("/api/v1/credit/consent", {"action": "give", "person": 999_999}, format="json")
    assert (unknown.status_code, unknown.json()["code"], list(unknown.json()["errors"])) == (
        404,
        "unknown_person",
        ["person"],
    )
    too_big = client.post("/api/v1/credit/consent", {"action": "give", "person": 2**63}, format="json")
    assert too_big.status_code == 400 and "person" in too_big.json()["errors"]
    no_consent = client.get("/api/v1/credit/score")
    assert (no_consent.status_code, no_consent.json()["code"]) == (409, "no_consent")
    assert not ScoreRecord.objects.exists()

    given = client.post("/api/v1/credit/consent", {"action": "give"}, format="json")
    assert given.status_code == 200 and given.json()["consent"]["text"] == CONSENT_TEXT
    score = client.get("/api/v1/credit/score").json()
    assert (score["scorecard_version"], len(score["reasons"])) == (0, 3)


def test_a_loan_officer_reads_a_borrowers_score_through_the_api(make_user: Callable[..., User]) -> None:
    """``?person=<user_id>`` with ``credit.read``; a neighbour gets 403 ``not_allowed``."""
    farmer = make_user(Role.SELLER, username="farmer")
    credit_consent_give(subject=farmer, actor=farmer)
    officer = APIClient()
    officer.force_authenticate(make_user(Role.LOAN_OFFICER, username="officer"))
    assert officer.get("/api/v1/credit/score", {"person": farmer.pk}).status_code == 200
    assert officer.get("/api/v1/credit/model").json()["version"] == 0
    neighbour = APIClient()
    neighbour.force_authenticate(make_user(Role.SELLER, username="neighbour"))
    refused = neighbour.get("/api/v1/credit/score", {"person": farmer.pk})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed")


def test_a_loan_officer_lists_consenting_borrowers_and_reads_one(
    shop: Shop, make_user: Callable[..., User]
) -> None:
    """The list holds who consents; a borrower's page shows the score and the same reasons the borrower
    reads; a county manager of another county sees no one and is refused the page."""
    seller = shop.cooperative.user
    credit_consent_give(subject=seller, actor=seller)
    make_user(Role.CONSUMER, username="villager")  # no consent: not listed
    officer = Client()
    officer.force_login(make_user(Role.LOAN_OFFICER, username="officer"))

    listing = officer.get("/lending/credit/borrowers/").content.decode()
    assert f'href="/lending/credit/borrowers/{seller.pk}/"' in listing and "villager" not in listing
    page = officer.get(f"/lending/credit/borrowers/{seller.pk}/").content.decode()
    record = ScoreRecord.objects.get(subject=seller)
    assert f'data-testid="credit-score">{record.score}<' in page
    assert all(reason in page for reason in record.reasons)

    elsewhere = Client()
    elsewhere.force_login(make_user(Role.COUNTY_MANAGER, username="elsewhere", county=False))
    assert "还没有借款人同意" in elsewhere.get("/lending/credit/borrowers/").content.decode()
    assert elsewhere.get(f"/lending/credit/borrowers/{seller.pk}/").status_code == 403
    assert ScoreRecord.objects.count() == 1


def test_reading_the_score_twice_a_day_keeps_one_record_until_the_card_changes(
    make_user: Callable[..., User],
) -> None:
    """The API and the page reuse today's score; a newly trained card scores again."""
    farmer = make_user(Role.SELLER, username="farmer")
    credit_consent_give(subject=farmer, actor=farmer)
    client = APIClient()
    client.force_authenticate(farmer)
    first = client.get("/api/v1/credit/score").json()
    assert client.get("/api/v1/credit/score").json() == first
    assert ScoreRecord.objects.count() == 1
    scorecard_store(fitted=scorecard_fit(table=synthetic_table(count=800, seed=3), seed=3))
    assert client.get("/api/v1/credit/score").json()["scorecard_version"] == 1
    assert ScoreRecord.objects.count() == 2
