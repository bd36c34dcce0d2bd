"""System checks for what production needs beyond Django's own (`siliu check --deploy` runs them all).

Identifiers are stable: ``siliu.E001`` … for errors, ``siliu.W001`` … for warnings.
"""

import ipaddress
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import CheckMessage, Error, Warning, register

from siliu.core.pdf import PdfFontUnusable, pdf_font_load

FONT_HINT = "apt-get install fonts-wqy-microhei, or point SILIU_PDF_FONT at another TrueType CJK font"


@register("siliu")
def pdf_font_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The PDF font can be embedded: an error in production without it, a warning in development."""
    path = settings.SILIU_PDF_FONT
    try:
        pdf_font_load(path=path)
    except FileNotFoundError:
        message = f"SILIU_PDF_FONT {path} does not exist: labels would name a font instead of embedding one"
        if settings.DEBUG:
            return [Warning(message, hint=FONT_HINT, id="siliu.W001")]
        return [Error(message, hint=FONT_HINT, id="siliu.E001")]
    except PdfFontUnusable as error:
        return [Error(f"SILIU_PDF_FONT cannot be embedded: {error}", hint=FONT_HINT, id="siliu.E002")]
    return []


@register("siliu", deploy=True)
def static_files_collected_check(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Production's static files storage has its manifest: without it every page fails to render."""
    if isinstance(staticfiles_storage, ManifestFilesMixin) and staticfiles_storage.read_manifest() is None:
        return [
            Error(
                f"no static files manifest in STATIC_ROOT ({settings.STATIC_ROOT}): every page would fail",
                hint="run `siliu collectstatic --noinput` for this release",
                id="siliu.E003",
            )
        ]
    return []


@register("siliu", deploy=True)
def public_url_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """SILIU_PUBLIC_URL, printed in QR codes, is an address others can reach, over HTTPS if the site is."""
    parts = urlsplit(settings.SILIU_PUBLIC_URL)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    messages: list[CheckMessage] = []
    if loopback or not host:
        messages.append(
            Warning(
                f"SILIU_PUBLIC_URL {settings.SILIU_PUBLIC_URL!r} is not an address a phone can reach: "
                "labels and trace codes would print it in their QR codes",
                hint="set SILIU_PUBLIC_URL to the site's public address, e.g. https://siliu.example.cn",
                id="siliu.W002",
            )
        )
    if getattr(settings, "SILIU_HTTPS", False) and parts.scheme != "https":
        messages.append(
            Warning(
                f"SILIU_PUBLIC_URL {settings.SILIU_PUBLIC_URL!r} is not https, while the site is",
                hint="use the https:// address",
                id="siliu.W003",
            )
        )
    return messages
