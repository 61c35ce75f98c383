"""Calendar files of a studio: an event per class, the calendar that holds them (feeds and invitations alike).

Apart from the feeds (nexphys.calendar.services) so that a booking email can attach its class without this
package reading the schedule (which books through the bookings services).
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vText

from nexphys.classes.models import ClassSession, SessionStatus
from nexphys.db import utcnow
from nexphys.tenancy.context import require_tenant


def calendar_of(name: str) -> Calendar:
    """An empty calendar named for the studio's feeds and invitations."""
    calendar = Calendar()
    calendar.add("prodid", "-//nexphys//class timetable//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is written raw unless typed: vText escapes the , ; \ and line breaks of the studio name.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", require_tenant().time_zone)
    calendar.add("x-published-ttl", "PT1H")  # how often apps should poll (Apple, Outlook)
    return calendar


def event(uid: str, name: str, starts_at: datetime, ends_at: datetime, room: str | None,
           instructor: str | None, cancelled: bool, stamp: datetime, note: str | None = None) -> Event:
    found = Event()
    found.add("uid", uid)
    found.add("dtstamp", stamp)
    found.add("dtstart", starts_at.astimezone(UTC))
    found.add("dtend", ends_at.astimezone(UTC))
    found.add("summary", f"{name} (cancelled)" if cancelled else name)
    if room:
        found.add("location", room)
    lines = [f"With {instructor}" if instructor else "", note or ""]
    if any(lines):
        found.add("description", "\n".join(line for line in lines if line))
    found.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return found


def invitation(session: ClassSession, now: datetime | None = None) -> str:
    """One class as a calendar file (.ics) to attach to a booking email: the same event (uid) as in the
    member's feed, so a calendar that has both shows it once."""
    calendar = calendar_of(require_tenant().name)
    calendar.add_component(event(uid("booking", session.id), session.class_type.name, session.starts_at,
                                  session.ends_at, session.room.name if session.room else None,
                                  session.instructor.full_name if session.instructor else None,
                                  session.status == SessionStatus.CANCELLED, now or utcnow()))
    return calendar.to_ical().decode()


def uid(kind: str, session_id: int) -> str:
    return f"{kind}-{session_id}@{require_tenant().slug}.nexphys"
