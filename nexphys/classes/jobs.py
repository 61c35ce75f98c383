"""Scheduled jobs of the schedule: recurring series turned into sessions ahead of time."""

from __future__ import annotations

from nexphys.classes.series import generate_ahead
from nexphys.jobs.wrapper import enqueue_for_active_tenants, tenant_job


@tenant_job
def extend_schedule() -> int:
    """Generate every series of the bound studio up to `schedule_weeks_ahead` weeks; returns sessions added."""
    return generate_ahead()


@tenant_job(platform=True)
def extend_all_schedules() -> list[int]:
    """Scheduler job: enqueue extend_schedule for every active studio; returns their ids."""
    return enqueue_for_active_tenants(extend_schedule, queue="low")
