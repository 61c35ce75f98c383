"""The WORKLOAD data set for W1 and W2: tenants gym-001 … gym-100, each with its members, week and bookings.

Per tenant (WORKLOAD.md): 200 members (plus 4 instructors), 140 class sessions (20 a day over the 7
days from 2026-01-05, 45 minutes each from 06:00 studio time, capacity 20) and exactly 1,000
confirmed bookings spread unevenly over them, `class_sessions.booked_count` equal to each session's
bookings. Tenants are created by the real provisioning code (register + provision, from 2 processes);
the rows are bulk-loaded with COPY (the data, not its creation, is what W1 and W2 measure).

The data set lives in the bench database `nexphys_bench`. A comment on that database marks it as
complete (data-set version, tenant-schema head, tenant count); a later run that finds the same mark
reuses it and starts in seconds. Other benchmarks (W3, W4) recreate the database, which drops the
mark, and the next W1/W2 run builds the data set again.

    python -m bench.dataset            # build unless present
    python -m bench.dataset --rebuild  # build from scratch
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench import common
from bench.common import say

VERSION = 1
TENANTS = 100
MEMBERS = 200
INSTRUCTORS = 4
FIRST_DAY = date(2026, 1, 5)
DAYS = 7
SESSIONS_PER_DAY = 20
CAPACITY = 20
BOOKINGS = 1000
FIRST_START_MINUTES = 6 * 60  # 06:00 studio time (the studios are in UTC)
SESSION_MINUTES = 45
CLASS_TYPES = (("Vinyasa Flow", "#6d28d9"), ("Strength Club", "#7c2d12"), ("Metcon", "#c2410c"),
               ("Mobility", "#0f766e"), ("Spin", "#1d4ed8"))
ROOMS = (("Main floor", 20), ("Studio 2", 20))
CREATED = datetime(2025, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Tenant:
    id: int
    slug: str
    schema: str


def public_head() -> str:
    """The public tree's head: a data set built before a public migration is built again."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(common.ROOT / "migrations" / "public")).get_current_head()


def marker(head: str) -> str:
    return (f"nexphys-bench W1/W2 data set v{VERSION}; tenant head {head}; public head {public_head()}; "
            f"{TENANTS} tenants")


def pg_connect(database_url: str):
    """A plain psycopg2 connection to the database of `database_url` (a SQLAlchemy URL)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(database_url)
    return psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)


def _current_marker(database_url: str) -> str | None:
    import psycopg2

    try:
        conn = pg_connect(database_url)
    except psycopg2.OperationalError:  # no bench database yet
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = "
                        "current_database()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def tenants(database_url: str) -> list[Tenant]:
    """The data set's tenants, gym-001 first."""
    conn = pg_connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, slug, schema_name FROM public.tenants WHERE slug LIKE 'gym-%%' ORDER BY slug")
            return [Tenant(*row) for row in cur.fetchall()]
    finally:
        conn.close()


def ensure(database_url: str, redis_url: str, rebuild: bool = False) -> list[Tenant]:
    """The data set, built unless the bench database already holds it (marked); its tenants."""
    from nexphys.tenancy.migrations import head_revision

    expected = marker(head_revision())
    if not rebuild and _current_marker(database_url) == expected:
        found = tenants(database_url)
        if len(found) == TENANTS:
            say(f"data set present ({expected}): reused")
            return found
    build(database_url, redis_url)
    conn = pg_connect(database_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"COMMENT ON DATABASE {common.BENCH_DATABASE} IS %s", (expected,))
    conn.close()
    return tenants(database_url)


def build(database_url: str, redis_url: str) -> None:
    """Fresh bench database, 100 tenants by the platform's provisioning, then the rows by COPY."""
    started = time.perf_counter()
    say(f"building the data set: {TENANTS} tenants × ({MEMBERS} members, {DAYS * SESSIONS_PER_DAY} sessions, "
        f"{BOOKINGS} bookings)")
    app = common.fresh_app(database_url, redis_url)
    common.dispose(app)
    wall, _each = common.create_tenants_parallel(database_url, redis_url,
                                                 [common.slug(n) for n in range(1, TENANTS + 1)], processes=2)
    say(f"  {TENANTS} tenants provisioned in {wall:.1f} s")
    loaded = time.perf_counter()
    conn = pg_connect(database_url)
    try:
        for tenant in tenants(database_url):
            load_tenant(conn, tenant)
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            for tenant in tenants(database_url):
                for table in ("users", "class_types", "class_sessions", "bookings"):
                    cur.execute(f'ANALYZE "{tenant.schema}".{table}')
    finally:
        conn.close()
    common.flush_redis(redis_url)  # no cached registry entry from an older database survives
    say(f"  rows loaded in {time.perf_counter() - loaded:.1f} s; data set built in "
        f"{time.perf_counter() - started:.1f} s")


def _copy(cur, schema: str, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    cur.copy_expert(f'COPY "{schema}".{table} ({", ".join(columns)}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')',
                    buffer)
    cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM \"{schema}\".{table}))",
                (f'"{schema}".{table}',))


