"""Playwright driving Debian's Chromium against pytest-django's live server.

Chromium is looked up at ``$SILIU_CHROMIUM``, then ``chromium`` on the PATH. Where there is none the
browser tests are skipped with that reason — except in CI (``CI=true``), where a missing browser fails.
Screenshots go to ``test-artifacts/``.

Every page a browser test opens is checked: it must not break the Content-Security-Policy; axe-core
(``vendor/axe.min.js``) must find no serious or critical violation of a WCAG 2.2 A/AA rule in it once it
has loaded; it must not scroll sideways at the context's width, neither as it is nor with the text at
200 % (WCAG 1.4.10 reflow, 1.4.4 resize text); and every control in its content must be a tap target of
at least 24 × 24 px or stand far enough from the next one (WCAG 2.5.8). A test fails at its end with the
list of what was found.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

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

#: axe-core, put into every document by the browser context (an init script is not subject to the CSP).
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

#: The rules axe-core checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: The impacts that fail a test.
AXE_FAILING_IMPACTS = ("serious", "critical")

#: Pages that are other projects' and are not checked: Django's admin site (staff only) and drf-spectacular's
#: Swagger UI. Both have serious violations of their own (link-in-text-block; colour contrast,
#: nested-interactive, target-size, no lang).
AXE_NOT_CHECKED = ("/admin/", "/api/docs/")

#: Runs axe-core in the top document of every HTML page once it has loaded, and again whenever the test
#: calls ``window.siliuAxeCheck()`` (see :func:`axe_check`); the runs queue one after the other, since
#: axe-core runs one at a time. Each run's failing violations go to the test through the binding.
#: ``preload: false``: axe-core's stylesheet preload (for css-orientation-lock alone) adds inline <style>
#: elements to the page, which the CSP refuses; the site has no orientation lock to find.
AXE_RUNNER = f"""(() => {{
  if (window !== window.top || document.contentType !== "text/html") return;
  if ({list(AXE_NOT_CHECKED)!r}.some((prefix) => document.location.pathname.startsWith(prefix))) return;
  const options = {{
    runOnly: {{type: "tag", values: {AXE_TAGS!r}}}, resultTypes: ["violations"], preload: false,
  }};
  const failing = {list(AXE_FAILING_IMPACTS)!r};
  const runOnce = () => axe.run(document, options).then((results) => window.siliuAxeViolations(
    document.location.pathname + document.location.search,
    results.violations.filter((rule) => failing.includes(rule.impact)).map((rule) => ({{
      id: rule.id, impact: rule.impact, count: rule.nodes.length,
      targets: rule.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    }}))));
  let last = Promise.resolve();
  window.siliuAxeCheck = () => {{
    window.siliuLayoutCheck();
    return (last = last.then(runOnce, runOnce));
  }};
  window.addEventListener("load", () => window.siliuAxeCheck());
}})();"""


#: Measures, at once and synchronously (so that axe-core, running in between, never sees the page
#: changed), whether the page scrolls sideways as it is and with the root font size at 200 %, and which
#: controls in ``main`` are tap targets under 24 × 24 px with another target within 24 px. An element
#: reported as overflowing is the outermost one that sticks out past the window's right edge, outside
#: any box that scrolls or clips; a target inline in a sentence is WCAG's exception and not reported.
LAYOUT_CHECK = f"""(() => {{
  if (window !== window.top || document.contentType !== "text/html") return;
  if ({list(AXE_NOT_CHECKED)!r}.some((prefix) => document.location.pathname.startsWith(prefix))) return;
  const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + [...element.classList].slice(0, 3).map((c) => "." + c).join("");
  const selector = (element) => {{
    const parts = [];
    for (let node = element; node && node !== document.body && parts.length < 4; node = node.parentElement) {{
      parts.unshift(name(node));
    }}
    return parts.join(" > ");
  }};
  const clipped = (element) => {{
    for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {{
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }}
    return false;
  }};
  const overflow = (label) => {{
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const sticking = [...document.body.querySelectorAll("*")].filter((element) =>
      element.getBoundingClientRect().right > width + 0.5 && !clipped(element));
    let outermost = sticking.filter((element) => !sticking.includes(element.parentElement));
    if (!outermost.length) {{  // no box sticks out: text or a pseudo-element overflows its box
      outermost = [...document.body.querySelectorAll("*")].filter((element) =>
        element.scrollWidth > element.clientWidth + 1 && element.clientWidth
        && getComputedStyle(element).overflowX === "visible" && !clipped(element));
    }}
    const right = (element) => element.getBoundingClientRect().right;
    const widest = outermost.sort((a, b) => right(b) - right(a));
    return [`overflow ${{label}}: scrollWidth ${{document.documentElement.scrollWidth}} > ${{width}} px: `
      + widest.slice(0, 3).map((element) =>
        `${{selector(element)}} (right ${{Math.round(element.getBoundingClientRect().right)}})`).join(" | ")];
  }};
  const inlineInText = (element) => {{
    const parent = element.parentElement;
    return ["A"].includes(element.tagName) && getComputedStyle(element).display === "inline"
      && parent.textContent.trim().length > element.textContent.trim().length
      && ["P", "LI", "DD", "SPAN", "SMALL", "DIV", "TD"].includes(parent.tagName)
      && [...parent.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  }};
  const smallTargets = () => {{
    const main = document.querySelector("main");
    if (!main) return [];
    const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    const targets = [...main.querySelectorAll(controls)]
      .filter((element) => element.getClientRects().length
        && getComputedStyle(element).visibility !== "hidden")
      .map((element) => ({{element, box: element.getBoundingClientRect()}}));
    const centre = (box) => [box.left + box.width / 2, box.top + box.height / 2];
    const small = targets.filter(({{element, box}}) =>
      (box.width < 24 || box.height < 24) && !inlineInText(element));
    // WCAG 2.5.8's spacing exception: a 24 px circle on the small target's centre meets no other target's.
    const crowded = small.filter(({{element, box}}) => targets.some((other) => {{
      if (other.element === element || other.element.contains(element)
        || element.contains(other.element)) return false;
      const [x, y] = centre(box);
      const nearestX = Math.max(other.box.left, Math.min(x, other.box.right));
      const nearestY = Math.max(other.box.top, Math.min(y, other.box.bottom));
      const otherSmall = other.box.width < 24 || other.box.height < 24;
      const [ox, oy] = centre(other.box);
      return otherSmall ? Math.hypot(x - ox, y - oy) < 24 : Math.hypot(x - nearestX, y - nearestY) < 12;
    }}));
    if (!crowded.length) return [];
    return [`target-size: ${{crowded.length}} under 24 × 24 px and crowded: `
      + crowded.slice(0, 3).map(({{element, box}}) =>
        `${{selector(element)}} (${{Math.round(box.width)}} × ${{Math.round(box.height)}})`).join(" | ")];
  }};
  window.siliuLayoutCheck = () => {{
    const found = overflow("at 100 % text").concat(smallTargets());
    const root = document.documentElement.style;
    const before = root.fontSize;
    root.fontSize = "200%";
    try {{
      found.push(...overflow("at 200 % text"));
    }} finally {{
      root.fontSize = before;
    }}
    window.siliuLayoutViolations(document.location.pathname + document.location.search, found);
  }};
}})();"""


class PageChecks:
    """What the pages of one browser context broke: the CSP, axe-core's rules, the reflow at the
    context's width (at 100 % and 200 % text), and the size of tap targets."""

    def __init__(self, context: BrowserContext) -> None:
        self.csp_violations: list[str] = []
        self.axe_violations: list[str] = []
        self.layout_violations: list[str] = []
        context.expose_binding("siliuCspViolation", lambda source, report: self.csp_violations.append(report))
        context.expose_binding("siliuAxeViolations", self._record_axe)
        context.expose_binding("siliuLayoutViolations", self._record_layout)
        context.add_init_script(CSP_LISTENER)
        context.add_init_script(path=AXE)
        context.add_init_script(LAYOUT_CHECK)
        context.add_init_script(AXE_RUNNER)

    def _record_axe(self, source: object, path: str, violations: list[dict[str, Any]]) -> None:
        for rule in violations:  # once per rule and page, however often the page was checked
            report = f"{rule['id']} ({rule['impact']}, {rule['count']}×) on {path}: " + " | ".join(
                rule["targets"]
            )
            if not any(
                seen.startswith(f"{rule['id']} (") and f" on {path}: " in seen for seen in self.axe_violations
            ):
                self.axe_violations.append(report)

    def _record_layout(self, source: object, path: str, found: list[str]) -> None:
        for finding in found:  # once per kind and page
            kind = finding.split(":", 1)[0]
            if not any(seen.startswith(f"{path}: {kind}:") for seen in self.layout_violations):
                self.layout_violations.append(f"{path}: {finding}")

    def settle(self, context: BrowserContext) -> None:
        """Waits for the checks still running on the context's open pages to report."""
        for open_page in context.pages:
            # Closed, or navigating away: its check at load has reported, or never will.
            with suppress(PlaywrightError):
                open_page.evaluate("() => window.siliuAxeCheck && window.siliuAxeCheck()")

    def assert_clean(self) -> None:
        assert self.csp_violations == [], "Content-Security-Policy violations"
        assert self.axe_violations == [], "axe-core violations (serious or critical):\n" + "\n".join(
            self.axe_violations
        )
        assert self.layout_violations == [], "Sideways scrolling or small tap targets:\n" + "\n".join(
            self.layout_violations
        )


@contextmanager
def checked_context(
    browser: Browser, live_server: object, *, width: int = 1280, height: int = 900
) -> Iterator[BrowserContext]:
    """A fresh browser context on the live server whose pages are checked (CSP, axe-core); on leaving
    the block without an error, the test fails if any page broke either."""
    context = browser.new_context(
        base_url=str(live_server), locale="zh-CN", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    checks = PageChecks(context)
    try:
        yield context
        checks.settle(context)
    finally:
        context.close()
    checks.assert_clean()


def axe_check(page: Page) -> None:
    """Runs axe-core now on the page as it stands (a menu opened, a form filled), besides the run at its
    load; what it finds fails the test at the end like the rest."""
    page.evaluate("() => window.siliuAxeCheck()")


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    """A page of a fresh browser context; the test fails if any page it opened broke the CSP or has a
    serious or critical axe-core violation."""
    with checked_context(browser, live_server) as context:
        yield context.new_page()


@pytest.fixture
def demo_county() -> None:
    """The demo county (24 villages, seed 5) without its year of orders."""
    call_command("demo", "--villages=24", "--seed=5", "--orders=0", "--force", stdout=StringIO())


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_menu(page: Page) -> None:
    """At 360 px the navbar is collapsed behind 菜单: open it, and wait until Bootstrap's collapse has
    finished sliding (a click inside it while ``collapsing`` can be lost)."""
    page.get_by_label("菜单").click()
    expect(page.locator("#main-nav.show")).to_be_visible()
    expect(page.locator("#main-nav.collapsing")).to_have_count(0)


def log_in(page: Page, username: str, password: str = "siliu-demo") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
