"""The soak's load: W1 reads and W2 bookings from a few threads, the faults, and a monitor of the job outbox.

Every request is recorded (times in seconds since the run began, on the monotonic clock): W1 is
`GET /api/v1/classes?date=…` on the studio's host; W2 is `POST /api/v1/bookings {session_id}` for a
random member (their bearer token) on a random session, each with an Idempotency-Key of its own. A
booking answered 503 or lost to a connection error is sent once more after RETRY_SECONDS with the same
key: the app's idempotency then replays the first answer if the first attempt did commit.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from bench.soak_setup import AppProcess, Dataset

W1_SHARE = 0.8
CLIENTS = 6
# Between a client's requests: a modest load on a shared 2-core machine, whose one `flask worker` sends
# about 10 emails a second (a fork per job), so that the outbox's backlog after a fault can drain.
THINK_SECONDS = 0.15
REQUEST_TIMEOUT = 15.0
RETRY_SECONDS = 1.0
MONITOR_SECONDS = 0.5
QUEUES = ("high", "default", "low")


@dataclass
class Answer:
    """One HTTP request and what came back (status 0: a connection error or a timeout)."""

    kind: str  # "w1" or "w2"
    started: float
    ended: float
    status: int
    error: str = ""
    attempt: int = 1
    session_id: int | None = None
    member_id: int | None = None
    key: str | None = None
    booking_id: int | None = None
    booking_status: str | None = None
    replayed: bool = False


class Connection:
    """A keep-alive http.client connection to 127.0.0.1:port, opened again after an error or a close."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, headers: dict[str, str], body: str | None = None
             ) -> tuple[int, bytes, http.client.HTTPMessage]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except Exception:
            self.close()
            raise
        if response.will_close:  # gunicorn's sync workers close after each answer
            self.close()
        return response.status, data, response.headers

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Load:
    """CLIENTS threads sending W1 and W2 until stopped; `answers` holds every request."""

    def __init__(self, port: int, data: Dataset, clock: Callable[[], float], seed: int = 1) -> None:
        self.port, self.data, self.clock, self.seed = port, data, clock, seed
        self.answers: list[Answer] = []  # list.append is atomic: the threads share it without a lock
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _client(self, n: int) -> None:
        rng = random.Random(self.seed * 1000 + n)
        conn = Connection(self.port)
        members, sessions = list(self.data.tokens), list(self.data.sessions)
        while not self._stop.is_set():
            if rng.random() < W1_SHARE:
                self._w1(conn, rng.choice(self.data.days))
            else:
                self._book(conn, rng.choice(members), rng.choice(sessions))
            self._stop.wait(THINK_SECONDS)
        conn.close()

    def _request(self, conn: Connection, answer: Answer, method: str, path: str, headers: dict[str, str],
                 body: str | None = None) -> tuple[bytes, http.client.HTTPMessage | None]:
        """Send; fill in the answer's status (0 on a connection error) and end time; record it."""
        data, got = b"", None
        try:
            answer.status, data, got = conn.send(method, path, {"Host": self.data.host, **headers}, body)
        except (OSError, http.client.HTTPException) as exc:
            answer.status, answer.error = 0, f"{type(exc).__name__}: {exc}"[:200]
        if answer.status >= 500 and answer.status != 503:  # an error to describe: keep what the app said
            answer.error = data[:300].decode(errors="replace")
        answer.ended = self.clock()
        self.answers.append(answer)
        return data, got

    def _w1(self, conn: Connection, day: str) -> None:
        self._request(conn, Answer("w1", self.clock(), 0.0, 0), "GET", f"/api/v1/classes?date={day}", {})

    def _book(self, conn: Connection, member_id: int, session_id: int) -> None:
        key = uuid.uuid4().hex
        headers = {"Authorization": f"Bearer {self.data.tokens[member_id]}", "Content-Type": "application/json",
                   "Idempotency-Key": key}
        body = json.dumps({"session_id": session_id})
        for attempt in (1, 2):
            answer = Answer("w2", self.clock(), 0.0, 0, attempt=attempt, session_id=session_id,
                            member_id=member_id, key=key)
            data, got = self._request(conn, answer, "POST", "/api/v1/bookings", headers, body)
            if answer.status == 201:
                booking = json.loads(data)
                answer.booking_id, answer.booking_status = booking["id"], booking["status"]
                answer.replayed = got is not None and got.get("Idempotent-Replayed") == "true"
            if answer.status not in (0, 503) or attempt == 2:
                return
            time.sleep(RETRY_SECONDS)  # not the stop event: the retry settles what the client was told


