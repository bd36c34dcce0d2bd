"""The Content-Security-Policy header, and templates that keep to it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

POLICY = {
    "default-src 'self'",
    "img-src 'self' data: https:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "worker-src 'self'",
}
SITE_POLICY = settings.CONTENT_SECURITY_POLICY or settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
ENFORCE_HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


def directives(header: str) -> set[str]:
    """A policy header's directives (django-csp writes them in no fixed order)."""
    return {part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_development_reports_without_enforcing(client: Client) -> None:
    """With SILIU_DEBUG=1 (the test settings) pages carry the policy as report-only, and no enforced one:
    scripts, styles, fonts and requests from this site only; images also from https; no framing."""
    response = client.get("/login/")
    assert directives(response[REPORT_ONLY_HEADER]) == POLICY
    assert ENFORCE_HEADER not in response


@pytest.mark.django_db
def test_production_enforces() -> None:
    """With the production settings (SILIU_DEBUG=0) every response carries the enforced policy only."""
    with override_settings(CONTENT_SECURITY_POLICY=SITE_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY=None):
        client = Client()  # a new client builds its middleware from the overridden settings
        responses = [client.get(path) for path in ("/login/", "/api/v1/outlets", "/no-such-page/")]
    assert [(r.status_code, directives(r[ENFORCE_HEADER]), REPORT_ONLY_HEADER in r) for r in responses] == [
        (200, POLICY, False),
        (200, POLICY, False),
        (404, POLICY, False),
    ]


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
