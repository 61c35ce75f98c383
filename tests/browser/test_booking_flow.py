"""A member books, cancels and joins a waitlist, and staff check a member in, in a real Chromium.

The pages update in place through htmx: the tests assert that the URL does not change while the card
does, which is only true when the swap happened (without JavaScript the form would redirect).
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_session, make_user, now, unique_slug

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("bk"), "Browser Booking Studio")
    yield tenant
    drop_tenant(app, tenant.slug)


def card(page, session_id: int):
    return page.locator(f"#card-chip-{session_id}")


def test_a_member_books_cancels_and_joins_a_waitlist_in_place(app, studio, live_port, page):
    # Both classes tomorrow at 10:00 and 12:00 studio time, so they share tomorrow's day view whatever the hour now.
    zone = ZoneInfo(studio.time_zone)
    tomorrow = (now().astimezone(zone) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    open_class = make_session(app, studio, starts_in=tomorrow - now(), capacity=3, name="Open Flow")
    full_class = make_session(app, studio, starts_in=tomorrow + timedelta(hours=2) - now(), capacity=1,
                              name="Tiny Class")
    early_bird = make_user(app, studio, "member", f"early-{unique_slug('m')}@example.com")
    from nexphys.bookings import services
    from nexphys.extensions import db
    from tests.running import in_studio

    with in_studio(app, studio):
        services.book(full_class, early_bird)
        db.session.commit()
    email = f"mia-{unique_slug('m')}@example.com"
    make_user(app, studio, "member", email, full_name="Mia Member")
    sign_in(page, studio, live_port, email, TEST_PASSWORD)
    day = tomorrow.date().isoformat()
    timetable = studio_url(studio, live_port, f"/?view=day&date={day}")
    page.goto(timetable)

    expect(card(page, open_class)).to_contain_text("3 spots left")
    card(page, open_class).get_by_role("button", name=re.compile("^Book")).click()
    expect(card(page, open_class)).to_contain_text("You: Booked")
    expect(card(page, open_class)).to_contain_text("2 spots left")
    assert page.url == timetable  # swapped in place, no navigation

    card(page, open_class).get_by_role("button", name=re.compile("^Cancel booking")).click()
    expect(card(page, open_class)).not_to_contain_text("You: Booked")
    expect(card(page, open_class)).to_contain_text("3 spots left")

    expect(card(page, full_class)).to_contain_text("Full")
    card(page, full_class).get_by_role("button", name=re.compile("^Join waitlist")).click()
    expect(card(page, full_class)).to_contain_text("You: Waitlist #1")
    assert page.url == timetable

    page.goto(studio_url(studio, live_port, "/bookings"))
    expect(page.locator("main")).to_contain_text("Tiny Class")
    expect(page.locator("main")).to_contain_text("Waitlist #1")
