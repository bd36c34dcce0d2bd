"""Registering and editing partner couriers from the partners page; the webhook secret shown once."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.errors import ValidationFailed
from siliu.core.roles import Role
from siliu.logistics.models import Partner
from siliu.logistics.partners.services import partner_register, partner_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client: Client, make_user: Callable[..., User]) -> Client:
    client.force_login(make_user(Role.COUNTY_MANAGER))
    return client


def test_a_manager_registers_a_partner_and_sees_its_secret_once(manager: Client) -> None:
    """The secret is on the page right after registration, then never again (edit page, list)."""
    assert "登记合作快递" in manager.get("/logistics/partners/").content.decode()
    response = manager.post(
        "/logistics/partners/new/",
        {
            "code": "yd",
            "name": "韵达快递",
            "number_pattern": "YD[0-9]{13}",
            "webhook_url": "https://yd.example/pod",
        },
    )
    partner = Partner.objects.get(code="yd")
    assert (partner.name, partner.number_pattern, partner.is_active) == (
        "韵达快递",
        "^(?:YD[0-9]{13})$",
        True,
    )
    assert len(partner.webhook_secret) == 64
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert partner.webhook_secret in response.content.decode()
    for page in ("/logistics/partners/", "/logistics/partners/yd/edit/"):
        assert partner.webhook_secret not in manager.get(page).content.decode()


def test_rotating_the_secret_shows_the_new_one_once(manager: Client) -> None:
    partner = partner_register(
        code="sf", name="顺丰", number_pattern="SF[0-9]{12}", webhook_url="https://sf.example/"
    )
    old = partner.webhook_secret
    response = manager.post("/logistics/partners/sf/secret/")
    partner.refresh_from_db()
    assert partner.webhook_secret != old and partner.webhook_secret in response.content.decode()
    assert partner.webhook_secret not in manager.get("/logistics/partners/sf/edit/").content.decode()


def test_editing_keeps_the_code_and_refuses_plain_http_to_another_machine(manager: Client) -> None:
    """Name, pattern, URL and activity change; http elsewhere than this machine is refused, nothing saved."""
    partner_register(code="zto", name="中通", number_pattern="ZT[0-9]{10}")
    refused = manager.post(
        "/logistics/partners/zto/edit/",
        {
            "code": "other",
            "name": "中通快递",
            "number_pattern": "ZT[0-9]{10}",
            "webhook_url": "http://zto.example/pod",
        },
    )
    assert refused.status_code == 400 and "https" in refused.content.decode()
    assert Partner.objects.get(code="zto").name == "中通"
    saved = manager.post(
        "/logistics/partners/zto/edit/",
        {"name": "中通快递", "number_pattern": "ZT[0-9]{12}", "webhook_url": "https://zto.example/pod"},
    )
    partner = Partner.objects.get(code="zto")
    assert (partner.name, partner.number_pattern, partner.is_active) == (
        "中通快递",
        "^(?:ZT[0-9]{12})$",
        False,
    )
    assert partner.webhook_secret and partner.webhook_secret in saved.content.decode()


def test_http_is_for_this_machine_only() -> None:
    partner = partner_register(
        code="jd", name="京东", number_pattern="JD[0-9]{10}", webhook_url="http://127.0.0.1:9/h"
    )
    with pytest.raises(ValidationFailed) as refused:
        partner_update(
            partner=partner,
            name="京东",
            number_pattern="JD[0-9]{10}",
            webhook_url="http://jd.example/h",
            is_active=True,
        )
    assert (refused.value.code, refused.value.field) == ("insecure_url", "webhook_url")


def test_an_auditor_reads_partners_but_may_not_register(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user(Role.AUDITOR))
    assert "/logistics/partners/new/" not in client.get("/logistics/partners/").content.decode()
    assert client.post("/logistics/partners/new/", {"code": "yd"}).status_code == 403
    assert not Partner.objects.exists()


def test_the_api_edits_a_partner_and_rotates_its_secret(make_user: Callable[..., User]) -> None:
    """PATCH changes what it names; a bad URL is 400 on ``webhook_url``; the new secret comes back once."""
    from rest_framework.test import APIClient

    partner_register(code="ems", name="EMS", number_pattern="EM[0-9]{11}")
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNTY_MANAGER))
    refused = client.patch("/api/v1/partners/ems", {"webhook_url": "http://ems.example/"}, format="json")
    assert (refused.status_code, refused.json()["code"], list(refused.json()["errors"])) == (
        400,
        "insecure_url",
        ["webhook_url"],
    )
    body = client.patch("/api/v1/partners/ems", {"webhook_url": "https://ems.example/"}, format="json").json()
    partner = Partner.objects.get(code="ems")
    assert (body["name"], body["has_webhook"], body["webhook_secret"]) == (
        "EMS",
        True,
        partner.webhook_secret,
    )
    assert "webhook_secret" not in client.get("/api/v1/partners/ems").json()
    rotated = client.post("/api/v1/partners/ems/secret").json()
    partner.refresh_from_db()
    assert (
        rotated == {"code": "ems", "webhook_secret": partner.webhook_secret}
        and partner.webhook_secret != body["webhook_secret"]
    )
    assert client.patch("/api/v1/partners/nope", {}, format="json").status_code == 404
