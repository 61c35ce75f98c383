"""W4 migration across tenants: apply one new tenant migration to 100, then 1,000 tenants.

The migration adds a nullable column `bench_note` to `class_sessions`. It is NOT added to the real
migrations/tenant tree: the tree is copied to a temporary directory, the revision is written there
(down_revision = the real head) and nexphys.tenancy.migrations.TENANT_MIGRATIONS is pointed at the
copy for the duration (migration workers are forked, so they inherit it). Tenants are always
created with the real tree, so they start at the real head.

Measured with `migrate_tenants(engine, url, workers=N)` as `flask tenants migrate` calls it, for
N = 1, 2, 4; between runs every schema is put back (column dropped, alembic_version and ledger set
to the real head). Then: one tenant whose migration fails (the column already exists there), the
rerun after the fix, and the no-op run over 1,000 tenants at head (ledger only, and --verify).

    python -m bench.w4_migration            # 100 and 1,000 tenants, 3 runs, writes docs/benchmarks.md
    python -m bench.w4_migration --quick    # 20 and 60 tenants, 1 run, prints only
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench import common
from bench.common import median, say

RUNS = 3
SIZES = (100, 1000)
WORKERS = (1, 2, 4)
COLUMN = "bench_note"
REVISION = "bench_w4_note"
FAILING = 50  # gym-050 is the tenant whose migration fails (the middle one with fewer tenants)

MIGRATION = '''"""W4 benchmark: a nullable column on class_sessions (temporary copy of the tree only)

