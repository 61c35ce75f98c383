"""Booking events: the one way a change of a booking's state is written down (see models.BookingEvent).

Every function here appends in the caller's transaction (the booking service's), so an event exists
exactly when its change does: a rolled-back booking leaves none. One INSERT per change on the booking
hot path (Core, no RETURNING, no ORM object); a change of many bookings at once writes all its events
in the same single statement (INSERT … SELECT), never a loop. Nothing here updates or deletes an event;
the database refuses both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from nexphys.bookings.models import Actor, Booking, BookingEvent, EventKind
from nexphys.classes.models import ClassSession
from nexphys.extensions import db

_events = BookingEvent.__table__

# The columns an INSERT … SELECT fills, in this order (id comes from the sequence).
_SELECTED = ("booking_id", "session_id", "member_id", "kind", "status", "occurred_at", "actor", "by_user_id",
             "starts_at", "class_type_id", "instructor_id", "room_id")


def actor_of(by_user_id: int | None, member_id: int) -> str:
    """Who did it, in the events' words: the member themselves, else staff (the kiosk and keys included)."""
    return Actor.MEMBER if by_user_id == member_id else Actor.STAFF


def record(booking: Booking, session: ClassSession, kind: str, at: datetime, actor: str,
           by_user_id: int | None = None, waitlist_position: int | None = None) -> None:
    """Append one event for `booking` (already flushed: it has an id) of `session` (its row as locked)."""
    db.session.execute(_events.insert().values(
        booking_id=booking.id, session_id=session.id, member_id=booking.member_id, kind=kind,
        status=EventKind.STATUS_AFTER[kind], occurred_at=at, actor=actor, by_user_id=by_user_id,
        starts_at=session.starts_at, class_type_id=session.class_type_id, instructor_id=session.instructor_id,
        room_id=session.room_id, waitlist_position=waitlist_position))


def _facts(changed, kind: str, at: datetime, actor: str, by_user_id: int | None) -> sa.Select:
    """What an INSERT … SELECT writes for each row of `changed` (id, session_id, member_id)."""
    return (sa.select(changed.c.id, changed.c.session_id, changed.c.member_id, sa.literal(kind),
                      sa.literal(EventKind.STATUS_AFTER[kind]), sa.literal(at, BookingEvent.occurred_at.type),
                      sa.literal(actor), sa.literal(by_user_id, sa.Integer), ClassSession.starts_at,
                      ClassSession.class_type_id, ClassSession.instructor_id, ClassSession.room_id)
            .join_from(changed, ClassSession, ClassSession.id == changed.c.session_id))


def record_many(booking_ids: Sequence[int], kind: str, at: datetime, actor: str,
                by_user_id: int | None = None) -> int:
    """One event of `kind` for each of these bookings, in one statement; returns how many."""
    if not booking_ids:
        return 0
    chosen = sa.select(Booking.id, Booking.session_id, Booking.member_id).where(
        Booking.id.in_(booking_ids)).subquery()
    return db.session.execute(_events.insert().from_select(
        _SELECTED, _facts(chosen, kind, at, actor, by_user_id).order_by(chosen.c.id))).rowcount


def update_recording(update: sa.Update, kind: str, at: datetime, actor: str = Actor.SYSTEM,
                     by_user_id: int | None = None) -> int:
    """Run a bulk UPDATE of bookings and write one event per changed row, in one statement
    (WITH changed AS (UPDATE … RETURNING) INSERT … SELECT); returns how many changed."""
    changed = update.returning(Booking.id, Booking.session_id, Booking.member_id).cte("changed")
    return db.session.execute(_events.insert().from_select(
        _SELECTED, _facts(changed, kind, at, actor, by_user_id))).rowcount
