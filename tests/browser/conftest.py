"""Playwright driving Debian's Chromium against pytest-django's live server.

Chromium is looked up at ``$SILIU_CHROMIUM``, then ``chromium`` on the PATH. Where there is none the
browser tests are skipped with that reason — except in CI (``CI=true``), where a missing browser fails.
Screenshots go to ``test-artifacts/``.
"""

import os
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("SILIU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# Function-scoped on purpose: Playwright's sync API switches context variables, and Django keeps its
# database connections in them; a browser left running between tests makes the next test's database
# set-up (serialized rollback) see a different connection object and skip restoring migrated data.
@pytest.fixture
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        reason = "no Chromium found (apt-get install chromium, or set SILIU_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


#: Reports every Content-Security-Policy violation of every page (enforced, or report-only as in the
#: test settings) to the test through the binding below.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (event) => window.siliuCspViolation(
  `${event.disposition} ${event.effectiveDirective} ${event.blockedURI}`
  + ` at ${event.sourceFile}:${event.lineNumber} on ${document.location.pathname}`));"""


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    """A page of a fresh browser context; the test fails if any page it opened broke the CSP."""
    context = browser.new_context(
        base_url=str(live_server), locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    csp_violations: list[str] = []
    context.expose_binding("siliuCspViolation", lambda source, report: csp_violations.append(report))
    context.add_init_script(CSP_LISTENER)
    new_page = context.new_page()
    yield new_page
    if not new_page.is_closed():
        new_page.evaluate("0")  # a round trip, so that reports already sent have arrived
    context.close()
    assert csp_violations == [], "Content-Security-Policy violations"


@pytest.fixture
def demo_county() -> None:
    """The demo county (24 villages, seed 5) without its year of orders."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=0", "--force", stdout=StringIO())


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, username: str, password: str = "siliu-demo") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
