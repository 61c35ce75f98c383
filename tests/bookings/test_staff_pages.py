"""Staff booking pages through the client: roster, check-in (plain and htmx), adding and removing by hand,
the check-in desk, member QR codes, and attendance history on a member's page."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from nexphys.bookings import services
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from tests.bookings.history import insert_booking
from tests.factories import audit_entries, create_tenant, drop_tenant, make_session, now, person, session_state
from tests.requests import host, login, page_csrf
from tests.running import in_studio


def _signed_in(app, client, studio, role_key: str) -> tuple[int, str]:
    user_id, email = person(app, studio, role_key, full_name=f"Staff {role_key.title()}")
    assert login(client, studio, email).status_code == 302
    return user_id, email


def _csrf(client, studio) -> str:
    return page_csrf(client.get("/check-in", headers=host(studio)).get_data(as_text=True))


def _book(app, studio, session_id: int, member_id: int, **kwargs) -> int:
    with in_studio(app, studio):
        outcome = services.book(session_id, member_id, **kwargs)
        db.session.commit()
        return outcome.booking.id



def _status(app, studio, booking_id: int) -> str:
    with in_studio(app, studio):
        return db.session.scalar(sa.select(Booking.status).where(Booking.id == booking_id))


def _section(html: str, status: str) -> str:
    match = re.search(rf'<section class="roster-group" id="group-{status}".*?</section>', html, re.S)
    assert match, status
    return match.group(0)


def _since_midnight() -> timedelta:
    moment = now()
    return moment - moment.replace(hour=0, minute=0, second=0)


# --- roster -------------------------------------------------------------------------------------

def test_roster_groups_bookings_by_status(app, client, studio):
    session_id = make_session(app, studio, timedelta(hours=1), capacity=2, name="Roster Grouping Yoga")
    names = ["Ada Confirmed", "Bea Confirmed", "Cal Waiting", "Dee Waiting", "Eve Cancelled"]
    people = {name: person(app, studio, full_name=name)[0] for name in names}
    bookings = {name: _book(app, studio, session_id, member) for name, member in people.items()}
    with in_studio(app, studio):
        services.cancel(bookings["Eve Cancelled"])  # she was waiting: a plain cancellation
        db.session.commit()
    _signed_in(app, client, studio, "instructor")
    response = client.get(f"/classes/{session_id}/roster", headers=host(studio))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Roster Grouping Yoga</h1>" in html and "2 of 2 taken · 0 left" in html
    confirmed, waiting = _section(html, "confirmed"), _section(html, "waitlisted")
    assert "Ada Confirmed" in confirmed and "Bea Confirmed" in confirmed and "Cal Waiting" not in confirmed
    assert re.search(r"Cal Waiting.*?Number 1 in line.*?Dee Waiting.*?Number 2 in line", waiting, re.S)
    assert "Eve Cancelled" in _section(html, "cancelled")
    assert "No one." in _section(html, "checked_in") and "No one." in _section(html, "no_show")
    assert f'href="/members/{people["Ada Confirmed"]}"' in confirmed
    # instructors check people in, but may neither add nor remove (no such buttons)
    assert "Check in Ada Confirmed" in confirmed and "Remove" not in html and "Add to class" not in html
    assert client.get("/classes/987654/roster", headers=host(studio)).status_code == 404
    member_client = app.test_client()
    _signed_in(app, member_client, studio, "member")
    assert member_client.get(f"/classes/{session_id}/roster", headers=host(studio)).status_code == 403


def test_one_click_check_in_without_javascript_redirects_back_with_a_message(app, client, studio):
    session_id = make_session(app, studio, timedelta(minutes=30))
    member_id, _ = person(app, studio, full_name="Plain Checkin")
    booking_id = _book(app, studio, session_id, member_id)
    _signed_in(app, client, studio, "instructor")
    roster_path = f"/classes/{session_id}/roster"
    response = client.post(f"/check-in/bookings/{booking_id}", headers=host(studio),
                           data={"csrf_token": _csrf(client, studio), "view": "roster", "next": roster_path})
    assert response.status_code == 302 and response.headers["Location"] == roster_path
    assert _status(app, studio, booking_id) == BookingStatus.CHECKED_IN
    html = client.get(roster_path, headers=host(studio)).get_data(as_text=True)
    assert "Plain Checkin is checked in." in html and "Plain Checkin" in _section(html, "checked_in")
    # an off-site "next" is ignored
    again = client.post(f"/check-in/bookings/{booking_id}", headers=host(studio),
                        data={"csrf_token": _csrf(client, studio), "next": "https://evil.example/"})
    assert again.headers["Location"] == roster_path


def test_htmx_check_in_refreshes_the_whole_roster_and_refusals_explain(app, client, studio):
    """No stale roster: the check-in answers 204 and "roster-changed"; the roster it refreshes shows the person
    under Checked in with every count moved, and says what happened (once)."""
    session_id = make_session(app, studio, timedelta(minutes=30))
    member_id, _ = person(app, studio, full_name="Htmx Checkin")
    booking_id = _book(app, studio, session_id, member_id)
    _signed_in(app, client, studio, "instructor")
    headers = {**host(studio), "HX-Request": "true"}
    roster_path = f"/classes/{session_id}/roster"
    response = client.post(f"/check-in/bookings/{booking_id}", headers=headers,
                           data={"csrf_token": _csrf(client, studio), "view": "roster"})
    assert response.status_code == 204 and response.headers["HX-Trigger"] == "roster-changed"
    assert _status(app, studio, booking_id) == BookingStatus.CHECKED_IN
    html = client.get(roster_path, headers={**headers, "HX-Target": "roster-live"}).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="roster-live"') and "<html" not in html  # what the trigger fetches
    live = html[html.index('id="roster-live"'):]
    assert "Htmx Checkin is checked in." in live[:live.index("</p>")] and 'role="status"' in live
    assert "Htmx Checkin" in _section(html, "checked_in") and "Htmx Checkin" not in _section(html, "confirmed")
    assert "<dt>Checked in</dt><dd>1</dd>" in html
    assert "Htmx Checkin is checked in." not in client.get(roster_path, headers=host(studio)).get_data(as_text=True)
    # too early: the roster says why (an alert), nothing changed
    later = make_session(app, studio, timedelta(days=2))
    early = _book(app, studio, later, member_id)
    refused = client.post(f"/check-in/bookings/{early}", headers=headers,
                          data={"csrf_token": _csrf(client, studio), "view": "roster"})
    assert refused.status_code == 204 and _status(app, studio, early) == BookingStatus.CONFIRMED
    refresh = {**headers, "HX-Target": "roster-live"}
    text = client.get(f"/classes/{later}/roster", headers=refresh).get_data(as_text=True)
    assert "Check-in opens two hours before the class." in text and 'role="alert"' in text
    assert client.post("/check-in/bookings/987654", headers=headers,
                       data={"csrf_token": _csrf(client, studio)}).status_code == 404


def test_staff_add_a_member_by_hand_past_the_window_and_the_limit_audited(app, client, studio, rules):
    rules(max_upcoming_bookings=1, booking_opens_days_before=2)
    member_id, _ = person(app, studio, full_name="Hand Added")
    _book(app, studio, make_session(app, studio, timedelta(days=1)), member_id)  # at her limit now
    far = make_session(app, studio, timedelta(days=10), name="Far Future Spin")
    manager_id, manager_email = _signed_in(app, client, studio, "manager")
    roster_path = f"/classes/{far}/roster"
    page = client.get(f"{roster_path}?q=hand+added", headers=host(studio)).get_data(as_text=True)
    assert "Add Hand Added to this class" in page and "Not booked" in page
    response = client.post(f"{roster_path}/add", headers=host(studio),
                           data={"csrf_token": page_csrf(page), "member_id": member_id, "next": roster_path})
    assert response.status_code == 302
    state = session_state(app, studio, far)
    assert state["bookings"] == {"confirmed": [member_id]} and state["booked_count"] == 1
    entry = audit_entries(app, studio, "booking.added_by_staff")[-1]
    assert entry["actor"] == manager_email and entry["actor_user_id"] == manager_id
    assert entry["details"]["member_id"] == member_id and entry["details"]["session_id"] == far
    html = client.get(roster_path, headers=host(studio)).get_data(as_text=True)
    assert "Hand Added is booked into this class." in html and "added by staff" in _section(html, "confirmed")
    # adding again is refused politely, never an error page
    again = client.post(f"{roster_path}/add", headers=host(studio),
                        data={"csrf_token": page_csrf(page), "member_id": member_id}, follow_redirects=True)
    assert again.status_code == 200 and "Hand Added already has a place in this class." in again.get_data(as_text=True)
    # instructors may not add people by hand
    instructor = app.test_client()
    _signed_in(app, instructor, studio, "instructor")
    assert instructor.post(f"{roster_path}/add", headers=host(studio),
                           data={"csrf_token": _csrf(instructor, studio), "member_id": member_id}).status_code == 403


def test_remove_asks_for_confirmation_then_frees_the_seat_for_the_waitlist(app, client, studio):
    session_id = make_session(app, studio, timedelta(days=1), capacity=1)
    first, _ = person(app, studio, full_name="Remove Me")
    second, _ = person(app, studio, full_name="Next In Line")
    booking_id = _book(app, studio, session_id, first)
    _book(app, studio, session_id, second)
    _, manager_email = _signed_in(app, client, studio, "manager")
    path = f"/classes/{session_id}/roster/{booking_id}/remove"
    confirm = client.get(path, headers=host(studio))
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Remove Remove Me?" in html and "Yes, remove" in html
    assert _status(app, studio, booking_id) == BookingStatus.CONFIRMED  # nothing happened yet
    response = client.post(path, headers=host(studio), data={"csrf_token": page_csrf(html)})
    assert response.status_code == 302
    assert session_state(app, studio, session_id)["bookings"] == {"cancelled": [first], "confirmed": [second]}
    done = client.get(f"/classes/{session_id}/roster", headers=host(studio)).get_data(as_text=True)
    assert "Remove Me is removed from this class. Next In Line moved up from the waitlist." in done
    assert audit_entries(app, studio, "booking.removed_by_staff", f"booking:{booking_id}")[0]["actor"] == manager_email
    # a booking of another class is not found here; removing twice explains itself
    other = make_session(app, studio)
    assert client.get(f"/classes/{other}/roster/{booking_id}/remove", headers=host(studio)).status_code == 404
    twice = client.get(path, headers=host(studio), follow_redirects=True).get_data(as_text=True)
    assert "there is nothing to remove" in twice


# --- check-in desk and QR codes --------------------------------------------------------------------

def test_check_in_desk_finds_members_and_their_classes_today(app, client, studio):
    today_class = make_session(app, studio, -_since_midnight() / 2, name="Desk Today Barre")
    tomorrow_class = make_session(app, studio, timedelta(days=1, hours=1), name="Desk Tomorrow Barre")
    member_id, email = person(app, studio, full_name="Desk Zebra")
    booking_id = insert_booking(app, studio, today_class, member_id, BookingStatus.CONFIRMED)
    _book(app, studio, tomorrow_class, member_id)
    _signed_in(app, client, studio, "instructor")
    page = client.get("/check-in?q=desk+zebra", headers=host(studio))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Desk Zebra" in html and "Desk Today Barre" in html
    assert "Desk Tomorrow Barre" not in html and 'autofocus' in html and '<label for="q">' in html
    assert client.get(f"/check-in?q={email}", headers=host(studio)).get_data(as_text=True).count("Desk Zebra") >= 1
    row = client.post(f"/check-in/bookings/{booking_id}", headers={**host(studio), "HX-Request": "true"},
                      data={"csrf_token": page_csrf(html), "view": "desk", "next": "/check-in?q=desk+zebra"})
    text = row.get_data(as_text=True)
    assert row.status_code == 200 and text.lstrip().startswith(f'<tr id="desk-booking-{booking_id}">')
    assert "Desk Zebra is checked in." in text and _status(app, studio, booking_id) == BookingStatus.CHECKED_IN
    nobody = client.get("/check-in?q=nobody-by-this-name", headers=host(studio)).get_data(as_text=True)
    assert "No active member matches" in nobody


def test_profile_qr_code_opens_the_members_check_in_for_staff_only(app, client, studio):
    from nexphys.checkin import codes as checkin

    today_class = make_session(app, studio, -_since_midnight() / 2, name="QR Today Pilates")
    member_id, email = person(app, studio, full_name="Qr Member")
    insert_booking(app, studio, today_class, member_id, BookingStatus.CONFIRMED)
    member_client = app.test_client()
    assert login(member_client, studio, email).status_code == 302
    profile = member_client.get("/profile", headers=host(studio)).get_data(as_text=True)
    with in_studio(app, studio):
        code = checkin.member_code(member_id)
        url = checkin.check_in_url(member_id)
        expected_svg = checkin.qr_svg(url, "Check-in code for Qr Member")
    assert url == f"http://{studio.slug}.localhost/check-in/{code}"
    assert expected_svg in profile and '<svg width="' in profile and "Your check-in code" in profile
    # the member cannot use the code themselves; staff see the member's classes today
    assert member_client.get(f"/check-in/{code}", headers=host(studio)).status_code == 403
    _signed_in(app, client, studio, "instructor")
    staff_page = client.get(f"/check-in/{code}", headers=host(studio))
    html = staff_page.get_data(as_text=True)
    assert staff_page.status_code == 200 and "Check in Qr Member" in html and "QR Today Pilates" in html
    assert "Check Qr Member in to QR Today Pilates" in html
    # forged or mangled codes are not found
    for bad in (code[:-2] + ("AA" if not code.endswith("AA") else "BB"), "12", "not-a-code"):
        assert client.get(f"/check-in/{bad}", headers=host(studio)).status_code == 404


def test_a_code_from_another_studio_is_useless_here(app, client, studio):
    from nexphys.checkin import codes as checkin

    member_id, _ = person(app, studio, full_name="Same Id Elsewhere")
    other = create_tenant(app, name="Other QR Studio")
    try:
        with in_studio(app, other):
            foreign = checkin.member_code(member_id)  # the same id, signed for the other studio
        with in_studio(app, studio):
            assert checkin.member_from_code(foreign) is None and checkin.member_code(member_id) != foreign
        _signed_in(app, client, studio, "manager")
        response = client.get(f"/check-in/{foreign}", headers=host(studio))
        assert response.status_code == 404 and "not valid here" in response.get_data(as_text=True)
    finally:
        drop_tenant(app, other.slug)


# --- attendance history --------------------------------------------------------------------------------

def test_member_page_shows_attendance_history_with_counts_and_pages(app, client, studio):
    member_id, email = person(app, studio, full_name="History Heron")
    statuses = [BookingStatus.CHECKED_IN] * 8 + [BookingStatus.NO_SHOW] * 2 + [BookingStatus.LATE_CANCELLED] + [
        BookingStatus.CANCELLED]
    for n, status in enumerate(statuses):
        session_id = make_session(app, studio, -timedelta(days=n + 1), name=f"History Class {n:02d}")
        insert_booking(app, studio, session_id, member_id, status)
    _book(app, studio, make_session(app, studio, timedelta(days=1), name="History Future"), member_id)
    _signed_in(app, client, studio, "manager")
    html = client.get(f"/members/{member_id}", headers=host(studio)).get_data(as_text=True)
    assert '<h2 id="history-title">Attendance</h2>' in html
    assert "<strong>8</strong> attended" in html and "<strong>2</strong> no-shows" in html
    assert "<strong>1</strong> late cancellation<" in html
    assert "History Class 00" in html and "History Future" not in html and "History Class 11" not in html
    assert html.count("History Class") == 10 and "Page 1 of 2" in html  # 11 past classes, 10 a page
    second = client.get(f"/members/{member_id}?page=2", headers=host(studio)).get_data(as_text=True)
    assert "History Class 10" in second and "Late cancellation" in second
    # members do not see the history on their own page
    member_client = app.test_client()
    assert login(member_client, studio, email).status_code == 302
    own = member_client.get(f"/members/{member_id}", headers=host(studio)).get_data(as_text=True)
    assert "Attendance" not in own


def test_check_in_link_in_the_header_for_staff(app, client, studio):
    _signed_in(app, client, studio, "instructor")
    html = client.get("/check-in", headers=host(studio)).get_data(as_text=True)
    assert re.search(r'<a href="/check-in"[^>]*>Check-in desk</a>', html)
    member_client = app.test_client()
    _signed_in(app, member_client, studio, "member")
    assert 'href="/check-in"' not in member_client.get("/profile", headers=host(studio)).get_data(as_text=True)


def test_check_ins_are_audited_and_can_be_undone_for_a_few_minutes(app, client, studio):
    session_id = make_session(app, studio, timedelta(minutes=30))
    member_id, _ = person(app, studio, full_name="Oops Wrongperson")
    booking_id = _book(app, studio, session_id, member_id)
    _user_id, staff_email = _signed_in(app, client, studio, "instructor")
    roster_path = f"/classes/{session_id}/roster"
    client.post(f"/check-in/bookings/{booking_id}", headers=host(studio),
                data={"csrf_token": _csrf(client, studio), "next": roster_path})
    checked = audit_entries(app, studio, "booking.checked_in", f"booking:{booking_id}")
    assert checked and checked[-1]["actor"] == staff_email and checked[-1]["details"]["member"] == "Oops Wrongperson"
    roster = client.get(roster_path, headers=host(studio)).get_data(as_text=True)
    assert "Undo the check-in of Oops Wrongperson" in _section(roster, "checked_in")

    undone = client.post(f"/check-in/bookings/{booking_id}/undo", headers=host(studio),
                         data={"csrf_token": _csrf(client, studio), "next": roster_path})
    assert undone.status_code == 302 and _status(app, studio, booking_id) == BookingStatus.CONFIRMED
    assert audit_entries(app, studio, "booking.check_in_undone", f"booking:{booking_id}")[-1]["actor"] == staff_email
    page = client.get(roster_path, headers=host(studio)).get_data(as_text=True)
    assert "Check-in of Oops Wrongperson undone: booked again." in page
    assert "Oops Wrongperson" in _section(page, "confirmed")

    # Past the undo window the check-in stays, and the page says why.
    client.post(f"/check-in/bookings/{booking_id}", headers=host(studio), data={"csrf_token": _csrf(client, studio)})
    with in_studio(app, studio):
        db.session.execute(sa.update(Booking).where(Booking.id == booking_id)
                           .values(checked_in_at=sa.func.now() - services.CHECK_IN_UNDO_WITHIN - timedelta(seconds=5)))
        db.session.commit()
    late = client.post(f"/check-in/bookings/{booking_id}/undo", headers=host(studio),
                       data={"csrf_token": _csrf(client, studio), "next": roster_path})
    assert late.status_code == 302 and _status(app, studio, booking_id) == BookingStatus.CHECKED_IN
    page = client.get(roster_path, headers=host(studio)).get_data(as_text=True)
    assert "can no longer be undone" in page and "Undo the check-in of" not in page


def test_check_in_buttons_wait_until_check_in_opens(app, client, studio):
    later = make_session(app, studio, timedelta(hours=5))
    member_id, _ = person(app, studio, full_name="Early Bird")
    _book(app, studio, later, member_id)
    _signed_in(app, client, studio, "instructor")
    page = client.get(f"/classes/{later}/roster", headers=host(studio)).get_data(as_text=True)
    confirmed = _section(page, "confirmed")
    assert "Early Bird" in confirmed and "Check in Early Bird" not in confirmed
    assert re.search(r"Check-in opens (\w{3} \d\d \w{3}, )?\d\d:\d\d", confirmed)
