"""The ceilings of W1 and W2 (WORKLOAD.md), bare Flask apps served under the same gunicorn settings as nexphys.

    gunicorn --config nexphys/gunicorn_conf.py bench.ceilings:hello     # the framework's ceiling
    gunicorn --config nexphys/gunicorn_conf.py bench.ceilings:data      # W1's data-path ceiling
    gunicorn --config nexphys/gunicorn_conf.py bench.ceilings:booking   # W2's data-path ceiling

`data` answers GET /api/v1/classes?date=YYYY-MM-DD with exactly the SQL nexphys sends for it
(captured from nexphys by bench.w1_schedule and passed in BENCH_W1_QUERY as JSON: the statement with
the tenant's schema already in it, and its parameters, the two instants named "$start" and "$end")
from a psycopg2 pool (one connection per worker: a sync worker serves one request at a time; in
autocommit, so the SELECT is the request's only round trip), and builds the same JSON body. No
tenancy, no auth, no ORM: what is left of nexphys's W1 once those go.
BENCH_DATABASE_DSN names the database; BENCH_W1_ZONE the studio's time zone.

`booking` answers POST /api/v1/bookings {session_id} for the member whose bearer token it is, on one
tenant schema named in advance (BENCH_W2_SCHEMA, its tenant id BENCH_W2_TENANT_ID). It keeps what
every booking must do:
  - verify the access token as nexphys does (PyJWT, HS256 pinned, SECRET_KEY, audience
    "nexphys:tenant:<id>", issuer "nexphys", exp/aud/sub/fam required); 401 otherwise;
  - in one transaction on the worker's one psycopg2 connection: lock the session row (SELECT … FOR
    UPDATE; 404 if missing, 409 not_bookable if cancelled or started), check for a live booking of the
    member (409 already_booked), check for a free seat (409 full), INSERT the booking (confirmed),
    UPDATE the session's booked_count, COMMIT; 201 with a small JSON body (id, session, member, status).
The duplicate check is a statement of its own after the lock: under READ COMMITTED it then sees a
booking committed by the transaction it waited for, which a check inside the locking SELECT would not.
As W1's ceiling runs in autocommit to be the best a bare app can do, this one sends BEGIN with the
locking SELECT and COMMIT with the UPDATE: 4 round trips for a booking, 3 for a refusal.
What nexphys also does per booking and this leaves out (so W2 ÷ this ceiling is their cost): tenant
resolution and schema binding, the ORM, the revocation check of the token's family (a Redis EXISTS,
the database when Redis is down), loading the user and role (active? permissions), locking the member
row, the studio's rules (booking window, the 10-upcoming-bookings limit: a count per booking), the
waitlist (a full class answers 409 here where nexphys waitlists up to 10), Idempotency-Key handling,
the confirmation email's outbox row and its delivery job, and the full booking JSON (a read of the
booking with its class and member). So on the same requests the answers' mix differs: no waitlisted
and no over-the-limit refusals here, more confirmed bookings until the classes are full.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jwt
from flask import Flask, Response, jsonify, request

hello = Flask("hello")


@hello.get("/")
def hello_world():
    return "Hello, World!"


data = Flask("data")
_pool = None


def _connection_pool():
    global _pool
    if _pool is None:
        from psycopg2.pool import SimpleConnectionPool

        _pool = SimpleConnectionPool(1, 1, os.environ["BENCH_DATABASE_DSN"])
        # Autocommit: the one SELECT is the only round trip (psycopg2 would add BEGIN and COMMIT),
        # as nexphys reads the timetable; the ceiling is the best a bare app can do with this SQL.
        conn = _pool.getconn()
        conn.autocommit = True
        _pool.putconn(conn)
    return _pool


def _query() -> tuple[str, dict]:
    spec = json.loads(os.environ["BENCH_W1_QUERY"])
    return spec["sql"], spec["params"]


@data.get("/api/v1/classes")
def classes():
    zone = ZoneInfo(os.environ.get("BENCH_W1_ZONE", "UTC"))
    day = date.fromisoformat(request.args["date"])
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    sql, template = _QUERY
    params = {k: {"$start": start, "$end": end}.get(v, v) if isinstance(v, str) else v for k, v in template.items()}
    pool = _connection_pool()
    conn = pool.getconn()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            names = [c.name for c in cur.description]
            rows = cur.fetchall()
    finally:
        pool.putconn(conn)
    items = []
    for values in rows:
        row = dict(zip(names, values, strict=True))
        # The instructor's name: labelled "instructor" by nexphys's timetable query, "full_name" before.
        instructor = row["instructor"] if "instructor" in row else row["full_name"]
        items.append({"id": row["id"], "name": row["name"], "instructor": instructor,
                      "starts_at": row["starts_at"].astimezone(zone).isoformat(),
                      "ends_at": row["ends_at"].astimezone(zone).isoformat(), "capacity": row["capacity"],
                      "booked": row["booked"], "spots_left": max(row["capacity"] - row["booked"], 0),
                      "color": row["color"]})
    return jsonify(items=items, time_zone=zone.key, **{"from": day.isoformat(), "to": day.isoformat()})


_QUERY = _query() if "BENCH_W1_QUERY" in os.environ else ("", {})


@data.get("/health/live")
def live():
    return "ok"


@hello.get("/health/live")
def hello_live():
    return "ok"


# --- W2: the booking transaction ------------------------------------------------------------------

booking = Flask("booking")
_connection = None
LIVE = ("confirmed", "waitlisted", "checked_in", "no_show")  # at most one per member and session


def _booking_connection():
    """The worker's one connection, made on its first request (after the fork: preload_app)."""
    global _connection
    if _connection is None or _connection.closed:
        import psycopg2

        _connection = psycopg2.connect(os.environ["BENCH_DATABASE_DSN"])
        # Autocommit, so psycopg2 sends no BEGIN of its own: the SQL below opens and ends the transaction
        # itself, BEGIN riding with the lock and COMMIT with the last write.
        _connection.autocommit = True
    return _connection


