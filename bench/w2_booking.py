"""W2 booking: POST /api/v1/bookings under wrk, and 200 clients racing for the last 10 seats.

On gym-001 of the WORKLOAD data set (bench.dataset), nexphys under gunicorn as `make run` starts it
(nexphys/gunicorn_conf.py: 4 sync workers). Before each measurement the benchmark's own classes are
made afresh: 140 sessions of capacity 20, one an hour from two hours ahead (all inside the default
7-day booking window), with no bookings; nothing else of the tenant is touched.

Throughput: wrk, 30 s, 32 connections; each request books a random one of the 140 sessions for a
random one of the 200 members, authenticated as that member (an access token made as POST
/api/v1/auth/token makes it). The studio's default rules apply, so as seats and members' limits
(10 upcoming bookings) fill up, answers move from 201 confirmed to 201 waitlisted and 409 refused:
all are the booking service's answers; any other status is an error.

The data ceiling (bench.ceilings:booking: PyJWT verification and the booking transaction's essential
SQL from a bare Flask + psycopg2 app, same gunicorn settings) runs in the same sitting on the same
requests (same seed: the same members on the same sessions' positions), each on fresh sessions after
its own last-seats case; a run measures both, in alternating order from run to run, and W2 ÷ data
ceiling is each run's ratio (the cost of rules, idempotency, notifications and the app's layers).

The hard case: one more session with capacity 10 and no bookings, and 200 different members
booking it at the same moment (200 threads, one HTTP connection each, released together): exactly
10 must be confirmed, the rest waitlisted (the waitlist holds 10) or refused with 409, and no
other answer. The database is checked afterwards (seats taken, booked_count, one booking per member).

Before and after a change, in one sitting: `--pairs N --before DIR` serves nexphys from another
checkout too (a git worktree of an older commit: gunicorn with --chdir DIR, so `wsgi:app` and nexphys
are imported from it; this tree's venv and gunicorn settings; the same database and data set; its own
Redis database, 12, since its caches may be laid out differently), and runs the throughput measurement
N times on each, alternately (before, after; then after, before; …), fresh sessions each time, the same
requests within a pair. It prints each pair's requests/s and the median of after ÷ before.

    python -m bench.w2_booking              # 3 runs, writes docs/benchmarks.md
    python -m bench.w2_booking --quick      # one run of 5 s, prints only
    git worktree add /work/base9 <commit> && python -m bench.w2_booking --pairs 8 --before /work/base9
    python -m bench.w2_booking --pairs 2 --before /work/base9 --quick   # 5 s each, a check of the tooling
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import before, common, dataset, serve
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
CEILING_APP = "bench-w2-ceiling"
BEFORE_APP = "bench-nexphys-w2-before"
WARM_UP = 3  # seconds of bookings before a server's first pair (then fresh sessions)
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
            _forget_bookings(cur, s, f"SELECT id FROM {s}.class_sessions WHERE class_type_id = %s", (type_id,))
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


def _forget_bookings(cur, s: str, sessions: str, params: tuple) -> None:
    """Delete the bookings of the benchmark's own classes (`sessions`: a SELECT of their ids) and their events.

    The app can never do this (a trigger refuses to delete booking events); the benchmark resets its classes
    as the database's superuser, with triggers off for this transaction only (session_replication_role).
    The classes' rows are locked first, as every booking does: one still in flight finishes before, and
    none starts until this commits."""
    cur.execute(f"SELECT id FROM {s}.class_sessions WHERE id IN ({sessions}) FOR UPDATE", params)
    cur.execute("SET LOCAL session_replication_role = replica")
    cur.execute(f"SELECT to_regclass('{s}.booking_events') IS NOT NULL")
    if cur.fetchone()[0]:
        cur.execute(f"DELETE FROM {s}.booking_events WHERE session_id IN ({sessions})", params)
    cur.execute(f"DELETE FROM {s}.bookings WHERE session_id IN ({sessions})", params)
    cur.execute("SET LOCAL session_replication_role = DEFAULT")


def clear_bookings(database_url: str, schema: str, session_ids: list[int]) -> None:
    """No bookings on these sessions (seats back to 0): the next part starts from empty classes."""
    conn = dataset.pg_connect(database_url)
    s = f'"{schema}"'
    try:
        with conn, conn.cursor() as cur:
            _forget_bookings(cur, s, "SELECT unnest(%s::int[])", (session_ids,))
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
                   seconds: float, seed: int, app_name: str = APP_NAME) -> serve.WrkResult:
    import random

    rng = random.Random(seed)
    members = list(token_of)
    reqs = [serve.Req("/api/v1/bookings", {"Host": host(), "Authorization": f"Bearer {token_of[m]}",
                                           "Content-Type": "application/json"}, "POST",
                      json.dumps({"session_id": rng.choice(sessions)}))
            for m in (rng.choice(members) for _ in range(PREPARED))]
    sampler = serve.Sampler(server, database_url, app_name)
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


# --- servers and measurements ----------------------------------------------------------------------

def nexphys_server(database_url: str, redis_url: str, app_name: str = APP_NAME,
                   checkout: Path | None = None) -> serve.Server:
    return before.nexphys_server(database_url, redis_url, app_name, checkout)


def ceiling_server(database_url: str, tenant: dataset.Tenant) -> serve.Server:
    """The W2 data ceiling (bench.ceilings:booking) on the tenant's schema, verifying the same tokens."""
    from bench.w1_schedule import libpq_dsn

    return serve.Server("w2-ceiling", "bench.ceilings:booking", env={
        "BENCH_DATABASE_DSN": libpq_dsn(database_url, CEILING_APP), "BENCH_W2_SCHEMA": tenant.schema,
        "BENCH_W2_TENANT_ID": str(tenant.id), "SECRET_KEY": common.SECRET})


