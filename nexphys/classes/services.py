"""Reading the timetable of the bound studio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.classes.models import ClassSession, ClassType, SessionStatus
from nexphys.members.models import User
from nexphys.tenancy.binding import read_rows


@dataclass(frozen=True)
class TimetableEntry:
    id: int
    name: str
    color: str
    instructor: str | None
    starts_at: datetime  # in the studio's time zone
    ends_at: datetime
    capacity: int
    booked: int

    @property
    def spots_left(self) -> int:
        return max(self.capacity - self.booked, 0)


# Built once: the most-read query of the product (W1). Core columns, not ORM entities, and the seat
# count from class_sessions.booked_count (kept exact by the booking service) instead of counting bookings.
_sessions = ClassSession.__table__
_types = ClassType.__table__
_instructors = User.__table__
_TIMETABLE = (
    sa.select(_sessions.c.id, _types.c.name, _types.c.color, _instructors.c.full_name, _sessions.c.starts_at,
              _sessions.c.ends_at, _sessions.c.capacity, _sessions.c.booked_count.label("booked"))
    .join_from(_sessions, _types, _types.c.id == _sessions.c.class_type_id)
    .outerjoin(_instructors, _instructors.c.id == _sessions.c.instructor_id)
    .where(_sessions.c.starts_at >= sa.bindparam("start"), _sessions.c.starts_at < sa.bindparam("end"),
           _sessions.c.status == SessionStatus.SCHEDULED)
    .order_by(_sessions.c.starts_at, _sessions.c.id)
)


def sessions_between(start: datetime, end: datetime, zone: ZoneInfo) -> list[TimetableEntry]:
    """Scheduled sessions starting in [start, end), with their seats taken, in one query."""
    rows = read_rows(_TIMETABLE, {"start": start, "end": end})
    return [TimetableEntry(r[0], r[1], r[2], r[3], r[4].astimezone(zone), r[5].astimezone(zone), r[6], r[7])
            for r in rows]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
