"""Scheduled jobs of the schedule: recurring series turned into sessions ahead of time."""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.jobs.wrapper import tenant_job
from nexphys.tenancy.context import TenantStatus


@tenant_job
def extend_schedule() -> int:
    """Generate every series of the bound studio up to `schedule_weeks_ahead` weeks; returns sessions added."""
    from nexphys.classes.schedule import generate_ahead

    return generate_ahead()


@tenant_job(platform=True)
def extend_all_schedules() -> list[int]:
    """Scheduler job: enqueue extend_schedule for every active studio; returns their ids."""
    from nexphys.tenancy.models import Tenant

    tenant_ids = list(db.session.scalars(
        sa.select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)))
    for tenant_id in tenant_ids:
        extend_schedule.delay(tenant_id=tenant_id, queue="low")
    return tenant_ids
