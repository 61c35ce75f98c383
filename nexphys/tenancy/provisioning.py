"""Provisioning: from a registry row to an active tenant, in one transaction.

Steps, all in ONE PostgreSQL transaction (PostgreSQL DDL is transactional): lock the tenant, create
its schema, build every tenant table directly at head (from the models, not by replaying history,
so the cost stays flat as migrations accumulate) and stamp the Alembic head, seed default roles and
settings, record the ledger, mark the tenant active. A crash anywhere rolls all of it back, so a
tenant is never active with a half-built schema, and rerunning simply does the whole thing again.
A test checks that building from the models equals replaying every migration. What a new schema
holds (its tables, its starting rows) comes from the installed domains (nexphys.domains).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateSchema, DropSchema

from nexphys.domains import NewStudio
from nexphys.tenancy.binding import schema_transaction, table_exists
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.ddl import tenant_ddl_script
from nexphys.tenancy.migrations import VERSION_TABLE, head_revision, lock_tenant, record_ledger, stamp_head
from nexphys.tenancy.models import Tenant
from nexphys.tenancy.pool import claim_spare
from nexphys.tenancy.seeding import personalise_schema, seed_schema

log = logging.getLogger(__name__)


class ProvisioningError(RuntimeError):
    """The tenant cannot be provisioned as it stands (the reason is recorded on the tenant)."""


@dataclass(frozen=True)
class TenantRow:
    id: int
    slug: str
    schema_name: str
    status: str
    activated_at: object
    time_zone: str


def _load(conn: Connection, tenant_id: int, lock: bool = False) -> TenantRow:
    t = Tenant.__table__
    query = sa.select(t.c.id, t.c.slug, t.c.schema_name, t.c.status, t.c.activated_at, t.c.time_zone)
    query = query.where(t.c.id == tenant_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise ProvisioningError(f"tenant {tenant_id} is not in the registry")
    return TenantRow(*row)


def _set_status(conn: Connection, tenant_id: int, status: str, reason: str | None = None, **extra) -> None:
    conn.execute(sa.update(Tenant).where(Tenant.id == tenant_id)
                 .values(status=status, status_reason=reason, updated_at=sa.func.now(), **extra))


# Each step takes (conn, tenant) inside the one transaction. Tests replace a step to simulate a crash.
CLAIMED = "nexphys_claimed_spare_schema"


def step_create_schema(conn: Connection, tenant: TenantRow) -> None:
    """The tenant's schema: a spare one from the pool, renamed, when one is ready; else a new one."""
    if conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": tenant.schema_name}).first():
        if tenant.activated_at is not None:
            raise ProvisioningError("schema exists and the tenant was active before: refusing to rebuild it")
        # Left by something outside this transaction (never by a crash here, which rolls back): a
        # tenant that was never active has no data, so start clean.
        conn.execute(DropSchema(tenant.schema_name, cascade=True))
    conn.info[CLAIMED] = claim_spare(conn, tenant.schema_name, head_revision())
    if not conn.info[CLAIMED]:
        conn.execute(CreateSchema(tenant.schema_name))


def step_build_tables(conn: Connection, tenant: TenantRow) -> None:
    if conn.info.get(CLAIMED):
        return  # built and stamped when the spare schema was made
    conn.execute(tenant_ddl_script(conn.dialect))
    stamp_head(conn, tenant.schema_name)


def step_seed_defaults(conn: Connection, tenant: TenantRow) -> None:
    """The domains' starting rows (a claimed spare schema has them already), then the studio's own values."""
    with Session(bind=conn) as session:
        if not conn.info.get(CLAIMED):
            seed_schema(session)
        personalise_schema(session, NewStudio(time_zone=tenant.time_zone))
        session.flush()


def step_record_ledger(conn: Connection, tenant: TenantRow) -> None:
    record_ledger(conn, tenant.id, head_revision())


def step_activate(conn: Connection, tenant: TenantRow) -> None:
    if not table_exists(conn, tenant.schema_name, VERSION_TABLE):
        raise ProvisioningError("schema has no migration version: not activating")
    _set_status(conn, tenant.id, TenantStatus.ACTIVE, None, activated_at=sa.func.now())


STEPS: list[tuple[str, Callable[[Connection, TenantRow], None]]] = [
    ("create_schema", step_create_schema),
    ("build_tables", step_build_tables),
    ("seed_defaults", step_seed_defaults),
    ("record_ledger", step_record_ledger),
    ("activate", step_activate),
]


def provision(engine: Engine, tenant_id: int, steps: list | None = None) -> float:
    """Provision one tenant; idempotent (an active tenant is left alone). Returns seconds taken.

    On failure the tenant is marked `failed` with the reason, and the error is raised again so the
    job system records and retries it.
    """
    started = time.perf_counter()
    with engine.begin() as conn:
        tenant = _load(conn, tenant_id)
        if tenant.status == TenantStatus.ACTIVE:
            return 0.0
        if tenant.status in (TenantStatus.SUSPENDED, TenantStatus.ARCHIVED):
            raise ProvisioningError(f"tenant is {tenant.status}: not provisioning it")
    try:
        with schema_transaction(engine, tenant.schema_name) as conn:
            lock_tenant(conn, tenant_id)
            tenant = _load(conn, tenant_id, lock=True)
            if tenant.status == TenantStatus.ACTIVE:  # another worker finished it meanwhile
                return 0.0
            try:
                for _name, step in steps or STEPS:
                    step(conn, tenant)
            finally:
                conn.info.pop(CLAIMED, None)  # conn.info outlives this checkout: leave nothing behind
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        log.exception("provisioning tenant %s failed", tenant_id)
        with engine.begin() as conn:
            _set_status(conn, tenant_id, TenantStatus.FAILED, reason)
        raise
    return time.perf_counter() - started
