"""gunicorn workers' memory as `make run` serves nexphys: RSS, PSS and private per worker, 1 vs 100 tenants.

nexphys runs as `make run` starts it: `gunicorn --config nexphys/gunicorn_conf.py wsgi:app` (4 sync
workers unless WEB_CONCURRENCY says otherwise), here on the WORKLOAD data set (bench.dataset,
gym-001 … gym-100). Each phase's figures are read from /proc/PID/smaps_rollup once its traffic has
stopped (see bench.serve.Memory for what RSS, PSS and private mean):

  started      the workers ready: only the readiness checks (GET /health/live) served
  1 tenant     after the request mix on gym-001, PASSES_ONE times
  100 tenants  after the request mix on each of gym-001 … gym-100, PASSES_ALL times
  respawned    a worker killed (SIGKILL) and the one the master forks in its place, after the
               100-tenant mix again (the master's state at a later fork)

The master must hold no PostgreSQL or Redis connection (checked at the start and at the end: with
the app loaded in the master, workers would otherwise inherit its sockets).

The request mix, per tenant, sent from CLIENTS threads (one connection per request, as gunicorn's
sync workers close each one, so the requests spread over the workers): the W1 timetable JSON
(anonymous, and with a member's bearer token), the timetable page (HTML), the sign-in page, and
/api/v1/me with the token. On gym-001 each phase also signs a member in (POST /api/v1/auth/token,
Argon2; a different member each phase, picked at random and given a password first, as sign-in is
limited to 5 a minute per account) and books a class with the token it got (POST /api/v1/bookings
on the W2 benchmark's classes, made afresh and left empty at the end). Every answer must be the
expected one (printed otherwise).

    python -m bench.worker_memory             # prints a table; writes nothing
    python -m bench.worker_memory --json      # the figures as JSON too
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import common, dataset, serve, w1_schedule, w2_booking
from bench.common import median, say

APP_NAME = "bench-nexphys-memory"
CLIENTS = 8
PASSES_ONE = 60  # 1 tenant: 300 reads
PASSES_ALL = 6  # 100 tenants: 3,000 reads, 30 per tenant (about 7 per worker)
PASSWORD = "bench-memory-password-1"
MEMBER = dataset.INSTRUCTORS + 1  # member1: each tenant's bearer token for the read mix
MIB = 1024 * 1024


@dataclass
class Phase:
    name: str
    requests: int
    seconds: float
    answers: dict[str, int]
    unexpected: int
    master: serve.Memory | None
    workers: dict[int, serve.Memory]

    def figure(self, attribute: str, how) -> float:
        return how([getattr(m, attribute) for m in self.workers.values()]) / MIB if self.workers else 0.0


def set_password(app, slug: str, user_id: int, password: str) -> str:
    """Give one member a password (hashed as the app hashes it); their email."""
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.security.passwords import hash_password
    from nexphys.tenancy.context import tenant_bound
    from nexphys.tenancy.resolver import load_tenant

    with app.app_context():
        with tenant_bound(load_tenant("slug", slug)):
            user = db.session.get(User, user_id)
            db.session.execute(sa.update(User).where(User.id == user_id).values(password_hash=hash_password(password)))
            db.session.commit()
            return user.email


def send(port: int, method: str, path: str, headers: dict, body: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def reads(slugs: list[str], tokens: dict[str, str], page: str, passes: int) -> list[tuple]:
    """(method, path, headers, body, expected statuses) of the read mix, every tenant `passes` times."""
    out = []
    for _ in range(passes):
        for slug in slugs:
            host = {"Host": w1_schedule.host(slug)}
            bearer = {**host, "Authorization": f"Bearer {tokens[slug]}"}
            out += [("GET", w1_schedule.PATH, host, None, {200}),
                    ("GET", w1_schedule.PATH, bearer, None, {200}),
                    ("GET", page, host, None, {200}),
                    ("GET", "/login", host, None, {200}),
                    ("GET", "/api/v1/me", bearer, None, {200})]
    return out


def drive(port: int, requests: list[tuple]) -> tuple[Counter, int, float]:
    """Send the requests from CLIENTS threads; (answers by status, unexpected answers, seconds)."""
    answers: Counter = Counter()
    unexpected = 0
    lock = threading.Lock()
    queue = list(reversed(requests))

    def client() -> None:
        nonlocal unexpected
        while True:
            with lock:
                if not queue:
                    return
                method, path, headers, body, expected = queue.pop()
            try:
                status, data = send(port, method, path, headers, body)
            except OSError as exc:
                status, data = 0, str(exc).encode()
            with lock:
                answers[str(status)] += 1
                if status not in expected:
                    unexpected += 1
                    if unexpected <= 5:
                        say(f"  unexpected {status} for {method} {path} {headers.get('Host')}: {data[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers, unexpected, time.perf_counter() - started


def sign_in_and_book(port: int, email: str, session_id: int) -> list[str]:
    """POST /api/v1/auth/token with the member's password, then book with the token; what went wrong."""
    host = {"Host": w1_schedule.host(w2_booking.TENANT), "Content-Type": "application/json"}
    status, body = send(port, "POST", "/api/v1/auth/token", host, json.dumps({"email": email, "password": PASSWORD}))
    if status != 200:
        return [f"sign-in: {status} {body[:200]!r}"]
    token = json.loads(body)["access_token"]
    status, body = send(port, "POST", "/api/v1/bookings", {**host, "Authorization": f"Bearer {token}",
                                                           "Idempotency-Key": uuid.uuid4().hex},
                        json.dumps({"session_id": session_id}))
    if status != 201 or json.loads(body).get("status") != "confirmed":
        return [f"booking: {status} {body[:200]!r}"]
    return []


