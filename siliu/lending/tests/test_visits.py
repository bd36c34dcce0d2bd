"""A station operator's field visit: recorded only with the borrower's consent, shown beside the score
(not scored), refused without the permission, in the future or empty, with nothing written."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.lending.credit.models import FieldVisit
from siliu.lending.credit.services import credit_consent_give, credit_score, field_visit_record


def test_a_visit_is_kept_with_the_next_score_and_shown_on_the_score_page(
    make_user: Callable[..., User],
) -> None:
    """The score keeps the latest visit; the borrower's page shows its date and note; the score itself
    is what it was without it."""
    farmer = make_user(Role.SELLER, username="farmer")
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    credit_consent_give(subject=farmer, actor=farmer)
    before = credit_score(user=farmer, on=timezone.localdate(), actor=farmer)
    field_visit_record(
        subject=farmer,
        actor=operator,
        visited_on=datetime.date(2026, 11, 20),
        note="  猕猴桃园20亩，长势好  ",
    )
    field_visit_record(
        subject=farmer, actor=operator, visited_on=datetime.date(2026, 10, 1), note="更早的一次"
    )

    after = credit_score(user=farmer, on=timezone.localdate(), actor=farmer)

    assert after.field_visit is not None and after.field_visit.note == "猕猴桃园20亩，长势好"
    assert (after.score, after.reasons) == (before.score, before.reasons)
    client = Client()
    client.force_login(farmer)
    assert "猕猴桃园20亩，长势好" in client.get("/lending/credit/").content.decode()


@pytest.mark.parametrize(
    ("who", "visited_on", "note", "error", "code"),
    [
        ("seller", "2026-11-20", "看过了", PermissionRefused, "not_allowed"),
        ("operator", "2999-01-01", "看过了", ValidationFailed, "visit_in_future"),
        ("operator", "2026-11-20", "   ", ValidationFailed, "note_required"),
        ("operator", "2026-11-20", "看" * 501, ValidationFailed, "note_too_long"),
    ],
)
def test_a_visit_is_refused_and_nothing_written(
    make_user: Callable[..., User], who: str, visited_on: str, note: str, error: type[Exception], code: str
) -> None:
    """Each refusal has its code."""
    farmer = make_user(Role.SELLER, username="farmer")
    credit_consent_give(subject=farmer, actor=farmer)
    actor = make_user(Role.STATION_OPERATOR if who == "operator" else Role.SELLER, username="actor")
    with pytest.raises(error) as refused:
        field_visit_record(
            subject=farmer, actor=actor, visited_on=datetime.date.fromisoformat(visited_on), note=note
        )
    assert refused.value.code == code  # type: ignore[attr-defined]
    assert not FieldVisit.objects.exists()


def test_no_visit_without_consent(make_user: Callable[..., User]) -> None:
    """The note is credit data: ``no_consent`` until the borrower consents."""
    farmer = make_user(Role.CONSUMER, username="farmer")
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    with pytest.raises(Conflict) as refused:
        field_visit_record(
            subject=farmer, actor=operator, visited_on=datetime.date(2026, 11, 20), note="看过了"
        )
    assert refused.value.code == "no_consent"
    assert not FieldVisit.objects.exists()


def test_the_operator_records_a_visit_on_the_page_and_through_the_api(make_user: Callable[..., User]) -> None:
    """The page form saves and returns to the consent page; the API answers 201, and 400 on the field."""
    farmer = make_user(Role.SELLER, username="farmer")
    operator = make_user(Role.STATION_OPERATOR, username="operator")
    credit_consent_give(subject=farmer, actor=farmer)
    client = Client()
    client.force_login(operator)
    assert client.get(f"/lending/visits/new/?person={farmer.pk}").status_code == 200
    saved = client.post(
        f"/lending/visits/new/?person={farmer.pk}", {"visited_on": "2026-11-20", "note": "养鸡300只"}
    )
    assert (saved.status_code, saved["Location"]) == (302, "/lending/consent/")
    future = client.post(
        f"/lending/visits/new/?person={farmer.pk}", {"visited_on": "2999-01-01", "note": "x"}
    )
    assert future.status_code == 400 and "走访日期不能晚于今天" in future.content.decode()

    api = APIClient()
    api.force_authenticate(operator)
    created = api.post(
        "/api/v1/credit/visits",
        {"person": farmer.pk, "visited_on": "2026-11-21", "note": "又看了一次"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["note"] == "又看了一次"
    empty = api.post(
        "/api/v1/credit/visits", {"person": farmer.pk, "visited_on": "2026-11-21", "note": " "}, format="json"
    )
    assert empty.status_code == 400 and "note" in empty.json()["errors"]
    assert list(FieldVisit.objects.order_by("pk").values_list("note", flat=True)) == [
        "养鸡300只",
        "又看了一次",
    ]
