"""Health endpoints: /health (full report), /health/live (process up), /health/ready (dependencies).

Anyone gets the status alone (healthy / unhealthy, ready / not ready, and the HTTP status a load
balancer needs). The details (each dependency's error and latency, schema counts, queue depths, the
job outbox, the version) go only to a platform administrator signed in on the apex host, or to a caller
sending the configured operator token in `X-Operator-Token`: errors name addresses and versions.
"""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

from nexphys.extensions import db
from nexphys.jobs import outbox
from nexphys.jobs.queues import QUEUES, get_queue
from nexphys.kv import get_redis
from nexphys.tenancy.migrations import head_revision
from nexphys.tenancy.models import Tenant, TenantMigration
from nexphys.web.access import current_principal, public

bp = Blueprint("health", __name__, url_prefix="/health")


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
        return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2), **(result or {})}
    except Exception as exc:  # noqa: BLE001 - a failing dependency is the answer, not an error
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}


def _database():
    db.session.execute(sa.text("SELECT 1"))
    return None


def _redis():
    get_redis().ping()
    return None


def _tenant_schemas():
    """Serving tenants, their schemas present, and how many stand at the code's head revision."""
    head = head_revision()
    namespaces = sa.table("pg_namespace", sa.column("nspname"), schema="pg_catalog")
    row = db.session.execute(
        sa.select(
            sa.func.count(Tenant.id),
            sa.func.count(namespaces.c.nspname),
            sa.func.count(Tenant.id).filter(TenantMigration.revision == head),
        )
        .select_from(Tenant)
        .outerjoin(TenantMigration, TenantMigration.tenant_id == Tenant.id)
        .outerjoin(namespaces, namespaces.c.nspname == Tenant.schema_name)
        .where(Tenant.status.in_(("active", "suspended")))
    ).one()
    expected, present, at_head = row
    healthy = expected == present == at_head
    return {"expected": expected, "present": present, "at_head": at_head, "head_revision": head,
            "status": "ok" if healthy else "degraded"}


def _queues():
    return {"depth": {name: get_queue(name).count for name in QUEUES}}


def _job_outbox():
    """Work recorded but not done yet (pushed or waiting for Redis), and work RQ finally gave up on."""
    state = outbox.state()
    return {"waiting": state.waiting, "oldest_waiting_seconds": state.oldest_waiting_seconds,
            "failed": state.failed}


def _may_see_details() -> bool:
    expected = current_app.config.get("OPERATOR_TOKEN") or ""
    sent = request.headers.get("X-Operator-Token", "")
    if expected and sent and hmac.compare_digest(sent.encode(), expected.encode()):
        return True
    try:
        principal = current_principal()
    except Exception:  # noqa: BLE001 - no database to ask who is signed in: the status alone
        return False
    return principal is not None and principal.kind == "platform_admin"


def _answer(body: dict, status: int):
    """The whole body for operators; otherwise only its overall status."""
    return jsonify(body if _may_see_details() else {"status": body["status"]}), status


@bp.get("")
@public
def health():
    """Full health report: 200 when every check passes, 503 otherwise."""
    checks = {"database": _timed(_database), "redis": _timed(_redis)}
    database_up = checks["database"]["status"] == "ok"
    checks["tenant_schemas"] = _timed(_tenant_schemas) if database_up else {
        "status": "error", "error": "database unavailable"}
    checks["job_outbox"] = _timed(_job_outbox) if database_up else {
        "status": "error", "error": "database unavailable"}
    checks["queues"] = _timed(_queues) if checks["redis"]["status"] == "ok" else {
        "status": "error", "error": "redis unavailable"}
    healthy = all(c["status"] == "ok" for c in checks.values())
    body = {"status": "healthy" if healthy else "unhealthy",
            "timestamp": datetime.now(UTC).isoformat(),
            "version": current_app.config["APP_VERSION"], **checks}
    return _answer(body, 200 if healthy else 503)


@bp.get("/live")
@public
def live():
    """The process is up and serving."""
    return jsonify({"status": "alive"})


@bp.get("/ready")
@public
def ready():
    """Ready for traffic when the database answers: without Redis the app serves every page and booking
    (caches fall back to the database, jobs wait in the outbox), so Redis is reported, not required."""
    checks = {"database": _timed(_database), "redis": _timed(_redis)}
    ok = checks["database"]["status"] == "ok"
    status = ("ready" if checks["redis"]["status"] == "ok" else "ready without redis") if ok else "not ready"
    return _answer({"status": status, **checks}, 200 if ok else 503)
