"""Schema binding stays correct behind a real PgBouncer in transaction-pooling mode.

Behind transaction pooling, consecutive transactions of one client connection may run on different
server connections, and one server connection serves the transactions of many clients: anything a
client sets on its session (`SET search_path ...`) leaks to whoever runs next on that server
connection. nexphys sets nothing per tenant on a connection (the schema is compiled into each
statement), so it must stay correct here.

The fixture starts PgBouncer with `default_pool_size = 1`: every client connection shares ONE
PostgreSQL server connection, the worst case. The tests show that
  * many concurrent requests from several threads, alternating two tenants over several pooled
    client connections, all ran on that one server connection and each saw only its own tenant;
  * two client connections alternating tenant-bound queries share one server pid and stay apart;
  * the setup can see a leak: the naive session-level `SET search_path` does leak here (negative
    control), while nexphys's binding, in exactly that situation, still reads the right tenant.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from zoneinfo import ZoneInfo

import psycopg2
import pytest
import sqlalchemy as sa
from psycopg2 import sql
from sqlalchemy.engine import make_url

from nexphys.web.access import public
from tests.requests import host

ALPHA_CLASS = "Alpha Only Kettlebells"
BETA_CLASS = "Beta Only Pilates"
PGBOUNCER_USER = "nobody"  # pgbouncer refuses to run as root; as root we start it with `-u nobody`


def assert_only(names: list[str], expected: str) -> None:
    """Own class present, the other tenant's absent (other tests may add rows of their own)."""
    other = BETA_CLASS if expected == ALPHA_CLASS else ALPHA_CLASS
    assert expected in names and other not in names, names


def _pgbouncer_binary() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


PGBOUNCER = _pgbouncer_binary()

