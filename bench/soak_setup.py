"""The soak benchmark's own PostgreSQL and Redis, its small data set, and the app's three processes.

Everything here is the soak's alone: a spare PostgreSQL and Redis on ports of their own with their data
in a temporary directory (so stopping them disturbs no other session), one studio built through the
app's services, and gunicorn, `flask worker` and `flask scheduler` started as `make run` starts them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import common
from nexphys.devservers import EmbeddedPostgres, EmbeddedRedis, free_port, port_free

TENANT = "soak-001"
BASE_DOMAIN = "localhost"
MEMBERS = 200
SESSIONS = 140
CAPACITY = 20
CLASS_PREFIX = "Soak"  # each session has a class type of its own ("Soak 017"): its emails name it
BIN = common.ROOT / ".venv" / "bin"
# Ports below Linux's ephemeral range (32768+): a restarted server must find its port free, and the
# load generator's outgoing connections take ephemeral ports (as nexphys.devservers explains).
SPARE_PORTS = range(30000, 32700)


def spare_port() -> int:
    """A free port below the ephemeral range, so nothing else can take it while its server restarts."""
    rng = random.Random()
    for _ in range(200):
        port = rng.choice(SPARE_PORTS)
        if port_free(port):
            return port
    raise RuntimeError("no free port below the ephemeral range")


# --- the spare servers -------------------------------------------------------------------------------

@dataclass
class Spares:
    """The soak's PostgreSQL and Redis, data under `root` (removed by stop)."""

    root: Path
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the spare's `nexphys` database."""
        from nexphys.config import sqlalchemy_url

        return sqlalchemy_url(self.postgres.url)

    @property
    def redis_url(self) -> str:
        return self.redis.url

    def stop(self) -> None:
        """Stop both servers (each by its own data dir / pid), then remove their data."""
        for server in (self.redis, self.postgres):
            try:
                server.stop()
            except Exception as exc:  # noqa: BLE001 - the other server must still be stopped
                common.say(f"could not stop the spare {type(server).__name__}: {exc}")
        shutil.rmtree(self.root, ignore_errors=True)


def start_spares() -> Spares:
    root = Path(tempfile.mkdtemp(prefix="nexphys-soak-"))
    root.chmod(0o755)  # as root, the embedded PostgreSQL runs as a system user that must reach its data dir
    spares = Spares(root, EmbeddedPostgres(data_dir=root / "postgres", port=spare_port()),
                    EmbeddedRedis(data_dir=root / "redis", port=spare_port()))
    try:
        spares.postgres.start()
        spares.redis.start()
    except Exception:
        spares.stop()
        raise
    return spares


# --- the data set ------------------------------------------------------------------------------------

@dataclass
class Dataset:
    tenant_id: int
    schema: str
    host: str
    emails: dict[int, str]  # member id -> email
    tokens: dict[int, str]  # member id -> bearer access token
    sessions: dict[int, str]  # session id -> class name
    days: list[str]  # studio-local days (YYYY-MM-DD) holding sessions, for W1


