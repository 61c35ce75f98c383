"""Booking emails: HTML with a plain-text twin saying what, when, where, with whom and until when cancelling is
free; a booking carries the class as a calendar file; a member's own cancellation is confirmed by email."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from nexphys.extensions import db
from nexphys.mail import services
from nexphys.mail.models import OutboxMessage
from tests.factories import make_session, person
from tests.running import rows, run


def _messages(app, studio, address: str) -> list[OutboxMessage]:
    return rows(app, studio, sa.select(OutboxMessage).where(OutboxMessage.to_address == address)
                .order_by(OutboxMessage.id))


def test_a_booking_email_has_the_facts_an_html_twin_and_a_calendar_file(app, studio):
    from nexphys.bookings.services import book
    from nexphys.classes.models import ClassSession, Room

    member_id, email = person(app, studio, "member", full_name="Mia Mailer")
    coach_id, _ = person(app, studio, "instructor", full_name="Coach Kofi")
    session_id = make_session(app, studio, starts_in=timedelta(days=2), name="Harbour Yoga Flow")

    def place() -> None:
        room = Room(name="Sea View Room", capacity=20)
        db.session.add(room)
        db.session.flush()
        db.session.execute(sa.update(ClassSession).where(ClassSession.id == session_id)
                           .values(room_id=room.id, instructor_id=coach_id))

    run(app, studio, place)
    run(app, studio, lambda: book(session_id, member_id))
    message = _messages(app, studio, email)[-1]
    assert message.kind == "booking_confirmed"
    for body in (message.body_text, message.body_html):
        assert "Harbour Yoga Flow" in body and "Sea View Room" in body and "Coach Kofi" in body
        assert "free until" in body.lower() and "Mail Test Studio" in body
    assert message.body_html.lstrip().startswith("<!doctype html>")

    with app.app_context():
        built = services.build_message(message)
    parts = {part.get_content_type(): part for part in built.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    invitation = parts["text/calendar"]
    assert invitation.get_filename().endswith(".ics")
    event = next(c for c in Calendar.from_ical(invitation.get_content()).walk() if c.name == "VEVENT")
    assert str(event["summary"]) == "Harbour Yoga Flow" and str(event["location"]) == "Sea View Room"


def test_a_member_cancelling_gets_a_confirmation(app, studio):
    from nexphys.bookings.services import book, cancel

    member_id, email = person(app, studio, "member")
    session_id = make_session(app, studio, starts_in=timedelta(days=3), name="Cancel Confirm Class")
    booking_id = run(app, studio, lambda: book(session_id, member_id).booking.id)
    run(app, studio, lambda: cancel(booking_id))
    last = _messages(app, studio, email)[-1]
    assert last.kind == "booking_cancelled" and "You cancelled your place in Cancel Confirm Class" in last.body_text
    assert last.attachments == []  # nothing to add to a calendar


def test_an_attachment_name_cannot_break_the_headers(app, studio):
    message = OutboxMessage(to_address="x@example.com", subject="s", body_text="t", kind="generic", body_html=None,
                            attachments=[{"filename": 'evil"\r\nBcc: victim@example.com.ics',
                                          "content_type": "text/calendar", "content": "BEGIN:VCALENDAR"}])
    with app.app_context():
        built = services.build_message(message)
    raw = built.as_string()
    assert not any(line.lower().startswith("bcc:") for line in raw.splitlines())  # no header was smuggled in
    attachment = next(p for p in built.walk() if p.get_content_type() == "text/calendar")
    assert "\r" not in attachment.get_filename() and "\n" not in attachment.get_filename()


def test_the_notifications_page_explains_each_status(app, studio):
    from tests.requests import host, staff_client

    manager, _ = staff_client(app, studio, "manager")
    page = manager.get("/notifications", headers=host(studio)).get_data(as_text=True)
    assert "What the statuses mean" in page and "Kept, not sent" in page and "Nobody received it" in page
    assert ">Kept <" not in page  # the bare word is gone
