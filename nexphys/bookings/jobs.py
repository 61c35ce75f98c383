"""Periodic booking work: mark no-shows, send class reminders, forget old idempotency answers.

The scheduler runs `enqueue_booking_housekeeping` (a platform job) every few minutes; it queues one
`booking_housekeeping` per active studio, so each studio's work runs in its own tenant binding and
transaction, and one studio's failure does not stop the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from nexphys.bookings import notifications, services
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes.models import ClassSession, SessionStatus
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.jobs.wrapper import enqueue_for_active_tenants, tenant_job
from nexphys.web.idempotency import purge_idempotent_requests


def housekeeping_job_id(tenant_id: int) -> str:
    return f"booking-housekeeping-{tenant_id}"


def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed members of classes starting within the studio's reminder time; each booking once.

    The reminder email and `reminded_at` are written in one transaction, so a booking is reminded
    exactly once; rows another run is working on are skipped (SKIP LOCKED) rather than waited for.
    """
    now = now or utcnow()
    minutes = services.booking_rules().reminder_minutes_before
    if minutes <= 0:
        return 0
    due = list(db.session.scalars(
        sa.select(Booking).join(ClassSession, ClassSession.id == Booking.session_id)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.reminded_at.is_(None),
               ClassSession.status == SessionStatus.SCHEDULED, ClassSession.starts_at > now,
               ClassSession.starts_at <= now + timedelta(minutes=minutes),
               # booked inside the reminder time: the confirmation just sent is reminder enough
               Booking.confirmed_at <= ClassSession.starts_at - timedelta(minutes=minutes))
        .order_by(ClassSession.starts_at, Booking.id)
        .with_for_update(of=Booking, skip_locked=True)))
    for booking in due:
        notifications.reminder(booking)
        booking.reminded_at = now
    db.session.flush()
    return len(due)


@tenant_job
def booking_housekeeping(now: str | None = None) -> dict:
    """One studio's periodic booking work: no-shows, reminders, old idempotency answers (`now`: ISO time)."""
    moment = datetime.fromisoformat(now) if now else utcnow()
    return {"no_shows": services.mark_no_shows(moment), "reminders": send_reminders(moment),
            "idempotency_purged": purge_idempotent_requests(now=moment)}


@tenant_job(platform=True)
def enqueue_booking_housekeeping() -> int:
    """Scheduler job: queue `booking_housekeeping` for every active studio, one at a time each; returns how many."""
    return len(enqueue_for_active_tenants(booking_housekeeping, job_id=housekeeping_job_id))
