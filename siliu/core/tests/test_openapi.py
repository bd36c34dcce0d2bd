"""The OpenAPI schema describes the answers the API gives: its error answers, its null values, its
number bounds and the form of its times."""

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from siliu.core.rest import ERROR_SCHEMA
from siliu.network.models import OpeningHours
from siliu.network.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_documents_its_error_answers_in_the_error_shape(schema: dict[str, Any]) -> None:
    """400, 401, 403, 404, 409 and 429 everywhere; 413 and 415 where a body is taken; one Error schema."""
    assert schema["components"]["schemas"]["Error"] == ERROR_SCHEMA
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in operations(schema):
        expected = {"400", "401", "403", "404", "409", "429"}
        if "requestBody" in operation:
            expected |= {"413", "415"}
        for status in expected:
            answer = operation["responses"].get(status)
            assert answer is not None, (method, path, status)
            assert answer["content"]["application/json"]["schema"] == error, (method, path, status)


def test_every_integer_a_client_sends_has_a_maximum(schema: dict[str, Any]) -> None:
    """No request body field takes a number beyond its column: each integer has a maximum."""
    unbounded = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
        for field, spec in component.get("properties", {}).items()
        if spec.get("type") == "integer" and "maximum" not in spec
    ]
    assert unbounded == []


@pytest.mark.parametrize(
    ("component", "fields"),
    [
        ("Parcel", ["destination_outlet", "accepted_at", "delivered_at", "last_outlet"]),
        ("Journey", ["delivered_at"]),
        ("Exception", ["exception_flagged_at", "last_event_at", "last_outlet", "last_outlet_name"]),
        ("Claim", ["policy_version", "rule_priority", "rule_basis", "decided_at", "paid_at"]),
        ("ClaimParcel", ["accepted_at", "delivered_at"]),
        ("Order", ["destination_outlet", "paid_at", "delivered_at", "completed_at"]),
    ],
)
def test_fields_that_can_be_null_are_marked_nullable(
    schema: dict[str, Any], component: str, fields: list[str]
) -> None:
    """A field the API answers with null says so."""
    properties = schema["components"]["schemas"][component]["properties"]
    assert [field for field in fields if not properties[field].get("nullable")] == []


def test_opening_hours_are_documented_as_they_are_answered(
    schema: dict[str, Any], api_client: APIClient
) -> None:
    """Local HH:MM:SS without an offset: a pattern, not RFC 3339's ``format: time`` (which needs one)."""
    spec = schema["components"]["schemas"]["OpeningHours"]["properties"]["opens_at"]
    assert "format" not in spec
    outlet = OutletFactory.create(code="V00001")
    OpeningHours.objects.create(outlet=outlet, weekday=1, opens_at="08:30", closes_at="17:00")
    hours = api_client.get("/api/v1/outlets/V00001").json()["opening_hours"]
    assert [(row["opens_at"], row["closes_at"]) for row in hours] == [("08:30:00", "17:00:00")]
    assert re.fullmatch(spec["pattern"], hours[0]["opens_at"])
