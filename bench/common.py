"""Shared helpers of the benchmarks: the bench database, apps on it, tenants, statistics, the doc.

Benchmarks run on their own PostgreSQL database `nexphys_bench` (dropped and recreated by each
script, never the development or test databases) and Redis database 13, on the servers named by
DATABASE_URL / REDIS_URL, or on the embedded development servers when those are unset.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing as mp
import os
import platform
import re
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
BENCH_DATABASE = "nexphys_bench"
BENCH_REDIS_DB = 13
SECRET = "bench-secret-" + "x" * 32


# --- servers and the bench database ------------------------------------------------------------

def service_urls() -> tuple[str, str]:
    """(SQLAlchemy URL of nexphys_bench, Redis URL of db 13); starts the embedded servers if needed."""
    from sqlalchemy.engine import make_url

    from nexphys.config import sqlalchemy_url

    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        from nexphys.devservers import ensure_services

        env, _started = ensure_services()  # left running: other sessions use them too
        database_url = database_url or env["DATABASE_URL"]
        redis_url = redis_url or env["REDIS_URL"]
    url = make_url(sqlalchemy_url(database_url)).set(database=BENCH_DATABASE)
    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") >= 3 else redis_url
    return url.render_as_string(hide_password=False), f"{base}/{BENCH_REDIS_DB}"


def recreate_database(url: str) -> None:
    """DROP + CREATE the bench database (never any other)."""
    from sqlalchemy.engine import make_url

    from nexphys.devservers import recreate_database as recreate

    assert make_url(url).database == BENCH_DATABASE, f"refusing to recreate {make_url(url).database!r}"
    recreate(url)


def flush_redis(url: str) -> None:
    import redis

    assert url.endswith(f"/{BENCH_REDIS_DB}"), url
    redis.Redis.from_url(url).flushdb()


def make_app(database_url: str, redis_url: str, **overrides):
    """An app on the bench database, configured like production apart from the URLs."""
    import logging

    from nexphys import create_app

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "SECRET_KEY": SECRET,
              "MIGRATION_WORKERS": 2, **overrides}
    app = create_app(config)
    logging.getLogger().setLevel(logging.WARNING)  # create_app sets INFO; keep bench output readable
    return app


def fresh_app(database_url: str, redis_url: str):
    """Recreate the bench database, flush Redis db 13, build an app and its public schema."""
    from flask_migrate import upgrade

    recreate_database(database_url)
    flush_redis(redis_url)
    import logging

    app = make_app(database_url, redis_url)
    with app.app_context():
        upgrade()
    # flask_migrate's upgrade loads the public tree's logging config (alembic at INFO); an app
    # process that did not run it (a job worker) logs alembic at WARNING only, as create_app sets.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return app


def dispose(app) -> None:
    from nexphys.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- tenants -------------------------------------------------------------------------------------

def slug(n: int) -> str:
    return f"gym-{n:03d}"


def create_tenant(slug_: str) -> float:
    """Create one tenant as the platform does (in an app context); returns wall seconds.

    Registry row + subdomain + subscription (register_tenant, commit), then inline provisioning
    (schema, every tenant table at head, default roles and settings, ledger, status active).
    """
    from nexphys.extensions import db
    from nexphys.tenancy import services

    started = time.perf_counter()
    tenant = services.register_tenant(slug_, f"Gym {slug_[4:]}")
    db.session.commit()
    services.provision_tenant_now(tenant.id)
    return time.perf_counter() - started


def create_tenants(app, slugs: Iterable[str]) -> list[float]:
    """Create tenants one after the other; the seconds of each."""
    with app.app_context():
        return [create_tenant(s) for s in slugs]


def _create_worker(database_url: str, redis_url: str, slugs: list[str], barrier, results) -> None:
    import sqlalchemy as sa

    from nexphys.extensions import db

    app = make_app(database_url, redis_url)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect before the clock starts
        db.session.remove()
        barrier.wait()
        results.put([create_tenant(s) for s in slugs])


def create_tenants_parallel(database_url: str, redis_url: str, slugs: Sequence[str],
                            processes: int) -> tuple[float, list[float]]:
    """Create tenants from `processes` separate processes (each its own app, like separate job workers).

    Each process takes a contiguous share of the slugs; the clock starts when every process has
    built its app. Returns (wall seconds, seconds of each tenant).
    """
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    share = math.ceil(len(slugs) / processes)
    workers = [ctx.Process(target=_create_worker,
                           args=(database_url, redis_url, list(slugs[i * share:(i + 1) * share]), barrier, results))
               for i in range(processes)]
    import queue
    import threading

    for worker in workers:
        worker.start()
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        raise RuntimeError("a creating process did not start (see its traceback above)") from None
    started = time.perf_counter()
    each: list[float] = []
    pending = len(workers)
    while pending:
        try:
            each.extend(results.get(timeout=2))
            pending -= 1
        except queue.Empty:
            dead = [w.exitcode for w in workers if w.exitcode]
            if dead:
                raise RuntimeError(f"a creating process failed (exit {dead[0]}; its traceback is above)") from None
    wall = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return wall, each


# --- statistics ----------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(values: Sequence[float], fmt=lambda v: f"{v:.2f}") -> str:
    """'median (runs: a, b, c)' for a figure's cell."""
    return f"{fmt(median(values))} (runs: {', '.join(fmt(v) for v in values)})"


