"""The one wrapper every job goes through: it binds the job's tenant and unbinds it afterwards.

Jobs take an explicit `tenant_id` (and plain ids, never objects: the JSON serializer enforces it).
A job without a tenant is refused unless it is declared platform-level. Inside, the tenant is bound
exactly as for a request, the session commits once at the end, and a fresh app context (with its
binding and session) is torn down whether the job succeeded or failed.

`fn.delay(...)` records the job in the caller's transaction (the job outbox, nexphys.jobs.outbox);
the job locks its outbox row as it starts and deletes it in the transaction that commits its
effect, so a job delivered twice takes effect once.

Jobs run in the app that runs them: `flask worker` (whose work horses inherit its app context), a
CLI command, or a test's app context. The wrapper never builds an app of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from nexphys.extensions import db
from nexphys.jobs import outbox
from nexphys.tenancy.context import TenantStatus, tenant_bound
from nexphys.tenancy.models import Tenant
from nexphys.tenancy.resolver import load_tenant


class MissingTenant(RuntimeError):
    """A tenant job was enqueued or run without a tenant id."""


def _running_app() -> Flask:
    if not has_app_context():
        raise RuntimeError("jobs run inside the app: start workers with `flask worker`, or push an app context")
    return current_app._get_current_object()


def tenant_job(func: Callable | None = None, *, platform: bool = False) -> Callable:
    """Decorate a job function. `platform=True` marks one that runs without a tenant."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, tenant_id: int | None = None, outbox_id: int | None = None, **kwargs: Any) -> Any:
            if tenant_id is None and not platform:
                raise MissingTenant(f"{fn.__qualname__} needs tenant_id")
            with _running_app().app_context():
                if tenant_id is None:
                    return _run_once(fn, outbox_id, args, kwargs)
                tenant = load_tenant("id", str(tenant_id))
                if tenant is None:
                    raise MissingTenant(f"tenant {tenant_id} does not exist")
                with tenant_bound(tenant):
                    return _run_once(fn, outbox_id, args, kwargs)

        def delay(*args: Any, tenant_id: int | None = None, queue: str = "default", job_id: str | None = None,
                  retry_intervals: Sequence[int] = outbox.DEFAULT_RETRY_INTERVALS, **kwargs: Any) -> outbox.Submitted:
            """Record the job in the caller's transaction (pushed to RQ after it commits); `job_id` keys it."""
            if tenant_id is None and not platform:
                raise MissingTenant(f"{fn.__qualname__} needs tenant_id")
            return outbox.submit(f"{fn.__module__}.{fn.__name__}", *args, queue=queue, key=job_id,
                                 retry_intervals=retry_intervals, tenant_id=tenant_id, **kwargs)

        run.delay = delay
        run.is_platform_job = platform
        return run

    return decorate(func) if func is not None else decorate


def _run_once(fn: Callable, outbox_id: int | None, args: tuple, kwargs: dict) -> Any:
    """The job's body and the end of its outbox row, in one transaction; nothing if the work is done."""
    if outbox_id is not None and not outbox.claim(outbox_id, f"{fn.__module__}.{fn.__name__}"):
        db.session.rollback()
        return {"skipped": f"outbox job {outbox_id} already done"}
    result = fn(*args, **kwargs)
    if outbox_id is not None:
        outbox.finish(outbox_id)
    db.session.commit()
    return result


def enqueue_for_active_tenants(job: Callable, job_id: Callable[[int], str] | None = None,
                               queue: str = "default") -> list[int]:
    """Submit a tenant job once for every active tenant (a scheduler's fan-out); returns their ids.

    `job_id(tenant_id)` keys the job per tenant: while one waits or runs, no second one is added.
    The caller's transaction (the fan-out job's) commits them.
    """
    tenant_ids = list(db.session.scalars(
        sa.select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)))
    for tenant_id in tenant_ids:
        job.delay(tenant_id=tenant_id, queue=queue, **({"job_id": job_id(tenant_id)} if job_id else {}))
    return tenant_ids
