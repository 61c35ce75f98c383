"""The one wrapper every job goes through: it binds the job's tenant and unbinds it afterwards.

Jobs take an explicit `tenant_id` (and plain ids, never objects: the JSON serializer enforces it).
A job without a tenant is refused unless it is declared platform-level. Inside, the tenant is bound
exactly as for a request, the session commits once at the end, and the app context (with its
binding and session) is torn down whether the job succeeded or failed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from nexphys.jobs.queues import enqueue


class MissingTenant(RuntimeError):
    """A tenant job was enqueued or run without a tenant id."""


_worker_app: Flask | None = None


def job_app() -> Flask:
    """The app jobs run in: the current one (worker, CLI, tests), else one made for this process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from nexphys.app import create_app

        _worker_app = create_app()
    return _worker_app


def tenant_job(func: Callable | None = None, *, platform: bool = False) -> Callable:
    """Decorate a job function. `platform=True` marks one that runs without a tenant."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, tenant_id: int | None = None, **kwargs: Any) -> Any:
            if tenant_id is None and not platform:
                raise MissingTenant(f"{fn.__qualname__} needs tenant_id")
            from nexphys.extensions import db
            from nexphys.tenancy.context import tenant_bound
            from nexphys.tenancy.resolver import load_tenant

            app = job_app()
            with app.app_context():
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

        def delay(*args: Any, tenant_id: int | None = None, queue: str = "default", **kwargs: Any):
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
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.tenancy.context import TenantStatus
    from nexphys.tenancy.models import Tenant

    tenant_ids = list(db.session.scalars(
        sa.select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)))
    for tenant_id in tenant_ids:
        job.delay(tenant_id=tenant_id, queue=queue, **({"job_id": job_id(tenant_id)} if job_id else {}))
    return tenant_ids
