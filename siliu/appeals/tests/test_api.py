"""The requests API and pages: file, list, acknowledge, resolve, rate; 400 with the field, refusals that
change nothing."""

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from siliu.appeals.models import Appeal, AppealStatus, PhoneCode
from siliu.appeals.requests.services import phone_code_send
from siliu.appeals.tests.conftest import County

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_file_list_acknowledge_resolve_and_rate_through_the_api(county: County) -> None:
    """The whole walk as JSON, with exact statuses."""
    villager = as_user(county.villager)
    filed = villager.post(
        "/api/v1/appeals",
        {"category": "delivery", "village": county.east.code, "text": "包裹没到"},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    appeal_id = filed.json()["id"]
    assert (filed.json()["status"], filed.json()["outlet"], filed.json()["phone_masked"]) == (
        "filed",
        "东村服务站",
        "138****0001",
    )
    assert filed.json()["link"].endswith(f"/appeals/r/{Appeal.objects.get().access_token}/")
    assert [row["id"] for row in villager.get("/api/v1/appeals").json()["results"]] == [appeal_id]

    station = as_user(county.operator)
    assert [row["id"] for row in station.get("/api/v1/appeals/queue").json()["results"]] == [appeal_id]
    acknowledged = station.post(f"/api/v1/appeals/{appeal_id}/acknowledge", {"note": "明天去"}, format="json")
    assert (acknowledged.status_code, acknowledged.json()["status"]) == (200, "acknowledged")
    resolved = station.post(f"/api/v1/appeals/{appeal_id}/resolve", {"resolution": "送到了"}, format="json")
    assert (resolved.status_code, resolved.json()["status"]) == (200, "resolved")
    rated = villager.post(f"/api/v1/appeals/{appeal_id}/rate", {"rating": 4, "text": "不错"}, format="json")
    assert (rated.status_code, rated.json()["status"], rated.json()["rating"]) == (200, "closed", 4)
    assert [event["kind"] for event in rated.json()["history"]] == [
        "filed",
        "acknowledged",
        "resolved",
        "closed",
    ]


def test_bad_input_is_400_naming_the_field(county: County) -> None:
    """A missing text, an unknown village, a rating of 9, an empty resolution: 400 with the field."""
    villager = as_user(county.villager)
    missing = villager.post(
        "/api/v1/appeals", {"category": "delivery", "village": county.east.code}, format="json"
    )
    assert (missing.status_code, list(missing.json()["errors"])) == (400, ["text"])
    unknown = villager.post(
        "/api/v1/appeals", {"category": "delivery", "village": "610124999999", "text": "x"}, format="json"
    )
    assert (unknown.status_code, unknown.json()["code"], list(unknown.json()["errors"])) == (
        400,
        "unknown_village",
        ["village"],
    )
    appeal_id = villager.post(
        "/api/v1/appeals", {"category": "delivery", "village": county.east.code, "text": "x"}, format="json"
    ).json()["id"]
    empty = as_user(county.operator).post(
        f"/api/v1/appeals/{appeal_id}/resolve", {"resolution": " "}, format="json"
    )
    assert (empty.status_code, list(empty.json()["errors"])) == (400, ["resolution"])
    nine = villager.post(f"/api/v1/appeals/{appeal_id}/rate", {"rating": 9}, format="json")
    assert (nine.status_code, list(nine.json()["errors"])) == (400, ["rating"])
    assert Appeal.objects.get().status == AppealStatus.FILED


def test_another_station_gets_404_and_a_consumer_403(county: County) -> None:
    """Handling: 南村's operator cannot see 东村's request (404); a consumer holds no appeal.handle (403)."""
    appeal_id = (
        as_user(county.villager)
        .post(
            "/api/v1/appeals",
            {"category": "delivery", "village": county.east.code, "text": "x"},
            format="json",
        )
        .json()["id"]
    )
    assert as_user(county.south_operator).post(f"/api/v1/appeals/{appeal_id}/acknowledge").status_code == 404
    assert as_user(county.villager).post(f"/api/v1/appeals/{appeal_id}/acknowledge").status_code == 403
    assert Appeal.objects.get().status == AppealStatus.FILED


def test_filing_with_a_phone_code_through_the_api(county: County) -> None:
    """Anonymous: a wrong code is 400 on ``code``; the right one files; the link's token rates it."""
    client = APIClient()
    assert client.post("/api/v1/appeals/codes", {"phone": "13912345678"}, format="json").status_code == 202
    PhoneCode.objects.all().delete()
    code = phone_code_send(phone="13912345678").code
    body = {"category": "price", "village": county.west.code, "text": "太贵", "phone": "13912345678"}
    wrong = client.post(
        "/api/v1/appeals", {**body, "code": "000000" if code != "000000" else "111111"}, format="json"
    )
    assert (wrong.status_code, wrong.json()["code"], list(wrong.json()["errors"])) == (
        400,
        "wrong_code",
        ["code"],
    )
    filed = client.post("/api/v1/appeals", {**body, "code": code}, format="json")
    assert (filed.status_code, filed.json()["outlet"]) == (201, "清水乡邮政所")
    appeal = Appeal.objects.get()
    as_user(county.manager).post(
        f"/api/v1/appeals/{appeal.pk}/resolve", {"resolution": "已核价"}, format="json"
    )
    assert client.post(f"/api/v1/appeals/{appeal.pk}/rate", {"rating": 5}, format="json").status_code == 404
    rated = client.post(
        f"/api/v1/appeals/{appeal.pk}/rate", {"rating": 5, "token": appeal.access_token}, format="json"
    )
    assert (rated.status_code, rated.json()["status"]) == (200, "closed")


def test_the_counter_api_files_for_a_villager(county: County) -> None:
    """The operator files at their station; a consumer is refused."""
    body = {"category": "pickup", "village": county.east.code, "text": "想寄苹果", "phone": "13955556666"}
    filed = as_user(county.operator).post("/api/v1/appeals/counter", body, format="json")
    assert (filed.status_code, filed.json()["channel"], filed.json()["phone_masked"]) == (
        201,
        "counter",
        "139****6666",
    )
    assert as_user(county.villager).post("/api/v1/appeals/counter", body, format="json").status_code == 403


def png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(data, format="PNG")
    data.seek(0)
    data.name = "photo.png"
    return data


def test_the_counter_page_files_with_a_photo(county: County, settings: Any, tmp_path: Any) -> None:
    """The operator's form with a photo: the photo stored re-encoded, the request shown."""
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(county.operator)
    assert client.get("/appeals/counter/").status_code == 200
    response = client.post(
        "/appeals/counter/",
        {
            "phone": "13955556666",
            "category": "delivery",
            "township": county.qingshui.code,
            "village": county.east.code,
            "text": "包裹破了",
            "photo": png(),
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.pk}/"
    assert appeal.photo_url.startswith("/media/appeals/") and appeal.photo_url.endswith(".jpg")
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "包裹破了" in page and "139****6666" in page and "13955556666" not in page


def test_the_page_form_names_the_field_at_fault(county: County) -> None:
    """No village picked: 400, the error under the village."""
    client = Client()
    client.force_login(county.villager)
    response = client.post("/appeals/new/", {"category": "delivery", "text": "x"})
    assert response.status_code == 400
    assert 'data-testid="error-village"' in response.content.decode()
    assert Appeal.objects.count() == 0


def test_the_requester_rates_from_the_link_without_logging_in(county: County) -> None:
    """The link in the message opens the request; a resolved one can be rated there."""
    client = Client()
    client.force_login(county.villager)
    client.post("/appeals/new/", {"category": "delivery", "village": county.east.code, "text": "x"})
    appeal = Appeal.objects.get()
    operator = Client()
    operator.force_login(county.operator)
    operator.post(f"/appeals/{appeal.pk}/handle/", {"action": "resolve", "resolution": "好了"})
    anonymous = Client()
    assert anonymous.get(f"/appeals/r/{appeal.access_token}/").status_code == 200
    assert anonymous.get("/appeals/r/nope/").status_code == 404
    anonymous.post(
        f"/appeals/r/{appeal.access_token}/", {"action": "rate", "rating": "4", "rating_text": "好"}
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.rating_text) == (AppealStatus.CLOSED, 4, "好")
