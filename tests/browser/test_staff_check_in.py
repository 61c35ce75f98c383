"""Staff check a member in from a class roster in a real Chromium: htmx swaps the row, no page load."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.browser.test_browser import studio  # noqa: F401 - the same studio fixture, own instance
from tests.factories import TEST_PASSWORD, make_session, make_user, unique_slug

pytestmark = BROWSER_MARKS


def _booking_status(app, tenant, session_id: int, member_id: int) -> str:
    import sqlalchemy as sa

    from nexphys.bookings.models import Booking
    from nexphys.extensions import db
    from tests.running import in_studio

    with in_studio(app, tenant):
        return db.session.scalar(sa.select(Booking.status).where(Booking.session_id == session_id,
                                                                 Booking.member_id == member_id))


def test_staff_check_a_member_in_from_the_roster_and_the_desk(app, studio, live_port, page):  # noqa: F811
    from nexphys.bookings import services
    from nexphys.extensions import db
    from tests.running import in_studio

    session_id = make_session(app, studio, timedelta(minutes=20), name="Browser Roster Rowing")
    member_id = make_user(app, studio, "member", f"rosa-{unique_slug('m')}@example.com", full_name="Rosa Rower")
    other_id = make_user(app, studio, "member", f"dan-{unique_slug('m')}@example.com", full_name="Dan Desk")
    with in_studio(app, studio):
        services.book(session_id, member_id)
        services.book(session_id, other_id)
        db.session.commit()
    coach = f"coach-{unique_slug('c')}@example.com"
    make_user(app, studio, "instructor", coach, full_name="Coach Carla")
    sign_in(page, studio, live_port, coach, TEST_PASSWORD)

    roster = studio_url(studio, live_port, f"/classes/{session_id}/roster")
    page.goto(roster)
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser Roster Rowing")
    page.evaluate("window.__samePage = true")  # survives only if htmx swaps instead of loading a page
    page.get_by_role("button", name="Check in Rosa Rower").click()
    message = page.locator("#roster-message")
    expect(message).to_have_text("Rosa Rower is checked in.")
    expect(message).to_be_focused()  # the refreshed roster's message takes focus (screen readers hear it)
    expect(page.locator("#group-checked_in")).to_contain_text("Rosa Rower")  # moved, counts with it
    expect(page.locator("#group-confirmed")).not_to_contain_text("Rosa Rower")
    assert page.evaluate("window.__samePage === true") and page.url == roster
    expect(page.get_by_role("button", name="Check in Rosa Rower")).to_have_count(0)
    assert _booking_status(app, studio, session_id, member_id) == "checked_in"

    # the desk, by keyboard: search is focused on load, Enter searches, the row's button checks in
    page.locator("header summary", has_text=re.compile(r"^Schedule$")).click()  # the header's Schedule menu
    page.get_by_role("link", name="Check-in desk").click()
    expect(page.get_by_role("searchbox", name="Name, email or member code")).to_be_focused()
    page.keyboard.type("Dan Desk")
    page.keyboard.press("Enter")
    found = page.locator(".desk-member")  # (the class list below names him too)
    button = found.get_by_role("button", name=re.compile(r"Check Dan Desk in to Browser Roster Rowing"))
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".desk-member .row-message")).to_have_text("Dan Desk is checked in.")
    assert _booking_status(app, studio, session_id, other_id) == "checked_in"