def phase(name: str, server: serve.Server, requests: list[tuple], checks=None) -> Phase:
    answers, unexpected, seconds = drive(server.port, requests) if requests else (Counter(), 0, 0.0)
    problems = checks() if checks else []
    for problem in problems:
        say(f"  {name}: {problem}")
    time.sleep(0.5)  # let the last requests' workers finish
    result = Phase(name, len(requests) + (2 if checks else 0), seconds, dict(answers), unexpected + len(problems),
                   serve.process_memory(server.process.pid), server.workers_memory())
    say(f"  {name:12} {result.requests:5} requests in {seconds:5.1f} s, unexpected {result.unexpected}; per worker "
        f"(median) RSS {result.figure('rss', median):.1f} PSS {result.figure('pss', median):.1f} private "
        f"{result.figure('private', median):.1f} MiB")
    return result


def _address(hex_address: str) -> str:
    """"0100007F:D888" (as /proc/net/tcp writes IPv4) -> "127.0.0.1:55432"; IPv6 addresses left in hex."""
    host, port = hex_address.split(":")
    if len(host) == 8:
        host = ".".join(str(int(host[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return f"{host}:{int(port, 16)}"


def established_connections(pid: int) -> list[str]:
    """The process's established TCP connections, as "local -> remote"."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
                found.append(f"{_address(fields[1])} -> {_address(fields[2])}")
    return found


def respawn(server: serve.Server, timeout: float = 30) -> int:
    """SIGKILL one worker; the pid of the worker the master forks in its place."""
    before = set(server.workers())
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = set(server.workers())
        new = now - before
        if new and victim not in now:
            pid = new.pop()
            time.sleep(1.0)  # the new worker imports nothing under preload, but give it time either way
            return pid
        time.sleep(0.1)
    raise RuntimeError(f"the master did not replace worker {victim}: {server.log_tail()}")


def render(phases: list[Phase], respawned: int | None, workers: int, settings: str) -> str:
    lines = [
        f"Workers' memory, `gunicorn --config nexphys/gunicorn_conf.py wsgi:app` ({workers} sync workers; "
        f"{settings}), after each phase's traffic. Per worker: median of the workers (min–max), MiB. "
        "Private = Private_Clean + Private_Dirty of /proc/PID/smaps_rollup; PSS shares each shared page "
        "among the processes that map it; 'all' = the master's PSS + every worker's PSS.",
        "",
        "| phase | requests (unexpected) | RSS per worker | PSS per worker | private per worker | master RSS / "
        "private | all (PSS) |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(p: Phase, attribute: str) -> str:
        return (f"**{p.figure(attribute, median):.1f}** ({p.figure(attribute, min):.1f}–"
                f"{p.figure(attribute, max):.1f})")

    for p in phases:
        master = f"{p.master.rss / MIB:.1f} / {p.master.private / MIB:.1f}" if p.master else "–"
        total = ((p.master.pss if p.master else 0) + sum(m.pss for m in p.workers.values())) / MIB
        lines.append(f"| {p.name} | {p.requests} ({p.unexpected}) | {cell(p, 'rss')} | {cell(p, 'pss')} | "
                     f"{cell(p, 'private')} | {master} | {total:.0f} |")
    last = phases[-1]
    if respawned is not None and respawned in last.workers:
        m = last.workers[respawned]
        lines += ["", f"The respawned worker (pid {respawned}) after the mix: RSS {m.rss / MIB:.1f}, PSS "
                      f"{m.pss / MIB:.1f}, private {m.private / MIB:.1f} MiB."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker_memory", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    parser.add_argument("--no-respawn", action="store_true", help="skip the killed-and-respawned worker phase")
    args = parser.parse_args(argv)

    database_url, redis_url = common.service_urls()
    tenants = dataset.ensure(database_url, redis_url)
    slugs = [t.slug for t in tenants]
    app = common.make_app(database_url, redis_url)
    sessions, _hard = w2_booking.make_sessions(database_url, tenants[0].schema)
    members = random.sample(range(dataset.INSTRUCTORS + 1, dataset.INSTRUCTORS + dataset.MEMBERS + 1), 3)
    emails = iter([set_password(app, slugs[0], m, PASSWORD) for m in members])
    server = serve.Server("nexphys", "wsgi:app", env={
        "DATABASE_URL": f"{database_url}?application_name={APP_NAME}", "REDIS_URL": redis_url,
        "SECRET_KEY": common.SECRET, "NEXPHYS_BASE_DOMAIN": w1_schedule.BASE_DOMAIN})
    workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
    phases: list[Phase] = []
    respawned = None
    booked = iter(sessions)

    def sign_in_and_book_once() -> list[str]:
        return sign_in_and_book(server.port, next(emails), next(booked))

    try:
        server.start()
        master_connections = established_connections(server.process.pid)
        phases.append(phase("started", server, []))
        page, _note = w1_schedule.page_path(server.port)
        tokens = {s: w1_schedule.member_token(app, s, MEMBER) for s in slugs}
        one = reads(slugs[:1], tokens, page, PASSES_ONE)
        every = reads(slugs, tokens, page, PASSES_ALL)
        phases.append(phase("1 tenant", server, one, sign_in_and_book_once))
        phases.append(phase("100 tenants", server, every, sign_in_and_book_once))
        if not args.no_respawn:
            respawned = respawn(server)
            phases.append(phase("respawned", server, every, sign_in_and_book_once))
        master_connections += established_connections(server.process.pid)
    finally:
        server.stop()
        w2_booking.make_sessions(database_url, tenants[0].schema)  # the W2 classes left fresh and empty
        common.dispose(app)
    print(render(phases, respawned, workers, serve.preload_note()))
    print(f"\nThe master's established TCP connections (must be none): {master_connections or 'none'}.")
    if args.json:
        print(json.dumps({"phases": [asdict(p) for p in phases], "respawned": respawned,
                          "master_connections": master_connections}, indent=1, default=str))
    return 1 if master_connections or any(p.unexpected for p in phases) else 0


if __name__ == "__main__":
    raise SystemExit(main())
