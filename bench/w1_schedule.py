"""W1 schedule read: GET /api/v1/classes?date=2026-01-07 under wrk, with both ceilings in the same run.

Variants, each a wrk run of 30 s with 32 connections on 127.0.0.1 (WORKLOAD.md):
  hello        bare Flask "hello" (bench.ceilings:hello): the framework's ceiling
  data         bare Flask + psycopg2 pool sending nexphys's own W1 SQL to gym-001's schema
               (bench.ceilings:data): the data path's ceiling
  json-1       nexphys, every request to gym-001
  json-100     nexphys, each request to a random one of gym-001 … gym-100 (Host header)
  json-bearer  nexphys, gym-001, with a member's bearer token
  page-1       nexphys, the timetable page of that day on gym-001 (rendered HTML)
All three apps run at once under gunicorn with nexphys/gunicorn_conf.py (4 sync workers), each
variant after a short warm-up; the rounds repeat the variants in the same order, and each figure is
the median of the rounds. Data set: bench.dataset (built once, then reused).

    python -m bench.w1_schedule                  # 3 rounds of 30 s, writes docs/benchmarks.md
    python -m bench.w1_schedule -d 5 --rounds 1  # a short check, prints only
    python -m bench.w1_schedule --only json-1 data --no-doc
    python -m bench.w1_schedule --pairs 6 --before /work/base10   # before and after, alternating (bench.before)
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import date, datetime
from pathlib import Path

from bench import before, common, dataset, serve
from bench.common import median, say

DAY = date(2026, 1, 7)
PATH = f"/api/v1/classes?date={DAY.isoformat()}"
DAY_PAGE = f"/?view=day&date={DAY.isoformat()}"
WEEK_PAGE = f"/?week={dataset.FIRST_DAY.isoformat()}"
SECONDS = 30
WARM_UP = 3
CONNECTIONS = 32
ROUNDS = 3
BASE_DOMAIN = "localhost"
VARIANTS = ("hello", "data", "json-1", "json-100", "json-bearer", "page-1")
GOAL_OF_CEILING = 0.70
GOAL_SPREAD = 0.10
NEXPHYS_APP = "bench-nexphys"
DATA_APP = "bench-data-ceiling"
BEFORE_APP = "bench-nexphys-before"
PAIR_VARIANTS = ("json-1", "json-bearer")


def host(slug: str) -> str:
    return f"{slug}.{BASE_DOMAIN}"


def capture_w1_sql(app, tenant_slug: str) -> dict:
    """The SQL nexphys sends for W1 (statement and parameters), caught at the driver by a test request."""
    import sqlalchemy as sa

    from nexphys.extensions import db

    statements: list[tuple[str, dict]] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.get(PATH, headers={"Host": host(tenant_slug)})  # a process's first request also reads the registry
    sa.event.listen(engine, "before_cursor_execute", catch)
    try:
        response = client.get(PATH, headers={"Host": host(tenant_slug)})
    finally:
        sa.event.remove(engine, "before_cursor_execute", catch)
    assert response.status_code == 200, response.data
    timetable = [(s, p) for s, p in statements if "class_sessions" in s]
    assert len(timetable) == 1, f"expected one timetable statement, got {len(timetable)}"
    statement, parameters = timetable[0]
    names = {}
    for key, value in (parameters or {}).items():
        if isinstance(value, datetime):
            value = "$start" if value.date() == DAY else "$end"
        elif not isinstance(value, str | int | float | bool | type(None)):
            raise TypeError(f"cannot pass parameter {key}={value!r} to the ceiling")
        names[key] = value
    return {"sql": statement, "params": names, "statements_per_request": len(statements)}


def member_token(app, tenant_slug: str, user_id: int) -> str:
    """A member's access token, made as POST /api/v1/auth/token makes it (same key, claims, lifetime)."""
    from nexphys.auth.tokens import issue_access_token
    from nexphys.tenancy.context import tenant_bound
    from nexphys.tenancy.resolver import load_tenant

    with app.app_context():
        tenant = load_tenant("slug", tenant_slug)
        with tenant_bound(tenant):
            return issue_access_token(user_id, tenant.id, str(uuid.uuid4()))


