"""Member booking pages: the timetable (week/day, filters, statuses), the class page, booking and
cancelling through the forms with and without htmx, late-cancel confirmation, and "My bookings"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from tests.factories import make_session, person, session_state, set_settings
from tests.requests import host, login, page_csrf
from tests.running import in_studio

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def studio(app):
    """Our own studio (Europe/London: a zone with DST) so its settings and bookings are ours to change."""
    from tests.factories import create_tenant, drop_tenant

    info = create_tenant(app, name="Pages Test Studio", time_zone="Europe/London")
    yield info
    drop_tenant(app, info.slug)


def _zone(studio) -> ZoneInfo:
    return ZoneInfo(studio.time_zone)


def _future_day(studio, days: int = 3) -> date:
    return datetime.now(_zone(studio)).date() + timedelta(days=days)


def add_session(app, studio, name: str, day: date, at: time, capacity: int = 10, instructor_id: int | None = None,
                room: str | None = None) -> int:
    """A session of class type `name` on a local day and time, optionally with an instructor and a room."""
    from nexphys.classes.models import ClassSession, ClassType, Room

    with in_studio(app, studio):
        class_type = db.session.scalar(sa.select(ClassType).where(ClassType.name == name)) or ClassType(
            name=name, duration_minutes=60, default_capacity=capacity, description=f"About {name}.")
        room_row = None
        if room:
            room_row = db.session.scalar(sa.select(Room).where(Room.name == room)) or Room(name=room, capacity=30)
        starts_at = datetime.combine(day, at, tzinfo=_zone(studio)).astimezone(UTC)
        session = ClassSession(class_type=class_type, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
                               capacity=capacity, instructor_id=instructor_id, room=room_row)
        db.session.add(session)
        db.session.commit()
        return session.id


def _signed_in(app, studio, role_key: str = "member", full_name: str | None = None):
    member_id, email = person(app, studio, role_key, full_name=full_name)
    client = app.test_client()
    assert login(client, studio, email).status_code == 302
    return client, member_id


def _token(client, studio, path: str = "/bookings") -> str:
    return page_csrf(client.get(path, headers=host(studio)).get_data(as_text=True))


def _form(client, studio, path, token, headers=None, **data):
    return client.post(path, headers={**host(studio), **(headers or {})}, data={"csrf_token": token, **data})


def _booking_of(app, studio, session_id, member_id) -> tuple[int, str] | None:
    with in_studio(app, studio):
        row = db.session.execute(sa.select(Booking.id, Booking.status).where(
            Booking.session_id == session_id, Booking.member_id == member_id).order_by(Booking.id.desc())).first()
        return (row.id, row.status) if row else None


def _day_url(studio, day: date, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"view": "day", "date": day.isoformat(), **extra}.items())
    return f"/timetable?{query}"  # the timetable's own address: staff's "/" is their home


# --- timetable: anonymous --------------------------------------------------------------------------

def test_anonymous_timetable_shows_spots_and_sign_in_to_book(app, client, studio):
    day = _future_day(studio)
    session_id = add_session(app, studio, "Anon Yoga", day, time(9), capacity=3, room="Studio 1")
    page = client.get(f"/?date={day.isoformat()}", headers=host(studio))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Anon Yoga" in html and "3 spots left" in html and "Studio 1" in html
    assert f'href="/classes/{session_id}"' in html
    assert "Sign in to book" in html
    assert f"/classes/{session_id}/book" not in html  # no booking form for anonymous visitors
    assert "htmx.min.js" in html and "cdn" not in html.lower()
    assert "X-CSRFToken" not in html  # no session is started for an anonymous visitor


def test_week_view_lists_seven_days_and_day_view_one(app, client, studio):
    day = _future_day(studio, 9)
    add_session(app, studio, "Week Spin", day, time(7))
    add_session(app, studio, "Next Day Barre", day + timedelta(days=1), time(7))
    week = client.get(f"/?date={day.isoformat()}", headers=host(studio)).get_data(as_text=True)
    monday = day - timedelta(days=day.weekday())
    assert f"Week of {monday:%d %b %Y}" in week
    assert week.count('class="tt-day"') == 7
    one_day = client.get(_day_url(studio, day), headers=host(studio)).get_data(as_text=True)
    assert one_day.count('class="tt-day"') == 1 and "Week Spin" in one_day and "Next Day Barre" not in one_day
    assert f"date={(day + timedelta(days=1)).isoformat()}" in one_day  # next-day link
    assert f"date={(day - timedelta(days=1)).isoformat()}" in one_day


def test_bad_date_is_a_400(client, studio):
    response = client.get("/?view=day&date=31-31-2026", headers=host(studio))
    assert response.status_code == 400 and "date must be a date" in response.get_data(as_text=True)


def test_filters_by_class_type_and_instructor(app, client, studio):
    day = _future_day(studio, 16)
    coach_id, _ = person(app, studio, "instructor", full_name="Coach Carla")
    other_id, _ = person(app, studio, "instructor", full_name="Coach Otto")
    hiit = add_session(app, studio, "Filter HIIT", day, time(8), instructor_id=coach_id)
    pilates = add_session(app, studio, "Filter Pilates", day, time(9), instructor_id=other_id)
    add_session(app, studio, "Filter HIIT", day, time(10), instructor_id=other_id)
    with in_studio(app, studio):
        from nexphys.classes.models import ClassSession

        hiit_type = db.session.get(ClassSession, hiit).class_type_id
    page = client.get(_day_url(studio, day, type=hiit_type), headers=host(studio)).get_data(as_text=True)
    assert page.count("Filter HIIT<span") == 2 and "Filter Pilates<span" not in page
    assert "showing 2 of 3 classes" in page and "Clear filters" in page
    assert '<label for="filter-type">' in page and f'<option value="{hiit_type}" selected>' in page
    page = client.get(_day_url(studio, day, instructor=coach_id), headers=host(studio)).get_data(as_text=True)
    assert f'href="/classes/{hiit}"' in page and f'href="/classes/{pilates}"' not in page
    # the instructor's name links to their profile
    assert f'with <a href="/instructors/{coach_id}">Coach Carla</a>' in page and "Coach Otto</a>" not in page
    both = client.get(_day_url(studio, day, type=hiit_type, instructor=other_id), headers=host(studio))
    assert both.get_data(as_text=True).count("Filter HIIT<span") == 1
    nothing = client.get(_day_url(studio, day + timedelta(days=1), type=hiit_type), headers=host(studio))
    assert "No classes" in nothing.get_data(as_text=True)


def test_cancelled_and_full_sessions_say_so(app, client, studio):
    from nexphys.bookings import services

    day = _future_day(studio, 4)
    gone = add_session(app, studio, "Called Off", day, time(12))
    full = add_session(app, studio, "Packed Class", day, time(13), capacity=1)
    member_id, _ = person(app, studio)
    with in_studio(app, studio):
        services.cancel_session(gone, "Instructor unwell")
        services.book(full, member_id)
        db.session.commit()
    html = client.get(_day_url(studio, day), headers=host(studio)).get_data(as_text=True)
    assert re.search(r"Called Off.*?Cancelled", html, re.S)
    assert "Full — waitlist open" in html
    detail = client.get(f"/classes/{gone}", headers=host(studio)).get_data(as_text=True)
    assert "Instructor unwell" in detail and "Cancelled" in detail


# --- timetable: a member -----------------------------------------------------------------------------

def test_member_sees_own_statuses_on_the_timetable(app, studio):
    from nexphys.bookings import services

    day = _future_day(studio, 2)
    booked = add_session(app, studio, "Status Booked", day, time(9), capacity=5)
    waiting = add_session(app, studio, "Status Waiting", day, time(10), capacity=1)
    add_session(app, studio, "Status Free", day, time(11), capacity=5)
    client, member_id = _signed_in(app, studio)
    first, _ = person(app, studio)
    other, _ = person(app, studio)
    with in_studio(app, studio):
        services.book(booked, member_id)
        services.book(waiting, first)
        services.book(waiting, other)
        services.book(waiting, member_id)
        db.session.commit()
    html = client.get(_day_url(studio, day), headers=host(studio)).get_data(as_text=True)
    assert re.search(r"Status Booked.*?You: Booked.*?Cancel booking", html, re.S)
    assert re.search(r"Status Waiting.*?You: Waitlist #2.*?Leave waitlist", html, re.S)
    assert re.search(r"Status Free.*?5 spots left.*?>Book<", html, re.S)
    assert "Sign in to book" not in html and "X-CSRFToken" in html


# --- booking and cancelling through the forms -----------------------------------------------------------

def test_booking_without_htmx_redirects_back_with_a_flash(app, studio):
    day = _future_day(studio, 2)
    session_id = add_session(app, studio, "PRG Booking", day, time(15), capacity=4)
    client, member_id = _signed_in(app, studio)
    back = _day_url(studio, day)
    response = _form(client, studio, f"/classes/{session_id}/book", _token(client, studio), next=back, card="chip")
    assert response.status_code == 303 and response.headers["Location"] == back
    assert _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.CONFIRMED
    page = client.get(back, headers=host(studio)).get_data(as_text=True)
    assert "You&#39;re booked" in page and "You: Booked" in page and "3 spots left" in page


def test_booking_with_htmx_returns_the_card(app, studio):
    day = _future_day(studio, 2)
    session_id = add_session(app, studio, "HX Booking", day, time(16), capacity=4)
    client, member_id = _signed_in(app, studio)
    response = _form(client, studio, f"/classes/{session_id}/book", _token(client, studio), headers=HX,
                     next="/", card="chip")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith(f'<div id="card-chip-{session_id}"')
    assert "You: Booked" in html and "3 spots left" in html and 'role="status"' in html
    assert f'hx-target="#card-chip-{session_id}"' in html  # the new card's own form swaps itself again
    assert _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.CONFIRMED


def test_booking_on_the_class_page_updates_its_places_too(app, studio):
    """No stale figure: the answer carries the facts' places (out of band) with the new card."""
    day = _future_day(studio, 2)
    session_id = add_session(app, studio, "OOB Places", day, time(15), capacity=5)
    client, _ = _signed_in(app, studio)
    page = client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    assert f'<span id="class-places-{session_id}">5 (5 spots left)</span>' in page
    response = _form(client, studio, f"/classes/{session_id}/book", page_csrf(page), headers=HX, card="detail",
                     next=f"/classes/{session_id}")
    html = response.get_data(as_text=True)
    assert f'<span id="class-places-{session_id}" hx-swap-oob="true">5 (4 spots left)</span>' in html
    assert "4 spots left" in html.split("class-places")[0]  # the card says the same


