"""Schema binding: every statement of a tenant request or job runs in that tenant's schema.

nexphys keeps ONE connection pool per process for all tenants. Nothing tenant-specific is ever set
on a pooled (DBAPI) connection: the tenant's schema is compiled into each statement through
SQLAlchemy's `schema_translate_map` (UNBOUND_TENANT_SCHEMA -> the tenant's schema), an execution
option set on the session's Connection wrapper when its transaction begins, for the tenant bound
then. The wrapper is discarded when the session lets the connection go, so a pooled connection
carries nothing from one tenant to the next, and the scheme stays correct behind PgBouncer in
transaction-pooling mode, where consecutive transactions of one client may run on different server
connections and vice versa.

Every new connection also gets `search_path` set to the non-existent placeholder schema, so that
hand-written SQL with unqualified names fails instead of quietly reading `public`.
"""

from __future__ import annotations

import os
import select
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, SessionTransaction

from nexphys.db import UNBOUND_TENANT_SCHEMA
from nexphys.extensions import db
from nexphys.tenancy.context import current_tenant, require_tenant
from nexphys.tenancy.names import checked_schema_name

_TRANSLATE_OPTION = "schema_translate_map"


def schema_map(schema: str) -> dict[str, str]:
    return {UNBOUND_TENANT_SCHEMA: checked_schema_name(schema)}


@event.listens_for(db.session, "after_begin")
def _bind_transaction(_session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    """db.session: each transaction runs in the schema of the tenant bound when it begins (none: unbound)."""
    tenant = current_tenant()
    if tenant is not None:
        connection.execution_options(**{_TRANSLATE_OPTION: schema_map(tenant.schema_name)})


_rendered_reads: dict[tuple[int, str], tuple[Any, str, dict]] = {}


def _rendered(statement: Any, schema: str, dialect: Any) -> tuple[str, dict]:
    """The statement's SQL with `schema` written in, and its fixed parameters: rendered once per schema."""
    key = (id(statement), schema)
    hit = _rendered_reads.get(key)
    if hit is None or hit[0] is not statement:  # (the entry holds the statement, so its id stays its own)
        compiled = statement.compile(dialect=dialect, schema_translate_map=schema_map(schema),
                                     render_schema_translate=True)
        hit = _rendered_reads[key] = (statement, compiled.string, dict(compiled.params))
    return hit[1], hit[2]


def read_rows(statement: Any, params: dict | None = None) -> list[sa.Row]:
    """The rows of one read-only statement in the bound tenant's schema, in one round trip if possible.

    For the hottest reads (the timetable, W1): `statement` is a module-level constant whose parameters
    are plain values (passed to the driver as they are; its SQL is rendered once per schema and kept).
    Outside a session transaction it runs on a pooled connection in autocommit mode: one statement
    needs no transaction, and psycopg2 would otherwise send BEGIN and ROLLBACK as round trips of their
    own (three where one does). Inside a session transaction the session's connection is used, so the
    read sees that transaction's own writes.
    """
    if db.session.registry.has() and db.session().in_transaction():
        return db.session.connection().execute(statement, params).all()
    engine = db.engine
    sql, fixed = _rendered(statement, require_tenant().schema_name, engine.dialect)
    with engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        dbapi_conn.autocommit = True  # set on the client only; no SET is sent
        try:
            return conn.exec_driver_sql(sql, {**fixed, **(params or {})}).all()
        finally:
            if not dbapi_conn.closed:
                dbapi_conn.autocommit = False  # back as the pool hands connections out


@contextmanager
def schema_transaction(engine: Engine, schema: str) -> Iterator[Connection]:
    """One transaction whose statements run in `schema`, for provisioning and migrations.

    `SET LOCAL` lasts only until the transaction ends, so it too leaves nothing on the connection;
    it lets migration scripts and `op.execute` use unqualified names.
    """
    schema = checked_schema_name(schema)
    with engine.connect() as conn:
        conn = conn.execution_options(**{_TRANSLATE_OPTION: schema_map(schema)})
        with conn.begin():
            quoted = conn.dialect.identifier_preparer.quote_identifier(schema)
            conn.exec_driver_sql(f"SET LOCAL search_path TO {quoted}")
            yield conn


_engines_to_reset_after_fork: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    # A forked child (RQ work horse, migration worker) must not use or close its parent's sockets.
    for engine in list(_engines_to_reset_after_fork):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def install_connection_guard(engine: Engine) -> None:
    """Point new connections' search_path at a schema that does not exist (fail closed).

    Also makes forked children start with an empty pool, and pings connections that sat idle.
    """
    _engines_to_reset_after_fork.add(engine)
    ping_idle_connections(engine)

    @event.listens_for(engine, "connect")
    def _unbound_search_path(dbapi_conn, _record):
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET search_path TO {UNBOUND_TENANT_SCHEMA}")
        dbapi_conn.autocommit = autocommit


IDLE_PING_SECONDS = 5.0


def _closed_by_server(dbapi_conn) -> bool:
    """An idle connection whose socket has something to read was closed by the server.

    Between transactions PostgreSQL sends nothing unprompted, except when it ends the session: a
    restart or pg_terminate_backend sends a FATAL notice and closes the socket. Polling the socket
    costs a system call, not a round trip.
    """
    try:
        readable, _, _ = select.select([dbapi_conn.fileno()], [], [], 0)
    except (OSError, ValueError):  # the socket is already closed
        return True
    return bool(readable)


def ping_idle_connections(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection before use: closed by the server, or unused for `idle_seconds` or more.

    Instead of pool_pre_ping's round trip on every checkout (a third of a timetable request's round
    trips): a busy process reuses connections within milliseconds, so a closed socket is seen by
    polling it, and a connection idle long enough to have been dropped silently (a firewall, a
    failover) is pinged. Either way the pool connects anew, so the first request after a database
    restart gets a live connection.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["nexphys_checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_if_idle(dbapi_conn, record, _proxy):
        if _closed_by_server(dbapi_conn):
            raise sa.exc.DisconnectionError("the server closed this connection")  # the pool connects anew
        since = record.info.get("nexphys_checked_in_at")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError("idle connection is gone") from exc  # the pool connects anew


def table_exists(conn: Connection, schema: str, table: str) -> bool:
    return conn.execute(
        sa.text("SELECT to_regclass(:name) IS NOT NULL"),
        {"name": f'"{checked_schema_name(schema)}"."{table}"'},
    ).scalar_one()
