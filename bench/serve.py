"""HTTP benchmarks' machinery: apps under gunicorn as `make run` starts them, wrk runs, samplers.

Every app (nexphys and the ceilings) runs as `gunicorn --config nexphys/gunicorn_conf.py MODULE:app`
(4 sync workers unless WEB_CONCURRENCY says otherwise) on a free port of 127.0.0.1. wrk drives it
through a generated Lua script that picks each request from a prepared list (a random tenant's
Host header, a random member's token) and counts the answers by status code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import common

GUNICORN_CONF = common.ROOT / "nexphys" / "gunicorn_conf.py"
GUNICORN = common.ROOT / ".venv" / "bin" / "gunicorn"
THREADS = 2


def wrk_path() -> str:
    """wrk's path; a clear error when it is missing (the HTTP benchmarks need it)."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (Debian) or see "
                         "https://github.com/wg/wrk; the W1 and W2 benchmarks drive the apps with it.")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One app under gunicorn with the settings of `make run` (nexphys/gunicorn_conf.py)."""

    name: str
    target: str  # "wsgi:app" or "bench.ceilings:hello"
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def start(self, ready_path: str = "/health/live", ready_host: str | None = None) -> Server:
        self.port = self.port or free_port()
        # W1/W2 drive one studio from one address far past any plan's API rate: count (the cost is measured),
        # refuse nothing (nexphys.security.rate_limits); bench.w1_flood sets its own.
        env = {"NEXPHYS_API_RATE_LIMITS": "report", **os.environ, **self.env, "PORT": str(self.port)}
        fd, name = tempfile.mkstemp(prefix=f"bench-{self.name}-", suffix=".log")
        self.log_path = Path(name)
        with os.fdopen(fd, "w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([str(GUNICORN), "--config", str(GUNICORN_CONF), self.target],
                                            cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start: {self.log_tail()}")
            try:
                status, _body = get(self.port, ready_path, ready_host)
                if status == 200 and len(self.workers()) >= int(env.get("WEB_CONCURRENCY", "4")):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready: {self.log_tail()}")

    def workers(self) -> list[int]:
        """The gunicorn workers' pids (the master's children)."""
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def workers_rss(self) -> int:
        """Sum of the workers' resident memory, bytes."""
        return sum(m.rss for m in self.workers_memory().values())

    def workers_memory(self) -> dict[int, Memory]:
        """Each worker's memory (RSS, PSS, private), by pid."""
        found = {}
        for pid in self.workers():
            memory = process_memory(pid)
            if memory is not None:
                found[pid] = memory
        return found

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Memory:
    """A process's memory from /proc/PID/smaps_rollup, bytes.

    rss: resident pages, shared ones counted in full (what `ps` and `top` show);
    pss: resident pages, each shared page divided by the number of processes sharing it
         (the workers' PSS and the master's add up to what they all use);
    private: Private_Clean + Private_Dirty, pages no other process maps (what the process alone costs:
             freed if it exits; with the app loaded in the gunicorn master, mostly pages the worker wrote to).
    """

    rss: int
    pss: int
    private: int


def process_memory(pid: int) -> Memory | None:
    """The process's Memory, None once it has gone."""
    fields = {}
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            fields[name] = int(rest.split()[0]) * 1024  # kB
    if "Rss" not in fields:
        return None
    return Memory(fields["Rss"], fields.get("Pss", 0), fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0))


def preload_note() -> str:
    """What nexphys/gunicorn_conf.py says about loading the app in the master."""
    text = GUNICORN_CONF.read_text()
    match = re.search(r"^preload_app\s*=\s*(\S+)", text, re.MULTILINE)
    preload = match is not None and match.group(1) == "True"
    frozen = "gc.freeze()" in text
    return (f"app {'loaded once in the master (preload_app)' if preload else 'loaded by each worker'}"
            f"{', gc.freeze() before each fork' if frozen else ''}")


