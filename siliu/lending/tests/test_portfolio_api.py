"""The officer's and county manager's API: the review queue, the two decisions, the portfolio, the
collection list, notes and the write-off — their answers and their error codes."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from siliu.commerce.tests.conftest import Shop
from siliu.core.roles import Role
from siliu.lending.loans.models import ApplicationStatus, LoanApplication, LoanCollectionNote, LoanStatus
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import loan_application_file
from siliu.lending.tests.portfolio_fixtures import (
    PRODUCT,
    Book,
    at,
    borrower_make,
)


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def large(shop: Shop, book: Book, make_user: Callable[..., User]) -> LoanApplication:
    """钱 asks for 60,000.00 (above the second-approval amount)."""
    qian = borrower_make(make_user, outlet=shop.county["VS12"], username="qian", family="钱", serial="21")
    return loan_application_file(
        applicant=qian,
        actor=qian,
        product_code=PRODUCT,
        amount_fen=6_000_000,
        term_months=12,
        purpose="建大棚",
        now=at("2026-05-22"),
    )


def test_the_review_queue(large: LoanApplication, officer: User) -> None:
    """The count and each application with its terms and whether it needs a second approval."""
    response = api_as(officer).get("/api/v1/loan-applications/review-queue")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert {
        key: item[key] for key in ("number", "amount_fen", "term_months", "purpose", "score", "band")
    } == {
        "number": large.number,
        "amount_fen": 6_000_000,
        "term_months": 12,
        "purpose": "建大棚",
        "score": None,
        "band": "manual",
    }
    assert (item["needs_second_approval"], item["applicant"]["name"], item["field_visit_note"]) == (
        True,
        "钱农",
        None,
    )
    assert (item["features"], item["earlier_loans"]) == ([], [])


def test_review_then_second_approval(
    large: LoanApplication, officer: User, book: Book, make_user: Callable[..., User]
) -> None:
    """Review → second_review; the officer cannot approve (403); the manager approves → a loan number."""
    response = api_as(officer).post(
        f"/api/v1/loan-applications/{large.number}/review", {"approve": True, "note": "属实"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["loan_number"]) == ("second_review", None)
    assert (
        api_as(officer)
        .post(f"/api/v1/loan-applications/{large.number}/approve", {"approve": True}, format="json")
        .status_code
        == 403
    )
    manager = make_user(Role.COUNTY_MANAGER, county=book.county)
    response = api_as(manager).post(
        f"/api/v1/loan-applications/{large.number}/approve", {"approve": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["loan_number"].startswith("LN")


def test_decision_errors(
    large: LoanApplication, officer: User, book: Book, make_user: Callable[..., User]
) -> None:
    """400 without ``approve`` or refusing without a note (field ``note``); 404 unknown; 409 when not
    waiting; 403 ``same_person`` for a reviewer who is also a manager; nothing changes."""
    client = api_as(officer)
    response = client.post(f"/api/v1/loan-applications/{large.number}/review", {"note": "x"}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["approve"])
    response = client.post(
        f"/api/v1/loan-applications/{large.number}/review", {"approve": False}, format="json"
    )
    assert (response.status_code, response.json()["code"], list(response.json()["errors"])) == (
        400,
        "note_required",
        ["note"],
    )
    response = client.post("/api/v1/loan-applications/LA0/review", {"approve": True}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_application")
    manager = make_user(Role.COUNTY_MANAGER, county=book.county)
    response = api_as(manager).post(
        f"/api/v1/loan-applications/{large.number}/approve", {"approve": True}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    large.refresh_from_db()
    assert (large.status, large.reviewed_by_id) == (ApplicationStatus.REVIEW, None)
    both = make_user(Role.LOAN_OFFICER, Role.COUNTY_MANAGER, county=book.county)
    api_as(both).post(f"/api/v1/loan-applications/{large.number}/review", {"approve": True}, format="json")
    response = api_as(both).post(
        f"/api/v1/loan-applications/{large.number}/approve", {"approve": True}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "same_person")
    other = make_user(Role.COUNTY_MANAGER, county=book.other_county)
    response = api_as(other).post(
        f"/api/v1/loan-applications/{large.number}/approve", {"approve": True}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "unknown_application")
    large.refresh_from_db()
    assert (large.status, large.approved_by_id) == (ApplicationStatus.SECOND_REVIEW, None)


def test_the_portfolio(book: Book, officer: User, make_user: Callable[..., User]) -> None:
    """Stable names, the same figures as the page; 403 for a seller."""
    body = api_as(officer).get("/api/v1/lending/portfolio").json()
    assert {key: body[key] for key in ("loan_count", "outstanding_fen", "par30_bp", "par90_bp")} == {
        "loan_count": 5,
        "outstanding_fen": 6_900_000,
        "par30_bp": 4348,
        "par90_bp": 1449,
    }
    assert body["by_class"][1] == {
        "classification": "special_mention",
        "label": "关注",
        "loan_count": 3,
        "outstanding_fen": 5_400_000,
        "provision_fen": 108_000,
    }
    assert body["buckets"][-1] == {
        "low": 361,
        "high": None,
        "label": "360 天以上",
        "loan_count": 0,
        "outstanding_fen": 0,
    }
    assert body["last_night"]["business_on"] == "2026-05-20"
    there = (
        api_as(make_user(Role.COUNTY_MANAGER, county=book.other_county))
        .get("/api/v1/lending/portfolio")
        .json()
    )
    assert (there["loan_count"], there["outstanding_fen"]) == (1, 500_000)
    assert api_as(make_user(Role.SELLER)).get("/api/v1/lending/portfolio").status_code == 403


def test_the_collection_list(book: Book, officer: User) -> None:
    """Paginated, most days past due first, the phone masked (none recorded here)."""
    body = api_as(officer).get("/api/v1/lending/collections").json()
    assert body["count"] == 4
    assert [row["days_past_due"] for row in body["results"]] == [99, 49, 30, 10]
    assert body["results"][0]["number"] == book.loans["A"].number
    assert (body["results"][0]["phone"], body["results"][0]["classification"]) == ("", "substandard")


def test_notes(book: Book, officer: User, make_user: Callable[..., User]) -> None:
    """201 with the note; 400 naming ``kind``, ``note`` or ``promised_on``; 404 unknown loan; 403 for
    a county manager; nothing written on a refusal."""
    client = api_as(officer)
    number = book.loans["B"].number
    response = client.post(
        f"/api/v1/loans/{number}/notes",
        {"kind": "promise", "note": "月底还", "promised_on": "2026-12-31"},
        format="json",
    )
    assert response.status_code == 201
    assert {key: response.json()[key] for key in ("loan", "kind", "note", "promised_on")} == {
        "loan": number,
        "kind": "promise",
        "note": "月底还",
        "promised_on": "2026-12-31",
    }
    for data, field in [
        ({"kind": "sms", "note": "x"}, "kind"),
        ({"kind": "call", "note": ""}, "note"),
        ({"kind": "call", "note": "x", "promised_on": "tomorrow"}, "promised_on"),
        ({"kind": "promise", "note": "x"}, "promised_on"),
        ({"kind": "call", "note": "x", "promised_on": "2020-01-01"}, "promised_on"),
    ]:
        response = client.post(f"/api/v1/loans/{number}/notes", data, format="json")
        assert (response.status_code, list(response.json()["errors"])) == (400, [field]), data
    assert (
        client.post("/api/v1/loans/LN0/notes", {"kind": "call", "note": "x"}, format="json").status_code
        == 404
    )
    manager = api_as(make_user(Role.COUNTY_MANAGER, county=book.county))
    assert (
        manager.post(
            f"/api/v1/loans/{number}/notes", {"kind": "call", "note": "x"}, format="json"
        ).status_code
        == 403
    )
    assert LoanCollectionNote.objects.count() == 1


def test_write_off(book: Book, make_user: Callable[..., User]) -> None:
    """409 ``not_doubtful`` while A is 次级; by 20 November it is 可疑 and is written off; 400 without
    a reason; 403 for the other county's manager."""
    manager = api_as(make_user(Role.COUNTY_MANAGER, county=book.county))
    number = book.loans["A"].number
    response = manager.post(f"/api/v1/loans/{number}/write-off", {"note": "失联"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_doubtful")
    lending_night(on=datetime.date(2026, 11, 20), now=at("2026-11-21", 1))
    response = manager.post(f"/api/v1/loans/{number}/write-off", {"note": ""}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["note"])
    other = api_as(make_user(Role.COUNTY_MANAGER, county=book.other_county))
    response = other.post(f"/api/v1/loans/{number}/write-off", {"note": "失联"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_allowed")
    assert book.refreshed("A").status == LoanStatus.ACTIVE
    response = manager.post(f"/api/v1/loans/{number}/write-off", {"note": "失联"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["principal_outstanding_fen"]) == (
        "written_off",
        1_000_000,
    )
