"""Booking rows as history leaves them, for tests of past classes (the service cannot book those)."""

from __future__ import annotations

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from tests.members.conftest import in_studio


def insert_booking(app, tenant, session_id: int, member_id: int, status: str = BookingStatus.CONFIRMED) -> int:
    """Write a booking row directly (seat count kept right); returns its id."""
    from nexphys.classes.models import ClassSession

    with in_studio(app, tenant):
        booking = Booking(session_id=session_id, member_id=member_id, status=status)
        db.session.add(booking)
        if status in BookingStatus.HOLDS_SEAT:
            db.session.get(ClassSession, session_id).booked_count += 1
        db.session.commit()
        return booking.id
