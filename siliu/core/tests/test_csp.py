"""The Content-Security-Policy header, and templates that keep to it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from siliu.core.csp import (
    ENFORCE_HEADER,
    REPORT_ONLY_HEADER,
    ContentSecurityPolicyMiddleware,
    Policy,
    policy_header_value,
)

POLICY = (
    "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SITE_POLICY = settings.SECURE_CSP or settings.SECURE_CSP_REPORT_ONLY


def test_policy_header_value_keeps_order_and_bare_directives() -> None:
    """Directives come out in the given order; ``True`` writes a directive alone; empty ones are left out."""
    policy: Policy = {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "upgrade-insecure-requests": True,
        "frame-src": [],
    }
    value = policy_header_value(policy)
    assert value == "default-src 'self'; img-src 'self' data:; upgrade-insecure-requests"


def test_site_policy_is_the_documented_one() -> None:
    """Scripts, styles, fonts and requests from this site only; images also from https; no framing."""
    assert policy_header_value(SITE_POLICY) == POLICY


@pytest.mark.django_db
def test_development_reports_without_enforcing(client: Client) -> None:
    """With SILIU_DEBUG=1 (the test settings) pages carry the policy as report-only, and no enforced one."""
    response = client.get("/login/")
    assert response[REPORT_ONLY_HEADER] == POLICY
    assert ENFORCE_HEADER not in response


@pytest.mark.django_db
def test_production_enforces() -> None:
    """With the production settings (SILIU_DEBUG=0) every response carries the enforced policy only."""
    with override_settings(SECURE_CSP=SITE_POLICY, SECURE_CSP_REPORT_ONLY={}):
        client = Client()  # a new client builds its middleware from the overridden settings
        responses = [client.get(path) for path in ("/login/", "/api/v1/outlets", "/no-such-page/")]
    assert [(r.status_code, r[ENFORCE_HEADER], REPORT_ONLY_HEADER in r) for r in responses] == [
        (200, POLICY, False),
        (200, POLICY, False),
        (404, POLICY, False),
    ]


def test_a_response_keeps_a_policy_of_its_own() -> None:
    """A view that sets its own header (e.g. a stricter one) is not overwritten."""

    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("")
        response[ENFORCE_HEADER] = "default-src 'none'"
        return response

    with override_settings(SECURE_CSP=SITE_POLICY, SECURE_CSP_REPORT_ONLY={}):
        response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response[ENFORCE_HEADER] == "default-src 'none'"


INLINE = {
    "style attribute": re.compile(r"\sstyle\s*="),
    "style element": re.compile(r"<style[\s>]"),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>"),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']"),
    "javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_have_nothing_inline_the_policy_refuses() -> None:
    """No template of Siliu carries an inline script, style element, style attribute or event handler
    (``json_script`` data blocks are written by a filter, not in the template)."""
    found = []
    for template in sorted(Path(settings.BASE_DIR).glob("**/templates/**/*.html")):
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", template.read_text(), flags=re.DOTALL)
        name = template.relative_to(settings.BASE_DIR)
        found += [f"{name}: {kind}" for kind, pattern in INLINE.items() if pattern.search(text)]
    assert found == []
