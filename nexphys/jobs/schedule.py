"""The scheduler's timetable: what runs periodically. Add a line here for a new periodic job."""

from __future__ import annotations

# (dotted path of a @tenant_job(platform=True) function, queue, seconds between runs, kwargs)
PERIODIC_JOBS: list[tuple[str, str, int, dict]] = [
    ("nexphys.tenancy.jobs.requeue_stuck_provisioning", "high", 300, {}),
    ("nexphys.tenancy.jobs.refill_schema_pool", "low", 60, {}),
    ("nexphys.classes.jobs.extend_all_schedules", "low", 3600, {}),  # series → sessions ahead
    ("nexphys.bookings.jobs.enqueue_booking_housekeeping", "default", 300, {}),  # no-shows, reminders
]