def test_full_class_joins_the_waitlist_and_shows_the_position(app, studio):
    from nexphys.bookings import services

    day = _future_day(studio, 2)
    session_id = add_session(app, studio, "Waitlist Class", day, time(17), capacity=1)
    holder, _ = person(app, studio)
    with in_studio(app, studio):
        services.book(session_id, holder)
        db.session.commit()
    client, _ = _signed_in(app, studio)
    page = client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    assert "Full — waitlist open" in page and "Join waitlist" in page
    response = _form(client, studio, f"/classes/{session_id}/book", page_csrf(page), headers=HX, card="detail",
                     next=f"/classes/{session_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "You: Waitlist #1" in html and "Leave waitlist" in html
    assert f'id="card-detail-{session_id}"' in html and "on the waitlist at #1" in html


def test_refusals_are_messages_not_errors(app, studio, rules):
    day = _future_day(studio, 2)
    client, _ = _signed_in(app, studio)
    token = _token(client, studio)
    soon = make_session(app, studio, starts_in=timedelta(minutes=20), capacity=5, name="Closing Soon")
    rules(booking_closes_minutes_before=30)
    response = _form(client, studio, f"/classes/{soon}/book", token, headers=HX, card="chip", next="/")
    assert response.status_code == 409 and "Booking for this class has closed." in response.get_data(as_text=True)
    assert "Booking closed" in response.get_data(as_text=True)  # the card now says why there is no button
    response = _form(client, studio, f"/classes/{soon}/book", token, card="chip", next="/")
    assert response.status_code == 303
    assert "Booking for this class has closed." in client.get("/", headers=host(studio)).get_data(as_text=True)
    one = add_session(app, studio, "Limit One", day, time(18))
    two = add_session(app, studio, "Limit Two", day, time(19))
    rules(max_upcoming_bookings=1)
    assert _form(client, studio, f"/classes/{one}/book", token, headers=HX, card="chip").status_code == 200
    refused = _form(client, studio, f"/classes/{two}/book", token, headers=HX, card="chip")
    assert refused.status_code == 409 and "upcoming bookings" in refused.get_data(as_text=True)
    assert _form(client, studio, "/classes/98765432/book", token, headers=HX).status_code == 404
    assert _form(client, studio, f"/classes/{one}/book", token, headers=HX, card="chip").status_code == 409


def test_cancelling_in_time_frees_the_seat(app, studio):
    day = _future_day(studio, 3)
    session_id = add_session(app, studio, "Cancel In Time", day, time(9), capacity=2)
    client, member_id = _signed_in(app, studio)
    token = _token(client, studio)
    _form(client, studio, f"/classes/{session_id}/book", token)
    booking_id, _ = _booking_of(app, studio, session_id, member_id)
    response = _form(client, studio, f"/bookings/{booking_id}/cancel", token, headers=HX, card="chip", next="/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Booking cancelled" in html and "2 spots left" in html and ">Book<" in html
    assert _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.CANCELLED
    # a slip is easy: the answer offers to undo it for a few seconds, which books the class again
    undo = re.search(r'<form method="post" action="([^"]+)" class="card-undo" data-expires="10"', html)
    assert undo and undo.group(1) == f"/classes/{session_id}/book" and ">Undo<" in html
    again = _form(client, studio, undo.group(1), token, headers=HX, card="chip", next="/")
    assert again.status_code == 200 and _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.CONFIRMED
    booking_id, _ = _booking_of(app, studio, session_id, member_id)
    _form(client, studio, f"/bookings/{booking_id}/cancel", token, headers=HX, card="chip", next="/")
    # and without htmx: redirect and flash
    _form(client, studio, f"/classes/{session_id}/book", token)
    booking_id, _ = _booking_of(app, studio, session_id, member_id)
    response = _form(client, studio, f"/bookings/{booking_id}/cancel", token, next=f"/classes/{session_id}")
    assert response.status_code == 303 and response.headers["Location"] == f"/classes/{session_id}"
    assert "Your spot is free" in client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)


def test_late_cancellation_needs_confirmation(app, studio, rules):
    rules(free_cancellation_minutes_before=24 * 60)
    session_id = make_session(app, studio, starts_in=timedelta(hours=3), capacity=3, name="Late Cancel Class")
    client, member_id = _signed_in(app, studio)
    page = client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    token = page_csrf(page)
    # Booking is already past the free cancellation time: the card says so, and booking asks first.
    assert "Cancelling it will count as late" in page and "The free cancellation time has passed" in page
    ask = _form(client, studio, f"/classes/{session_id}/book", token, next=f"/classes/{session_id}")
    assert ask.status_code == 200 and "Yes, book it" in ask.get_data(as_text=True)
    assert _booking_of(app, studio, session_id, member_id) is None
    _form(client, studio, f"/classes/{session_id}/book", token, confirm_late="yes")
    booking_id, _ = _booking_of(app, studio, session_id, member_id)
    page = client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    assert "Late cancellation." in page and "Cancel booking (late)" in page and "hx-confirm=" in page
    # without JavaScript: a confirmation page first, nothing cancelled yet
    ask = _form(client, studio, f"/bookings/{booking_id}/cancel", token, next=f"/classes/{session_id}")
    assert ask.status_code == 200 and "Cancel late?" in ask.get_data(as_text=True)
    assert 'name="confirm_late" value="yes"' in ask.get_data(as_text=True)
    assert _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.CONFIRMED
    # htmx without the confirmation: the card again with the warning, still nothing cancelled
    warned = _form(client, studio, f"/bookings/{booking_id}/cancel", token, headers=HX, card="detail")
    assert warned.status_code == 409 and "counts as a late cancellation" in warned.get_data(as_text=True)
    assert _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.CONFIRMED
    done = _form(client, studio, f"/bookings/{booking_id}/cancel", token, confirm_late="yes",
                 next=f"/classes/{session_id}")
    assert done.status_code == 303
    assert _booking_of(app, studio, session_id, member_id)[1] == BookingStatus.LATE_CANCELLED
    assert "late cancellation" in client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)