def build_dataset(spares: Spares) -> Dataset:
    """Public schema at head, one studio by the platform's provisioning, its members, classes and tokens."""
    import logging

    from flask_migrate import upgrade

    from nexphys.extensions import db

    app = common.make_app(spares.database_url, spares.redis_url)
    try:
        with app.app_context():
            upgrade()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            common.create_tenant(TENANT)
            return _fill_studio(app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _fill_studio(app) -> Dataset:
    """Members (no password: they only use access tokens) and SESSIONS classes, one an hour."""
    import sqlalchemy as sa

    from nexphys.auth.tokens import issue_access_token
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.roles.models import Role
    from nexphys.tenancy.context import tenant_bound
    from nexphys.tenancy.resolver import load_tenant

    tenant = load_tenant("slug", TENANT)
    with tenant_bound(tenant):
        role = db.session.scalar(sa.select(Role).where(Role.key == "member"))
        members = [User(email=f"member{n}@{TENANT}.example", full_name=f"Member {n}", role=role, status="active")
                   for n in range(1, MEMBERS + 1)]
        # From two hours ahead, one an hour: all inside the default 7-day booking window.
        first = (datetime.now(UTC) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        sessions = []
        for n in range(SESSIONS):
            starts = first + timedelta(hours=n)
            kind = ClassType(name=f"{CLASS_PREFIX} {n + 1:03d}", duration_minutes=45, default_capacity=CAPACITY)
            sessions.append(ClassSession(class_type=kind, starts_at=starts, ends_at=starts + timedelta(minutes=45),
                                         capacity=CAPACITY))
        db.session.add_all(members + sessions)
        db.session.commit()
        days = sorted({tenant.local(s.starts_at).date().isoformat() for s in sessions})
        return Dataset(
            tenant_id=tenant.id, schema=tenant.schema_name,
            host=f"{TENANT}.{BASE_DOMAIN}", emails={m.id: m.email for m in members},
            tokens={m.id: issue_access_token(m.id, tenant.id, str(uuid.uuid4())) for m in members},
            sessions={s.id: s.class_type.name for s in sessions}, days=days)


# --- the app's processes -----------------------------------------------------------------------------

@dataclass
class AppProcess:
    """One of the Procfile's processes, its output in `log_path`, stopped by its pid."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> AppProcess:
        with open(self.log_path, "w") as log:  # the child keeps its own copy of the descriptor
            # Its own session: a stop by process group reaches gunicorn's workers and RQ's work horses.
            self.process = subprocess.Popen(self.argv, cwd=common.ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int | None:
        """SIGTERM (graceful for gunicorn, RQ and the scheduler), SIGKILL to its group after 20 s; exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def app_env(spares: Spares, web_port: int) -> dict[str, str]:
    """The environment `make run` gives the Procfile's processes, pointed at the spare servers."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SMTP_URL", "GUNICORN_CMD_ARGS", "NEXPHYS_ACCESS_LOG")}  # no SMTP: mails are "kept"
    env.update(DATABASE_URL=spares.postgres.url, REDIS_URL=spares.redis_url, SECRET_KEY=common.SECRET,
               FLASK_APP="wsgi.py", NEXPHYS_BASE_DOMAIN=BASE_DOMAIN, PORT=str(web_port),
               NEXPHYS_PUBLIC_PORT=str(web_port), PYTHONUNBUFFERED="1",
               NEXPHYS_API_RATE_LIMITS="report")  # W1/W2 traffic is far past any plan's API rate: count, refuse none
    return env


def start_processes(spares: Spares, logs: Path) -> dict[str, AppProcess]:
    """gunicorn (nexphys/gunicorn_conf.py, wsgi:app), one `flask worker`, one `flask scheduler`; web ready."""
    port = free_port()
    env = app_env(spares, port)
    processes = {
        "web": AppProcess("web", [str(BIN / "gunicorn"), "--config", "nexphys/gunicorn_conf.py", "wsgi:app"],
                          env, logs / "web.log"),
        "worker": AppProcess("worker", [str(BIN / "flask"), "worker"], env, logs / "worker.log"),
        "scheduler": AppProcess("scheduler", [str(BIN / "flask"), "scheduler"], env, logs / "scheduler.log"),
    }
    for process in processes.values():
        process.start()
    try:
        wait_ready(processes, port)
    except Exception:
        stop_processes(processes)
        raise
    return processes


def web_port(processes: dict[str, AppProcess]) -> int:
    return int(processes["web"].env["PORT"])


def wait_ready(processes: dict[str, AppProcess], port: int, seconds: float = 60) -> None:
    """Until /health/ready answers 200; fails at once if a process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dead = [p.name for p in processes.values() if not p.alive()]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited at start:\n{tails(processes)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the app did not become ready in {seconds:.0f} s:\n{tails(processes)}")


def stop_processes(processes: dict[str, AppProcess]) -> dict[str, int | None]:
    """Stop each process by its pid; their exit codes."""
    return {name: process.stop() for name, process in processes.items()}


def tails(processes: dict[str, AppProcess], lines: int = 40) -> str:
    return "\n".join(f"--- {p.name} ({p.log_path}), last {lines} lines:\n{p.log_tail(lines)}"
                     for p in processes.values())
