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


def slots_between(start: datetime, end: datetime) -> list[Slot]:
    """Sessions starting in [start, end), cancelled ones too, in start order (one query)."""
    rows = db.session.execute(
        _select().where(ClassSession.starts_at >= start, ClassSession.starts_at < end)
        .order_by(ClassSession.starts_at, ClassSession.id))
    return [Slot(**row._mapping) for row in rows]


def slot(session_id: int) -> Slot | None:
    """One session with its class description and level, or None."""
    row = db.session.execute(_select(ClassType.description, ClassType.level)
                             .where(ClassSession.id == session_id)).first()
    return Slot(**row._mapping) if row else None
