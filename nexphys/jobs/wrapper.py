"""The one wrapper every job goes through: it binds the job's tenant and unbinds it afterwards.

Jobs take an explicit `tenant_id` (and plain ids, never objects: the JSON serializer enforces it).
A job without a tenant is refused unless it is declared platform-level. Inside, the tenant is bound
exactly as for a request, the session commits once at the end, and a fresh app context (with its
binding and session) is torn down whether the job succeeded or failed.

Jobs run in the app that runs them: `flask worker` (whose work horses inherit its app context), a
CLI command, or a test's app context. The wrapper never builds an app of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from rq.job import Job

from nexphys.extensions import db
from nexphys.jobs.queues import enqueue
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
        def run(*args: Any, tenant_id: int | None = None, **kwargs: Any) -> Any:
            if tenant_id is None and not platform:
                raise MissingTenant(f"{fn.__qualname__} needs tenant_id")
            with _running_app().app_context():
                if tenant_id is None:
                    result = fn(*args, **kwargs)
                    db.session.commit()
                    return result
                tenant = load_tenant("id", str(tenant_id))
                if tenant is None:
                    raise MissingTenant(f"tenant {tenant_id} does not exist")
                with tenant_bound(tenant):
                    result = fn(*args, **kwargs)
                    db.session.commit()
                    return result

        def delay(*args: Any, tenant_id: int | None = None, queue: str = "default", **kwargs: Any) -> Job:
            if tenant_id is None and not platform:
                raise MissingTenant(f"{fn.__qualname__} needs tenant_id")
            if tenant_id is not None:
                kwargs["tenant_id"] = int(tenant_id)
            return enqueue(f"{fn.__module__}.{fn.__name__}", *args, queue=queue, **kwargs)

        run.delay = delay
        run.is_platform_job = platform
        return run

    return decorate(func) if func is not None else decorate


def enqueue_for_active_tenants(job: Callable, job_id: Callable[[int], str] | None = None,
                               queue: str = "default") -> list[int]:
    """Queue a tenant job once for every active tenant (a scheduler's fan-out); returns their ids.

    `job_id(tenant_id)` makes the job unique per tenant: while one is queued or running, no second one is.
    """
    tenant_ids = list(db.session.scalars(
        sa.select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)))
    for tenant_id in tenant_ids:
        job.delay(tenant_id=tenant_id, queue=queue, **({"job_id": job_id(tenant_id)} if job_id else {}))
    return tenant_ids
