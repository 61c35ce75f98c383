"""What the front desk reads: today's classes with who is expected, and one member's classes today.

Two queries for the whole day whatever the number of classes: the day's sessions, then every booking of
them that is expected (booked, not checked in) or checked in, with the member's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes.models import ClassSession, ClassType, SessionStatus
from nexphys.classes.queries import Slot, slot, slots_between
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy.context import require_tenant

EXPECTED = (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)  # booked and not yet seen (a no-show may still come)
_AT_DESK = (*EXPECTED, BookingStatus.CHECKED_IN)


@dataclass(frozen=True)
class Arrival:
    """One booked member of a class, as the desk lists them."""

    booking_id: int
    session_id: int
    member_id: int
    member_name: str
    status: str
    checked_in_at: datetime | None

    @property
    def expected(self) -> bool:
        return self.status in EXPECTED


@dataclass(frozen=True)
class DeskClass:
    """One of today's classes with its arrivals (expected ones and those checked in, by name)."""

    slot: Slot
    arrivals: tuple[Arrival, ...]

    @property
    def checked_in(self) -> int:
        return sum(1 for a in self.arrivals if a.status == BookingStatus.CHECKED_IN)

    @property
    def expected(self) -> int:
        return sum(1 for a in self.arrivals if a.expected)


def _arrivals(session_ids: list[int]) -> dict[int, list[Arrival]]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        sa.select(Booking.id, Booking.session_id, Booking.member_id, User.full_name, Booking.status,
                  Booking.checked_in_at)
        .join(User, User.id == Booking.member_id)
        .where(Booking.session_id.in_(session_ids), Booking.status.in_(_AT_DESK))
        .order_by(User.full_name, Booking.id))
    found: dict[int, list[Arrival]] = {}
    for row in rows:
        found.setdefault(row.session_id, []).append(Arrival(*row))
    return found


def today_classes(now: datetime) -> list[DeskClass]:
    """Today's classes in start order (cancelled ones too, without arrivals), each with its arrivals."""
    tenant = require_tenant()
    slots = slots_between(*tenant.days(tenant.today(now)))
    arrivals = _arrivals([s.id for s in slots if not s.is_cancelled])
    return [DeskClass(s, tuple(arrivals.get(s.id, ()))) for s in slots]


def desk_class(session_id: int) -> DeskClass | None:
    """One class as the desk shows it (to refresh its counts after a check-in), or None."""
    found = slot(session_id)
    if found is None:
        return None
    return DeskClass(found, tuple(_arrivals([session_id]).get(session_id, ())) if not found.is_cancelled else ())


def arrival(booking_id: int) -> Arrival | None:
    """One booking as the desk's class list shows it."""
    row = db.session.execute(
        sa.select(Booking.id, Booking.session_id, Booking.member_id, User.full_name, Booking.status,
                  Booking.checked_in_at)
        .join(User, User.id == Booking.member_id).where(Booking.id == booking_id)).first()
    return Arrival(*row) if row else None


@dataclass(frozen=True)
class TodayBooking:
    """A member's booking of a class today, with what the kiosk needs to decide."""

    booking_id: int
    status: str
    starts_at: datetime
    ends_at: datetime
    class_name: str


def member_today(member_id: int, now: datetime) -> list[TodayBooking]:
    """The member's bookings of today's scheduled classes that are expected or checked in, soonest first."""
    tenant = require_tenant()
    start, end = tenant.days(tenant.today(now))
    rows = db.session.execute(
        sa.select(Booking.id, Booking.status, ClassSession.starts_at, ClassSession.ends_at, ClassType.name)
        .join(ClassSession, ClassSession.id == Booking.session_id)
        .join(ClassType, ClassType.id == ClassSession.class_type_id)
        .where(Booking.member_id == member_id, Booking.status.in_(_AT_DESK),
               ClassSession.status == SessionStatus.SCHEDULED,
               ClassSession.starts_at >= start, ClassSession.starts_at < end)
        .order_by(ClassSession.starts_at, Booking.id))
    return [TodayBooking(*row) for row in rows]
