"""The timetable as the studio's pages and calendar feeds read it: sessions of a range, cancelled ones
included (members must see that a class they planned on is off), with type, instructor and room names,
in one query. Seats come from `class_sessions.booked_count`, which the booking service keeps exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy.binding import read_rows


@dataclass(frozen=True)
class Slot:
    """One class session with the names it is shown with. Instants are UTC."""

    id: int
    class_type_id: int
    name: str
    color: str
    instructor_id: int | None
    instructor: str | None
    room: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    status: str
    cancel_reason: str | None
    description: str = ""  # only read for one session's page (slot())
    level: str = ""

    @property
    def spots_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


def _select(*extra: sa.ColumnElement) -> sa.Select:
    return (
        sa.select(ClassSession.id, ClassSession.class_type_id, ClassType.name, ClassType.color,
                  ClassSession.instructor_id, User.full_name.label("instructor"), Room.name.label("room"),
                  ClassSession.starts_at, ClassSession.ends_at, ClassSession.capacity,
                  ClassSession.booked_count.label("booked"), ClassSession.status, ClassSession.cancel_reason, *extra)
        .join(ClassType, ClassType.id == ClassSession.class_type_id)
        .outerjoin(User, User.id == ClassSession.instructor_id)
        .outerjoin(Room, Room.id == ClassSession.room_id)
    )


_sessions, _types, _rooms = ClassSession.__table__, ClassType.__table__, Room.__table__
_instructors = User.__table__
# Built once (the studio's most visited page reads it): Core columns named as Slot's fields.
_SLOTS = (
    sa.select(_sessions.c.id, _sessions.c.class_type_id, _types.c.name, _types.c.color, _sessions.c.instructor_id,
              _instructors.c.full_name.label("instructor"), _rooms.c.name.label("room"), _sessions.c.starts_at,
              _sessions.c.ends_at, _sessions.c.capacity, _sessions.c.booked_count.label("booked"),
              _sessions.c.status, _sessions.c.cancel_reason)
    .join_from(_sessions, _types, _types.c.id == _sessions.c.class_type_id)
    .outerjoin(_instructors, _instructors.c.id == _sessions.c.instructor_id)
    .outerjoin(_rooms, _rooms.c.id == _sessions.c.room_id)
    .where(_sessions.c.starts_at >= sa.bindparam("start"), _sessions.c.starts_at < sa.bindparam("end"))
    .order_by(_sessions.c.starts_at, _sessions.c.id)
)


def slots_between(start: datetime, end: datetime) -> list[Slot]:
    """Sessions starting in [start, end), cancelled ones too, in start order (one query, one round trip)."""
    return [Slot(**row._mapping) for row in read_rows(_SLOTS, {"start": start, "end": end})]


def slot(session_id: int) -> Slot | None:
    """One session with its class description and level, or None."""
    row = db.session.execute(_select(ClassType.description, ClassType.level)
                             .where(ClassSession.id == session_id)).first()
    return Slot(**row._mapping) if row else None