# --- faults --------------------------------------------------------------------------------------------

@dataclass
class Fault:
    """A server stopped and started again; moments in seconds since the run began."""

    name: str
    began: float = 0.0  # the stop was asked for
    stopped: float = 0.0  # the server was down (its process gone)
    starting: float = 0.0
    started: float = 0.0  # the server answered again

    def as_dict(self) -> dict:
        return asdict(self)


def inject(name: str, server, down_seconds: float, clock: Callable[[], float]) -> Fault:
    """Stop `server` (an EmbeddedRedis, or an EmbeddedPostgres: pg_ctl -m fast), keep it down, start it again."""
    fault = Fault(name, began=clock())
    server.stop()
    fault.stopped = clock()
    time.sleep(max(0.0, down_seconds - (fault.stopped - fault.began)))
    fault.starting = clock()
    server.start()  # same port, same data dir
    fault.started = clock()
    return fault


# --- the monitor -----------------------------------------------------------------------------------------

@dataclass
class Sample:
    at: float
    waiting: int | None = None  # job outbox rows not failed (None: PostgreSQL unreachable)
    failed: int | None = None
    oldest: float | None = None  # the oldest waiting row's created_at, seconds since the run began
    oldest_id: int | None = None  # and its id
    queued: int | None = None  # RQ's queues' length, all three (None: Redis unreachable)
    scheduled: int | None = None  # RQ retries waiting for their time
    dead: list[str] = field(default_factory=list)  # app processes that had exited


class Monitor:
    """Every MONITOR_SECONDS: the job outbox, RQ's queues and whether the app's processes live."""

    def __init__(self, database_url: str, redis_url: str, processes: dict[str, AppProcess],
                 clock: Callable[[], float], wall_at_zero: float) -> None:
        self.database_url, self.redis_url, self.processes = database_url, redis_url, processes
        self.clock, self.wall_at_zero = clock, wall_at_zero
        self.samples: list[Sample] = []
        self._conn = None
        self._redis = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Monitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self._conn is not None:
            self._conn.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.sample())
            self._stop.wait(MONITOR_SECONDS)

    def sample(self) -> Sample:
        sample = Sample(self.clock())
        self._outbox(sample)
        self._queues(sample)
        sample.dead = [p.name for p in self.processes.values() if not p.alive()]
        return sample

    def _outbox(self, sample: Sample) -> None:
        import psycopg2

        from bench.dataset import pg_connect

        try:
            if self._conn is None:
                self._conn = pg_connect(self.database_url)
                self._conn.autocommit = True
            with self._conn.cursor() as cur:
                cur.execute("SELECT count(*) FILTER (WHERE failed_at IS NULL), count(*) FILTER (WHERE failed_at IS "
                            "NOT NULL) FROM public.job_outbox")
                waiting, failed = cur.fetchone()
                cur.execute("SELECT id, extract(epoch FROM created_at) FROM public.job_outbox WHERE failed_at IS NULL "
                            "ORDER BY created_at, id LIMIT 1")
                sample.oldest_id, oldest = cur.fetchone() or (None, None)
        except psycopg2.Error:  # PostgreSQL is down: reconnect next time
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            return
        sample.waiting, sample.failed = waiting, failed
        sample.oldest = float(oldest) - self.wall_at_zero if oldest is not None else None

    def _queues(self, sample: Sample) -> None:
        import redis

        if self._redis is None:
            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            pipe = self._redis.pipeline()
            for name in QUEUES:
                pipe.llen(f"rq:queue:{name}")
            for name in QUEUES:
                pipe.zcard(f"rq:scheduled:{name}")
            counts = pipe.execute()
        except redis.RedisError:
            return
        sample.queued, sample.scheduled = sum(counts[:len(QUEUES)]), sum(counts[len(QUEUES):])


def drain(monitor: Monitor, seconds: float) -> tuple[bool, float, Sample | None]:
    """Wait until no job waits in the outbox and RQ's queues are empty; (drained, seconds taken, last sample).

    Reads the running monitor's samples (one thread owns its connections) taken after the wait began.
    """
    began = monitor.clock()
    while True:
        last = monitor.samples[-1] if monitor.samples and monitor.samples[-1].at >= began else None
        if last is not None and last.waiting == 0 and last.queued == 0 and last.scheduled == 0:
            return True, monitor.clock() - began, last
        if monitor.clock() - began > seconds:
            return False, monitor.clock() - began, last
        time.sleep(MONITOR_SECONDS / 2)