def start_all(servers: dict[str, serve.Server]) -> dict[str, serve.Server]:
    """Start every server; if one fails, stop those already started."""
    started: list[serve.Server] = []
    try:
        for server in servers.values():
            started.append(server.start())
    except Exception:
        for server in started:
            server.stop()
        raise
    return servers


def errors_of(throughput: dict) -> int:
    """Answers that are not the booking service's (any status but 201 and 409), and socket errors."""
    statuses = {int(code): n for code, n in throughput["statuses"].items()}
    return sum(n for code, n in statuses.items() if code not in (201, 409)) + sum(throughput["socket_errors"].values())


def invariants_broken(after: dict) -> bool:
    return bool(after["booked_count_wrong"] or after["over_capacity"] or after["double_bookings"])


def measure(server: serve.Server, database_url: str, schema: str, token_of: dict[int, str], seconds: float,
            seed: int, app_name: str, hard: bool = True) -> dict:
    """One app's part of a run, on fresh sessions: the last-seats case (if `hard`), then the throughput."""
    sessions, last_seats = make_sessions(database_url, schema)
    part: dict = {}
    if hard:
        part["hard"] = hard_case(server.port, token_of, last_seats)
        part["after_hard"] = check_sessions(database_url, schema, [last_seats])
        clear_bookings(database_url, schema, [last_seats])  # members' limits start from zero
    result = throughput_run(server, database_url, token_of, sessions, seconds, seed, app_name)
    part["throughput"] = result.as_dict()
    part["after_throughput"] = check_sessions(database_url, schema, sessions)
    return part


def log_part(label: str, part: dict) -> None:
    if "hard" in part:
        hard = part["hard"]
        say(f"  {label} last seats: confirmed {hard['confirmed']}, waitlisted {hard['waitlisted']}, refused "
            f"{hard['refused']}, errors {hard['errors']} in {hard['seconds']:.2f} s; database {part['after_hard']}")
    result = part["throughput"]
    say(f"  {label} throughput: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, answers {dict(sorted(result['statuses'].items()))}"
        + (f", socket errors {result['socket_errors']}" if result["socket_errors"] else "")
        + f"; database {part['after_throughput']}")