# --- machine and the doc -------------------------------------------------------------------------

def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def postgres_version(database_url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SHOW server_version")).scalar_one().split()[0]
    finally:
        engine.dispose()


def machine_info(database_url: str | None = None) -> dict:
    memory = _memory_gib()
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory": f"{memory:.1f} GiB" if memory else "?",
        "cpu": _cpu_model(),
        "commit": (_git("rev-parse", "--short", "HEAD") or "?") + (" (+ uncommitted changes)" if dirty else ""),
        "python": platform.python_version(),
        "postgres": postgres_version(database_url) if database_url else "?",
    }


# What W3 and W4 measure: the tenant schema (models, migrations, seed data) and the tenancy code.
MEASURED_PATHS = ("migrations", "nexphys/tenancy", "nexphys/db.py", "nexphys/domains.py", "nexphys/*/models.py",
                  "nexphys/roles/seed.py", "nexphys/settings/seed.py", "nexphys/roles/catalog.py")


def code_fingerprint() -> str:
    """The content of MEASURED_PATHS as they stand (committed or not): other sessions edit the tree
    while benchmarks run, and a run whose measured code changed midway must say so."""
    import hashlib

    tree = _git("ls-files", "-s", "--", *MEASURED_PATHS)
    diff = _git("diff", "HEAD", "--", *MEASURED_PATHS)
    untracked = _git("ls-files", "--others", "--exclude-standard", "--", *MEASURED_PATHS)
    return hashlib.sha1("\0".join((tree, diff, untracked)).encode()).hexdigest()


def code_changed_note(fingerprint_at_start: str) -> str:
    if code_fingerprint() == fingerprint_at_start:
        return ""
    return ("**Warning: the tenancy code or the tenant schema changed while this ran** (other sessions edit "
            f"the tree; watched: {', '.join(MEASURED_PATHS)}): the figures may mix two versions; run it again.")


def tenant_schema_objects(database_url: str, schema: str) -> dict[str, int]:
    """Count what a tenant schema is made of (tables, indexes, sequences, foreign keys)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(database_url)
    conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = %s GROUP BY 1", (schema,))
            kinds = dict(cur.fetchall())
            cur.execute("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                        "WHERE n.nspname = %s AND c.contype = 'f'", (schema,))
            fks = cur.fetchone()[0]
    finally:
        conn.close()
    return {"tables": kinds.get("r", 0), "indexes": kinds.get("i", 0), "sequences": kinds.get("S", 0),
            "foreign keys": fks}


def load_average() -> str:
    """The 1-minute load average: other work on a shared machine shows up in the figures."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine_line(info: dict) -> str:
    return (f"{info['date']} · {info['cores']} cores ({info['cpu']}), {info['memory']} RAM · "
            f"commit {info['commit']} · Python {info['python']}, PostgreSQL {info['postgres']} "
            f"(embedded dev server: fsync and synchronous_commit off)")


def update_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace what lies between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in the doc.

    The section is appended when its markers are missing; the rest of the file is left as it is.
    """
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = doc.read_text() if doc.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text, count=1)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)


def save_results(name: str, data: dict) -> Path:
    """Keep a run's raw figures in bench/results/ (git-ignored), to re-read or re-render later."""
    import json

    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=1, default=str))
    return path


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