def _booking_sql(schema: str) -> dict[str, str]:
    s = f'"{schema}"'
    live = ", ".join(f"'{status}'" for status in LIVE)
    return {
        "lock": f"BEGIN; SELECT capacity, booked_count, status = 'scheduled' AND starts_at > statement_timestamp() "
                f"FROM {s}.class_sessions WHERE id = %(session)s FOR UPDATE",
        "live": f"SELECT EXISTS (SELECT 1 FROM {s}.bookings WHERE session_id = %(session)s "
                f"AND member_id = %(member)s AND status IN ({live}))",
        "insert": f"INSERT INTO {s}.bookings (session_id, member_id, status, created_at, confirmed_at) VALUES "
                  f"(%(session)s, %(member)s, 'confirmed', statement_timestamp(), statement_timestamp()) "
                  f"RETURNING id",
        "seat": f"UPDATE {s}.class_sessions SET booked_count = booked_count + 1 WHERE id = %(session)s; COMMIT",
    }


_BOOKING_SQL = _booking_sql(os.environ["BENCH_W2_SCHEMA"]) if "BENCH_W2_SCHEMA" in os.environ else {}
_AUDIENCE = f"nexphys:tenant:{os.environ.get('BENCH_W2_TENANT_ID')}"


def _member_of(authorization: str) -> int | None:
    """The member a bearer access token stands for, verified as nexphys.auth.tokens does; None if invalid."""
    if authorization[:7].lower() != "bearer ":
        return None
    try:
        claims = jwt.decode(authorization[7:].strip(), os.environ["SECRET_KEY"], algorithms=["HS256"],
                            audience=_AUDIENCE, issuer="nexphys",
                            options={"require": ["exp", "aud", "sub", "fam"]})
    except jwt.PyJWTError:
        return None
    return int(claims["sub"])


def _problem(status: int, reason: str) -> Response:
    response = jsonify(type=f"/problems/{reason}", status=status, reason=reason)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _book(cur, params: dict) -> tuple[int | None, str]:
    """The transaction, up to its COMMIT; (booking id, "confirmed") or (None, the refusal's reason)."""
    cur.execute(_BOOKING_SQL["lock"], params)
    row = cur.fetchone()
    if row is None:
        return None, "not_found"
    capacity, booked, bookable = row
    if not bookable:
        return None, "not_bookable"
    cur.execute(_BOOKING_SQL["live"], params)
    if cur.fetchone()[0]:
        return None, "already_booked"
    if booked >= capacity:
        return None, "full"
    cur.execute(_BOOKING_SQL["insert"], params)
    booking_id = cur.fetchone()[0]
    cur.execute(_BOOKING_SQL["seat"], params)
    return booking_id, "confirmed"


@booking.post("/api/v1/bookings")
def book() -> Response | tuple[Response, int]:
    member_id = _member_of(request.headers.get("Authorization", ""))
    if member_id is None:
        return _problem(401, "unauthorized")
    body = request.get_json(silent=True) or {}
    session_id = body.get("session_id")
    if not isinstance(session_id, int):
        return _problem(422, "invalid")
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE

    params = {"session": session_id, "member": member_id}
    conn = _booking_connection()
    with conn.cursor() as cur:
        try:
            booking_id, outcome = _book(cur, params)
        finally:
            if conn.info.transaction_status != TRANSACTION_STATUS_IDLE:  # refused or failed before COMMIT
                cur.execute("ROLLBACK")
    if booking_id is None:
        return _problem(404 if outcome == "not_found" else 409, outcome)
    return jsonify(id=booking_id, session_id=session_id, member_id=member_id, status=outcome), 201


@booking.get("/health/live")
def booking_live() -> str:
    return "ok"
