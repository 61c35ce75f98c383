"""The periodic booking job: no-shows marked, reminders sent once, the fan-out over active studios."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from nexphys.bookings import jobs
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from nexphys.jobs.queues import get_queue
from tests.bookings.history import insert_booking
from tests.factories import create_tenant, drop_tenant, make_session, now, person
from tests.running import in_studio


def _booking(app, studio, booking_id: int) -> dict:
    with in_studio(app, studio):
        booking = db.session.get(Booking, booking_id)
        return {"status": booking.status, "reminded_at": booking.reminded_at}


def _reminders(app, studio, email: str) -> list[str]:
    from nexphys.mail.models import OutboxMessage

    with in_studio(app, studio):
        return list(db.session.scalars(sa.select(OutboxMessage.subject).where(
            OutboxMessage.to_address == email, OutboxMessage.kind == "reminder")))


def _run(app, studio, at=None) -> dict:
    with app.app_context():
        return jobs.booking_housekeeping(now=at.isoformat() if at else None, tenant_id=studio.id)


def test_housekeeping_marks_no_shows_of_ended_classes_only(app, studio):
    ended = make_session(app, studio, -timedelta(hours=2), minutes=60)
    running = make_session(app, studio, -timedelta(minutes=10), minutes=60)
    member, _ = person(app, studio)
    other, _ = person(app, studio)
    missed = insert_booking(app, studio, ended, member)
    attended = insert_booking(app, studio, ended, other, BookingStatus.CHECKED_IN)
    ongoing = insert_booking(app, studio, running, member)
    result = _run(app, studio)
    assert result["no_shows"] >= 1
    assert _booking(app, studio, missed)["status"] == BookingStatus.NO_SHOW
    assert _booking(app, studio, attended)["status"] == BookingStatus.CHECKED_IN
    assert _booking(app, studio, ongoing)["status"] == BookingStatus.CONFIRMED


def test_reminders_go_once_to_confirmed_members_of_classes_starting_soon(app, studio, rules):
    rules(reminder_minutes_before=90)
    soon = make_session(app, studio, timedelta(minutes=60), name="Reminder Soon Yoga")
    later = make_session(app, studio, timedelta(hours=3), name="Reminder Later Yoga")
    member, email = person(app, studio)
    waiting, waiting_email = person(app, studio)
    soon_booking = insert_booking(app, studio, soon, member)
    later_booking = insert_booking(app, studio, later, member)
    insert_booking(app, studio, soon, waiting, BookingStatus.WAITLISTED)
    first = _run(app, studio)
    assert first["reminders"] == 1
    assert _reminders(app, studio, email) == [next(s for s in _reminders(app, studio, email) if "Soon" in s)]
    assert _booking(app, studio, soon_booking)["reminded_at"] is not None
    assert _booking(app, studio, later_booking)["reminded_at"] is None
    assert _reminders(app, studio, waiting_email) == []
    # the next run (and the one after) sends nothing new
    assert _run(app, studio)["reminders"] == 0
    _run(app, studio)
    assert len(_reminders(app, studio, email)) == 1
    # two hours on, the later class is due (and the earlier one has started: no second reminder)
    assert _run(app, studio, now() + timedelta(hours=2))["reminders"] == 1
    assert len(_reminders(app, studio, email)) == 2


def test_no_reminder_for_a_booking_made_inside_the_reminder_time(app, studio, rules):
    rules(reminder_minutes_before=90)
    session_id = make_session(app, studio, timedelta(minutes=60), name="Reminder Last Minute Yoga")
    member, email = person(app, studio)
    insert_booking(app, studio, session_id, member, booked_ago=timedelta(minutes=5))
    assert _run(app, studio)["reminders"] == 0
    assert _reminders(app, studio, email) == []


def test_reminders_can_be_switched_off(app, studio, rules):
    rules(reminder_minutes_before=0)
    session_id = make_session(app, studio, timedelta(minutes=30))
    member, email = person(app, studio)
    booking_id = insert_booking(app, studio, session_id, member)
    assert _run(app, studio)["reminders"] == 0
    assert _reminders(app, studio, email) == [] and _booking(app, studio, booking_id)["reminded_at"] is None


def test_housekeeping_purges_old_idempotency_answers(app, studio):
    from nexphys.web.models import IdempotentRequest

    with in_studio(app, studio):
        db.session.add_all([
            IdempotentRequest(caller="user:1", key="old-key", fingerprint="f" * 64, status_code=201, response={},
                              created_at=now() - timedelta(days=30)),
            IdempotentRequest(caller="user:1", key="new-key", fingerprint="f" * 64, status_code=201, response={}),
        ])
        db.session.commit()
    result = _run(app, studio)
    assert result["idempotency_purged"] is not None and result["idempotency_purged"] >= 1
    with in_studio(app, studio):
        assert set(db.session.scalars(sa.select(IdempotentRequest.key))) == {"new-key"}


def test_fan_out_queues_one_job_per_active_studio(app, studio):
    from nexphys.tenancy.context import TenantStatus
    from nexphys.tenancy.models import Tenant

    suspended = create_tenant(app, name="Suspended Housekeeping Studio")
    try:
        with app.app_context():
            db.session.execute(sa.update(Tenant).where(Tenant.id == suspended.id)
                               .values(status=TenantStatus.SUSPENDED))
            db.session.commit()
            active = set(db.session.scalars(sa.select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE)))
            queue = get_queue("default")
            queue.empty()
            assert jobs.enqueue_booking_housekeeping() == len(active)
            assert jobs.enqueue_booking_housekeeping() == len(active)  # still queued: not queued twice
            queued = [job for job in queue.jobs if job.func_name == "nexphys.bookings.jobs.booking_housekeeping"]
            assert sorted(job.kwargs["tenant_id"] for job in queued) == sorted(active)
            assert studio.id in active and suspended.id not in active
            assert {job.id for job in queued} == {jobs.housekeeping_job_id(t) for t in active}
            queue.empty()
    finally:
        drop_tenant(app, suspended.slug)


def test_the_scheduler_runs_the_fan_out_every_five_minutes():
    from nexphys.domains import PeriodicJob, installed

    assert PeriodicJob("nexphys.bookings.jobs.enqueue_booking_housekeeping", "default", 300) \
        in installed().periodic_jobs()