def test_members_cannot_cancel_someone_elses_booking(app, studio):
    from nexphys.bookings import services

    session_id = make_session(app, studio, capacity=3, name="Not Yours")
    owner_of_booking, _ = person(app, studio)
    with in_studio(app, studio):
        booking_id = services.book(session_id, owner_of_booking).booking.id
        db.session.commit()
    client, _ = _signed_in(app, studio)
    response = _form(client, studio, f"/bookings/{booking_id}/cancel", _token(client, studio))
    assert response.status_code == 404
    assert session_state(app, studio, session_id)["bookings"] == {"confirmed": [owner_of_booking]}


def test_next_cannot_leave_the_site(app, studio):
    session_id = make_session(app, studio, capacity=3, name="Open Redirect")
    client, _ = _signed_in(app, studio)
    response = _form(client, studio, f"/classes/{session_id}/book", _token(client, studio), next="https://evil.example/")
    assert response.status_code == 303 and response.headers["Location"] == f"/classes/{session_id}"


# --- class page -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "member", "owner"])
def test_class_page_renders_for_everyone(app, studio, who):
    day = _future_day(studio, 5)
    coach_id, _ = person(app, studio, "instructor", full_name="Coach Page")
    session_id = add_session(app, studio, "Page Class", day, time(18, 30), capacity=8, instructor_id=coach_id,
                             room="Big Room")
    client = app.test_client() if who == "anonymous" else _signed_in(app, studio, who)[0]
    response = client.get(f"/classes/{session_id}", headers=host(studio))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Page Class" in html and "About Page Class." in html and "Coach Page" in html and "Big Room" in html
    assert "18:30" in html and "Europe/London" in html and "8 spots left" in html
    assert ("Sign in to book" in html) == (who == "anonymous")
    assert (">Book<" in html) == (who != "anonymous")
    assert client.get("/classes/98765432", headers=host(studio)).status_code == 404


