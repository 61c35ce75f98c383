"""The staff home in a real Chromium: an owner lands on it, opens the next class's roster, and finds the
grouped menus, on a desktop and on a phone (where one "Menu" holds them and nothing is wider than the screen)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_session, make_user, unique_slug

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("sh"), "Harbour Strength")
    make_session(app, tenant, starts_in=timedelta(minutes=40), capacity=12, name="Harbour Morning Lift")
    yield tenant
    drop_tenant(app, tenant.slug)


@pytest.fixture(scope="module")
def owner(app, studio) -> str:
    email = f"owner-{unique_slug('o')}@example.com"
    make_user(app, studio, "owner", email, full_name="Olga Owner")
    return email


def test_an_owner_lands_on_today_and_opens_the_next_roster(app, studio, owner, live_port, page):
    sign_in(page, studio, live_port, owner, TEST_PASSWORD)
    page.goto(studio_url(studio, live_port, "/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("heading", name=re.compile(r"^Next: Harbour Morning Lift at"))).to_be_visible()
    page.get_by_role("link", name="Open the roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Morning Lift")

    # The header's People menu opens from the keyboard and leads to the members' list.
    people = page.locator("header summary", has_text=re.compile(r"^People$"))
    people.focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Members").click()
    page.wait_for_url(re.compile(r"/members$"))


def test_on_a_phone_one_menu_holds_the_links_and_nothing_overflows(app, studio, owner, live_port, phone):
    sign_in(phone, studio, live_port, owner, TEST_PASSWORD)
    phone.goto(studio_url(studio, live_port, "/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Today")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.locator("header summary", has_text=re.compile(r"^Schedule$"))).to_be_hidden()  # wide menus hidden
    menu = phone.locator("header summary", has_text=re.compile(r"^Menu$"))
    box = menu.bounding_box()
    assert box is not None and box["height"] >= 44  # a touch target
    menu.click()
    phone.get_by_role("link", name="Classes and series").click()
    phone.wait_for_url(re.compile(r"/schedule$"))
