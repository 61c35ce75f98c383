"""Browser fixtures: the real app under a real threaded server, and a headless system Chromium.

The app serves its Content-Security-Policy here as everywhere, and every browser test fails when a page
reports a violation of it (the `securitypolicyviolation` event or Chromium's console message).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

import pytest

from tests.browser.pages import CHROMIUM
from tests.platform.conftest import admin  # noqa: F401 - the same fixture as the platform tests

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def live_port(app, app_factory) -> Iterator[int]:
    """Serve a fresh app (same database and Redis as the tests) on 127.0.0.1 and a free port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app_factory(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    """Headless system Chromium through Playwright (no browser download); skipped when absent.

    Module scope: Playwright's sync API allows one instance per thread at a time, so close it for others.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (CI installs it; see .ci/run)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# Runs in every document before its own scripts (Playwright injects it outside the page's CSP).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} at `
                        + `${e.sourceFile || e.documentURI}:${e.lineNumber} ${e.sample || ""}`);
}, true);
"""


class CspWatch:
    """The CSP violations the pages of one browser context report."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def attach(self, context) -> None:
        context.expose_binding("__cspViolation", lambda _source, text: self.violations.append(text))
        context.add_init_script(REPORT_VIOLATIONS)

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console {message.type}: {message.text}")

    def settle(self, tab) -> None:
        """Let events the page has queued (a violation is reported asynchronously) arrive."""
        with contextlib.suppress(Exception):  # a closed or navigating page has nothing more to report
            tab.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")


@pytest.fixture
def csp_watch() -> CspWatch:
    return CspWatch()


def _tab(browser, csp_watch, request, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(5000)
    csp_watch.attach(context)
    tab = context.new_page()
    tab.on("console", csp_watch.console)
    request.node.csp_check = lambda: (csp_watch.settle(tab), csp_watch.violations)[1]
    return context, tab


@pytest.fixture
def page(browser, csp_watch, request):
    """A desktop browser tab (1280 px wide)."""
    context, tab = _tab(browser, csp_watch, request, viewport={"width": 1280, "height": 900})
    yield tab
    context.close()


@pytest.fixture
def phone(browser, csp_watch, request):
    """A phone's tab: 390 px wide, touch, a phone's pixel ratio."""
    context, tab = _tab(browser, csp_watch, request, viewport={"width": 390, "height": 844}, device_scale_factor=3,
                        is_mobile=True, has_touch=True)
    yield tab
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test itself (not its teardown) when one of its pages broke the CSP."""
    result = yield
    check = getattr(item, "csp_check", None)
    violations = check() if check else []
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)
    return result

