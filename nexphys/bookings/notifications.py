"""Emails about bookings: confirmed, waitlisted, promoted, cancelled by the member, class cancelled, reminder.

Each notice is written to the studio's outbox inside the caller's transaction (so it exists exactly
when the booking change does) and delivered by an RQ job after commit, retried on failure; staff see
failed ones on the notifications page. Each is HTML with a plain-text twin, says what, when, where, with
whom and until when cancelling is free, and a booking carries the class as a calendar file (.ics).
"""

from __future__ import annotations

from flask import render_template

from nexphys.bookings.models import Booking
from nexphys.bookings.rules import ROLE_RULES_SETTING, RULE_SETTINGS, rules_from_settings
from nexphys.calendar.events import invitation
from nexphys.classes.models import ClassSession
from nexphys.mail.services import queue_email
from nexphys.members.models import User
from nexphys.settings.services import cached_settings
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.urls import studio_url

SUBJECTS = {
    "booking_confirmed": "You're booked: {name} on {when}",
    "waitlisted": "You're on the waitlist: {name} on {when}",
    "promoted": "A place opened up: you're booked for {name} on {when}",
    "session_cancelled": "Cancelled: {name} on {when}",
    "booking_cancelled": "You cancelled {name} on {when}",
    "reminder": "Reminder: {name} {when}",
}
# These carry the class as a calendar file to add with one tap.
WITH_INVITATION = ("booking_confirmed", "promoted")


def _send(kind: str, member: User, session: ClassSession, **extra) -> None:
    tenant = require_tenant()
    starts, ends = tenant.local(session.starts_at), tenant.local(session.ends_at)
    when = starts.strftime("%a %d %b at %H:%M")
    name = session.class_type.name
    rules = rules_from_settings(cached_settings([*RULE_SETTINGS, ROLE_RULES_SETTING]), member.role.key)
    context = {"kind": kind, "member": member, "session": session, "class_name": name, "when": when,
               "studio": tenant, "url": studio_url(tenant.slug) + "bookings",
               "span": f"{starts:%A %d %B}, {starts:%H:%M}–{ends:%H:%M} ({tenant.time_zone})",
               "free_until": tenant.local(rules.free_cancel_until(session.starts_at)).strftime("%a %d %b, %H:%M"),
               **extra}
    attachments = None
    if kind in WITH_INVITATION:
        attachments = [{"filename": f"{name} {starts:%Y-%m-%d %H%M}.ics", "content_type": "text/calendar",
                        "content": invitation(session)}]
    queue_email(member.email, SUBJECTS[kind].format(name=name, when=when),
                render_template("emails/booking_notice.txt", **context), kind=kind,
                html=render_template("emails/booking_notice.html", **context), attachments=attachments)


def booking_confirmed(booking: Booking, session: ClassSession, member: User) -> None:
    _send("booking_confirmed", member, session)


def waitlisted(booking: Booking, session: ClassSession, member: User, position: int | None) -> None:
    _send("waitlisted", member, session, position=position)


def promoted(booking: Booking, session: ClassSession, member: User) -> None:
    _send("promoted", member, session)


def session_cancelled(booking: Booking, session: ClassSession) -> None:
    _send("session_cancelled", booking.member, session, reason=session.cancel_reason)


def booking_cancelled(booking: Booking, session: ClassSession, late: bool) -> None:
    _send("booking_cancelled", booking.member, session, late=late)


def reminder(booking: Booking) -> None:
    _send("reminder", booking.member, booking.session)