def full_runs(servers: dict[str, serve.Server], database_url: str, schema: str, app, members: list[int],
              runs: int, seconds: float) -> list[dict]:
    """nexphys and the data ceiling, each run on the same requests, in alternating order from run to run."""
    app_names = {"nexphys": APP_NAME, "ceiling": CEILING_APP}
    done = []
    for n in range(runs):
        token_of = tokens(app, members)  # fresh each run: access tokens live 15 minutes
        order = ("nexphys", "ceiling") if n % 2 == 0 else ("ceiling", "nexphys")
        parts = {}
        for name in order:
            parts[name] = measure(servers[name], database_url, schema, token_of, seconds, n, app_names[name])
            log_part(f"run {n + 1} {name}", parts[name])
        ratio = parts["nexphys"]["throughput"]["rps"] / (parts["ceiling"]["throughput"]["rps"] or 1)
        say(f"  run {n + 1}: W2 ÷ data ceiling = {ratio:.2f}")
        done.append({**parts["nexphys"], "ceiling": parts["ceiling"], "order": order, "ratio": ratio})
    return done


def ceiling_rows(runs: list[dict]) -> list[str]:
    """The throughput table's rows for the data ceiling and the ratio (runs measured before it had none)."""
    runs = [r for r in runs if "ceiling" in r]
    if not runs:
        return []
    rps = [r["ceiling"]["throughput"]["rps"] for r in runs]
    ratios = [r["ratio"] for r in runs]
    errors = sum(errors_of(r["throughput"]) + errors_of(r["ceiling"]["throughput"]) for r in runs)
    # An error answer is cheap (a 500 skips the work), so a ratio with errors in it compares nothing.
    warning = f" — **not comparable: {errors} error answers**" if errors else ""
    return [f"| data ceiling, same requests (`bench.ceilings:booking`), requests/s | {median(rps):.0f} "
            f"({', '.join(f'{v:.0f}' for v in rps)}) |",
            f"| **W2 ÷ data ceiling** (each run's own ratio) | **{median(ratios):.2f}** "
            f"({', '.join(f'{v:.2f}' for v in ratios)}){warning} |"]


def _mix(throughputs: list[dict]) -> str:
    mix: Counter = Counter()
    for t in throughputs:
        mix.update({int(k): v for k, v in t["statuses"].items()})
    total = sum(mix.values()) or 1
    return ", ".join(f"{code}: {n} ({n / total:.0%})" for code, n in sorted(mix.items()))