def booking_counts(rng: random.Random) -> list[int]:
    """Bookings per session: exactly BOOKINGS in all, uneven (some sessions full, some empty)."""
    sessions = DAYS * SESSIONS_PER_DAY
    counts = [BOOKINGS // sessions] * sessions
    for i in range(BOOKINGS - sum(counts)):
        counts[(i * 7) % sessions] += 1
    for _ in range(sessions * 2):
        a, b = rng.randrange(sessions), rng.randrange(sessions)
        moved = min(rng.randint(0, 6), counts[a], CAPACITY - counts[b])
        counts[a] -= moved
        counts[b] += moved
    return counts


def load_tenant(conn, tenant: Tenant) -> None:
    """One tenant's people, class types, rooms, week of sessions and bookings (ids 1…n), by COPY."""
    number = int(tenant.slug.split("-")[1])
    rng = random.Random(number)
    with conn.cursor() as cur:
        cur.execute(f'SELECT key, id FROM "{tenant.schema}".roles')
        roles = dict(cur.fetchall())
        users = [(i, f"coach{i}@{tenant.slug}.example", f"Coach {i}", roles["instructor"], "active", CREATED, CREATED)
                 for i in range(1, INSTRUCTORS + 1)]
        members = list(range(INSTRUCTORS + 1, INSTRUCTORS + MEMBERS + 1))
        users += [(i, f"member{i - INSTRUCTORS}@{tenant.slug}.example", f"Member {i - INSTRUCTORS}", roles["member"],
                   "active", CREATED, CREATED) for i in members]
        _copy(cur, tenant.schema, "users",
              ("id", "email", "full_name", "role_id", "status", "created_at", "updated_at"), users)
        _copy(cur, tenant.schema, "class_types",
              ("id", "name", "description", "duration_minutes", "default_capacity", "color", "level"),
              [(i, name, "", SESSION_MINUTES, CAPACITY, color, "all")
               for i, (name, color) in enumerate(CLASS_TYPES, 1)])
        _copy(cur, tenant.schema, "rooms", ("id", "name", "capacity"),
              [(i, name, cap) for i, (name, cap) in enumerate(ROOMS, 1)])
        sessions, bookings = [], []
        counts = booking_counts(rng)
        for index in range(DAYS * SESSIONS_PER_DAY):
            day, slot = divmod(index, SESSIONS_PER_DAY)
            starts = (datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), tzinfo=UTC)
                      + timedelta(minutes=FIRST_START_MINUTES + slot * SESSION_MINUTES))
            session_id = index + 1
            sessions.append((session_id, 1 + (index + day) % len(CLASS_TYPES), 1 + index % INSTRUCTORS,
                             1 + index % len(ROOMS), starts, starts + timedelta(minutes=SESSION_MINUTES), CAPACITY,
                             counts[index], "scheduled", CREATED))
            for member in rng.sample(members, counts[index]):
                bookings.append((len(bookings) + 1, session_id, member, "confirmed", CREATED, CREATED))
        _copy(cur, tenant.schema, "class_sessions",
              ("id", "class_type_id", "instructor_id", "room_id", "starts_at", "ends_at", "capacity", "booked_count",
               "status", "created_at"), sessions)
        _copy(cur, tenant.schema, "bookings",
              ("id", "session_id", "member_id", "status", "created_at", "confirmed_at"), bookings)


def check(database_url: str, tenant: Tenant) -> dict:
    """The data set's figures for one tenant, read back (the run states them)."""
    conn = pg_connect(database_url)
    try:
        with conn.cursor() as cur:
            s = f'"{tenant.schema}"'
            cur.execute(f"SELECT (SELECT count(*) FROM {s}.users u JOIN {s}.roles r ON r.id = u.role_id "
                        f"WHERE r.key = 'member'), "
                        f"(SELECT count(*) FROM {s}.class_sessions WHERE starts_at >= %s AND starts_at < %s), "
                        f"(SELECT count(*) FROM {s}.bookings WHERE status = 'confirmed'), "
                        f"(SELECT count(*) FROM {s}.class_sessions c WHERE booked_count <> (SELECT count(*) FROM "
                        f"{s}.bookings b WHERE b.session_id = c.id AND b.status = 'confirmed'))",
                        (datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC),
                         datetime.combine(FIRST_DAY + timedelta(days=DAYS), datetime.min.time(), tzinfo=UTC)))
            members, sessions, bookings, inconsistent = cur.fetchone()
    finally:
        conn.close()
    return {"members": members, "sessions": sessions, "bookings": bookings, "inconsistent_counts": inconsistent}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="build from scratch even if present")
    args = parser.parse_args(argv)
    database_url, redis_url = common.service_urls()
    found = ensure(database_url, redis_url, rebuild=args.rebuild)
    say(f"{len(found)} tenants; {found[0].slug}: {check(database_url, found[0])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
