"""W2 booking: POST /api/v1/bookings under wrk, and 200 clients racing for the last 10 seats.

On gym-001 of the WORKLOAD data set (bench.dataset), nexphys under gunicorn as `make run` starts it
(nexphys/gunicorn_conf.py: 4 sync workers). Before each run the benchmark's own classes are made
afresh: 140 sessions of capacity 20, one an hour from two hours ahead (all inside the default
7-day booking window), with no bookings; nothing else of the tenant is touched.

Throughput: wrk, 30 s, 32 connections; each request books a random one of the 140 sessions for a
random one of the 200 members, authenticated as that member (an access token made as POST
/api/v1/auth/token makes it). The studio's default rules apply, so as seats and members' limits
(10 upcoming bookings) fill up, answers move from 201 confirmed to 201 waitlisted and 409 refused:
all are the booking service's answers; any other status is an error.

The hard case: one more session with capacity 10 and no bookings, and 200 different members
booking it at the same moment (200 threads, one HTTP connection each, released together): exactly
10 must be confirmed, the rest waitlisted (the waitlist holds 10) or refused with 409, and no
other answer. The database is checked afterwards (seats taken, booked_count, one booking per member).

    python -m bench.w2_booking              # 3 runs, writes docs/benchmarks.md
    python -m bench.w2_booking --quick      # one run of 5 s, prints only
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench import common, dataset, serve
from bench.common import median, say

SECONDS = 30
CONNECTIONS = 32
RUNS = 3
SESSIONS = 140
CAPACITY = 20
CLIENTS = 200
HARD_SEATS = 10
PREPARED = 4000  # distinct (member, session) requests wrk picks from
CLASS_NAME = "W2 bench class"
APP_NAME = "bench-nexphys-w2"
TENANT = common.slug(1)


def host() -> str:
    return f"{TENANT}.localhost"


def make_sessions(database_url: str, schema: str) -> tuple[list[int], int]:
    """Drop the benchmark's classes and their bookings, make them afresh; (throughput sessions, hard-case one)."""
    conn = dataset.pg_connect(database_url)
    s = f'"{schema}"'
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"INSERT INTO {s}.class_types (name, description, duration_minutes, default_capacity, color, "
                        "level) VALUES (%s, '', 45, %s, '#334155', 'all') ON CONFLICT (name) DO UPDATE SET "
                        "name = EXCLUDED.name RETURNING id", (CLASS_NAME, CAPACITY))
            type_id = cur.fetchone()[0]
            cur.execute(f"DELETE FROM {s}.bookings WHERE session_id IN (SELECT id FROM {s}.class_sessions "
                        "WHERE class_type_id = %s)", (type_id,))
            cur.execute(f"DELETE FROM {s}.class_sessions WHERE class_type_id = %s", (type_id,))
            first = (datetime.now(UTC) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
            rows = [(first + timedelta(hours=i), CAPACITY) for i in range(SESSIONS)]
            rows.append((first + timedelta(hours=SESSIONS), HARD_SEATS))
            ids = []
            for starts, capacity in rows:
                cur.execute(f"INSERT INTO {s}.class_sessions (class_type_id, instructor_id, starts_at, ends_at, "
                            "capacity, booked_count, status, created_at) VALUES (%s, 1, %s, %s, %s, 0, 'scheduled', "
                            "now()) RETURNING id", (type_id, starts, starts + timedelta(minutes=45), capacity))
                ids.append(cur.fetchone()[0])
    finally:
        conn.close()
    return ids[:-1], ids[-1]


def clear_bookings(database_url: str, schema: str, session_ids: list[int]) -> None:
    """No bookings on these sessions (seats back to 0): the next part starts from empty classes."""
    conn = dataset.pg_connect(database_url)
    s = f'"{schema}"'
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"DELETE FROM {s}.bookings WHERE session_id = ANY(%s)", (session_ids,))
            cur.execute(f"UPDATE {s}.class_sessions SET booked_count = 0 WHERE id = ANY(%s)", (session_ids,))
    finally:
        conn.close()


def check_sessions(database_url: str, schema: str, session_ids: list[int]) -> dict:
    """The booking invariants on these sessions, read from the database."""
    conn = dataset.pg_connect(database_url)
    s = f'"{schema}"'
    try:
        with conn.cursor() as cur:
            cur.execute(f"""
                SELECT count(*) FILTER (WHERE c.booked_count <> held.n),
                       count(*) FILTER (WHERE c.booked_count > c.capacity),
                       coalesce(sum(held.n), 0), coalesce(sum(waiting.n), 0)
                FROM {s}.class_sessions c
                CROSS JOIN LATERAL (SELECT count(*) AS n FROM {s}.bookings b WHERE b.session_id = c.id
                                    AND b.status IN ('confirmed', 'checked_in', 'no_show')) held
                CROSS JOIN LATERAL (SELECT count(*) AS n FROM {s}.bookings b WHERE b.session_id = c.id
                                    AND b.status = 'waitlisted') waiting
                WHERE c.id = ANY(%s)""", (session_ids,))
            wrong_count, over_capacity, confirmed, waitlisted = cur.fetchone()
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {s}.bookings WHERE session_id = ANY(%s) AND status IN "
                        "('confirmed', 'waitlisted', 'checked_in', 'no_show') GROUP BY session_id, member_id "
                        "HAVING count(*) > 1) d", (session_ids,))
            doubles = cur.fetchone()[0]
    finally:
        conn.close()
    return {"confirmed": int(confirmed), "waitlisted": int(waitlisted), "booked_count_wrong": wrong_count,
            "over_capacity": over_capacity, "double_bookings": doubles}