def libpq_dsn(database_url: str, application_name: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(database_url)
    parts = {"host": u.host, "port": u.port, "user": u.username, "password": u.password, "dbname": u.database,
             "application_name": application_name}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def start_servers(database_url: str, redis_url: str, query: dict) -> dict[str, serve.Server]:
    nexphys_env = {"DATABASE_URL": f"{database_url}?application_name={NEXPHYS_APP}", "REDIS_URL": redis_url,
                   "SECRET_KEY": common.SECRET, "NEXPHYS_BASE_DOMAIN": BASE_DOMAIN}
    servers = {
        "hello": serve.Server("hello", "bench.ceilings:hello"),
        "data": serve.Server("data", "bench.ceilings:data", env={
            "BENCH_DATABASE_DSN": libpq_dsn(database_url, DATA_APP), "BENCH_W1_QUERY": json.dumps(query),
            "BENCH_W1_ZONE": "UTC"}),
        "nexphys": serve.Server("nexphys", "wsgi:app", env=nexphys_env),
    }
    started = {}
    try:
        for name, server in servers.items():
            started[name] = server.start()
    except Exception:
        for server in started.values():
            server.stop()
        raise
    return servers


def page_path(port: int) -> tuple[str, str]:
    """The day's timetable page when the day view exists, else the week page; (path, what it is)."""
    day_status, day_body = serve.get(port, DAY_PAGE, host(common.slug(1)))
    week_status, week_body = serve.get(port, WEEK_PAGE, host(common.slug(1)))
    if day_status == 200 and week_status == 200 and len(day_body) < 0.6 * len(week_body):
        return DAY_PAGE, "the day view of 2026-01-07 (20 sessions)"
    return WEEK_PAGE, "the week page of 2026-01-05 (140 sessions): the day view was not there yet"


def requests_for(variant: str, slugs: list[str], token: str, page: str) -> list[serve.Req]:
    one = {"Host": host(slugs[0])}
    if variant == "hello":
        return [serve.Req("/", {})]
    if variant == "data":
        return [serve.Req(PATH, {})]
    if variant == "json-1":
        return [serve.Req(PATH, one)]
    if variant == "json-100":
        return [serve.Req(PATH, {"Host": host(s)}) for s in slugs]
    if variant == "json-bearer":
        return [serve.Req(PATH, {**one, "Authorization": f"Bearer {token}"})]
    if variant == "page-1":
        return [serve.Req(page, one)]
    raise ValueError(variant)


def check_answers(servers: dict[str, serve.Server], slugs: list[str], token: str, page: str) -> None:
    """Every variant answers 200 before it is measured, and the data ceiling returns nexphys's own body."""
    port = servers["nexphys"].port
    status, body = serve.get(port, PATH, host(slugs[0]))
    assert status == 200, (status, body[:300])
    ours = json.loads(body)
    assert len(ours["items"]) == dataset.SESSIONS_PER_DAY, len(ours["items"])
    status, body = serve.get(servers["data"].port, PATH)
    assert status == 200, (status, body[:300])
    ceiling = json.loads(body)
    # Fields newer than the ceiling that the data set leaves empty (a class picture: image_url null) are
    # dropped before comparing, so one ceiling serves an older checkout and this one alike.
    known = set(ceiling["items"][0]) if ceiling["items"] else set()
    ours["items"] = [{k: v for k, v in item.items() if k in known or v is not None} for item in ours["items"]]
    assert ceiling == ours, "the data ceiling's answer differs from nexphys's"
    for slug in (slugs[1], slugs[-1]):
        status, _ = serve.get(port, PATH, host(slug))
        assert status == 200, (slug, status)
    status, _ = serve.get(port, PATH, host(slugs[0]), {"Authorization": f"Bearer {token}"})
    assert status == 200, ("bearer", status)
    status, _ = serve.get(port, page, host(slugs[0]))
    assert status == 200, ("page", status)


def server_of(variant: str) -> str:
    return variant if variant in ("hello", "data") else "nexphys"


def run_variant(variant: str, servers, database_url: str, slugs: list[str], token: str, page: str,
                seconds: float) -> serve.WrkResult:
    server = servers[server_of(variant)]
    reqs = requests_for(variant, slugs, token, page)
    serve.run_wrk(server.port, reqs, WARM_UP, CONNECTIONS)
    app_name = {"hello": None, "data": DATA_APP}.get(variant, NEXPHYS_APP)
    sampler = serve.Sampler(server, database_url, app_name)
    return serve.run_wrk(server.port, reqs, seconds, CONNECTIONS, sampler)


# --- the doc ---------------------------------------------------------------------------------------

LABELS = {
    "hello": "ceiling: bare Flask \"hello\"",
    "data": "ceiling: bare Flask + psycopg2, the W1 SQL",
    "json-1": "**nexphys W1 JSON, one tenant**",
    "json-100": "nexphys W1 JSON, 100 tenants at random",
    "json-bearer": "nexphys W1 JSON, one tenant, member's bearer token",
    "page-1": "nexphys W1 page (HTML), one tenant",
}


def _mib(n: float) -> str:
    return f"{n / 1024 / 1024:.0f} MiB"


def _per_worker(results: list[serve.WrkResult]) -> str:
    """One worker's peak RSS / PSS / private (MiB), each the median of the rounds."""
    return " / ".join(f"{median([getattr(x, name) for x in results]) / 1024 / 1024:.0f}"
                      for name in ("worker_rss_peak", "worker_pss_peak", "worker_private_peak")) + " MiB"


def ratios(rounds: list[dict], a: str, b: str) -> list[float]:
    return [r[a].rps / r[b].rps for r in rounds if a in r and b in r and r[b].rps]


def render(info, rounds: list[dict], variants, seconds, page_note, query, load, notes) -> str:
    runs = len(rounds)
    lines = [
        "## W1 schedule read",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        f"`python -m bench.w1_schedule`: `GET {PATH}` (the day's {dataset.SESSIONS_PER_DAY} sessions as JSON) "
        f"on the WORKLOAD data set ({dataset.TENANTS} tenants, each {dataset.MEMBERS} members, "
        f"{dataset.DAYS * dataset.SESSIONS_PER_DAY} sessions, {dataset.BOOKINGS} bookings). wrk {seconds:g} s, "
        f"{CONNECTIONS} connections, {serve.THREADS} threads, on 127.0.0.1, after a {WARM_UP} s warm-up; "
        f"nexphys and both ceilings under gunicorn with `nexphys/gunicorn_conf.py` (4 sync workers), all "
        f"three running during the whole run. Page: {page_note}. Median of {runs} rounds "
        f"(each round's value in brackets); a round runs every variant once, in the order of the table. "
        f"Memory, sampled every 0.25 s during the run from /proc/PID/smaps_rollup: the workers' RSS summed "
        f"(its peak), and per worker the peak any one worker reached of its RSS, its PSS (each shared page "
        f"divided among the processes mapping it) and its private memory (Private_Clean + Private_Dirty: "
        f"what that worker alone costs); gunicorn settings: {serve.preload_note()}.",
        "",
        "| variant | requests/s | p50 | p99 | non-2xx | PostgreSQL connections | workers' peak RSS (sum) "
        "| per worker, peak: RSS / PSS / private |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for v in variants:
        results = [r[v] for r in rounds if v in r]
        if not results:
            continue
        errors = sum(sum(x.socket_errors.values()) for x in results)
        conns = "–" if v == "hello" else f"{max(x.connections_max for x in results)}"
        lines.append(
            f"| {LABELS[v]} | **{median([x.rps for x in results]):.0f}** "
            f"({', '.join(f'{x.rps:.0f}' for x in results)}) | {median([x.p50_ms for x in results]):.1f} ms "
            f"| {median([x.p99_ms for x in results]):.1f} ms | {sum(x.non_2xx for x in results)}"
            f"{f' (+{errors} socket errors)' if errors else ''} | {conns} | "
            f"{_mib(median([x.rss_peak for x in results]))} | {_per_worker(results)} |")
    lines += ["", "Ratios, each measured within one round (median of the rounds' ratios; each round's in "
                  "brackets):", ""]
    pairs = [("json-1", "data", f"nexphys JSON ÷ data-path ceiling (goal ≥ {GOAL_OF_CEILING:.2f})"),
             ("json-1", "hello", "nexphys JSON ÷ framework ceiling"),
             ("data", "hello", "data-path ceiling ÷ framework ceiling"),
             ("json-100", "json-1", f"100 tenants ÷ one tenant (goal ≥ {1 - GOAL_SPREAD:.2f})"),
             ("json-bearer", "json-1", "with a bearer token ÷ anonymous"),
             ("page-1", "json-1", "page ÷ JSON")]
    goals = []
    for a, b, label in pairs:
        values = ratios(rounds, a, b)
        if not values:
            continue
        lines.append(f"- {label}: **{median(values):.2f}** ({', '.join(f'{x:.2f}' for x in values)})")
        if a == "json-1" and b == "data":
            goals.append(f"nexphys JSON at {median(values):.0%} of the data-path ceiling: goal ≥ "
                         f"{GOAL_OF_CEILING:.0%} **{'met' if median(values) >= GOAL_OF_CEILING else 'NOT met'}**")
        if a == "json-100":
            goals.append(f"100 tenants at {median(values):.0%} of one tenant: goal within {GOAL_SPREAD:.0%} "
                         f"**{'met' if median(values) >= 1 - GOAL_SPREAD else 'NOT met'}**")
    if goals:
        lines += ["", "Goals (issue 4): " + "; ".join(goals) + "."]
    lines += ["", f"The W1 SQL (captured from nexphys at the driver; {query['statements_per_request']} statement(s) "
                  "per anonymous request once the process has the tenant and its sign-in setting in memory), "
                  "which the data ceiling sends too:", "", "```sql",
              query["sql"].strip(), "```"]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def prepare(database_url: str, redis_url: str) -> tuple:
    """The data set (built if needed) and what a run needs of it: (slugs, machine info, load average,
    an app on the bench database, the captured W1 SQL, the member whose token the bearer variant sends)."""
    slugs = [t.slug for t in dataset.ensure(database_url, redis_url)]
    info = common.machine_info(database_url)
    load_before = common.load_average()
    app = common.make_app(database_url, redis_url)
    return slugs, info, load_before, app, capture_w1_sql(app, slugs[0]), dataset.INSTRUCTORS + 1


# --- before and after, alternating -----------------------------------------------------------------


def pair_runs(servers: dict[str, serve.Server], database_url: str, slugs: list[str], token_of, page: str,
              pairs: int, seconds: float, variants: tuple[str, ...] = PAIR_VARIANTS) -> list[dict]:
    """`pairs` rounds of the data ceiling and `variants` on each side, alternating which side goes first."""
    app_names = {"before": BEFORE_APP, "after": NEXPHYS_APP}
    runs = []
    for n in range(pairs):
        order = ("before", "after") if n % 2 == 0 else ("after", "before")
        pair: dict = {"order": order, "data": run_variant("data", servers, database_url, slugs, "", page, seconds)}
        for side in order:
            for variant in variants:
                reqs = requests_for(variant, slugs, token_of(), page)
                serve.run_wrk(servers[side].port, reqs, WARM_UP, CONNECTIONS)
                sampler = serve.Sampler(servers[side], database_url, app_names[side])
                pair[(side, variant)] = serve.run_wrk(servers[side].port, reqs, seconds, CONNECTIONS, sampler)
        ratio = pair[("after", variants[0])].rps / (pair[("before", variants[0])].rps or 1)
        say(f"  pair {n + 1} ({' → '.join(order)}): data {pair['data'].rps:.0f} req/s; "
            + "; ".join(f"{side} {v} {pair[(side, v)].rps:.0f} req/s p99 {pair[(side, v)].p99_ms:.1f} ms"
                        for side in order for v in variants) + f"; {variants[0]} after ÷ before {ratio:.2f}")
        runs.append(pair)
    return runs


def render_pairs(info: dict, before_commit: str, pairs: list[dict], seconds: float, load: str,
                 variants: tuple[str, ...] = PAIR_VARIANTS) -> str:
    def cell(values: list[float], fmt: str = "{:.2f}") -> str:
        return f"**{fmt.format(median(values))}** ({', '.join(fmt.format(v) for v in values)})"

    lines = [
        "### W1 before and after, alternating",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        f"`python -m bench.w1_schedule --pairs {len(pairs)} --before DIR` (bench.before): in each pair the data "
        f"ceiling, then nexphys as it was (before: {before_commit}) and as it is (after), in alternating order, "
        f"each variant {seconds:g} s under wrk with {CONNECTIONS} connections after a {WARM_UP} s warm-up, on "
        "the same data set and servers; both under `nexphys/gunicorn_conf.py`. Medians of the pairs (each "
        "pair's in brackets).",
        "",
        "| figure | before | after |",
        "|---|---|---|",
    ]
    for variant in variants:
        for field, label, fmt in (("rps", "requests/s", "{:.0f}"), ("p99_ms", "p99 ms", "{:.1f}")):
            lines.append(f"| {LABELS[variant].strip('*')}: {label} | "
                         + " | ".join(cell([getattr(p[(side, variant)], field) for p in pairs], fmt)
                                      for side in ("before", "after")) + " |")
        lines.append(f"| {LABELS[variant].strip('*')} ÷ data ceiling | "
                     + " | ".join(cell([p[(side, variant)].rps / p["data"].rps for p in pairs])
                                  for side in ("before", "after")) + " |")
    lines += ["", *(f"- {LABELS[v].strip('*')}, requests/s after ÷ before: "
                    + cell([p[("after", v)].rps / p[("before", v)].rps for p in pairs]) for v in variants)]
    return "\n".join(lines)


def main_pairs(args, database_url: str, redis_url: str) -> int:
    checkout = Path(args.before).resolve()
    slugs, info, load_before, app, query, member_id = prepare(database_url, redis_url)
    servers = start_servers(database_url, redis_url, query)
    servers.pop("hello").stop()
    servers["after"] = servers.pop("nexphys")
    try:
        servers["before"] = before.nexphys_server(database_url, before.before_redis(redis_url), BEFORE_APP,
                                                  checkout).start()
        page, _note = page_path(servers["after"].port)
        token = member_token(app, slugs[0], member_id)
        for side in ("before", "after"):
            check_answers({"nexphys": servers[side], "data": servers["data"]}, slugs, token, page)
        before.check_checkout(servers["before"], checkout)
        say(f"W1 before ({before.checkout_commit(checkout)}) and after: {args.pairs} pair(s), {args.seconds:g} s each")
        variants = tuple(v for v in (args.only or PAIR_VARIANTS) if v not in ("hello", "data"))
        pairs = pair_runs(servers, database_url, slugs, lambda: member_token(app, slugs[0], member_id), page,
                          args.pairs, args.seconds, variants)
    finally:
        for server in servers.values():
            server.stop()
        common.dispose(app)
    load = f"load average {load_before} at start, {common.load_average()} at end"
    print(render_pairs(info, f"{before.checkout_commit(checkout)} in {checkout}", pairs, args.seconds, load, variants))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.w1_schedule", description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--seconds", type=float, default=SECONDS, help=f"seconds per wrk run ({SECONDS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds ({ROUNDS})")
    parser.add_argument("--only", nargs="*", choices=VARIANTS, help="some variants only (prints only)")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="5 s runs, one round, prints only")
    parser.add_argument("--pairs", type=int, help="before and after: N alternating pairs with --before's code "
                                                  "(prints only)")
    parser.add_argument("--before", help="the other checkout (a git worktree of an older commit)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 5, 1
    if args.pairs:
        if not args.before:
            parser.error("--pairs needs --before DIR")
        serve.wrk_path()
        return main_pairs(args, *common.service_urls())
    variants = args.only or list(VARIANTS)
    write = not (args.no_doc or args.quick or args.only or args.seconds < SECONDS or args.rounds < ROUNDS)
    serve.wrk_path()

    database_url, redis_url = common.service_urls()
    slugs, info, load_before, app, query, member_id = prepare(database_url, redis_url)
    servers = start_servers(database_url, redis_url, query)
    notes: list[str] = []
    rounds: list[dict] = []
    try:
        page, page_note = page_path(servers["nexphys"].port)
        check_answers(servers, slugs, member_token(app, slugs[0], member_id), page)
        say(f"W1: {args.rounds} round(s) of {', '.join(variants)}, {args.seconds:g} s each; page {page}")
        for n in range(args.rounds):
            results = {}
            for variant in variants:
                token = member_token(app, slugs[0], member_id)  # fresh: tokens live 15 minutes
                result = run_variant(variant, servers, database_url, slugs, token, page, args.seconds)
                results[variant] = result
                say(f"  round {n + 1} {variant:12} {result.rps:7.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
                    f"p99 {result.p99_ms:6.1f} ms  non-2xx {result.non_2xx}  pg {result.connections_max}  "
                    f"rss {_mib(result.rss_peak)}  per worker rss/pss/private {_per_worker([result])}"
                    + (f"  socket errors {result.socket_errors}"
                                                      if result.socket_errors else ""))
            rounds.append(results)
            if "json-1" in results and "data" in results:
                say(f"  round {n + 1}: json-1 / data = {results['json-1'].rps / results['data'].rps:.2f}")
    finally:
        for server in servers.values():
            server.stop()
        common.dispose(app)
    load = f"load average {load_before} at start, {common.load_average()} at end"
    body = render(info, rounds, variants, args.seconds, page_note, query, load, notes)
    print(body)
    if write:
        common.save_results("w1", {"info": info, "load": load, "query": query, "page": page,
                                   "rounds": [{v: r.as_dict() for v, r in x.items()} for x in rounds]})
        common.update_section("w1", body)
        say(f"wrote the W1 section of {common.DOC.relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
