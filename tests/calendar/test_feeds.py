"""Calendar feeds: a member's bookings and the studio timetable as .ics, parsed back with icalendar."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from nexphys.extensions import db
from tests.factories import create_tenant, drop_tenant, make_session, person
from tests.requests import host, login, page_csrf
from tests.running import in_studio


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Calendar Test Studio", time_zone="America/New_York")
    yield info
    drop_tenant(app, info.slug)


def _with_room(app, studio, session_id: int, room: str) -> None:
    from nexphys.classes.models import ClassSession, Room

    with in_studio(app, studio):
        db.session.get(ClassSession, session_id).room = Room(name=room, capacity=20)
        db.session.commit()


def _book(app, studio, session_id: int, member_id: int) -> int:
    from nexphys.bookings import services

    with in_studio(app, studio):
        booking_id = services.book(session_id, member_id).booking.id
        db.session.commit()
        return booking_id


def _events(response) -> dict[str, dict]:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _member_feed_path(client, studio) -> str:
    html = client.get("/bookings", headers=host(studio)).get_data(as_text=True)
    return re.search(r"http://[^/\"]+(/calendar/[\w-]+\.ics)", html).group(1)


def _signed_in(app, studio):
    member_id, email = person(app, studio)
    client = app.test_client()
    assert login(client, studio, email).status_code == 302
    return client, member_id


def test_member_feed_has_booked_classes_in_utc(app, studio):
    client, member_id = _signed_in(app, studio)
    booked = make_session(app, studio, starts_in=timedelta(days=2), name="Feed Yoga")
    _with_room(app, studio, booked, "Feed Room")
    waiting_only = make_session(app, studio, starts_in=timedelta(days=2), capacity=0, name="Feed Waitlist")
    not_mine = make_session(app, studio, starts_in=timedelta(days=3), name="Feed Other")
    _book(app, studio, booked, member_id)
    _book(app, studio, waiting_only, member_id)
    events = _events(client.get(_member_feed_path(client, studio), headers=host(studio)))
    assert len(events) == 1
    (uid, event), = events.items()
    assert uid == f"booking-{booked}@{studio.slug}.nexphys"
    assert str(event["SUMMARY"]) == "Feed Yoga" and str(event["LOCATION"]) == "Feed Room"
    assert str(event["STATUS"]) == "CONFIRMED"
    starts = event.decoded("DTSTART")
    assert starts.tzinfo is not None and starts.utcoffset() == timedelta(0)
    assert "Z" in event["DTSTART"].to_ical().decode()
    with in_studio(app, studio):
        from nexphys.classes.models import ClassSession

        assert starts == db.session.get(ClassSession, booked).starts_at.astimezone(UTC)
    assert {f"booking-{other}@{studio.slug}.nexphys" for other in (not_mine, waiting_only)}.isdisjoint(events)


def test_cancelled_class_stays_in_the_member_feed_marked_cancelled(app, studio):
    from nexphys.bookings import services

    client, member_id = _signed_in(app, studio)
    session_id = make_session(app, studio, starts_in=timedelta(days=1), name="Feed Cancelled")
    _book(app, studio, session_id, member_id)
    path = _member_feed_path(client, studio)
    uid = f"booking-{session_id}@{studio.slug}.nexphys"
    assert str(_events(client.get(path, headers=host(studio)))[uid]["STATUS"]) == "CONFIRMED"
    with in_studio(app, studio):
        services.cancel_session(session_id, "Flooded")
        db.session.commit()
    event = _events(client.get(path, headers=host(studio)))[uid]  # same UID: apps update it in place
    assert str(event["STATUS"]) == "CANCELLED" and "Flooded" in str(event["DESCRIPTION"])


def test_feed_needs_no_sign_in_and_unknown_tokens_are_404(app, studio):
    client, _ = _signed_in(app, studio)
    path = _member_feed_path(client, studio)
    anonymous = app.test_client()
    assert anonymous.get(path, headers=host(studio)).status_code == 200
    assert anonymous.get("/calendar/not-a-real-token.ics", headers=host(studio)).status_code == 404
    assert anonymous.get("/calendar/.ics", headers=host(studio)).status_code == 404


def test_feed_tokens_belong_to_their_studio(app, studio, tenant_a):
    client, _ = _signed_in(app, studio)
    path = _member_feed_path(client, studio)
    assert app.test_client().get(path, headers=host(tenant_a)).status_code == 404


def test_resetting_the_member_link_revokes_the_old_one(app, studio):
    client, _ = _signed_in(app, studio)
    old = _member_feed_path(client, studio)
    token = page_csrf(client.get("/bookings", headers=host(studio)).get_data(as_text=True))
    response = client.post("/calendar/reset", headers=host(studio), data={"csrf_token": token})
    assert response.status_code == 303
    new = _member_feed_path(client, studio)
    assert new != old
    assert client.get(old, headers=host(studio)).status_code == 404
    assert client.get(new, headers=host(studio)).status_code == 200


def test_studio_feed_has_the_timetable_with_cancelled_classes(app, studio):
    from nexphys.bookings import services

    kept = make_session(app, studio, starts_in=timedelta(days=4), name="Studio Feed Kept")
    gone = make_session(app, studio, starts_in=timedelta(days=5), name="Studio Feed Gone")
    far = make_session(app, studio, starts_in=timedelta(weeks=20), name="Studio Feed Far")
    with in_studio(app, studio):
        services.cancel_session(gone)
        db.session.commit()
    html = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    path = re.search(r"http://[^/\"]+(/calendar/[\w-]+\.ics)", html).group(1)
    events = _events(app.test_client().get(path, headers=host(studio)))
    assert str(events[f"session-{kept}@{studio.slug}.nexphys"]["STATUS"]) == "CONFIRMED"
    cancelled = events[f"session-{gone}@{studio.slug}.nexphys"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and "cancelled" in str(cancelled["SUMMARY"])
    assert f"session-{far}@{studio.slug}.nexphys" not in events  # beyond the weeks scheduled ahead
    assert all(e.decoded("DTSTART").utcoffset() == timedelta(0) for e in events.values())


def test_owner_resets_the_studio_feed_and_members_cannot(app, studio):
    html = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    old = re.search(r"http://[^/\"]+(/calendar/[\w-]+\.ics)", html).group(1)
    member, _ = _signed_in(app, studio)
    token = page_csrf(member.get("/bookings", headers=host(studio)).get_data(as_text=True))
    assert member.post("/calendar/studio/reset", headers=host(studio), data={"csrf_token": token}).status_code == 403
    _, email = person(app, studio, "owner")
    owner = app.test_client()
    login(owner, studio, email)
    page = owner.get("/bookings", headers=host(studio)).get_data(as_text=True)
    assert "Reset the studio feed link" in page
    assert owner.post("/calendar/studio/reset", headers=host(studio),
                      data={"csrf_token": page_csrf(page)}).status_code == 303
    assert owner.get(old, headers=host(studio)).status_code == 404
    html = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    new = re.search(r"http://[^/\"]+(/calendar/[\w-]+\.ics)", html).group(1)
    assert new != old and app.test_client().get(new, headers=host(studio)).status_code == 200


def test_an_inactive_members_feed_stops(app, studio):
    from nexphys.members.models import User

    client, member_id = _signed_in(app, studio)
    path = _member_feed_path(client, studio)
    with in_studio(app, studio):
        db.session.execute(sa.update(User).where(User.id == member_id).values(status="inactive"))
        db.session.commit()
    assert app.test_client().get(path, headers=host(studio)).status_code == 404
