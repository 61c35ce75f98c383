"""Tenant schema migrations: one Alembic tree (migrations/tenant) applied to every tenant schema.

`migrate_tenants` brings every serving tenant's schema to head in parallel worker processes (Alembic's
`op` is process-global, so threads cannot share it). A ledger in public.tenant_migrations records
where each schema stands, so a run with nothing to do reads one table and returns. Each tenant is
migrated in its own transaction, together with its ledger row: a failure rolls that tenant back,
is recorded, and the run goes on; a rerun picks up exactly what is left.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from nexphys.tenancy.binding import install_connection_guard, schema_transaction
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.models import Tenant, TenantMigration

TENANT_MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations" / "tenant"
VERSION_TABLE = "alembic_version"
ADVISORY_NAMESPACE = 7301  # pg_advisory_xact_lock(namespace, tenant_id): one schema change at a time


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(TENANT_MIGRATIONS))
    return cfg


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script_directory().get_current_head()


def lock_tenant(conn: Connection, tenant_id: int) -> None:
    """Serialise schema changes of one tenant (provisioning, migrating) across processes."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": ADVISORY_NAMESPACE, "id": tenant_id})


def current_revision(conn: Connection, schema: str) -> str | None:
    return MigrationContext.configure(conn, opts={"version_table_schema": schema}).get_current_revision()


def upgrade_schema(conn: Connection, schema: str, destination: str = "head") -> str:
    """Apply pending migrations to `schema` inside the caller's transaction; return the new revision."""
    script = script_directory()

    def steps(revision, _context):
        return script._upgrade_revs(destination, revision)

    with EnvironmentContext(alembic_config(), script, fn=steps, destination_rev=destination) as env:
        env.configure(connection=conn, version_table_schema=schema, transactional_ddl=True)
        env.run_migrations()
    return current_revision(conn, schema)


def stamp_head(conn: Connection, schema: str) -> str:
    """Record head in a schema built directly at head (provisioning)."""
    context = MigrationContext.configure(conn, opts={"version_table_schema": schema})
    context.stamp(script_directory(), "head")
    return head_revision()


def record_ledger(conn: Connection, tenant_id: int, revision: str | None, error: str | None = None) -> None:
    now = sa.func.now()
    values = {"tenant_id": tenant_id, "last_attempt_at": now, "last_error": error}
    if error is None:
        values.update(revision=revision, applied_at=now)
    table = TenantMigration.__table__
    stmt = insert(table).values(**values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[table.c.tenant_id],
                                            set_={k: stmt.excluded[k] for k in values if k != "tenant_id"}))


# --- the worker side: runs in a child process, or inline for one worker -----------------------

_worker_engine: Engine | None = None


def _init_worker(database_url: str) -> None:
    global _worker_engine
    _worker_engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
    install_connection_guard(_worker_engine)


def migrate_one(tenant_id: int, schema: str, engine: Engine | None = None) -> tuple[int, str | None, str | None]:
    """Migrate one tenant schema to head with its ledger row; return (tenant_id, revision, error)."""
    engine = engine or _worker_engine
    try:
        with schema_transaction(engine, schema) as conn:
            lock_tenant(conn, tenant_id)
            revision = upgrade_schema(conn, schema)
            record_ledger(conn, tenant_id, revision)
        return tenant_id, revision, None
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and reported, the run goes on
        error = f"{type(exc).__name__}: {exc}".strip()[:2000]
        try:
            with engine.begin() as conn:
                record_ledger(conn, tenant_id, None, error)
        except Exception as ledger_exc:  # noqa: BLE001 - still report the tenant's own failure
            error += f" (and the ledger could not record it: {type(ledger_exc).__name__})"
        return tenant_id, None, error


@dataclass
class MigrationReport:
    head: str
    considered: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def pending_tenants(engine: Engine, head: str, slugs: Sequence[str] = (), verify: bool = False) -> list[tuple]:
    """(id, slug, schema) of serving tenants whose ledger is not at head (all of them with verify)."""
    query = (
        sa.select(Tenant.id, Tenant.slug, Tenant.schema_name)
        .outerjoin(TenantMigration, TenantMigration.tenant_id == Tenant.id)
        .where(Tenant.status.in_((TenantStatus.ACTIVE, TenantStatus.SUSPENDED)))
        .order_by(Tenant.id)
    )
    if slugs:
        query = query.where(Tenant.slug.in_(list(slugs)))
    if not verify:
        query = query.where(TenantMigration.revision.is_distinct_from(head))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not verify:
        return [tuple(r) for r in rows]
    with engine.connect() as conn:
        return [tuple(r) for r in rows if current_revision(conn, r.schema_name) != head]


def migrate_tenants(engine: Engine, database_url: str, workers: int = 2, slugs: Sequence[str] = (),
                    verify: bool = False, progress: bool = False) -> MigrationReport:
    """Bring every serving tenant schema (or those named by slug) to head."""
    started = time.perf_counter()
    report = MigrationReport(head=head_revision())
    todo = pending_tenants(engine, report.head, slugs, verify)
    report.considered = len(todo)
    by_id = {tenant_id: tenant_slug for tenant_id, tenant_slug, _ in todo}
    for tenant_id, _revision, error in _run(todo, engine, database_url, workers, progress):
        if error:
            report.failed[by_id[tenant_id]] = error
        else:
            report.migrated.append(by_id[tenant_id])
    report.seconds = time.perf_counter() - started
    return report


def _run(todo: list[tuple], engine: Engine, database_url: str, workers: int, progress: bool) -> Iterable:
    bar = tqdm(total=len(todo), unit="tenant", disable=not progress or not todo, desc="migrating")
    if workers <= 1 or len(todo) <= 1:
        for tenant_id, _slug, schema in todo:
            yield migrate_one(tenant_id, schema, engine)
            bar.update()
    else:
        workers = min(workers, len(todo), (os.cpu_count() or 1) * 2)
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(database_url,)) as pool:
            futures = [pool.submit(migrate_one, tenant_id, schema) for tenant_id, _slug, schema in todo]
            for future in as_completed(futures):
                yield future.result()
                bar.update()
    bar.close()
