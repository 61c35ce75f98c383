"""The front desk through the client: today's classes with who is expected, check-in and undo that refresh the
class's counts, a scanned code, member codes, and the kiosk (its lock, self check-in, unlocking) across studios."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.bookings import services
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from tests.bookings.history import insert_booking
from tests.factories import audit_entries, create_tenant, drop_tenant, make_session, now, person
from tests.requests import host, login, page_csrf
from tests.running import in_studio


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Front Desk Studio")
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture(scope="module")
def other(app):
    info = create_tenant(app, name="Other Front Desk Studio")
    yield info
    drop_tenant(app, info.slug)


def _since_midnight() -> timedelta:
    moment = now()
    return moment - moment.replace(hour=0, minute=0, second=0)


def _open_class(app, studio, name: str) -> int:
    """A class of today whose check-in is open now and that is not over (whatever the hour)."""
    elapsed = _since_midnight()
    return make_session(app, studio, -elapsed / 2, minutes=int(elapsed.total_seconds() // 60) + 60, name=name)


def _book(app, studio, session_id: int, member_id: int) -> int:
    """A confirmed booking (written directly: the class may have started, as most of today's have)."""
    return insert_booking(app, studio, session_id, member_id, BookingStatus.CONFIRMED)


def _status(app, studio, booking_id: int) -> str:
    with in_studio(app, studio):
        return db.session.scalar(sa.select(Booking.status).where(Booking.id == booking_id))


def _staff(app, client, studio, role_key: str = "instructor", **kwargs) -> tuple[int, str]:
    user_id, email = person(app, studio, role_key, full_name=kwargs.pop("full_name", f"Desk {role_key.title()}"))
    assert login(client, studio, email).status_code == 302
    return user_id, email


def _short_code(app, studio, member_id: int) -> str:
    from nexphys.checkin import codes

    with in_studio(app, studio):
        return codes.short_code(member_id)


def _counts(html: str, session_id: int) -> str:
    match = re.search(rf'<span class="desk-counts" id="desk-counts-{session_id}"[^>]*>(.*?)</span>', html, re.S)
    assert match, html
    return " ".join(match.group(1).split())


# --- member codes ------------------------------------------------------------------------------------------

def test_a_short_member_code_reads_back_and_means_nothing_in_another_studio(app, studio, other):
    from nexphys.checkin import codes

    member_id, _ = person(app, studio, full_name="Code Reader")
    with in_studio(app, studio):
        code = codes.short_code(member_id)
        assert re.fullmatch(rf"{member_id}-\d{{6}}", code)
        assert codes.member_from_short_code(code) == member_id
        assert codes.member_from_any(f" {code.replace('-', ' ')} ") == member_id  # typed with a space
        assert codes.member_from_any(codes.check_in_url(member_id)) == member_id  # the QR's address
        wrong_digit = code[:-1] + str((int(code[-1]) + 1) % 10)
        assert codes.member_from_short_code(wrong_digit) is None
        assert codes.member_from_any("") is None and codes.member_from_any("１２３４５６７８") is None
    with in_studio(app, other):
        assert codes.member_from_short_code(code) is None  # the same id signs differently there


# --- the desk ------------------------------------------------------------------------------------------------

def test_the_desk_lists_todays_classes_with_who_is_expected(app, client, studio):
    open_id = _open_class(app, studio, "Desk Open Spin")
    ana, _ = person(app, studio, full_name="Ana Expected")
    bo, _ = person(app, studio, full_name="Bo Arrived")
    _book(app, studio, open_id, ana)
    bo_booking = _book(app, studio, open_id, bo)
    with in_studio(app, studio):
        services.check_in(bo_booking, actor="test")
        db.session.commit()
    _staff(app, client, studio)
    response = client.get("/check-in", headers=host(studio))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Today's classes" in html
    assert _counts(html, open_id) == "2 of 10 booked · 1 checked in · 1 to come"
    section = re.search(rf'<details class="desk-class" id="desk-class-{open_id}".*?</details>', html, re.S).group(0)
    assert "Ana Expected" in section and "Check Ana Expected in to Desk Open Spin" in section
    assert "Bo Arrived" in section and "Undo the check-in of Bo Arrived" in section  # just checked in: undo there
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")  # the scanner may use the camera
    assert client.get("/profile", headers=host(studio)).headers["Permissions-Policy"].startswith("camera=()")


def test_the_desk_says_when_check_in_opens_for_a_later_class(app, client, studio):
    if _since_midnight() > timedelta(hours=21):
        pytest.skip("no class later today can start more than two hours from now")
    later_id = make_session(app, studio, timedelta(hours=2, minutes=30), name="Desk Later Barre")
    member, _ = person(app, studio, full_name="Cy Later")
    _book(app, studio, later_id, member)
    _staff(app, client, studio)
    html = client.get("/check-in", headers=host(studio)).get_data(as_text=True)
    section = re.search(rf'<details class="desk-class" id="desk-class-{later_id}".*?</details>', html, re.S).group(0)
    assert "Check-in opens at" in section and "Cy Later" in section and "Check Cy Later in" not in section


def test_the_desk_reads_a_fixed_number_of_queries_whatever_the_classes(app, client, studio):
    from tests.running import count_statements

    _staff(app, client, studio)
    desk = lambda: client.get("/check-in", headers=host(studio))  # noqa: E731
    desk()  # warm caches (settings, tenant)
    before = count_statements(app, desk)
    for n in range(3):
        session_id = _open_class(app, studio, f"Desk Extra Class {n}")
        for k in range(2):
            _book(app, studio, session_id, person(app, studio, full_name=f"Extra {n}{k}")[0])
    assert count_statements(app, desk) == before


def test_htmx_check_in_and_undo_swap_the_row_and_the_class_counts(app, client, studio):
    session_id = _open_class(app, studio, "Desk Htmx Row")
    member, _ = person(app, studio, full_name="Dee Tapped")
    booking_id = _book(app, studio, session_id, member)
    _staff(app, client, studio)
    token = page_csrf(client.get("/check-in", headers=host(studio)).get_data(as_text=True))
    htmx = {**host(studio), "HX-Request": "true"}
    answer = client.post(f"/check-in/bookings/{booking_id}", headers=htmx,
                         data={"csrf_token": token, "view": "arrival"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and text.lstrip().startswith(f'<li class="arrival" id="arrival-{booking_id}">')
    assert "Dee Tapped is checked in." in text and "Undo the check-in of Dee Tapped" in text
    assert 'hx-swap-oob="true"' in text and _counts(text, session_id) == "1 of 10 booked · 1 checked in"
    assert _status(app, studio, booking_id) == BookingStatus.CHECKED_IN
    undone = client.post(f"/check-in/bookings/{booking_id}/undo", headers=htmx,
                         data={"csrf_token": token, "view": "arrival"}).get_data(as_text=True)
    assert "undone: booked again" in undone and "Check Dee Tapped in to Desk Htmx Row" in undone
    assert _counts(undone, session_id) == "1 of 10 booked · 0 checked in · 1 to come"
    # a search row on the desk refreshes the same counts; on a member's own page there are none to refresh
    row = client.post(f"/check-in/bookings/{booking_id}", headers=htmx,
                      data={"csrf_token": token, "view": "desk", "counts": "yes"}).get_data(as_text=True)
    assert f'id="desk-booking-{booking_id}"' in row
    assert _counts(row, session_id).startswith("1 of 10 booked · 1 checked")
    client.post(f"/check-in/bookings/{booking_id}/undo", headers=htmx, data={"csrf_token": token, "view": "desk"})
    bare = client.post(f"/check-in/bookings/{booking_id}", headers=htmx,
                       data={"csrf_token": token, "view": "desk"}).get_data(as_text=True)
    assert "desk-counts" not in bare


def test_a_scanned_code_checks_in_when_one_class_is_open_else_opens_the_members_page(app, client, studio):
    from nexphys.checkin import codes

    first = _open_class(app, studio, "Desk Scan One")
    second = _open_class(app, studio, "Desk Scan Two")
    solo, _ = person(app, studio, full_name="Sol Scanned")
    pair, _ = person(app, studio, full_name="Pat Twice")
    solo_booking = _book(app, studio, first, solo)
    pair_bookings = [_book(app, studio, first, pair), _book(app, studio, second, pair)]
    _staff(app, client, studio)
    token = page_csrf(client.get("/check-in", headers=host(studio)).get_data(as_text=True))
    with in_studio(app, studio):
        solo_url, pair_url = codes.check_in_url(solo), codes.check_in_url(pair)
        solo_page, pair_page = f"/check-in/{codes.member_code(solo)}", f"/check-in/{codes.member_code(pair)}"
    answer = client.post("/check-in/scan", headers=host(studio), data={"csrf_token": token, "code": solo_url})
    assert answer.status_code == 302 and answer.headers["Location"] == solo_page
    assert _status(app, studio, solo_booking) == BookingStatus.CHECKED_IN
    assert "Sol Scanned is checked in to Desk Scan One" in client.get(solo_page, headers=host(studio)).get_data(
        as_text=True)
    two = client.post("/check-in/scan", headers=host(studio), data={"csrf_token": token, "code": pair_url})
    assert two.headers["Location"] == pair_page  # two classes open: staff choose
    assert [_status(app, studio, b) for b in pair_bookings] == [BookingStatus.CONFIRMED] * 2
    bad = client.post("/check-in/scan", headers=host(studio), data={"csrf_token": token, "code": "https://x/y"},
                      follow_redirects=True)
    assert bad.status_code == 200 and "check-in code here. Find them by name" in bad.get_data(as_text=True)
    typed = client.get(f"/check-in?q={_short_code(app, studio, pair)}", headers=host(studio))
    assert typed.status_code == 302 and typed.headers["Location"] == pair_page  # a typed member code finds them


# --- the kiosk -----------------------------------------------------------------------------------------------

def _start_kiosk(app, client, studio, role_key: str = "instructor") -> tuple[int, str, str]:
    user_id, email = _staff(app, client, studio, role_key, full_name="Kiosk Starter")
    token = page_csrf(client.get("/check-in", headers=host(studio)).get_data(as_text=True))
    answer = client.post("/check-in/kiosk/start", headers=host(studio), data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/kiosk"
    return user_id, email, token


def _kiosk_says(client, studio, token: str, code: str) -> str:
    answer = client.post("/kiosk", headers=host(studio), data={"csrf_token": token, "code": code})
    assert answer.status_code == 302 and answer.headers["Location"] == "/kiosk"
    page = client.get("/kiosk", headers=host(studio)).get_data(as_text=True)
    return " ".join(re.search(r'<h1 id="kiosk-result-title"[^>]*>(.*?)</h1>', page, re.S).group(1).split())


def test_the_kiosk_locks_the_browser_and_members_check_themselves_in(app, client, studio):
    _starter, email, token = _start_kiosk(app, client, studio)
    assert audit_entries(app, studio, "checkin.kiosk_started")[-1]["actor"] == email
    for path in ("/", "/check-in", "/schedule", "/profile", "/login", "/audit"):
        answer = client.get(path, headers=host(studio))
        assert answer.status_code == 302 and answer.headers["Location"] == "/kiosk", path
    assert client.post("/logout", headers=host(studio), data={"csrf_token": token}).headers["Location"] == "/kiosk"
    assert client.get("/api/v1/classes", headers=host(studio)).status_code != 302  # the API is untouched
    page = client.get("/kiosk", headers=host(studio))
    assert page.status_code == 200 and 'id="code"' in page.get_data(as_text=True)

    session_id = _open_class(app, studio, "Kiosk Spin")
    sam, _ = person(app, studio, full_name="Sam Selfie")
    booking = _book(app, studio, session_id, sam)
    code = _short_code(app, studio, sam)
    said = _kiosk_says(client, studio, token, code)
    assert re.fullmatch(r"Welcome, Sam — you're checked in to \d\d:\d\d Kiosk Spin\.", said), said
    assert _status(app, studio, booking) == BookingStatus.CHECKED_IN
    entry = audit_entries(app, studio, "booking.checked_in", f"booking:{booking}")[-1]
    assert entry["actor"] == f"Kiosk (started by {email})" and entry["actor_user_id"] is None
    assert "already checked in" in _kiosk_says(client, studio, token, code)
    nobody, _ = person(app, studio, full_name="Nia Nothing")
    assert "no class to check in to today" in _kiosk_says(client, studio, token, _short_code(app, studio, nobody))
    assert "don't know that code" in _kiosk_says(client, studio, token, "12-345678")
    assert "don't know that code" in _kiosk_says(client, studio, token, "not a code at all <script>")
    refresh = client.get("/kiosk", headers=host(studio)).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in refresh  # the bare kiosk; a result page resets itself
    _kiosk_says(client, studio, token, code)


def test_the_kiosk_refuses_another_studios_members(app, client, studio, other):
    from nexphys.checkin import codes

    session_id = _open_class(app, studio, "Kiosk Home Class")
    member, _ = person(app, studio, full_name="Hana Home")
    booking = _book(app, studio, session_id, member)
    with in_studio(app, studio):
        home_code, home_url = codes.short_code(member), codes.check_in_url(member)
    # a kiosk in the other studio, which has a member with the same id and a class open
    twin_session = _open_class(app, other, "Kiosk Other Class")
    _, _, token = _start_kiosk(app, client, other)
    with in_studio(app, other):
        from nexphys.members.models import User

        twin = db.session.get(User, member)
    if twin is not None:
        _book(app, other, twin_session, member)
    for code in (home_code, home_url):
        assert "don't know that code" in _kiosk_says(client, other, token, code)
    assert _status(app, studio, booking) == BookingStatus.CONFIRMED


def test_only_the_starters_password_unlocks_the_kiosk_audited_and_throttled(app, client, studio):
    _starter, email, token = _start_kiosk(app, client, studio, "manager")
    page = client.get("/kiosk/unlock", headers=host(studio)).get_data(as_text=True)
    assert "Kiosk Starter" in page or email in page
    wrong = client.post("/kiosk/unlock", headers=host(studio), data={"csrf_token": token, "password": "nope"})
    assert wrong.status_code == 422 and "not the password" in wrong.get_data(as_text=True)
    assert audit_entries(app, studio, "checkin.kiosk_unlock_failed")
    assert client.get("/check-in", headers=host(studio)).headers["Location"] == "/kiosk"  # still locked
    from tests.factories import TEST_PASSWORD

    app.config["LOGIN_LIMIT_PER_ACCOUNT"], limit = "3 per minute", app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    try:
        for _ in range(3):
            client.post("/kiosk/unlock", headers=host(studio), data={"csrf_token": token, "password": "nope"})
        throttled = client.post("/kiosk/unlock", headers=host(studio),
                                data={"csrf_token": token, "password": TEST_PASSWORD}, follow_redirects=True)
        assert "Too many wrong passwords" in throttled.get_data(as_text=True)
        assert client.get("/check-in", headers=host(studio)).headers["Location"] == "/kiosk"
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = limit
    # a fresh kiosk (its own count) unlocks with the starter's password
    fresh = app.test_client()
    _, email, token = _start_kiosk(app, fresh, studio, "manager")
    right = fresh.post("/kiosk/unlock", headers=host(studio), data={"csrf_token": token, "password": TEST_PASSWORD})
    assert right.status_code == 302 and right.headers["Location"] == "/check-in"
    assert audit_entries(app, studio, "checkin.kiosk_unlocked")[-1]["actor"] == email
    assert fresh.get("/check-in", headers=host(studio)).status_code == 200  # the desk again


def test_members_cannot_start_a_kiosk_and_the_kiosk_pages_need_one(app, client, studio):
    _, email = person(app, studio, full_name="Mo Member")
    assert login(client, studio, email).status_code == 302
    token = page_csrf(client.get("/profile", headers=host(studio)).get_data(as_text=True))
    assert client.post("/check-in/kiosk/start", headers=host(studio), data={"csrf_token": token}).status_code == 403
    assert client.get("/kiosk", headers=host(studio)).headers["Location"] == "/check-in"
    assert client.post("/kiosk", headers=host(studio), data={"csrf_token": token, "code": "1-000000"}
                       ).headers["Location"] == "/check-in"
    assert client.get("/", headers=host(studio)).status_code == 200  # not locked
