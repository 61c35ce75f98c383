"""The timetable read model: class sessions with the names they are shown with, for the studio's pages,
the timetable API and the calendar feeds alike.

One query shape, prebuilt: sessions of a range (cancelled ones included or not) joined with their
class type, instructor and room, in one round trip. Seats come from `class_sessions.booked_count`,
which the booking service keeps exact. The timetable API (W1) is the most-read path of the product:
its statement is a module constant read through `read_rows` (SQL rendered once per schema).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy.binding import read_rows


class Slot(NamedTuple):
    """One class session with the names it is shown with. Instants are UTC.

    A named tuple: made from a row without copying it field by field (the timetable builds up to 140).
    """

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
    image: str | None  # the class type's picture (a storage key), read in the same query
    series_id: int | None = None  # its weekly series, if any (a series' workout of the day shows on it)
    description: str = ""  # only read for one session's page (slot())
    level: str = ""

    @property
    def spots_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


_sessions, _types, _rooms, _instructors = ClassSession.__table__, ClassType.__table__, Room.__table__, User.__table__


def _slots(*extra: sa.ColumnElement) -> sa.Select:
    """Slot's columns, in its field order (rows become Slots positionally), then `extra` ones."""
    return (
        sa.select(_sessions.c.id, _sessions.c.class_type_id, _types.c.name, _types.c.color, _sessions.c.instructor_id,
                  _instructors.c.full_name.label("instructor"), _rooms.c.name.label("room"), _sessions.c.starts_at,
                  _sessions.c.ends_at, _sessions.c.capacity, _sessions.c.booked_count.label("booked"),
                  _sessions.c.status, _sessions.c.cancel_reason, _types.c.image_key.label("image"),
                  _sessions.c.series_id, *extra)
        .join_from(_sessions, _types, _types.c.id == _sessions.c.class_type_id)
        .outerjoin(_instructors, _instructors.c.id == _sessions.c.instructor_id)
        .outerjoin(_rooms, _rooms.c.id == _sessions.c.room_id)
    )


_IN_RANGE = (_sessions.c.starts_at >= sa.bindparam("start"), _sessions.c.starts_at < sa.bindparam("end"))
_ORDER = (_sessions.c.starts_at, _sessions.c.id)
# Built once: every session of a range (the pages and feeds: members must see that a class is off) …
_ALL_IN_RANGE = _slots().where(*_IN_RANGE).order_by(*_ORDER)
# … and the scheduled ones only (the timetable API, W1) …
_SCHEDULED_IN_RANGE = _slots().where(*_IN_RANGE, _sessions.c.status == SessionStatus.SCHEDULED).order_by(*_ORDER)
# … and the scheduled ones with those cancelled since a moment (the public timetable: a cancellation is shown
# for a while, then the class leaves it).
_RECENT_IN_RANGE = _slots().where(*_IN_RANGE, sa.or_(_sessions.c.status == SessionStatus.SCHEDULED,
                                                     _sessions.c.cancelled_at >= sa.bindparam("since"))
                                  ).order_by(*_ORDER)


def slots_between(start: datetime, end: datetime, include_cancelled: bool = True,
                  cancelled_since: datetime | None = None) -> list[Slot]:
    """Sessions starting in [start, end), in start order (one query, one round trip). Cancelled ones too
    (`include_cancelled`), or only those cancelled at or after `cancelled_since` when it is given."""
    if cancelled_since is not None:
        return [Slot(*row) for row in read_rows(_RECENT_IN_RANGE, {"start": start, "end": end,
                                                                    "since": cancelled_since})]
    statement = _ALL_IN_RANGE if include_cancelled else _SCHEDULED_IN_RANGE
    return [Slot(*row) for row in read_rows(statement, {"start": start, "end": end})]


def slot(session_id: int) -> Slot | None:
    """One session with its class description and level, or None."""
    row = db.session.execute(_slots(_types.c.description, _types.c.level).where(_sessions.c.id == session_id)).first()
    return Slot(*row) if row else None


@lru_cache(maxsize=4096)
def local_iso(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as ISO 8601 on the studio's wall clock, with its offset.

    Kept (bounded): a timetable shows the same few dozen start and end times to every visitor, and
    formatting them is a good part of a timetable answer's Python time.
    """
    return moment.astimezone(zone).isoformat()


def week_start(day: date) -> date:
    """The Monday of `day`'s week (timetables and the schedule show weeks from Monday)."""
    return day - timedelta(days=day.weekday())
