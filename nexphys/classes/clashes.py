"""Schedule clashes: another scheduled class at an overlapping time with the same instructor or in the same room.

Staff are warned and may go ahead (two small groups may share a big room; an instructor may cover two
rooms at once), so a clash is not an error: the pages ask for confirmation, listing what clashes.
One query finds the clashes of any number of sessions (a series' generated weeks included).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User

SHOWN = 10  # clashes listed on a page; the rest are counted


@dataclass(frozen=True)
class Clash:
    """`session_id` (the class being planned) overlaps `other_id` by the same instructor, room, or both."""

    session_id: int
    other_id: int
    other_name: str
    starts_at: datetime
    ends_at: datetime
    instructor: str | None  # the shared instructor's name, when that is the clash
    room: str | None  # the shared room's name, when that is the clash

    @property
    def reason(self) -> str:
        parts = [f"{self.instructor} is teaching it" if self.instructor else "",
                 f"it is in {self.room}" if self.room else ""]
        return " and ".join(p for p in parts if p)


def clashes_of(session_ids: Iterable[int]) -> list[Clash]:
    """Scheduled classes, not yet over, that overlap these sessions with the same instructor or room (in start
    order). Sessions of the set do not clash with one another (a series' weeks never overlap)."""
    ids = list(set(session_ids))
    if not ids:
        return []
    planned, other = orm.aliased(ClassSession), orm.aliased(ClassSession)
    same_instructor = sa.and_(planned.instructor_id.is_not(None), other.instructor_id == planned.instructor_id)
    same_room = sa.and_(planned.room_id.is_not(None), other.room_id == planned.room_id)
    rows = db.session.execute(
        sa.select(planned.id, other.id, ClassType.name, other.starts_at, other.ends_at,
                  sa.case((same_instructor, User.full_name)), sa.case((same_room, Room.name)))
        .join(other, sa.and_(other.id.not_in(ids), other.status == SessionStatus.SCHEDULED,
                             other.starts_at < planned.ends_at, other.ends_at > planned.starts_at,
                             sa.or_(same_instructor, same_room)))
        .join(ClassType, ClassType.id == other.class_type_id)
        .outerjoin(User, User.id == other.instructor_id)
        .outerjoin(Room, Room.id == other.room_id)
        .where(planned.id.in_(ids), planned.status == SessionStatus.SCHEDULED, planned.ends_at > utcnow())
        .order_by(other.starts_at, other.id))
    return [Clash(*row) for row in rows]


def series_session_ids(series_id: int, from_moment: datetime | None = None) -> list[int]:
    """The scheduled sessions of a series from `from_moment` (now by default): what its clashes are checked on."""
    return list(db.session.scalars(sa.select(ClassSession.id).where(
        ClassSession.series_id == series_id, ClassSession.status == SessionStatus.SCHEDULED,
        ClassSession.starts_at >= (from_moment or utcnow()))))
