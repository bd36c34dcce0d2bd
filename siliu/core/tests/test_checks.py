"""The deployment checks Siliu adds to Django's (`siliu check --deploy`)."""

import json
from pathlib import Path
from typing import Any

import pytest

from siliu.core.checks import public_url_check, static_files_collected_check

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_uncollected_static_files_are_an_error(settings: Any, tmp_path: Path) -> None:
    """Production's storage without a manifest (no collectstatic yet) fails the deployment check."""
    settings.STORAGES = PRODUCTION_STATIC
    settings.STATIC_ROOT = tmp_path
    assert [message.id for message in static_files_collected_check(None)] == ["siliu.E003"]


def test_collected_static_files_pass(settings: Any, tmp_path: Path) -> None:
    """Once the manifest is there, the check says nothing."""
    settings.STORAGES = PRODUCTION_STATIC
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {}, "hash": ""}))
    assert static_files_collected_check(None) == []


def test_development_storage_needs_no_manifest() -> None:
    """Development's storage serves files as they are: nothing to collect, nothing to report."""
    assert static_files_collected_check(None) == []


@pytest.mark.parametrize(
    ("public_url", "https", "expected"),
    [
        ("https://siliu.example.cn", True, []),
        ("http://siliu.example.cn", False, []),
        ("http://siliu.example.cn", True, ["siliu.W003"]),
        ("http://127.0.0.1:8000", False, ["siliu.W002"]),
        ("http://localhost:8000", True, ["siliu.W002", "siliu.W003"]),
        ("https://[::1]", True, ["siliu.W002"]),
        ("", False, ["siliu.W002"]),
    ],
)
def test_public_url_check(settings: Any, public_url: str, https: bool, expected: list[str]) -> None:
    """The address in QR codes must reach the site from a phone, and be https when the site is."""
    settings.SILIU_PUBLIC_URL = public_url
    settings.SILIU_HTTPS = https
    assert [message.id for message in public_url_check(None)] == expected