def ceiling_notes(runs: list[dict]) -> list[str]:
    """What the data ceiling is, and its own answers and checks in these runs."""
    parts = [r["ceiling"] for r in runs if "ceiling" in r]
    if not parts:
        return []
    hard = ", ".join(f"{p['hard']['confirmed']} confirmed / {p['hard']['refused']} refused / "
                     f"{p['hard']['errors']} errors" for p in parts)
    held = not any(invariants_broken(p["after_throughput"]) or invariants_broken(p["after_hard"]) for p in parts)
    return [
        "**The data ceiling** (`bench.ceilings:booking`, WORKLOAD's W2 ceiling), in the same runs: a bare Flask + "
        "psycopg2 app under the same gunicorn settings, one connection per worker, answering the same wrk "
        "requests (same seed) on its own fresh sessions after its own last-seats case. It verifies the same "
        "bearer tokens (PyJWT, same key, audience and claims) and sends the booking's essential SQL in one "
        "transaction: lock the session row (FOR UPDATE), look for a live booking of the member, check for a "
        "free seat, INSERT the booking, UPDATE booked_count, COMMIT (BEGIN sent with the lock, COMMIT with "
        "the UPDATE). It leaves out tenancy, the ORM, the token's revocation check and the user's row, the "
        "member's lock, the studio's rules (window, 10-bookings limit), the waitlist (a full class is a 409), "
        "Idempotency-Key, the email's outbox row and the full booking JSON; so its answers differ "
        f"({_mix([p['throughput'] for p in parts])}), and W2 ÷ data ceiling is what those cost. "
        f"Its last seats: {hard}; invariants {'held' if held else '**BROKEN**'}. The runs alternate which app "
        "goes first.",
    ]


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
        *ceiling_rows(runs),
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
    lines += ["", *ceiling_notes(runs)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


# --- before and after, alternating -------------------------------------------------------------------

def pair_runs(servers: dict[str, serve.Server], database_url: str, schema: str, app, members: list[int],
              pairs: int, seconds: float) -> list[dict]:
    """`pairs` throughput measurements of each side, alternating which goes first; same requests in a pair."""
    app_names = {"before": BEFORE_APP, "after": APP_NAME}
    token_of = tokens(app, members)
    for side in ("before", "after"):  # a first load, not counted: connections, caches, lazy imports
        measure(servers[side], database_url, schema, token_of, WARM_UP, -1, app_names[side], hard=False)
    done = []
    for n in range(pairs):
        token_of = tokens(app, members)  # fresh each pair: access tokens live 15 minutes
        order = ("before", "after") if n % 2 == 0 else ("after", "before")
        pair = {side: measure(servers[side], database_url, schema, token_of, seconds, n, app_names[side],
                              hard=False) for side in order}
        for side in order:
            log_part(f"pair {n + 1} {side:6}", pair[side])
        ratio = pair["after"]["throughput"]["rps"] / (pair["before"]["throughput"]["rps"] or 1)
        say(f"  pair {n + 1}: after ÷ before = {ratio:.2f}")
        done.append({**pair, "order": order, "ratio": ratio})
    return done


def render_pairs(info: dict, before: str, pairs: list[dict], seconds: float, load: str, notes: list[str]) -> str:
    ratios = [p["ratio"] for p in pairs]
    rps = {side: [p[side]["throughput"]["rps"] for p in pairs] for side in ("before", "after")}
    lines = [
        "### W2 before and after, alternating",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        f"`python -m bench.w2_booking --pairs {len(pairs)} --before DIR`: the W2 throughput measurement (wrk "
        f"{seconds:g} s, {CONNECTIONS} connections, fresh sessions each time) on nexphys as it was (before: {before}) "
        f"and as it is in this tree (after: {info['commit']}), both under gunicorn with this tree's settings, on "
        "the same database and data set; alternately, the same requests within a pair.",
        "",
        "| pair | order | before req/s | after req/s | after ÷ before | errors (before / after) | invariants |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, p in enumerate(pairs, 1):
        held = not any(invariants_broken(p[side]["after_throughput"]) for side in ("before", "after"))
        before, after = p["before"]["throughput"], p["after"]["throughput"]
        lines.append(f"| {n} | {' → '.join(p['order'])} | {before['rps']:.0f} | {after['rps']:.0f} | "
                     f"{p['ratio']:.2f} | {errors_of(before)} / {errors_of(after)} | "
                     f"{'held' if held else '**BROKEN**'} |")
    higher = sum(r > 1 for r in ratios)
    errors = sum(errors_of(p[side]["throughput"]) for p in pairs for side in ("before", "after"))
    if errors:
        notes = [f"**Not comparable: {errors} error answers** (see the errors column).", *notes]
    lines += ["", f"Median requests/s: before **{median(rps['before']):.0f}**, after **{median(rps['after']):.0f}**; "
                  f"after ÷ before: median **{median(ratios):.2f}** ({min(ratios):.2f} … {max(ratios):.2f}); "
                  f"after higher in {higher} of the {len(pairs)} pairs."]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def before_and_after(args, database_url: str, redis_url: str, tenant: dataset.Tenant, app,
                     members: list[int]) -> int:
    """--pairs N --before DIR: prints only (figures of a sitting; the doc's sections are full runs)."""
    checkout = Path(args.before).resolve()
    if not (checkout / "wsgi.py").exists():
        raise SystemExit(f"{checkout} is not a nexphys checkout (no wsgi.py): git worktree add {checkout} <commit>")
    notes = []
    if (checkout / "nexphys" / "gunicorn_conf.py").read_text() != serve.GUNICORN_CONF.read_text():
        notes.append(f"Note: {checkout}/nexphys/gunicorn_conf.py differs from this tree's; both ran with this tree's.")
    info, load_before = common.machine_info(database_url), common.load_average()
    servers = {"before": nexphys_server(database_url, before.before_redis(redis_url), BEFORE_APP, checkout),
               "after": nexphys_server(database_url, redis_url)}
    try:
        start_all(servers)
        before.check_checkout(servers["before"], checkout)
        say(f"W2 before ({before.checkout_commit(checkout)}, {checkout}) and after: {args.pairs} pair(s) of "
            f"{args.seconds:g} s")
        pairs = pair_runs(servers, database_url, tenant.schema, app, members, args.pairs, args.seconds)
        make_sessions(database_url, tenant.schema)  # leave fresh, empty classes behind
    finally:
        for server in servers.values():
            server.stop()  # a server never started has nothing to stop
        # Workers compile what they import lazily until they stop: remove the prefix only now.
        shutil.rmtree(servers["before"].env["PYTHONPYCACHEPREFIX"], ignore_errors=True)
        common.dispose(app)
    load = f"load average {load_before} at start, {common.load_average()} at end"
    print(render_pairs(info, f"{before.checkout_commit(checkout)} in {checkout}", pairs, args.seconds, load, notes))
    common.save_results("w2-pairs", {"info": info, "load": load, "before": str(checkout), "pairs": pairs})
    return 1 if any(errors_of(p[side]["throughput"]) for p in pairs for side in ("before", "after")) else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.w2_booking", description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--seconds", type=float, default=SECONDS, help=f"seconds of each wrk run ({SECONDS})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs ({RUNS})")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="one run (or each pair) of 5 s, prints only")
    parser.add_argument("--pairs", type=int, default=0,
                        help="before and after: N alternating throughput pairs with --before's code (prints only)")
    parser.add_argument("--before", metavar="DIR", help="the other checkout (a git worktree of an older commit)")
    args = parser.parse_args(argv)
    if args.pairs and not args.before:
        parser.error("--pairs needs --before DIR")
    if args.quick:
        args.seconds, args.runs = 5, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    write = not (args.no_doc or args.quick or args.seconds < SECONDS or args.runs < RUNS)
    serve.wrk_path()

    database_url, redis_url = common.service_urls()
    tenant = dataset.ensure(database_url, redis_url)[0]
    assert tenant.slug == TENANT, tenant
    app = common.make_app(database_url, redis_url)
    members = list(range(dataset.INSTRUCTORS + 1, dataset.INSTRUCTORS + dataset.MEMBERS + 1))
    if args.pairs:
        return before_and_after(args, database_url, redis_url, tenant, app, members)
    info = common.machine_info(database_url)
    load_before = common.load_average()
    servers = start_all({"nexphys": nexphys_server(database_url, redis_url),
                         "ceiling": ceiling_server(database_url, tenant)})
    notes: list[str] = []
    try:
        runs = full_runs(servers, database_url, tenant.schema, app, members, args.runs, args.seconds)
        make_sessions(database_url, tenant.schema)  # leave fresh, empty classes behind
    finally:
        for server in servers.values():
            server.stop()
        common.dispose(app)
    load = f"load average {load_before} at start, {common.load_average()} at end"
    body = render(info, runs, args.seconds, load, notes)
    print(body)
    if write:
        common.save_results("w2", {"info": info, "load": load, "runs": runs})
        common.update_section("w2", body)
        say(f"wrote the W2 section of {common.DOC.relative_to(common.ROOT)}")
    parts = [part for r in runs for part in (r, r["ceiling"])]
    failed = any(p["hard"]["confirmed"] != HARD_SEATS or p["hard"]["errors"] for p in parts)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