# --- My bookings ----------------------------------------------------------------------------------------------

def test_my_bookings_empty_state(app, studio):
    client, _ = _signed_in(app, studio)
    html = client.get("/bookings", headers=host(studio)).get_data(as_text=True)
    assert "No upcoming classes" in html and "No past classes yet." in html
    assert re.search(r'href="/bookings"[^>]*>My bookings<', html)  # in the header
    assert re.search(r"http://[^\"]+/calendar/[\w-]{40,}\.ics", html)


def test_my_bookings_lists_upcoming_and_past_with_positions_and_warnings(app, studio, rules):
    from nexphys.bookings import services

    client, member_id = _signed_in(app, studio)
    day = _future_day(studio, 6)
    booked = add_session(app, studio, "Mine Booked", day, time(9))
    waitlisted = add_session(app, studio, "Mine Waiting", day, time(10), capacity=1)
    rules(free_cancellation_minutes_before=24 * 60)
    late = make_session(app, studio, starts_in=timedelta(hours=2), name="Mine Late")
    past = make_session(app, studio, starts_in=timedelta(hours=-3), name="Mine Past")
    other, _ = person(app, studio)
    with in_studio(app, studio):
        services.book(booked, member_id)
        services.book(waitlisted, other)
        services.book(waitlisted, member_id)
        services.book(late, member_id)
        db.session.add(Booking(session_id=past, member_id=member_id, status=BookingStatus.CONFIRMED))
        db.session.commit()
        services.mark_no_shows()
        db.session.commit()
    html = client.get("/bookings", headers=host(studio)).get_data(as_text=True)
    upcoming, past_part = html.split('id="past-title"')
    assert "Mine Booked" in upcoming and "Mine Waiting" in upcoming and "Waitlist #1" in upcoming
    assert re.search(r"Mine Late.*?Late cancellation.*?Cancel booking \(late\)", upcoming, re.S)
    assert "Mine Past" in past_part and "No-show" in past_part and "Mine Booked" not in past_part
    # cancelling from this page with htmx answers the row
    booking_id, _ = _booking_of(app, studio, booked, member_id)
    response = _form(client, studio, f"/bookings/{booking_id}/cancel", page_csrf(html), headers=HX, card="row",
                     next="/bookings")
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith(f'<li id="booking-{booking_id}"')
    assert ">Cancelled<" in row and "Cancel booking" not in row
    # a late one answers the row again, warned, with its (late) button still there and nothing cancelled
    late_id, _ = _booking_of(app, studio, late, member_id)
    warned = _form(client, studio, f"/bookings/{late_id}/cancel", page_csrf(html), headers=HX, card="row")
    assert warned.status_code == 409
    assert "counts as a late cancellation" in warned.get_data(as_text=True)
    assert "Cancel booking (late)" in warned.get_data(as_text=True) and "hx-confirm=" in warned.get_data(as_text=True)
    assert _booking_of(app, studio, late, member_id)[1] == BookingStatus.CONFIRMED


