"""A pool of spare tenant schemas, built at head ahead of time.

Creating a schema's ~90 relations costs PostgreSQL most of a new tenant's time. With
SCHEMA_POOL_SIZE > 0, a platform job keeps that many spare schemas ready (tables, Alembic stamp,
catalogue, default roles and settings), and provisioning claims one inside its own transaction by
renaming it (`ALTER SCHEMA … RENAME`, a catalog update) before falling back to building from scratch.
Spare schemas left at an older revision are dropped and rebuilt by the refill job; `tenants migrate`
never sees them. Pool schemas are named `tenant_pool_<hex>`; slugs starting with "pool-" are reserved.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateSchema, DropSchema

from nexphys.domains import NewStudio
from nexphys.jobs.outbox import Submitted, submit
from nexphys.tenancy.binding import schema_transaction
from nexphys.tenancy.ddl import tenant_ddl_script
from nexphys.tenancy.migrations import head_revision, stamp_head
from nexphys.tenancy.models import SpareSchema
from nexphys.tenancy.names import checked_schema_name
from nexphys.tenancy.seeding import personalise_schema, seed_schema

POOL_PREFIX = "tenant_pool_"
REFILL_JOB = "nexphys.tenancy.jobs.refill_schema_pool"


def _pool_table() -> sa.Table:
    return SpareSchema.__table__


def claim_spare(conn: Connection, target_schema: str, head: str) -> bool:
    """Rename one spare schema at `head` to `target_schema` within the caller's transaction."""
    pool = _pool_table()
    row = conn.execute(
        sa.select(pool.c.schema_name).where(pool.c.revision == head).order_by(pool.c.created_at)
        .limit(1).with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return False
    conn.execute(sa.delete(pool).where(pool.c.schema_name == row.schema_name))
    quote = conn.dialect.identifier_preparer.quote_identifier
    old, new = checked_schema_name(row.schema_name), checked_schema_name(target_schema)
    conn.exec_driver_sql(f"ALTER SCHEMA {quote(old)} RENAME TO {quote(new)}")
    return True


def build_spare(engine: Engine) -> str:
    """Build one spare schema at head, in one transaction, and list it in the pool."""
    name = POOL_PREFIX + secrets.token_hex(5)
    with schema_transaction(engine, name) as conn:
        conn.execute(CreateSchema(name))
        conn.execute(tenant_ddl_script(conn.dialect))
        stamp_head(conn, name)
        with Session(bind=conn) as session:
            seed_schema(session)
            personalise_schema(session, NewStudio())  # a claim personalises it again for its studio
            session.flush()
        conn.execute(sa.insert(_pool_table()).values(schema_name=name, revision=head_revision()))
    return name


def refill(engine: Engine, size: int) -> dict:
    """Drop spare schemas not at head, then build spares until the pool holds `size`."""
    pool = _pool_table()
    head = head_revision()
    with engine.begin() as conn:
        stale = list(conn.execute(
            sa.delete(pool).where(pool.c.revision != head).returning(pool.c.schema_name)).scalars())
        for name in stale:
            conn.execute(DropSchema(checked_schema_name(name), cascade=True, if_exists=True))
        ready = conn.execute(sa.select(sa.func.count()).select_from(pool)).scalar_one()
    built = [build_spare(engine) for _ in range(max(size - ready, 0))]
    return {"dropped_stale": len(stale), "built": len(built), "ready": ready + len(built)}


def enqueue_refill() -> Submitted:
    """Submit one refill of the pool (a second submit while one waits returns it); the caller commits."""
    return submit(REFILL_JOB, queue="low", key="refill-schema-pool")