def tokens(app, member_ids: list[int]) -> dict[int, str]:
    import uuid

    from nexphys.auth.tokens import issue_access_token
    from nexphys.tenancy.context import tenant_bound
    from nexphys.tenancy.resolver import load_tenant

    with app.app_context():
        tenant = load_tenant("slug", TENANT)
        with tenant_bound(tenant):
            return {m: issue_access_token(m, tenant.id, str(uuid.uuid4())) for m in member_ids}


def throughput_run(server: serve.Server, database_url: str, token_of: dict[int, str], sessions: list[int],
                   seconds: float, seed: int) -> serve.WrkResult:
    import random

    rng = random.Random(seed)
    members = list(token_of)
    reqs = [serve.Req("/api/v1/bookings", {"Host": host(), "Authorization": f"Bearer {token_of[m]}",
                                           "Content-Type": "application/json"}, "POST",
                      json.dumps({"session_id": rng.choice(sessions)}))
            for m in (rng.choice(members) for _ in range(PREPARED))]
    sampler = serve.Sampler(server, database_url, APP_NAME)
    return serve.run_wrk(server.port, reqs, seconds, CONNECTIONS, sampler)


def hard_case(port: int, token_of: dict[int, str], session_id: int) -> dict:
    """200 members book one session with 10 free seats at the same moment; answers by status and reason."""
    members = list(token_of)[:CLIENTS]
    barrier = threading.Barrier(len(members))
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def client(member_id: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps({"session_id": session_id})
        headers = {"Host": host(), "Authorization": f"Bearer {token_of[member_id]}",
                   "Content-Type": "application/json"}
        try:
            conn.connect()
            barrier.wait()
            conn.request("POST", "/api/v1/bookings", body, headers)
            response = conn.getresponse()
            data = response.read()
            try:
                parsed = json.loads(data)
                what = parsed.get("status") if response.status == 201 else parsed.get("reason", "")
            except ValueError:
                what = data[:80].decode(errors="replace")
            result = (response.status, str(what))
        except Exception as exc:  # noqa: BLE001 - a failed client is an error to count, not a crash
            result = (0, f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=client, args=(m,)) for m in members]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    by = Counter(answers)
    confirmed = by.get((201, "confirmed"), 0)
    waitlisted = by.get((201, "waitlisted"), 0)
    refused = sum(n for (code, _), n in by.items() if code == 409)
    errors = len(answers) - confirmed - waitlisted - refused
    return {"clients": len(members), "confirmed": confirmed, "waitlisted": waitlisted, "refused": refused,
            "errors": errors, "seconds": wall, "answers": {f"{c} {w}": n for (c, w), n in sorted(by.items())}}


