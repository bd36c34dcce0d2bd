"""Production start-up as an operator does it, in subprocesses with ``SILIU_DEBUG=0``: collect the static
files, pass the deployment checks, start gunicorn behind a (pretend) TLS proxy and ask it for pages.

The server has its own empty SQLite file: nothing here reads a table, only ``/healthz`` asks the database
to answer ``SELECT 1``.
"""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from siliu.core.tests.test_csp import POLICY, directives

PROJECT_DIR = Path(settings.PROJECT_DIR)
SITE = "siliu.example.cn"
#: What the proxy adds in front of a request that reached it over HTTPS.
PROXIED = {"Host": SITE, "X-Forwarded-Proto": "https"}


@dataclass
class Production:
    port: int
    collectstatic: subprocess.CompletedProcess[str]
    check: subprocess.CompletedProcess[str]

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    """collectstatic, check --deploy, then gunicorn on a free port (stopped afterwards)."""
    font = Path(settings.SILIU_PDF_FONT)
    if not font.exists():
        reason = f"production needs {font} (apt-get install fonts-wqy-microhei)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("production")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SILIU_", "DATABASE_URL", "DJANGO_"))
    } | {
        "SILIU_DEBUG": "0",
        "SILIU_SECRET_KEY": secrets.token_urlsafe(50),
        "SILIU_DATA_DIR": str(data),
        "SILIU_ALLOWED_HOSTS": SITE,
        "SILIU_PUBLIC_URL": f"https://{SITE}",
        "SILIU_PDF_FONT": str(font),
        "DJANGO_SETTINGS_MODULE": "siliu.settings",
    }

    def manage(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(PROJECT_DIR / "manage.py"), *arguments],
            env=environment,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=180,
        )

    collectstatic = manage("collectstatic", "--noinput")
    check = manage("check", "--deploy", "--fail-level", "WARNING")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "siliu.wsgi"],
        env=environment,
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    production = Production(port=port, collectstatic=collectstatic, check=check)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                production.get("/healthz", {"Host": SITE})
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"gunicorn did not start: {server.communicate()[1][-3000:]}")
                time.sleep(0.2)
        yield production
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_collectstatic_succeeds(production: Production) -> None:
    """collectstatic with the production storage finds every file the CSS and JS refer to (source maps
    included), and hashes them."""
    assert production.collectstatic.returncode == 0, production.collectstatic.stderr[-3000:]


def test_deployment_checks_pass(production: Production) -> None:
    """`siliu check --deploy --fail-level WARNING` passes: Django's security checks and Siliu's own; the
    one silenced check is HSTS preload, a decision left to the operator."""
    assert (production.check.returncode, production.check.stdout, production.check.stderr) == (
        0,
        "System check identified no issues (1 silenced).\n",
        "",
    )


def test_health_answers_over_plain_http(production: Production) -> None:
    """The load balancer's probe reaches /healthz without TLS: it is exempt from the HTTPS redirect."""
    status, _, body = production.get("/healthz", {"Host": SITE})
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})


def test_plain_http_is_redirected_to_https(production: Production) -> None:
    """A page asked for over plain HTTP is redirected, permanently, to the same page over HTTPS."""
    status, headers, _ = production.get("/login/", {"Host": SITE})
    assert (status, headers["Location"]) == (301, f"https://{SITE}/login/")


def test_pages_carry_the_security_headers(production: Production) -> None:
    """Over HTTPS a page carries the enforced CSP, HSTS for a year with subdomains, and a Secure cookie."""
    status, headers, _ = production.get("/login/", PROXIED)
    assert status == 200
    assert directives(headers["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Frame-Options"] == "DENY"
    cookies = headers.get_all("Set-Cookie", [])
    assert [cookie.split("=")[0] for cookie in cookies] == ["csrftoken"]
    assert "; Secure" in headers["Set-Cookie"]


def test_static_files_are_served_hashed_and_cached(production: Production) -> None:
    """The layout links hashed file names, which WhiteNoise serves with a ten-year immutable cache."""
    _, _, page = production.get("/login/", PROXIED)
    stylesheet = re.search(r'href="(/static/vendor/bootstrap\.min\.[0-9a-f]{12}\.css)"', page.decode())
    assert stylesheet is not None
    status, headers, body = production.get(stylesheet.group(1), PROXIED)
    assert (status, headers["Cache-Control"]) == (200, "max-age=315360000, public, immutable")
    assert body.startswith(b'@charset "UTF-8";/*!\n * Bootstrap')


def test_the_courier_service_worker_is_served_with_collected_static_files(production: Production) -> None:
    """/logistics/rounds/sw.js (the courier page's service worker, ADR 0018) is the collected script,
    under the path whose scope covers 我的班次, and is never cached stale."""
    status, headers, body = production.get("/logistics/rounds/sw.js", PROXIED)
    assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    assert "no-cache" in headers["Cache-Control"]
    assert b'const CACHE = "siliu-courier";' in body


def test_api_docs_load_nothing_from_elsewhere(production: Production) -> None:
    """/api/docs/ links only this site's files (Swagger UI from the sidecar package, its start-up script
    from ?script), and every one of them is served."""
    status, _, page = production.get("/api/docs/", PROXIED)
    assert status == 200
    links = re.findall(r'(?:src|href)="([^"]+)"', page.decode())
    assert [link for link in links if not link.startswith("/")] == []
    assert sorted(re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in links) == [
        "/api/docs/?script=",
        "/static/core/swagger.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    answers = {link: production.get(link, PROXIED)[0] for link in links}
    assert answers == dict.fromkeys(links, 200)
