"""Emails about bookings: confirmed, waitlisted, promoted, class cancelled, reminder.

Each notice is written to the studio's outbox inside the caller's transaction (so it exists exactly
when the booking change does) and delivered by an RQ job after commit, retried on failure; staff see
failed ones on the notifications page.
"""

from __future__ import annotations

from flask import render_template

from nexphys.bookings.models import Booking
from nexphys.classes.models import ClassSession
from nexphys.mail.services import queue_email
from nexphys.members.models import User
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.urls import studio_url

SUBJECTS = {
    "booking_confirmed": "You're booked: {name} on {when}",
    "waitlisted": "You're on the waitlist: {name} on {when}",
    "promoted": "A place opened up: you're booked for {name} on {when}",
    "session_cancelled": "Cancelled: {name} on {when}",
    "reminder": "Reminder: {name} {when}",
}


def _send(kind: str, member: User, session: ClassSession, **extra) -> None:
    tenant = require_tenant()
    starts = tenant.local(session.starts_at)
    when = starts.strftime("%a %d %b at %H:%M")
    name = session.class_type.name
    body = render_template(
        "emails/booking_notice.txt", kind=kind, member=member, session=session, class_name=name, when=when,
        studio=tenant, url=studio_url(tenant.slug) + "bookings", **extra)
    queue_email(member.email, SUBJECTS[kind].format(name=name, when=when), body, kind=kind)


def booking_confirmed(booking: Booking, session: ClassSession, member: User) -> None:
    _send("booking_confirmed", member, session)


def waitlisted(booking: Booking, session: ClassSession, member: User, position: int | None) -> None:
    _send("waitlisted", member, session, position=position)


def promoted(booking: Booking, session: ClassSession, member: User) -> None:
    _send("promoted", member, session)


def session_cancelled(booking: Booking, session: ClassSession) -> None:
    _send("session_cancelled", booking.member, session, reason=session.cancel_reason)


def reminder(booking: Booking) -> None:
    _send("reminder", booking.member, booking.session)
