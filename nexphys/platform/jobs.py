"""Provisioning a studio with its owner, as one background job, and what RQ still knows of it."""

from __future__ import annotations

import sqlalchemy as sa
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from nexphys.extensions import db
from nexphys.jobs.models import OutboxJob
from nexphys.jobs.outbox import Submitted, submit
from nexphys.jobs.wrapper import tenant_job
from nexphys.kv import get_redis
from nexphys.platform.owner import invite_owner
from nexphys.tenancy.jobs import PROVISIONING_RETRY_INTERVALS, provisioning_job_id
from nexphys.tenancy.services import provision_tenant_now


@tenant_job(platform=True)
def provision_with_owner(tenant_id_to_provision: int, owner_email: str, owner_name: str | None = None,
                         base_url: str | None = None) -> dict:
    """Provision a tenant, then invite its owner (both idempotent, so RQ's retries are safe)."""
    seconds = provision_tenant_now(tenant_id_to_provision)
    owner_id = invite_owner(tenant_id_to_provision, owner_email, owner_name, base_url)
    return {"tenant_id": tenant_id_to_provision, "seconds": round(seconds, 4), "owner_id": owner_id}


def enqueue_provisioning_with_owner(tenant_id: int, owner_email: str, owner_name: str | None = None,
                                    base_url: str | None = None) -> Submitted:
    """Submit `provision_with_owner` once per tenant (same key as plain provisioning); the caller commits."""
    return submit(
        f"{provision_with_owner.__module__}.provision_with_owner", tenant_id, owner_email, owner_name, base_url,
        queue="high", key=provisioning_job_id(tenant_id), retry_intervals=PROVISIONING_RETRY_INTERVALS,
    )


def _provisioning_job(tenant_id: int) -> Job | None:
    """The tenant's last provisioning job, if RQ still has it (None too when Redis cannot tell)."""
    try:
        return Job.fetch(provisioning_job_id(tenant_id), connection=get_redis(), serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    except Exception:  # noqa: BLE001 - Redis down or a job we cannot read: the caller asks again later
        return None


def _last_submitted_args(tenant_id: int) -> tuple[str, list] | None:
    """(job function, args) of the tenant's last provisioning job: its outbox row, else what RQ still has."""
    row = db.session.execute(sa.select(OutboxJob.func, OutboxJob.args)
                             .where(OutboxJob.job_key == provisioning_job_id(tenant_id))
                             .order_by(OutboxJob.id.desc()).limit(1)).first()
    if row is not None:
        return row.func, list(row.args)
    job = _provisioning_job(tenant_id)
    return (job.func_name, list(job.args)) if job is not None else None


def queued_owner(tenant_id: int) -> tuple[str, str | None, str | None] | None:
    """(email, name, base_url) from the tenant's last provisioning job with an owner (for a retry)."""
    submitted = _last_submitted_args(tenant_id)
    if submitted is None:
        return None
    func, args = submitted
    if not func.endswith(".provision_with_owner") or len(args) < 2 or not args[1]:
        return None
    args = [*args, None, None]
    return args[1], args[2], args[3]


def provisioning_job_status(tenant_id: int) -> str | None:
    """RQ's status of the tenant's provisioning job (queued, started, failed, scheduled…), or None."""
    job = _provisioning_job(tenant_id)
    if job is None:
        return None
    status = job.get_status(refresh=False)
    return getattr(status, "value", status)
