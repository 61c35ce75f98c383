"""Bookings of class sessions (tenant schema).

A booking is a member's place in one session: confirmed (holds a seat), waitlisted (queued for one),
checked in or no-show (held a seat; the class is over or under way), or cancelled / late-cancelled.
A member holds at most one live booking per session (a partial unique index); cancelled rows stay
as history, so a member may book again after cancelling.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.classes.models import ClassSession
from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class BookingStatus:
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"

    ALL = (CONFIRMED, WAITLISTED, CHECKED_IN, NO_SHOW, CANCELLED, LATE_CANCELLED)
    HOLDS_SEAT = (CONFIRMED, CHECKED_IN, NO_SHOW)  # counted in class_sessions.booked_count
    LIVE = (CONFIRMED, WAITLISTED, CHECKED_IN, NO_SHOW)  # at most one of these per member and session
    CANCELLED_ANY = (CANCELLED, LATE_CANCELLED)


def _in(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Booking(TenantModel):
    __tablename__ = "bookings"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(BookingStatus.ALL), name="status_known"),
        sa.Index("uq_bookings_live_member_session", "session_id", "member_id", unique=True,
                 postgresql_where=sa.text(_in(BookingStatus.LIVE))),
        sa.Index("ix_bookings_session_status", "session_id", "status"),
        sa.Index("ix_bookings_member_status", "member_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey(ClassSession.id, ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id))
    status: Mapped[str] = mapped_column(sa.String(20), default=BookingStatus.CONFIRMED)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)  # also the waitlist order
    confirmed_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    cancelled_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    checked_in_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    reminded_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id))  # staff who added them by hand
    promoted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # from the waitlist

    session: Mapped[ClassSession] = relationship(lazy="joined")
    member: Mapped[User] = relationship(foreign_keys=[member_id], lazy="joined")

    @property
    def is_late_cancel(self) -> bool:
        return self.status == BookingStatus.LATE_CANCELLED


class EventKind:
    """What happened to a booking; each kind leaves the booking in one status (STATUS_AFTER)."""

    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    CHECKED_IN = "checked_in"
    CHECK_IN_UNDONE = "check_in_undone"
    NO_SHOW = "no_show"
    REMOVED = "removed"  # staff took them out by hand
    CLASS_CANCELLED = "class_cancelled"

    STATUS_AFTER = {
        BOOKED: BookingStatus.CONFIRMED, WAITLISTED: BookingStatus.WAITLISTED, PROMOTED: BookingStatus.CONFIRMED,
        CANCELLED: BookingStatus.CANCELLED, LATE_CANCELLED: BookingStatus.LATE_CANCELLED,
        CHECKED_IN: BookingStatus.CHECKED_IN, CHECK_IN_UNDONE: BookingStatus.CONFIRMED,
        NO_SHOW: BookingStatus.NO_SHOW, REMOVED: BookingStatus.CANCELLED, CLASS_CANCELLED: BookingStatus.CANCELLED,
    }
    ALL = tuple(STATUS_AFTER)


class Actor:
    """Who made a change: the member themselves, a staff member (or the kiosk), an API key, or the system."""

    MEMBER = "member"
    STAFF = "staff"
    API = "api"
    SYSTEM = "system"  # jobs (no-shows), and events rebuilt from rows by the migration

    ALL = (MEMBER, STAFF, API, SYSTEM)


class BookingEvent(TenantModel):
    """One change of a booking's state, appended in the change's own transaction and never changed after.

    Events are the source of analytics and of "as of" answers (a roster as it stood at a moment: each
    booking's last event at or before it; `status` is the booking's status after the event). The
    session's start, class type, instructor and room as they were, and the waitlist position, are copied
    in so the rollups read one table in (occurred_at, id) order without joins, and a later edit of the
    schedule does not rewrite history. The database refuses UPDATE and DELETE (a trigger,
    IMMUTABLE_DDL); the booking keeps its events, so a booking with events cannot be deleted either.
    """

    __tablename__ = "booking_events"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(EventKind.ALL), name="kind_known"),
        sa.CheckConstraint(sa.column("status").in_(BookingStatus.ALL), name="status_known"),
        sa.CheckConstraint(sa.column("actor").in_(Actor.ALL), name="actor_known"),
        sa.Index("ix_booking_events_session_id_occurred_at", "session_id", "occurred_at"),
        sa.Index("ix_booking_events_occurred_at_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # bigserial: the rollups' high-water mark
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey(Booking.id))  # no cascade: history stays
    session_id: Mapped[int]
    member_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    occurred_at: Mapped[datetime] = mapped_column(TimestampTZ())
    actor: Mapped[str] = mapped_column(sa.String(10))
    by_user_id: Mapped[int | None]  # the person who did it (member or staff); none for keys and the system
    starts_at: Mapped[datetime] = mapped_column(TimestampTZ())  # the session's, as it was
    class_type_id: Mapped[int]
    instructor_id: Mapped[int | None]
    room_id: Mapped[int | None]
    waitlist_position: Mapped[int | None]  # for waitlisted: their place in line on joining it


# The refusal lives in the database so that no code path (nor a psql session) can rewrite history.
# Unqualified names: this runs with search_path set to the tenant's schema (provisioning and migrations).
IMMUTABLE_DDL = (
    """CREATE OR REPLACE FUNCTION booking_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = 'booking events are immutable: ' || TG_OP || ' refused';
END $$""",
    "DROP TRIGGER IF EXISTS booking_events_immutable ON booking_events",
    """CREATE TRIGGER booking_events_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON booking_events
    FOR EACH STATEMENT EXECUTE FUNCTION booking_events_refuse_change()""",
)
BookingEvent.__table__.info["after_create"] = IMMUTABLE_DDL