def test_my_bookings_paginates(app, studio, rules):
    from nexphys.bookings import services

    client, member_id = _signed_in(app, studio)
    day = _future_day(studio, 6)
    rules(max_upcoming_bookings=50)
    ids = [add_session(app, studio, f"Many {i:02d}", day, time(6 + i)) for i in range(12)]
    with in_studio(app, studio):
        for session_id in ids:
            services.book(session_id, member_id)
        db.session.commit()
    first = client.get("/bookings", headers=host(studio)).get_data(as_text=True)
    assert "Many 00" in first and "Many 11" not in first and "Page 1 of 2" in first
    second = client.get("/bookings?page=2", headers=host(studio)).get_data(as_text=True)
    assert "Many 11" in second and "Many 00" not in second


def test_staff_see_the_member_pages(app, studio):
    day = _future_day(studio, 2)
    add_session(app, studio, "Staff View", day, time(9))
    for role in ("owner", "instructor"):
        client, _ = _signed_in(app, studio, role)
        assert "Staff View" in client.get(_day_url(studio, day), headers=host(studio)).get_data(as_text=True)
        assert client.get("/bookings", headers=host(studio)).status_code == 200


# --- a studio that keeps its timetable to signed-in people ------------------------------------------------------

def test_timetable_can_require_sign_in(app, studio):
    session_id = make_session(app, studio, capacity=3, name="Members Only")
    set_settings(app, studio, timetable_requires_sign_in=True)
    try:
        anonymous = app.test_client()
        response = anonymous.get("/?view=day", headers=host(studio))
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
        assert anonymous.get(f"/classes/{session_id}", headers=host(studio)).status_code == 302
        client, _ = _signed_in(app, studio)
        html = client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
        assert "Members Only" in html and ">Book<" in html
        assert client.get("/", headers=host(studio)).status_code == 200
    finally:
        set_settings(app, studio, timetable_requires_sign_in=False)


