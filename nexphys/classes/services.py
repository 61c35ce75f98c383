"""Reading the timetable of the bound studio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.bookings.models import Booking
from nexphys.classes.models import ClassSession, ClassType
from nexphys.extensions import db
from nexphys.members.models import User


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


def sessions_between(start: datetime, end: datetime, zone: ZoneInfo) -> list[TimetableEntry]:
    """Scheduled sessions starting in [start, end), with confirmed-booking counts, in one query."""
    booked = (
        sa.select(sa.func.count()).where(Booking.session_id == ClassSession.id, Booking.status == "confirmed")
        .correlate(ClassSession).scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(ClassSession.id, ClassType.name, ClassType.color, User.full_name, ClassSession.starts_at,
                  ClassSession.ends_at, ClassSession.capacity, booked.label("booked"))
        .join(ClassType, ClassType.id == ClassSession.class_type_id)
        .outerjoin(User, User.id == ClassSession.instructor_id)
        .where(ClassSession.starts_at >= start, ClassSession.starts_at < end, ClassSession.status == "scheduled")
        .order_by(ClassSession.starts_at, ClassSession.id)
    ).all()
    return [TimetableEntry(r.id, r.name, r.color, r.full_name, r.starts_at.astimezone(zone),
                           r.ends_at.astimezone(zone), r.capacity, r.booked) for r in rows]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_timetable(monday: date, zone: ZoneInfo) -> dict[date, list[TimetableEntry]]:
    """The seven local days from `monday`, each with its sessions (DST-safe: local midnights)."""
    start = datetime.combine(monday, time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=zone)
    days: dict[date, list[TimetableEntry]] = {monday + timedelta(days=i): [] for i in range(7)}
    for entry in sessions_between(start, end, zone):
        days[entry.starts_at.date()].append(entry)
    return days
