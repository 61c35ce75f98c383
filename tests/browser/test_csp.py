"""The Content-Security-Policy in a real Chromium: violations are caught, and the studio's colours survive it.

Every browser test fails on a violation (tests/browser/conftest.py); the first test here proves that
net catches one. The others check what the CSP could silently break: the studio's brand colour (a
nonce'd <style>), class-type colours (data-chip, applied by static/js/nexphys.js, also after an htmx
swap) and htmx adding no <style> of its own.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_session, make_user, now, unique_slug
from tests.running import in_studio

pytestmark = BROWSER_MARKS

BRAND = "#0f766e"
CHIP = "#c2410c"


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("csp"), "Browser Colour Studio", brand_color=BRAND)
    yield tenant
    drop_tenant(app, tenant.slug)


def coloured_session(app, studio, name: str) -> int:
    """A class tomorrow whose class type has the colour CHIP."""
    from nexphys.classes.models import ClassType
    from nexphys.extensions import db

    session_id = make_session(app, studio, starts_in=timedelta(days=1), name=name)
    with in_studio(app, studio):
        db.session.execute(sa.update(ClassType).where(ClassType.name == name).values(color=CHIP))
        db.session.commit()
    return session_id


def custom_property(page, selector: str, name: str) -> str:
    return page.eval_on_selector(selector, f"(el) => getComputedStyle(el).getPropertyValue('{name}').trim()")


def test_a_violation_is_caught(studio, live_port, page, csp_watch):
    page.goto(studio_url(studio, live_port))
    page.evaluate("""() => {
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">inline style</p>');
        const script = document.createElement("script");
        script.textContent = "window.ran = true";
        document.head.appendChild(script);
    }""")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.ran === undefined")  # the inline script did not run
    caught = " ".join(csp_watch.violations)
    assert "style-src-attr" in caught and "script-src-elem" in caught, csp_watch.violations
    csp_watch.violations.clear()  # this test wanted them; the net would fail it otherwise


def test_the_studio_colours_apply_under_the_policy(app, studio, live_port, page):
    session_id = coloured_session(app, studio, "Colour Flow")
    email = f"cora-{unique_slug('m')}@example.com"
    make_user(app, studio, "member", email, full_name="Cora Colour")
    sign_in(page, studio, live_port, email, TEST_PASSWORD)
    day = (now() + timedelta(days=1)).astimezone(ZoneInfo(studio.time_zone)).date().isoformat()
    page.goto(studio_url(studio, live_port, f"/?view=day&date={day}"))

    assert custom_property(page, "body", "--brand") == BRAND
    card = f"#card-chip-{session_id}"
    assert custom_property(page, card, "--chip") == CHIP
    # htmx is told to add no indicator <style>: the only one is the page's own, with its nonce.
    assert page.evaluate("() => [...document.querySelectorAll('style')].map((s) => !!s.nonce)") == [True]

    page.locator(card).get_by_role("button", name=re.compile("^Book")).click()
    expect(page.locator(card)).to_contain_text("You: Booked")
    # the swapped-in card is painted too (by the script, once htmx has settled it)
    page.wait_for_function(
        "([selector, chip]) => { const el = document.querySelector(selector);"
        " return el && getComputedStyle(el).getPropertyValue('--chip').trim() === chip; }",
        arg=[card, CHIP], timeout=5000)


def test_the_classes_page_shows_type_colours(app, studio, live_port, page):
    coloured_session(app, studio, "Colour Schedule")
    email = f"owen-{unique_slug('o')}@example.com"
    make_user(app, studio, "owner", email, full_name="Owen Owner")
    sign_in(page, studio, live_port, email, TEST_PASSWORD)
    page.goto(studio_url(studio, live_port, "/schedule"))
    dots = page.locator(".type-dot[data-chip]")
    expect(dots.first).to_be_visible()
    colours = dots.evaluate_all("(els) => els.map((el) => getComputedStyle(el).getPropertyValue('--chip').trim())")
    assert CHIP in colours