def get(port: int, path: str, host: str | None = None, headers: dict | None = None,
        method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=body,
                                     headers={**({"Host": host} if host else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Sampler:
    """Samples, every 0.25 s while a load runs: the app's PostgreSQL connections and its workers' memory."""

    def __init__(self, server: Server, database_url: str, application_name: str | None) -> None:
        self.server = server
        self.database_url = database_url
        self.application_name = application_name
        self.connections: list[int] = []
        self.rss: list[int] = []  # the workers' RSS summed, each sample
        self.memory: list[dict[int, Memory]] = []  # each worker's memory, each sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        from bench.dataset import pg_connect

        conn = pg_connect(self.database_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                while not self._stop.is_set():
                    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND application_name = %s", (self.application_name,))
                    self.connections.append(cur.fetchone()[0])
                    memory = self.server.workers_memory()
                    self.memory.append(memory)
                    self.rss.append(sum(m.rss for m in memory.values()))
                    self._stop.wait(0.25)
        finally:
            conn.close()


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for ASCII text


LUA_TEMPLATE = """
-- generated by bench/serve.py: each request is one of REQUESTS, picked at random; answers counted by status
local REQUESTS = {%(requests)s}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  statuses = {}
  prepared = {}
  for i, r in ipairs(REQUESTS) do
    prepared[i] = wrk.format(r[1], r[2], r[3], r[4])
  end
end

function request()
  return prepared[math.random(#prepared)]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do table.insert(parts, string.format('"%%d": %%d', code, n)) end
  io.write(string.format('BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, '
    .. '"max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status_errors": %%d, "timeout": %%d, '
    .. '"statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class Req:
    """One prepared request for wrk."""

    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: str | None = None

    def lua(self) -> str:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in self.headers.items())
        body = lua_string(self.body) if self.body is not None else "nil"
        return f"{{{lua_string(self.method)}, {lua_string(self.path)}, {{{headers}}}, {body}}}"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    connections_max: int = 0
    connections_median: float = 0.0
    rss_peak: int = 0  # the workers' RSS summed, its peak
    # One worker's peak (the largest any worker reached during the run), bytes: RSS, PSS, private.
    worker_rss_peak: int = 0
    worker_pss_peak: int = 0
    worker_private_peak: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(n for code, n in self.statuses.items() if not 200 <= code < 300)

    def as_dict(self) -> dict:
        return {**self.__dict__, "rps": self.rps, "non_2xx": self.non_2xx}


def run_wrk(port: int, requests: list[Req], seconds: float, connections: int = 32,
            sampler: Sampler | None = None) -> WrkResult:
    """Drive 127.0.0.1:port for `seconds` with `connections` connections, requests picked from `requests`."""
    script = LUA_TEMPLATE % {"requests": ",\n  ".join(r.lua() for r in requests)}
    with tempfile.NamedTemporaryFile("w", prefix="bench-wrk-", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        command = [wrk_path(), f"-t{THREADS}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
                   "--timeout", "10s", "-s", f.name, f"http://127.0.0.1:{port}{requests[0].path}"]
        if sampler is not None:
            with sampler:
                out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        else:
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    match = re.search(r"^BENCH (\{.*\})$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk gave no summary:\n{out}")
    data = json.loads(match.group(1))
    result = WrkResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
        statuses={int(k): v for k, v in data["statuses"].items()},
        socket_errors={k: data[k] for k in ("connect", "read", "write", "timeout") if data[k]},
    )
    if sampler is not None:
        result.connections_max = max(sampler.connections, default=0)
        result.connections_median = common.median(sampler.connections) if sampler.connections else 0
        result.rss_peak = max(sampler.rss, default=0)
        each = [m for sample in sampler.memory for m in sample.values()]
        result.worker_rss_peak = max((m.rss for m in each), default=0)
        result.worker_pss_peak = max((m.pss for m in each), default=0)
        result.worker_private_peak = max((m.private for m in each), default=0)
    return result
