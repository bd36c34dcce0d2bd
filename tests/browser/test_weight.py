"""How much a page weighs: the bytes a browser downloads for the station counter, the track page and a
shop product, on a first visit and on the next, and how soon they paint on slow 3G (ADR 0010).

The pages are served as in production: the static files collected (hashed names, gzip and Brotli) and
served by WhiteNoise, pages gzipped. pytest-django's live server serves the source files through
Django's static handler, so these tests start a server thread of their own with the collected files.
Each page's figures are written to ``test-artifacts/weight.json`` for ``docs/benchmarks.md``.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings
from playwright.sync_api import Browser, BrowserContext, Page, Response

from siliu.network.models import Outlet
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_main_walk import KiwiShop, kiwi_shop  # noqa: F401 (a fixture, asked for by name)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: Bytes transferred (compressed, headers included) on a first visit with an empty cache, and again.
FIRST_VISIT_BUDGET = 100_000
REPEAT_VISIT_BUDGET = 10_000
#: First contentful paint on the slow-3G profile below, in milliseconds.
FIRST_PAINT_BUDGET_MS = 3_000
#: Chrome DevTools' "slow 3G" as the issue gives it: 400 ms latency, 400 kbit/s each way.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`siliu collectstatic` into a folder of its own, with the storage production uses."""
    data = tmp_path_factory.mktemp("weight")
    subprocess.run(
        [sys.executable, "-m", "siliu.cli", "collectstatic", "--noinput", "--verbosity", "0"],
        env=os.environ | {"SILIU_STATIC_COLLECTED": "1", "SILIU_DATA_DIR": str(data)},
        cwd=settings.PROJECT_DIR,
        check=True,
        timeout=600,
    )
    return data / "static"


class _NoStaticHandler(WSGIHandler):
    """No static handler in front of the site: WhiteNoise, in the middleware, serves the collected files."""

    def __init__(self, application: WSGIHandler) -> None:
        self.application = application  # its middleware is loaded; loading another set would be waste

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.application(environ, start_response)


@pytest.fixture
def site(collected_static: Path) -> Iterator[str]:
    """A server thread, on the test database, with the settings `siliu serve` and production have."""
    whitenoise = "whitenoise.middleware.WhiteNoiseMiddleware"
    middleware = [name for name in settings.MIDDLEWARE if name != whitenoise]
    middleware.insert(1, whitenoise)
    collected = {
        "STATIC_ROOT": collected_static,
        "STORAGES": settings.STORAGES
        | {"staticfiles": {"BACKEND": "siliu.core.storage.CollectedStaticFilesStorage"}},
        "MIDDLEWARE": middleware,
        "WHITENOISE_AUTOREFRESH": False,
        "WHITENOISE_USE_FINDERS": False,
    }
    shared: dict[str, BaseDatabaseWrapper] = {
        connection.alias: connection
        for connection in connections.all()
        if isinstance(connection, SQLiteDatabaseWrapper) and connection.is_in_memory_db()
    }
    with override_settings(**collected):
        thread = LiveServerThread("127.0.0.1", _NoStaticHandler, connections_override=shared)
        thread.daemon = True
        for connection in shared.values():
            connection.inc_thread_sharing()
        thread.start()
        thread.is_ready.wait()
        try:
            if thread.error:
                raise thread.error
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            thread.terminate()
            # A request thread still closing its connection after the sharing ends would fail in its
            # thread: let those of the closed browser contexts finish first.
            deadline = time.monotonic() + 10
            for request in threading.enumerate():
                if request.name.endswith("(process_request_thread)"):
                    request.join(timeout=max(0.0, deadline - time.monotonic()))
            for connection in shared.values():
                connection.dec_thread_sharing()


@dataclass
class Visit:
    """One page load: bytes received from the network, and the addresses that were fetched."""

    transferred: int
    fetched: list[str]
    first_paint_ms: float | None = None


def _visit(page: Page, path: str, conditions: dict[str, Any] | None = None) -> Visit:
    """Open ``path`` and count what came over the network (CDP's encodedDataLength; cache hits are 0)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if conditions is not None:
        cdp.send("Network.emulateNetworkConditions", conditions)
    addresses: dict[str, str] = {}
    received: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: addresses.update({event["requestId"]: event["request"]["url"]}),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: received.update({event["requestId"]: event["encodedDataLength"]}),
    )
    response = page.goto(path, timeout=60_000)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    page.wait_for_load_state("networkidle", timeout=60_000)
    first_paint = page.evaluate(
        """() => new Promise((resolve) => {
          const look = () => {
            const entry = performance.getEntriesByName("first-contentful-paint")[0];
            entry ? resolve(entry.startTime) : setTimeout(look, 50);
          };
          look();
        })"""
    )
    cdp.detach()
    fetched = sorted(addresses[request] for request, size in received.items() if size > 0)
    return Visit(transferred=int(sum(received.values())), fetched=fetched, first_paint_ms=first_paint)


def _logged_in_state(browser: Browser, base_url: str, username: str) -> Any:
    """Cookies of a logged-in session, taken from a context of its own, so that its cache stays apart."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "siliu-demo")
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
    state = context.storage_state()
    context.close()
    return state


