"""The ceilings of W1 (WORKLOAD.md), bare Flask apps served under the same gunicorn settings as nexphys.

    gunicorn --config nexphys/gunicorn_conf.py bench.ceilings:hello   # the framework's ceiling
    gunicorn --config nexphys/gunicorn_conf.py bench.ceilings:data    # the data path's ceiling

`data` answers GET /api/v1/classes?date=YYYY-MM-DD with exactly the SQL nexphys sends for it
(captured from nexphys by bench.w1_schedule and passed in BENCH_W1_QUERY as JSON: the statement with
the tenant's schema already in it, and its parameters, the two instants named "$start" and "$end")
from a psycopg2 pool (one connection per worker: a sync worker serves one request at a time; in
autocommit, so the SELECT is the request's only round trip), and builds the same JSON body. No
tenancy, no auth, no ORM: what is left of nexphys's W1 once those go.
BENCH_DATABASE_DSN names the database; BENCH_W1_ZONE the studio's time zone.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, request

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
