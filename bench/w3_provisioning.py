"""W3 provisioning: create tenants end to end as the platform does, and time them.

One tenant = services.register_tenant (registry row, subdomain, subscription) + commit +
services.provision_tenant_now (schema, every tenant table at head, Alembic stamp, default roles and
settings, ledger row, status active, cache invalidation), timed as a whole.

Each run starts from a fresh `nexphys_bench` database and creates gym-001 … gym-1000 one after the
other: p50/p95 come from the first 50 tenants, the total from all 1,000 (p50 of the last 50 shows
whether a catalog of 1,000 schemas slows creation down). A second series creates the 1,000 tenants
from 2 processes at once (like two job workers). A last pass splits one tenant's time into its parts.

    python -m bench.w3_provisioning            # full sizes, 3 runs, writes docs/benchmarks.md
    python -m bench.w3_provisioning --quick    # 100 tenants (p50/p95 over the first 50), 1 run, prints only
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from bench import common
from bench.common import median, ms, percentile, say

SAMPLE = 50
TOTAL = 1000
RUNS = 3
PROCESSES = 2
TARGET_P50 = 0.100  # seconds, for the whole tenant schema


def sequential_run(database_url: str, redis_url: str, total: int) -> list[float]:
    app = common.fresh_app(database_url, redis_url)
    try:
        return common.create_tenants(app, [common.slug(n) for n in range(1, total + 1)])
    finally:
        common.dispose(app)


def parallel_run(database_url: str, redis_url: str, total: int, processes: int) -> float:
    app = common.fresh_app(database_url, redis_url)  # the public schema; the processes make their own apps
    common.dispose(app)
    wall, each = common.create_tenants_parallel(database_url, redis_url,
                                                [common.slug(n) for n in range(1, total + 1)], processes)
    assert len(each) == total
    return wall


def capture_schema_script(app, slug_: str) -> tuple[str, str]:
    """Create one tenant and keep the SQL that built its schema (DDL, seed rows, Alembic stamp).

    Returns (script, schema name in it): the database's share of provisioning, as one text.
    """
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.tenancy.names import schema_name_for

    schema = schema_name_for(slug_)
    captured: list[str] = []

    def grab(_conn, cursor, statement, parameters, _context, executemany):
        for params in (parameters if executemany else [parameters]):
            captured.append(cursor.mogrify(statement, params).decode())

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", grab)
        try:
            common.create_tenant(slug_)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", grab)
    # the tenant schema's own statements name it as `schema.table` (the registry rows hold it as a value)
    kept = [s for s in captured if s.lstrip().upper().startswith(("CREATE", "INSERT"))
            and (f"{schema}." in s or s.strip() == f"CREATE SCHEMA {schema}")]
    return ";\n".join(kept), schema


def breakdown(database_url: str, redis_url: str, count: int) -> dict:
    """Median seconds of each part of a tenant's creation over `count` tenants, SQL statements per
    tenant, and the database floor: the same schema built by one pre-rendered SQL script in one
    round trip (no Python, no per-statement round trips), alternated with the real tenants.

    Wraps the provisioning steps in this process only (the product code is not changed).
    """
    import psycopg2
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from nexphys.extensions import db
    from nexphys.tenancy import provisioning, services

    parts: dict[str, list[float]] = defaultdict(list)
    marks: dict[str, float] = {}
    statements = [0]
    original_steps, original_provision = list(provisioning.STEPS), provisioning.provision

    def timed(name, step):
        def run(conn, tenant):
            if "first_step" not in marks:
                marks["first_step"] = time.perf_counter()
            started = time.perf_counter()
            step(conn, tenant)
            marks["last_step"] = time.perf_counter()
            parts[f"provision: {name}"].append(marks["last_step"] - started)
        return run

    def provision(engine, tenant_id, steps=None):
        started = time.perf_counter()
        result = original_provision(engine, tenant_id, steps)
        ended = time.perf_counter()
        parts["provision: load, connect, SET LOCAL, advisory lock, lock row"].append(marks["first_step"] - started)
        parts["provision: COMMIT of the provisioning transaction"].append(ended - marks["last_step"])
        marks["provision"] = ended - started
        return result

    app = common.fresh_app(database_url, redis_url)
    script, template_schema = capture_schema_script(app, "gym-template")  # also the warm-up tenant
    objects = common.tenant_schema_objects(database_url, template_schema)
    u = make_url(database_url)
    raw = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
    floor: list[float] = []
    provisioning.STEPS[:] = [(name, timed(name, step)) for name, step in original_steps]
    provisioning.provision = provision
    try:
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute",
                            lambda *a: statements.__setitem__(0, statements[0] + 1))
            counts = []
            for n in range(1, count + 1):
                marks.clear()
                before = statements[0]
                t0 = time.perf_counter()
                tenant = services.register_tenant(common.slug(n), f"Gym {n:03d}")
                t1 = time.perf_counter()
                db.session.commit()
                t2 = time.perf_counter()
                services.provision_tenant_now(tenant.id)
                t3 = time.perf_counter()
                counts.append(statements[0] - before)
                parts["register_tenant (validate, plan, INSERTs, flush)"].append(t1 - t0)
                parts["commit of the registration"].append(t2 - t1)
                parts["after provision: cache invalidation, session cleanup"].append((t3 - t2) - marks["provision"])
                parts["total"].append(t3 - t0)
                t4 = time.perf_counter()
                with raw.cursor() as cur:
                    cur.execute(script.replace(template_schema, f"tenant_floor_{n:03d}"))
                raw.commit()
                floor.append(time.perf_counter() - t4)
    finally:
        provisioning.STEPS[:] = original_steps
        provisioning.provision = original_provision
        raw.close()
        common.dispose(app)
    return {"parts": {name: median(values) for name, values in parts.items()}, "statements": median(counts),
            "script_statements": script.count(";\n") + 1, "floor": floor, "total": parts["total"],
            "objects": objects}


def render(info: dict, seq: list[list[float]], par: list[float], bd: dict | None, total: int, sample: int,
           processes: int, load: str, head: str, notes: list[str]) -> str:
    p50s = [median(run[:sample]) for run in seq]
    p95s = [percentile(run[:sample], 95) for run in seq]
    firsts = [run[0] for run in seq]
    totals = [sum(run) for run in seq]
    tails = [median(run[-sample:]) for run in seq]
    p50 = median(p50s)
    verdict = "met" if p50 <= TARGET_P50 else "NOT met"
    lines = [
        "## W3 provisioning",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        f"One tenant end to end: `register_tenant` + commit + `provision_tenant_now` (registry row, "
        f"subdomain, subscription; schema, every tenant table at head, Alembic stamp, default roles "
        f"and settings, ledger, status active; cache invalidation). Tenant schema at head `{head}`"
        + (": " + ", ".join(f"{n} {k}" for k, n in bd["objects"].items()) if bd else "")
        + f". Each run starts from a fresh "
        f"database and creates gym-001 … gym-{total:03d} one after the other in one process. Every "
        f"figure is the median over {len(seq)} runs (each run's value in brackets).",
        "",
        "| figure | nexphys | reference |",
        "|---|---|---|",
        f"| p50, first {sample} tenants | **{ms(p50)}** ({', '.join(ms(v) for v in p50s)}) | "
        f"django-tenants ≈ 100 ms (3-table schema); target ≤ 100 ms: **{verdict}** |",
        f"| p95, first {sample} tenants | **{ms(median(p95s))}** ({', '.join(ms(v) for v in p95s)}) | |",
        f"| first tenant of a process (cold) | {ms(median(firsts))} ({', '.join(ms(v) for v in firsts)}) | |",
        f"| p50, tenants {total - sample + 1}–{total} (catalog of {total} schemas) | "
        f"{ms(median(tails))} ({', '.join(ms(v) for v in tails)}) | |",
        f"| p50 / p95, all {total:,} tenants of a run (less sensitive to bursts of other load) | "
        f"{ms(median([median(run) for run in seq]))} / {ms(median([percentile(run, 95) for run in seq]))} | |",
        f"| {total:,} tenants, sequential | **{median(totals):.1f} s** "
        f"({', '.join(f'{v:.1f} s' for v in totals)}) = {total / median(totals):.1f} tenants/s | |",
    ]
    if par:
        lines.append(
            f"| {total:,} tenants, {processes} processes | **{median(par):.1f} s** "
            f"({', '.join(f'{v:.1f} s' for v in par)}) = {total / median(par):.1f} tenants/s, "
            f"×{median(totals) / median(par):.2f} vs sequential | |"
        )
    if bd:
        parts, floor, totals_bd = bd["parts"], median(bd["floor"]), median(bd["total"])
        lines += [
            "",
            f"Where one tenant's time goes: a separate pass of {sample} tenants on a fresh database after a "
            f"warm-up tenant, the provisioning steps wrapped with timers in the benchmark process; median of "
            f"each part. {bd['statements']:.0f} SQL statements per tenant.",
            "",
            "| part | median |",
            "|---|---|",
        ]
        lines += [f"| {name} | {ms(value)} |" for name, value in parts.items() if name != "total"]
        lines += [
            f"| **total** | **{ms(parts['total'])}** |",
            "",
            f"Database floor, same pass (each real tenant alternated with one of these): the SQL that built "
            f"one tenant schema ({bd['script_statements']} statements: CREATE SCHEMA, tables, indexes, seed "
            f"rows, Alembic stamp), pre-rendered and sent by psycopg2 as one script + COMMIT: p50 **{ms(floor)}**, "
            f"against **{ms(totals_bd)}** for the whole nexphys tenant (×{totals_bd / floor:.2f}); so about "
            f"{ms(totals_bd - floor)} of a tenant is Python, round trips and the registry rows, the rest is "
            f"PostgreSQL creating the schema's objects.",
        ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.w3_provisioning", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, one run, print only")
    parser.add_argument("--runs", type=int, help=f"runs per figure (default {RUNS}, 1 with --quick)")
    parser.add_argument("--total", type=int, help=f"tenants in the total-time figure (default {TOTAL})")
    parser.add_argument("--no-parallel", action="store_true", help=f"skip the {PROCESSES}-process series")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else RUNS)
    total = args.total or (100 if args.quick else TOTAL)
    write = not (args.quick or args.no_doc)

    database_url, redis_url = common.service_urls()
    from nexphys.tenancy.migrations import head_revision

    info = common.machine_info(database_url)
    load_before = common.load_average()
    fingerprint = common.code_fingerprint()
    head = head_revision()
    notes: list[str] = []
    say(f"W3 provisioning: {runs} run(s) of {total} tenants on {database_url.rsplit('@', 1)[-1]}")
    seq = []
    for run in range(runs):
        started = time.perf_counter()
        seq.append(sequential_run(database_url, redis_url, total))
        say(f"  sequential run {run + 1}: p50 {ms(median(seq[-1][:SAMPLE]))}, "
            f"p95 {ms(percentile(seq[-1][:SAMPLE], 95))}, {total} tenants in {sum(seq[-1]):.1f} s "
            f"(wall {time.perf_counter() - started:.1f} s)")
    par = []
    if not args.no_parallel:
        try:
            for run in range(runs):
                par.append(parallel_run(database_url, redis_url, total, PROCESSES))
                say(f"  {PROCESSES}-process run {run + 1}: {total} tenants in {par[-1]:.1f} s")
        except RuntimeError as exc:  # e.g. a process that could not import the app: keep the other figures
            par = []
            notes.append(f"The {PROCESSES}-process series failed ({exc}); it is left out.")
            say(f"  {PROCESSES}-process series FAILED: {exc}")
    say("  breakdown pass")
    bd = breakdown(database_url, redis_url, SAMPLE)
    say(f"  breakdown: total p50 {ms(median(bd['total']))}, database floor p50 {ms(median(bd['floor']))}")
    common.recreate_database(database_url)  # leave no 1,000-schema database behind
    load = f"load average {load_before} at start, {common.load_average()} at end"
    changed = common.code_changed_note(fingerprint)
    if changed:
        notes.append(changed)
    if write:
        common.save_results("w3", {"info": info, "load": load, "sequential": seq, "parallel": par,
                                   "processes": PROCESSES, "breakdown": bd, "total": total, "sample": SAMPLE})
    body = render(info, seq, par, bd, total, SAMPLE, PROCESSES, load, head, notes)
    print(body)
    if write:
        common.update_section("w3", body)
        say(f"wrote the W3 section of {common.DOC.relative_to(common.ROOT)}")
    return 1 if notes else 0


if __name__ == "__main__":
    raise SystemExit(main())
