"""Booking rows as history leaves them, for tests of past classes (the service cannot book those)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from tests.running import in_studio


def insert_booking(app, tenant, session_id: int, member_id: int, status: str = BookingStatus.CONFIRMED,
                   booked_ago: timedelta = timedelta(days=1)) -> int:
    """Write a booking row directly, made `booked_ago` (seat count kept right); returns its id."""
    from nexphys.classes.models import ClassSession

    booked_at = datetime.now(UTC) - booked_ago
    with in_studio(app, tenant):
        booking = Booking(session_id=session_id, member_id=member_id, status=status, created_at=booked_at,
                          confirmed_at=booked_at if status != BookingStatus.WAITLISTED else None)
        db.session.add(booking)
        if status in BookingStatus.HOLDS_SEAT:
            db.session.get(ClassSession, session_id).booked_count += 1
        db.session.commit()
        return booking.id