pytestmark = pytest.mark.skipif(
    PGBOUNCER is None,
    reason="pgbouncer is not installed (neither on PATH nor /usr/sbin/pgbouncer): apt-get install pgbouncer",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(proc: subprocess.Popen, port: int, log_path, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"pgbouncer exited with {proc.returncode}:\n{log_path.read_text()}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"pgbouncer did not listen on 127.0.0.1:{port}:\n{log_path.read_text()}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pgbouncer_url(database_url, tmp_path_factory) -> Iterator[str]:
    """A real PgBouncer in front of the test database: transaction pooling, ONE server connection."""
    target = make_url(database_url)
    command = [PGBOUNCER]
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PGBOUNCER_USER)
        except KeyError:
            pytest.skip(f"running as root and there is no '{PGBOUNCER_USER}' user to run pgbouncer as")
        command += ["-u", PGBOUNCER_USER]

    # pgbouncer reads its files as the starting user, before it drops to `-u`, and logs to stderr.
    workdir = tmp_path_factory.mktemp("pgbouncer")
    port = _free_port()
    user = target.username or "postgres"
    server = f"host={target.host or '127.0.0.1'} port={target.port or 5432} dbname={target.database}"
    if target.password:
        server += f" password={target.password}"
    (workdir / "userlist.txt").write_text(f'"{user}" ""\n')
    (workdir / "pgbouncer.ini").write_text(f"""\
[databases]
{target.database} = {server}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "userlist.txt"}
pool_mode = transaction
default_pool_size = 1
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 100
ignore_startup_parameters = extra_float_digits,options
""")
    log_path = workdir / "pgbouncer.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([*command, str(workdir / "pgbouncer.ini")], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(proc, port, log_path)
        yield target.set(host="127.0.0.1", port=port, username=user, password=None).render_as_string(
            hide_password=False)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def bouncer_app(app, app_factory, pgbouncer_url):
    """A nexphys app whose pool (4 client connections, no overflow) goes through PgBouncer.

    It gets one test-only route, /_probe, that reports, from ONE transaction, the tenant's class type
    names, the server connection's pid, the server clock and which pooled client connection ran it.
    """
    from flask import Blueprint, jsonify

    from nexphys.classes.models import ClassType
    from nexphys.extensions import db

    bouncer = app_factory(SQLALCHEMY_DATABASE_URI=pgbouncer_url, DB_POOL_SIZE=4, DB_MAX_OVERFLOW=0)
    probe = Blueprint("pgbouncer_probe", __name__)

    @probe.get("/_probe")
    @public
    def report():  # undeclared scope: needs a tenant, like any tenant route
        names = db.session.scalars(sa.select(ClassType.name).order_by(ClassType.name)).all()
        pid, at = db.session.execute(sa.select(sa.func.pg_backend_pid(), sa.func.clock_timestamp())).one()
        client = id(db.session.connection().connection.dbapi_connection)
        return jsonify(names=names, pid=pid, at=at.isoformat(), client=client)

    bouncer.register_blueprint(probe)
    yield bouncer
    with bouncer.app_context():
        db.engine.dispose()


def _class_week(app, tenant, class_name: str) -> str:
    """The week (as ?week=) of the tenant's class, so the page shows it whatever day it is."""
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.extensions import db
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        starts_at = db.session.scalar(sa.select(sa.func.min(ClassSession.starts_at)).join(ClassType)
                                      .where(ClassType.name == class_name))
    return starts_at.astimezone(ZoneInfo(tenant.time_zone)).date().isoformat()


def _names_and_pid(conn) -> tuple[list[str], int, str]:
    """Through a tenant-bound connection: its class type names, server pid and current search_path."""
    from nexphys.classes.models import ClassType

    rows = conn.execute(sa.select(ClassType.name, sa.func.pg_backend_pid(), sa.func.current_setting("search_path"))
                        .order_by(ClassType.name)).all()
    return [row[0] for row in rows], rows[0][1], rows[0][2]


def test_concurrent_requests_share_one_server_connection_and_see_only_their_tenant(
        app, bouncer_app, tenant_a, tenant_b):
    own = {tenant_a.slug: ALPHA_CLASS, tenant_b.slug: BETA_CLASS}
    other = {tenant_a.slug: BETA_CLASS, tenant_b.slug: ALPHA_CLASS}
    weeks = {tenant_a.slug: _class_week(app, tenant_a, ALPHA_CLASS),
             tenant_b.slug: _class_week(app, tenant_b, BETA_CLASS)}
    threads, rounds = 6, 15
    start = threading.Barrier(threads)

    def worker(index: int) -> list[tuple]:
        client = bouncer_app.test_client()
        start.wait()
        seen = []
        for round_ in range(rounds):
            tenant = (tenant_a, tenant_b)[(index + round_) % 2]
            page = client.get(f"/?week={weeks[tenant.slug]}", headers=host(tenant))
            probe = client.get("/_probe", headers=host(tenant))
            seen.append((tenant.slug, page.status_code, page.get_data(as_text=True), probe.status_code,
                         probe.get_json()))
        return seen

    with ThreadPoolExecutor(threads) as pool:
        results = [row for future in [pool.submit(worker, i) for i in range(threads)] for row in future.result()]

    assert len(results) == threads * rounds
    for slug, page_status, page, probe_status, probe in results:
        assert page_status == 200 and probe_status == 200, (slug, page_status, probe_status)
        assert own[slug] in page, f"{slug}'s home page lacks its own class"
        assert other[slug] not in page, f"{slug}'s home page shows the other tenant's class"
        assert_only(probe["names"], own[slug])

    probes = [(slug, probe) for slug, *_, probe in results]
    # ONE PostgreSQL server connection ran every transaction of both tenants ...
    assert len({probe["pid"] for _, probe in probes}) == 1
    # ... coming from several pooled client connections, each of which served both tenants ...
    tenants_by_client: dict[int, set[str]] = {}
    for slug, probe in probes:
        tenants_by_client.setdefault(probe["client"], set()).add(slug)
    assert len(tenants_by_client) > 1
    assert any(len(slugs) == 2 for slugs in tenants_by_client.values())
    # ... and the tenants really interleaved on it (in server time order).
    order = [slug for slug, probe in sorted(probes, key=lambda item: item[1]["at"])]
    switches = sum(1 for before, after in pairwise(order) if before != after)
    assert switches >= 10, order


def test_two_client_connections_alternate_tenants_on_one_server_connection(bouncer_app, tenant_a, tenant_b):
    from nexphys.classes.models import ClassType
    from nexphys.extensions import db
    from nexphys.tenancy.binding import schema_map
    from nexphys.tenancy.context import tenant_bound

    pids = set()
    with bouncer_app.app_context():
        bound_a = db.engine.execution_options(schema_translate_map=schema_map(tenant_a.schema_name))
        bound_b = db.engine.execution_options(schema_translate_map=schema_map(tenant_b.schema_name))
        with bound_a.connect() as conn_a, bound_b.connect() as conn_b:
            assert conn_a.connection.dbapi_connection is not conn_b.connection.dbapi_connection
            for _ in range(5):
                for conn, expected in ((conn_a, ALPHA_CLASS), (conn_b, BETA_CLASS)):
                    names, pid, _ = _names_and_pid(conn)
                    conn.commit()  # end the transaction: PgBouncer hands the server connection on
                    assert_only(names, expected)
                    pids.add(pid)
                for tenant, expected in ((tenant_a, ALPHA_CLASS), (tenant_b, BETA_CLASS)):
                    with tenant_bound(tenant):  # db.session, a third client connection
                        names = db.session.scalars(sa.select(ClassType.name)).all()
                        pids.add(db.session.scalar(sa.select(sa.func.pg_backend_pid())))
                    assert_only(names, expected)
    assert len(pids) == 1, pids


def _naive_connection(pgbouncer_url: str):
    target = make_url(pgbouncer_url)
    conn = psycopg2.connect(host=target.host, port=target.port, user=target.username, dbname=target.database)
    conn.autocommit = True
    return conn


def _naive(conn, statement, *params):
    with conn.cursor() as cur:
        cur.execute(statement, params or None)
        return cur.fetchall() if cur.description else None


def _set_search_path(conn, schema: str) -> int:
    """What peers do: bind a tenant with a session-level SET. Returns the server pid it ran on."""
    _naive(conn, sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return _naive(conn, "SELECT pg_backend_pid()")[0][0]


def test_session_level_search_path_leaks_behind_transaction_pooling_but_binding_does_not(
        pgbouncer_url, bouncer_app, tenant_a, tenant_b):
    from nexphys.extensions import db
    from nexphys.tenancy.binding import schema_map
    from nexphys.tenancy.context import tenant_bound

    naive_a, naive_b = _naive_connection(pgbouncer_url), _naive_connection(pgbouncer_url)
    try:
        # Negative control: the naive scheme leaks, so this setup can see a leak.
        pid = _set_search_path(naive_a, tenant_a.schema_name)
        assert _set_search_path(naive_b, tenant_b.schema_name) == pid
        leaked = [row[0] for row in _naive(naive_a, "SELECT name FROM class_types ORDER BY name")]
        assert BETA_CLASS in leaked and ALPHA_CLASS not in leaked, "connection 1 set A's search_path yet reads B's rows"

        # nexphys in the same situation: the shared server session is pointed at B by a peer,
        # right before each tenant-A statement (after checkout: a NEW connection would reset it).
        with bouncer_app.app_context():
            with db.engine.execution_options(schema_translate_map=schema_map(tenant_a.schema_name)).connect() as conn:
                assert _set_search_path(naive_b, tenant_b.schema_name) == pid
                names, bound_pid, search_path = _names_and_pid(conn)
                conn.commit()
            assert (bound_pid, search_path) == (pid, tenant_b.schema_name)  # same poisoned server session
            assert_only(names, ALPHA_CLASS)

            with tenant_bound(tenant_a):
                db.session.connection()
                assert _set_search_path(naive_b, tenant_b.schema_name) == pid
                names, bound_pid, search_path = _names_and_pid(db.session)
            assert (bound_pid, search_path) == (pid, tenant_b.schema_name)
            assert_only(names, ALPHA_CLASS)
    finally:
        naive_a.close()
        naive_b.close()