def render(info, runs: list[dict], seconds: float, load: str, notes: list[str]) -> str:
    rps = [r["throughput"]["rps"] for r in runs]
    lines = [
        "## W2 booking",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        f"`python -m bench.w2_booking`: on {TENANT} of the W1 data set, nexphys under gunicorn "
        f"(`nexphys/gunicorn_conf.py`, 4 sync workers). Before each run: {SESSIONS} fresh sessions of capacity "
        f"{CAPACITY}, one an hour from two hours ahead (all bookable under the default rules), no bookings. "
        f"Median of {len(runs)} runs (each run's value in brackets).",
        "",
        f"**Throughput**: wrk {seconds:g} s, {CONNECTIONS} connections; each request `POST /api/v1/bookings "
        "{session_id}` for a random session as a random one of the 200 members (their bearer token). The "
        "studio's default rules apply: as classes fill and members reach their 10 upcoming bookings, answers "
        "move from confirmed to waitlisted and to 409 refusals (full, already booked, over the limit), all of "
        "them the booking service's answers.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| requests/s | **{median(rps):.0f}** ({', '.join(f'{v:.0f}' for v in rps)}) |",
        f"| p50 / p99 | {median([r['throughput']['p50_ms'] for r in runs]):.1f} ms / "
        f"{median([r['throughput']['p99_ms'] for r in runs]):.1f} ms |",
    ]
    mix = Counter()
    for r in runs:
        mix.update({int(k): v for k, v in r["throughput"]["statuses"].items()})
    total = sum(mix.values()) or 1
    answers = ", ".join(f"{code}: {n} ({n / total:.0%})" for code, n in sorted(mix.items()))
    lines.append(f"| answers, all runs | {answers} |")
    errors = sum(n for code, n in mix.items() if code not in (201, 409))
    errors += sum(sum(r["throughput"]["socket_errors"].values()) for r in runs)
    lines.append(f"| errors (any other status, socket errors) | **{errors}** |")
    lines.append("| bookings made per run (confirmed / waitlisted) | "
                 + ", ".join(f"{r['after_throughput']['confirmed']} / {r['after_throughput']['waitlisted']}"
                             for r in runs) + " |")
    broken = [r["after_throughput"] for r in runs
              if r["after_throughput"]["booked_count_wrong"] or r["after_throughput"]["over_capacity"]
              or r["after_throughput"]["double_bookings"]]
    lines.append(f"| invariants after each run (booked_count exact, never over capacity, one live booking per member "
                 f"and class) | {'**held**' if not broken else f'**BROKEN**: {broken}'} |")
    lines.append(f"| PostgreSQL connections / workers' peak RSS | "
                 f"{max(r['throughput']['connections_max'] for r in runs)} / "
                 f"{median([r['throughput']['rss_peak'] for r in runs]) / 1024 / 1024:.0f} MiB |")
    lines += [
        "",
        f"**The last seats**: one session with {HARD_SEATS} free seats (capacity {HARD_SEATS}, no bookings) and "
        f"{CLIENTS} different members booking it at once ({CLIENTS} threads, each its own HTTP connection, "
        "released together by a barrier).",
        "",
        "| run | confirmed (must be 10) | waitlisted | refused (409) | errors (must be 0) | database after | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, r in enumerate(runs, 1):
        h, db = r["hard"], r["after_hard"]
        ok = db["confirmed"] == HARD_SEATS and not (db["booked_count_wrong"] or db["over_capacity"]
                                                     or db["double_bookings"])
        lines.append(f"| {n} | **{h['confirmed']}** | {h['waitlisted']} | {h['refused']} | **{h['errors']}** | "
                     f"{db['confirmed']} seats taken, {db['waitlisted']} waiting, booked_count "
                     f"{'exact' if not db['booked_count_wrong'] else 'WRONG'}: {'ok' if ok else '**WRONG**'} | "
                     f"{h['seconds']:.2f} s |")
    reasons = Counter()
    for r in runs:
        reasons.update(r["hard"]["answers"])
    lines += ["", "Answers over all runs: " + ", ".join(f"`{k}` × {v}" for k, v in sorted(reasons.items())) + "."]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.w2_booking", description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--seconds", type=float, default=SECONDS, help=f"seconds of the wrk run ({SECONDS})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs ({RUNS})")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="one run of 5 s, prints only")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.runs = 5, 1
    write = not (args.no_doc or args.quick or args.seconds < SECONDS or args.runs < RUNS)
    serve.wrk_path()

    database_url, redis_url = common.service_urls()
    tenant = dataset.ensure(database_url, redis_url)[0]
    assert tenant.slug == TENANT, tenant
    info = common.machine_info(database_url)
    load_before = common.load_average()
    app = common.make_app(database_url, redis_url)
    members = list(range(dataset.INSTRUCTORS + 1, dataset.INSTRUCTORS + dataset.MEMBERS + 1))
    server = serve.Server("nexphys", "wsgi:app", env={
        "DATABASE_URL": f"{database_url}?application_name={APP_NAME}", "REDIS_URL": redis_url,
        "SECRET_KEY": common.SECRET, "NEXPHYS_BASE_DOMAIN": "localhost"}).start()
    runs: list[dict] = []
    notes: list[str] = []
    try:
        for n in range(args.runs):
            sessions, last_seats = make_sessions(database_url, tenant.schema)
            token_of = tokens(app, members)  # fresh each run: access tokens live 15 minutes
            hard = hard_case(server.port, token_of, last_seats)
            after_hard = check_sessions(database_url, tenant.schema, [last_seats])
            say(f"  run {n + 1} last seats: confirmed {hard['confirmed']}, waitlisted {hard['waitlisted']}, "
                f"refused {hard['refused']}, errors {hard['errors']} in {hard['seconds']:.2f} s; database {after_hard}")
            clear_bookings(database_url, tenant.schema, [last_seats])  # members' limits start from zero
            result = throughput_run(server, database_url, token_of, sessions, args.seconds, seed=n)
            after = check_sessions(database_url, tenant.schema, sessions)
            say(f"  run {n + 1} throughput: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 "
                f"{result.p99_ms:.1f} ms, answers {dict(sorted(result.statuses.items()))}"
                + (f", socket errors {result.socket_errors}" if result.socket_errors else "") + f"; database {after}")
            runs.append({"hard": hard, "after_hard": after_hard, "throughput": result.as_dict(),
                         "after_throughput": after})
        make_sessions(database_url, tenant.schema)  # leave fresh, empty classes behind
    finally:
        server.stop()
        common.dispose(app)
    load = f"load average {load_before} at start, {common.load_average()} at end"
    body = render(info, runs, args.seconds, load, notes)
    print(body)
    if write:
        common.save_results("w2", {"info": info, "load": load, "runs": runs})
        common.update_section("w2", body)
        say(f"wrote the W2 section of {common.DOC.relative_to(common.ROOT)}")
    failed = any(r["hard"]["confirmed"] != HARD_SEATS or r["hard"]["errors"] for r in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