Revision ID: {revision}
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("class_sessions", sa.Column("{column}", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("class_sessions", "{column}")
'''


@contextmanager
def bench_migration_tree():
    """Point the tenant migrations at a temporary copy with one new revision; yield (old, new) heads."""
    from nexphys.tenancy import migrations

    original = migrations.TENANT_MIGRATIONS
    old_head = migrations.head_revision()
    workdir = Path(tempfile.mkdtemp(prefix="nexphys-bench-w4-"))
    tree = workdir / "tenant"
    shutil.copytree(original, tree, ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "versions" / f"{REVISION}.py").write_text(
        MIGRATION.format(revision=REVISION, down=old_head, column=COLUMN))
    migrations.TENANT_MIGRATIONS = tree
    migrations.script_directory.cache_clear()
    try:
        new_head = migrations.head_revision()
        assert new_head == REVISION, new_head
        yield old_head, new_head
    finally:
        migrations.TENANT_MIGRATIONS = original
        migrations.script_directory.cache_clear()
        shutil.rmtree(workdir, ignore_errors=True)


class Bench:
    """The bench database with its tenants, and the operations on their schemas."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self.database_url, self.redis_url = database_url, redis_url
        self.app = common.fresh_app(database_url, redis_url)
        self.count = 0
        with self.app.app_context():
            from nexphys.extensions import db

            self.engine = db.engine
        self.url = self.engine.url.render_as_string(hide_password=False)

    def add_tenants(self, upto: int) -> None:
        """Create gym-(count+1) … gym-upto with the real migration tree (2 processes; setup, untimed)."""
        from nexphys.tenancy.migrations import TENANT_MIGRATIONS, script_directory

        assert "nexphys-bench" not in str(TENANT_MIGRATIONS) and script_directory().get_current_head() != REVISION
        slugs = [common.slug(n) for n in range(self.count + 1, upto + 1)]
        common.create_tenants_parallel(self.database_url, self.redis_url, slugs, 2)
        self.count = upto

    def schemas(self) -> list[str]:
        from nexphys.tenancy.names import schema_name_for

        return [schema_name_for(common.slug(n)) for n in range(1, self.count + 1)]

    def _psycopg(self):
        import psycopg2
        from sqlalchemy.engine import make_url

        u = make_url(self.database_url)
        return psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)

    def sql(self, statements: list[str], batch: int = 200) -> None:
        conn = self._psycopg()
        try:
            for i in range(0, len(statements), batch):
                with conn.cursor() as cur:
                    cur.execute(";\n".join(statements[i:i + batch]))
                conn.commit()
        finally:
            conn.close()

    def scalar(self, query: str, params: tuple = ()):
        conn = self._psycopg()
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchone()[0]
        finally:
            conn.close()

    def reset(self, old_head: str) -> None:
        """Every schema back to the real head: column dropped, alembic_version and ledger set back."""
        statements = []
        for schema in self.schemas():
            statements.append(f'ALTER TABLE "{schema}".class_sessions DROP COLUMN IF EXISTS {COLUMN}')
            statements.append(f"UPDATE \"{schema}\".alembic_version SET version_num = '{old_head}'")
        statements.append(f"UPDATE public.tenant_migrations SET revision = '{old_head}', last_error = NULL")
        self.sql(statements)

    def with_column(self) -> int:
        return self.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'class_sessions' "
                           "AND column_name = %s AND table_schema LIKE 'tenant\\_gym\\_%%'", (COLUMN,))

    def ledger_at(self, revision: str) -> int:
        return self.scalar("SELECT count(*) FROM public.tenant_migrations WHERE revision = %s", (revision,))

    def migrate(self, workers: int, verify: bool = False):
        from nexphys.tenancy.migrations import migrate_tenants

        started = time.perf_counter()
        report = migrate_tenants(self.engine, self.url, workers=workers, verify=verify)
        return time.perf_counter() - started, report

    def close(self) -> None:
        common.dispose(self.app)


def timed_migrations(bench: Bench, old_head: str, new_head: str, runs: int) -> dict[int, list[float]]:
    """{workers: [seconds of each run]}; runs interleave the worker counts so drift hits all alike."""
    times: dict[int, list[float]] = {w: [] for w in WORKERS}
    for run in range(runs):
        for workers in WORKERS:
            bench.reset(old_head)
            seconds, report = bench.migrate(workers)
            assert report.ok and len(report.migrated) == bench.count, (report.failed, len(report.migrated))
            assert bench.with_column() == bench.count and bench.ledger_at(new_head) == bench.count
            times[workers].append(seconds)
            say(f"  {bench.count} tenants, workers={workers}, run {run + 1}: {seconds:.2f} s "
                f"({bench.count / seconds:.0f} tenants/s)")
    return times


def failure_case(bench: Bench, old_head: str, new_head: str) -> dict:
    """One tenant's migration fails; the rest finish; the failure is reported; a rerun completes it."""
    from nexphys.tenancy.names import schema_name_for

    failing_slug = common.slug(min(FAILING, bench.count // 2))
    failing_schema = schema_name_for(failing_slug)
    bench.reset(old_head)
    bench.sql([f'ALTER TABLE "{failing_schema}".class_sessions ADD COLUMN {COLUMN} integer'])
    seconds, report = bench.migrate(2)
    ledger = bench.scalar("SELECT row(m.revision, m.last_error)::text FROM public.tenant_migrations m "
                          "JOIN public.tenants t ON t.id = m.tenant_id WHERE t.slug = %s", (failing_slug,))
    outcome = {
        "first": {"seconds": seconds, "considered": report.considered, "migrated": len(report.migrated),
                  "failed": dict(report.failed), "ledger_at_head": bench.ledger_at(new_head),
                  "failing_ledger": ledger},
    }
    bench.sql([f'ALTER TABLE "{failing_schema}".class_sessions DROP COLUMN {COLUMN}'])  # the fix
    seconds, report = bench.migrate(2)
    outcome["rerun"] = {"seconds": seconds, "considered": report.considered, "migrated": list(report.migrated),
                        "failed": dict(report.failed), "ledger_at_head": bench.ledger_at(new_head),
                        "with_column": bench.with_column()}
    seconds, report = bench.migrate(2)
    outcome["again"] = {"seconds": seconds, "considered": report.considered}
    outcome["slug"] = failing_slug
    say(f"  failure case: {outcome}")
    return outcome


def noop_runs(bench: Bench, runs: int) -> dict[str, list[float]]:
    """Every tenant at head: the ledger run (one query) and the --verify run (every schema read)."""
    result: dict[str, list[float]] = {"ledger": [], "verify": []}
    for run in range(runs):
        for kind in ("ledger", "verify"):
            seconds, report = bench.migrate(2, verify=kind == "verify")
            assert report.ok and report.considered == 0 and not report.migrated, report
            result[kind].append(seconds)
            say(f"  no-op over {bench.count} tenants ({kind}), run {run + 1}: {seconds * 1000:.1f} ms")
    return result


def _fmt_runs(values: list[float], unit: str = "s") -> str:
    if unit == "ms":
        return ", ".join(f"{v * 1000:.0f} ms" for v in values)
    return ", ".join(f"{v:.2f} s" for v in values)


def render(info: dict, sizes: dict[int, dict[int, list[float]]], failure: dict, noop: dict[str, list[float]],
           noop_count: int, runs: dict[int, int], load: str, old_head: str, notes: list[str]) -> str:
    lines = [
        "## W4 migration across tenants",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        "One new tenant migration (`op.add_column(\"class_sessions\", sa.Column(\"bench_note\", sa.Text(), "
        f"nullable=True))`, written into a temporary copy of migrations/tenant on top of the head `{old_head}`) "
        "applied with "
        "`migrate_tenants(engine, url, workers=N)`, as `flask tenants migrate --workers N` does: the ledger "
        "query, then per tenant one transaction (advisory lock, Alembic upgrade, ledger row). Before each run "
        "every schema is put back to the previous head. Time is wall time of the whole call, process pool "
        "start-up included. Median of the runs (each run in brackets); runs interleave the worker counts.",
        "",
        "| tenants | workers | total | tenants/s | vs 1 worker | reference |",
        "|---|---|---|---|---|---|",
    ]
    for count, times in sizes.items():
        base = median(times[1])
        for workers, values in times.items():
            ref = ""
            if count == 100 and workers == 1:
                ref = "django-tenants: 7.0 s"
            elif count == 100 and workers == 4:
                ref = "django-tenants, multiprocessing executor: 4.1 s"
            lines.append(f"| {count:,} | {workers} | **{median(values):.2f} s** ({_fmt_runs(values)}) | "
                         f"{count / median(values):.0f} | ×{base / median(values):.2f} | {ref} |")
    if any(n < RUNS for n in runs.values()):
        lines += ["", "Runs per size: " + ", ".join(f"{c:,} tenants: {n}" for c, n in runs.items()) + "."]
    if failure:
        first, rerun, again = failure["first"], failure["rerun"], failure["again"]
        error = next(iter(first["failed"].values()), "") if first["failed"] else ""
        lines += [
            "",
            f"**A failing tenant** ({failure['count']} tenants, workers=2): the column already exists in "
            f"`{failure['slug']}`, so its ADD COLUMN fails.",
            "",
            f"- First run: {first['considered']} tenants needed work, **{first['migrated']} migrated, "
            f"{len(first['failed'])} failed** ({', '.join(first['failed']) or 'none'}) in {first['seconds']:.2f} s; "
            f"`report.failed` holds `{error.splitlines()[0][:160] if error else ''}`; ledger rows at the new head: "
            f"{first['ledger_at_head']}; the failing tenant's ledger row (revision, last_error) still shows the "
            f"old revision with the error: `{first['failing_ledger'][:120]}…`.",
            f"- After the fix (the stray column dropped), rerun: {rerun['considered']} tenant needed work, "
            f"migrated {rerun['migrated']}, failed {len(rerun['failed'])}, in {rerun['seconds']:.2f} s; ledger rows "
            f"at head: {rerun['ledger_at_head']}, schemas with the column: {rerun['with_column']}.",
            f"- A further run: {again['considered']} tenants needed work ({again['seconds'] * 1000:.0f} ms).",
        ]
    if noop:
        lines += [
            "",
            f"**No-op run**: {noop_count:,} tenants all at head (workers=2).",
            "",
            "| run | total | reference |",
            "|---|---|---|",
            f"| ledger (default): one query | **{median(noop['ledger']) * 1000:.0f} ms** "
            f"({_fmt_runs(noop['ledger'], 'ms')}) | peers: 12 minutes for a no-op migrate over 900 tenants |",
            f"| `--verify`: reads every schema's alembic_version | **{median(noop['verify']):.2f} s** "
            f"({_fmt_runs(noop['verify'])}) | |",
        ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.w4_migration", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, one run, print only")
    parser.add_argument("--runs", type=int, help=f"runs per figure (default {RUNS}, 1 with --quick)")
    parser.add_argument("--large-runs", type=int, help="runs for the 1,000-tenant figures (default: --runs)")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else RUNS)
    sizes = (20, 60) if args.quick else SIZES
    runs_by_size = {sizes[0]: runs, sizes[1]: args.large_runs or runs}
    write = not (args.quick or args.no_doc)

    database_url, redis_url = common.service_urls()
    info = common.machine_info(database_url)
    load_before = common.load_average()
    fingerprint = common.code_fingerprint()
    say(f"W4 migration: {sizes[0]} then {sizes[1]} tenants on {database_url.rsplit('@', 1)[-1]}")
    bench = Bench(database_url, redis_url)
    results: dict[int, dict[int, list[float]]] = {}
    try:
        say(f"  creating {sizes[0]} tenants")
        bench.add_tenants(sizes[0])
        with bench_migration_tree() as (old_head, new_head):
            first_head = old_head
            results[sizes[0]] = timed_migrations(bench, old_head, new_head, runs_by_size[sizes[0]])
            failure = failure_case(bench, old_head, new_head)
            failure["count"] = bench.count
            bench.reset(old_head)
        say(f"  creating tenants up to {sizes[1]}")
        bench.add_tenants(sizes[1])
        with bench_migration_tree() as (old_head, new_head):
            results[sizes[1]] = timed_migrations(bench, old_head, new_head, runs_by_size[sizes[1]])
            noop = noop_runs(bench, runs_by_size[sizes[1]])
    finally:
        bench.close()
    common.recreate_database(database_url)  # leave no 1,000-schema database behind
    load = f"load average {load_before} at start, {common.load_average()} at end"
    if write:
        common.save_results("w4", {"info": info, "load": load, "migrations": results, "failure": failure,
                                   "noop": noop, "runs": runs_by_size})
    notes = [note] if (note := common.code_changed_note(fingerprint)) else []
    body = render(info, results, failure, noop, sizes[1], runs_by_size, load, first_head, notes)
    print(body)
    if write:
        common.update_section("w4", body)
        say(f"wrote the W4 section of {common.DOC.relative_to(common.ROOT)}")
    return 1 if notes else 0


if __name__ == "__main__":
    raise SystemExit(main())
