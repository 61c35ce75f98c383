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
