"""Signing up in a real Chromium, on a desktop and on a phone: the Join link, the form with the studio's terms,
the emailed link (read from the studio's outbox), the first-visit form, and then the member is signed in; with
staff approval, the staff approve from the members page. Nothing is wider than a phone's screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.factories import (
    TEST_PASSWORD,
    create_tenant,
    drop_tenant,
    email_for,
    make_user,
    principal_for,
    set_settings,
    unique_slug,
)
from tests.joining.conftest import verification_path
from tests.running import run

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("su"), "Harbour Yoga Collective")
    set_settings(app, tenant, joining_policy="open")
    publisher = make_user(app, tenant, "owner", email_for("publisher"), full_name="Paula Publisher")

    def publish():
        from nexphys.joining import terms

        terms.publish("Practise within your limits.\nTell your teacher about any injury.", principal_for(publisher))

    run(app, tenant, publish)
    yield tenant
    drop_tenant(app, tenant.slug)


def _join(tab, app, studio, live_port, email: str, name: str) -> None:
    tab.goto(studio_url(studio, live_port, "/"))
    tab.get_by_role("link", name="Join").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Join Harbour Yoga Collective")
    tab.get_by_label("Your name").fill(name)
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Choose a password").fill("a-long-enough-password")
    tab.get_by_role("button", name="Join").click()
    # the terms were not accepted: the form says so in plain words, nothing is sent
    expect(tab.locator(".field-error")).to_contain_text("Tick the box to accept")
    tab.get_by_label("Choose a password").fill("a-long-enough-password")
    tab.get_by_label("I have read and accept the studio's terms").check()
    tab.get_by_role("button", name="Join").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check your email")
    tab.goto(studio_url(studio, live_port, verification_path(app, studio, email)))


def test_a_visitor_joins_confirms_the_email_and_fills_the_first_visit_form(app, studio, live_port, page):
    email = email_for("desk")
    _join(page, app, studio, live_port, email, "Dana Desktop")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome! Before your first visit")
    page.get_by_label("Emergency contact's name").fill("Sam Partner")
    page.get_by_label("Their phone number").fill("+44 20 7946 0958")
    page.get_by_label("How did you hear about us? (optional)").select_option("Walking past")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("the studio has what it needs")
    expect(page.get_by_role("link", name="Join")).to_have_count(0)  # signed in now


def test_on_a_phone_with_staff_approval(app, studio, live_port, phone, browser):
    set_settings(app, studio, joining_policy="approval")
    try:
        email = email_for("phone")
        _join(phone, app, studio, live_port, email, "Pia Phone")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you, Pia")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        for path in ("/join", "/join/check-email", "/terms"):
            phone.goto(studio_url(studio, live_port, path))
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path

        owner = f"owner-{unique_slug('o')}@example.com"
        make_user(app, studio, "owner", owner, full_name="Olive Owner")
        sign_in(phone, studio, live_port, owner, TEST_PASSWORD)
        phone.goto(studio_url(studio, live_port, "/members"))
        expect(phone.get_by_role("heading", name=re.compile("Waiting for approval"))).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        approve = phone.get_by_role("button", name="Approve Pia Phone")
        assert approve.bounding_box()["height"] >= 44
        approve.click()
        expect(phone.locator(".flash-success")).to_contain_text("Pia Phone is a member now")
    finally:
        set_settings(app, studio, joining_policy="open")
