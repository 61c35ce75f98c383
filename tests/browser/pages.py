"""Browser test helpers: the marks every browser module carries, studio URLs on the live server, sign-in."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"

# Every browser test module: `pytestmark = BROWSER_MARKS`.
BROWSER_MARKS = [pytest.mark.browser,
                 pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}")]


def expect(locator):
    """Playwright's auto-waiting assertions (imported late: Playwright is optional)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def studio_url(tenant, port: int, path: str = "/") -> str:
    """A studio page on the live server (Chromium resolves *.localhost to loopback)."""
    return f"http://{tenant.slug}.localhost:{port}{path}"


def sign_in(page, tenant, port: int, email: str, password: str) -> None:
    """Sign in through the real form and wait for the timetable."""
    import re

    page.goto(studio_url(tenant, port, "/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))