# --- cost: anonymous viewers cost a fixed number of queries ---------------------------------------------------

def test_timetable_queries_do_not_grow_with_sessions(app, studio):
    from nexphys.extensions import db as database

    day = _future_day(studio, 30)
    add_session(app, studio, "Count One", day, time(6))
    client = app.test_client()

    def count(url: str) -> int:
        client.get(url, headers=host(studio))  # warm caches (tenant, feed token)
        statements = []
        with app.app_context():
            engine = database.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(url, headers=host(studio)).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    few = count(_day_url(studio, day))
    for hour in range(7, 19):
        add_session(app, studio, f"Count {hour}", day, time(hour))
    assert count(_day_url(studio, day)) == few <= 4
    member, _ = _signed_in(app, studio)
    client = member
    # the signed-in person (user, role, permissions: the auth layer's) and one query for their statuses
    assert count(_day_url(studio, day)) <= few + 4


def test_the_class_page_links_staff_to_the_roster_and_not_members(app, studio):
    session_id = make_session(app, studio)
    roster = f"/classes/{session_id}/roster"
    member_client = _signed_in(app, studio, "member")[0]
    assert roster not in member_client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    staff_client = _signed_in(app, studio, "instructor")[0]
    assert roster in staff_client.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    assert staff_client.get(roster, headers=host(studio)).status_code == 200


def test_cards_say_the_cancellation_policy_and_the_booking_limit_before_a_click(app, studio, rules):
    """Free cancellation until when, before booking; at the limit, why there is no Book button."""
    rules(max_upcoming_bookings=1, free_cancellation_minutes_before=120)
    first = make_session(app, studio, starts_in=timedelta(days=1), capacity=5, name="Policy First")
    second = make_session(app, studio, starts_in=timedelta(days=1, hours=2), capacity=5, name="Policy Second")
    client, _member_id = _signed_in(app, studio)
    page = client.get(f"/classes/{first}", headers=host(studio)).get_data(as_text=True)
    assert re.search(r"Free to cancel until \w{3} \d\d \w{3}, \d\d:\d\d", page)
    assert _form(client, studio, f"/classes/{first}/book", page_csrf(page)).status_code == 303
    other = client.get(f"/classes/{second}", headers=host(studio)).get_data(as_text=True)
    assert "You hold 1 of 1 upcoming bookings, the most allowed: cancel one to book this class" in other
    assert ">Book<" not in other
    mine = client.get("/bookings", headers=host(studio)).get_data(as_text=True)
    assert "<strong>1 of 1</strong> upcoming bookings: the most you can hold" in mine