def _new_context(browser: Browser, base_url: str, state: Any) -> BrowserContext:
    return browser.new_context(base_url=base_url, storage_state=state, locale="zh-CN")


def _weigh(browser: Browser, base_url: str, path: str, username: str | None = None) -> dict[str, Visit]:
    """First visit and the next (a new page in the same context), then a first visit on slow 3G."""
    state = _logged_in_state(browser, base_url, username) if username else None
    context = _new_context(browser, base_url, state)
    first = _visit(context.new_page(), path)
    repeat = _visit(context.new_page(), path)
    context.close()
    context = _new_context(browser, base_url, state)
    slow = _visit(context.new_page(), path, SLOW_3G)
    context.close()
    return {"first": first, "repeat": repeat, "slow_3g": slow}


def _record(name: str, visits: dict[str, Visit]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "weight.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[name] = {kind: asdict(visit) for kind, visit in visits.items()}
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


@pytest.fixture
def pages(request: pytest.FixtureRequest) -> dict[str, tuple[str, str | None]]:
    """The pages with a budget, path and who is logged in, in the demo county with the kiwi shop."""
    shop: KiwiShop = request.getfixturevalue("kiwi_shop")
    station = Outlet.objects.filter(operator__username="station_operator").order_by("code").first()
    assert station is not None
    return {
        "counter": (f"/finance/counter/{station.code}/", "station_operator"),
        "track": ("/track/", None),
        "product": (f"/shop/products/{shop.kiwi.pk}/", None),
    }


def test_light_pages_keep_to_their_budget(
    browser: Browser, site: str, pages: dict[str, tuple[str, str | None]]
) -> None:
    """The station counter, the track page and a shop product download under 100 KB on a first visit and
    under 10 KB on the next (their static files come from the cache, not the network), and paint within
    3 s on slow 3G; none of them loads htmx or ECharts."""
    for name, (path, username) in pages.items():
        visits = _weigh(browser, site, path, username)
        _record(name, visits)
        first, repeat, slow = visits["first"], visits["repeat"], visits["slow_3g"]
        assert first.transferred < FIRST_VISIT_BUDGET, (name, first)
        assert repeat.transferred < REPEAT_VISIT_BUDGET, (name, repeat)
        assert [url for url in repeat.fetched if "/static/" in url] == [], (name, repeat)
        assert slow.first_paint_ms is not None and slow.first_paint_ms < FIRST_PAINT_BUDGET_MS, (name, slow)
        assert [url for url in first.fetched if "htmx" in url or "echarts" in url] == [], (name, first)


def test_static_files_are_compressed_hashed_and_cached_for_good(
    browser: Browser, site: str, pages: dict[str, tuple[str, str | None]]
) -> None:
    """Every static file a page links is a hashed name, sent Brotli-compressed with an immutable cache of
    at least a year; the page itself is gzipped."""
    context = browser.new_context()
    page = context.new_page()
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(site + pages["product"][0])
    page.wait_for_load_state("networkidle")
    document, *files = responses
    assert document.headers.get("content-encoding") == "gzip"
    # A hashed name shows as its source file's name; in the order they arrive, not that of the links.
    assert sorted(
        re.sub(r"^.*/static/(.+)\.[0-9a-f]{12}\.(css|js)$", r"\1.\2", response.url) for response in files
    ) == [
        "core/siliu.css",
        "vendor/bootstrap.bundle.min.js",
        "vendor/bootstrap.min.css",
    ]
    for response in files:
        assert response.headers.get("content-encoding") == "br", response.url
        cache_control = response.headers["cache-control"]
        assert "immutable" in cache_control, response.url
        assert int(re.findall(r"max-age=(\d+)", cache_control)[0]) >= 31_536_000, response.url
    context.close()


def test_the_map_loads_its_own_chart_build(browser: Browser, site: str, demo_county: None) -> None:
    """The map page loads the custom ECharts build and no htmx; its weight is recorded, not budgeted."""
    visits = _weigh(browser, site, "/network/map/")
    _record("map", visits)
    fetched = visits["first"].fetched
    charts = [re.sub(r"\.[0-9a-f]{12}\.", ".", url.rsplit("/", 1)[1]) for url in fetched if "echarts" in url]
    assert charts == ["echarts.custom.min.js"]
    assert [url for url in fetched if "htmx" in url] == []
