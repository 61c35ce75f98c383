"""Browser fixtures: the real app under a real threaded server, and a headless system Chromium."""

from __future__ import annotations

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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5000)
    tab = context.new_page()
    yield tab
    context.close()

