"""Background jobs of the tenancy core: provisioning, its watchdog, and the spare-schema pool."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from nexphys.extensions import db
from nexphys.jobs.outbox import Submitted, submit
from nexphys.jobs.wrapper import tenant_job
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.models import Tenant
from nexphys.tenancy.pool import refill
from nexphys.tenancy.services import provision_tenant_now

PROVISIONING_RETRY_INTERVALS = (2, 10, 30)


def provisioning_job_id(tenant_id: int) -> str:
    return f"provision-tenant-{tenant_id}"


@tenant_job(platform=True)
def provision_tenant(tenant_id_to_provision: int) -> dict:
    """Provision one tenant (idempotent; retried by RQ on failure)."""
    seconds = provision_tenant_now(tenant_id_to_provision)
    return {"tenant_id": tenant_id_to_provision, "seconds": round(seconds, 4)}


def enqueue_provisioning(tenant_id: int) -> Submitted:
    """Submit provisioning once per tenant (a second submit while one waits returns it); the caller commits."""
    return submit(f"{provision_tenant.__module__}.provision_tenant", tenant_id, queue="high",
                  key=provisioning_job_id(tenant_id), retry_intervals=PROVISIONING_RETRY_INTERVALS)


@tenant_job(platform=True)
def requeue_stuck_provisioning(older_than_minutes: int = 5) -> list[int]:
    """Scheduler job: submit provisioning again for tenants left `provisioning` (e.g. a worker died mid-job)."""
    cutoff = datetime.now(UTC) - timedelta(minutes=older_than_minutes)
    stuck = db.session.scalars(
        sa.select(Tenant.id).where(Tenant.status == TenantStatus.PROVISIONING, Tenant.updated_at < cutoff)
    ).all()
    for tenant_id in stuck:
        enqueue_provisioning(tenant_id)
    return list(stuck)


@tenant_job(platform=True)
def refill_schema_pool() -> dict:
    """Keep SCHEMA_POOL_SIZE spare tenant schemas ready at head (no-op when the size is 0)."""
    size = current_app.config["SCHEMA_POOL_SIZE"]
    return refill(db.engine, size) if size > 0 else {"built": 0, "ready": 0}
