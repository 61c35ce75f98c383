"""Embedded dev/test servers per checkout: each instance dir gets its own PostgreSQL and Redis.

Real servers in temp dirs, driven through `python -m nexphys.devservers` as `make` drives it, with
NEXPHYS_INSTANCE_DIR standing for the checkout. Every server started here is stopped by its data dir
(its pid file), never by port: the rest of the suite runs on shared servers at the same time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import redis

from nexphys.devservers import (
    ROOT,
    EmbeddedPostgres,
    EmbeddedRedis,
    ServerError,
    default_ports,
    free_port,
    port_free,
)

MANAGED_ENV = ("DATABASE_URL", "REDIS_URL", "NEXPHYS_EMBEDDED_PG_PORT", "NEXPHYS_EMBEDDED_REDIS_PORT")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """A temp dir holding one cluster, initdb'd and started once (initdb takes seconds); checkouts copy it.

    Not pytest's tmp_path: as root, the data dir's parents are opened to the postgres system user."""
    base = Path(tempfile.mkdtemp(prefix="nexphys-devservers-"))
    template = EmbeddedPostgres(data_dir=base / "template", port=free_port())
    try:
        template.start()  # a fresh data dir: start() runs initdb
        template.stop()
        yield base
    finally:
        template.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def new_dir(workdir: Path) -> Iterator[Callable[[str], Path]]:
    """Make a dir (with a copy of the template cluster in its postgres/); stop what runs in it afterwards."""
    made: list[Path] = []

    def make(name: str, postgres: bool = True) -> Path:
        path = workdir / f"{name}-{len(made)}"
        path.mkdir()
        if postgres:
            shutil.copytree(workdir / "template", path / "postgres")
        made.append(path)
        return path

    yield make
    for path in made:
        with contextlib.suppress(Exception):
            EmbeddedRedis(data_dir=path / "redis").stop()
        with contextlib.suppress(Exception):
            EmbeddedPostgres(data_dir=path / "postgres").stop()


def devservers(action: str, *instances: Path) -> list[str]:
    """Run `python -m nexphys.devservers ACTION` at once in each checkout (NEXPHYS_INSTANCE_DIR); their outputs."""
    env = {key: value for key, value in os.environ.items() if key not in MANAGED_ENV}
    children = [subprocess.Popen([sys.executable, "-m", "nexphys.devservers", action], cwd=ROOT, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env={**env, "NEXPHYS_INSTANCE_DIR": str(instance)})
                for instance in instances]
    outputs = [child.communicate(timeout=90) for child in children]
    for child, (_, stderr) in zip(children, outputs, strict=True):
        assert child.returncode == 0, stderr
    return [stdout for stdout, _ in outputs]


def up(*instances: Path) -> list[tuple[int, int]]:
    """`up` in each checkout at once, and the (PostgreSQL, Redis) ports of the URLs each prints."""
    found = []
    for output in devservers("up", *instances):
        urls = dict(line.removeprefix("export ").split("=", 1) for line in output.splitlines())
        found.append((urlsplit(urls["DATABASE_URL"]).port, urlsplit(urls["REDIS_URL"]).port))
    return found


def recorded(instance: Path) -> tuple[int, int]:
    state = json.loads((instance / "servers.json").read_text())
    return state["postgres"]["port"], state["redis"]["port"]


def assert_serves(instance: Path, ports: tuple[int, int]) -> None:
    """The servers on `ports` are the ones with their data in `instance`."""
    conn = psycopg2.connect(host="127.0.0.1", port=ports[0], user="postgres", dbname="nexphys")
    with conn, conn.cursor() as cur:
        cur.execute("SHOW data_directory")
        assert Path(cur.fetchone()[0]).resolve() == (instance / "postgres").resolve()
    conn.close()
    client = redis.Redis(host="127.0.0.1", port=ports[1])
    assert Path(client.config_get("dir")["dir"]).resolve() == (instance / "redis").resolve()
    client.close()


def pids(instance: Path) -> tuple[int | None, int | None]:
    return EmbeddedPostgres(data_dir=instance / "postgres").pid(), EmbeddedRedis(data_dir=instance / "redis").pid()


@contextlib.contextmanager
def listening(port: int) -> Iterator[socket.socket]:
    """Someone else's process listening on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
        yield sock


def assert_still_listening(sock: socket.socket) -> None:
    with socket.create_connection(sock.getsockname(), timeout=2):
        sock.settimeout(2)
        sock.accept()[0].close()


def test_default_ports_are_stable_per_checkout_and_differ_between_checkouts():
    a, b = default_ports(Path("/src/nexphys/instance")), default_ports(Path("/src/nexphys-2/instance"))
    assert a == default_ports(Path("/src/nexphys/instance"))
    assert a != b
    for pg, rd in (a, b):
        assert 20000 <= pg < 30000 and rd == pg + 1


def test_two_checkouts_get_their_own_servers_and_down_stops_only_its_own(new_dir):
    a, b = new_dir("a"), new_dir("b")
    ports_a, ports_b = up(a, b)  # at once, as two terminals would
    assert len({*ports_a, *ports_b}) == 4
    assert (recorded(a), recorded(b)) == (ports_a, ports_b)
    assert_serves(a, ports_a)
    assert_serves(b, ports_b)
    running_b = pids(b)

    devservers("down", a)
    assert pids(a) == (None, None)
    assert all(port_free(port) for port in ports_a)
    assert pids(b) == running_b
    assert_serves(b, ports_b)
    assert f"redis: running, pid {running_b[1]}, redis://127.0.0.1:{ports_b[1]}/0" in devservers("status", b)[0]

    assert up(a) == [ports_a]  # the recorded ports again
    assert_serves(a, ports_a)
    assert pids(b) == running_b


def test_a_recorded_port_someone_else_holds_is_given_up_for_a_new_one(new_dir):
    other = new_dir("other")
    foreign_pg = EmbeddedPostgres(data_dir=other / "postgres", port=free_port())
    foreign_redis = EmbeddedRedis(data_dir=other / "redis", port=free_port())
    foreign_pg.start()
    foreign_redis.start()
    foreign = (foreign_pg.port, foreign_redis.port)

    # A hash collision or a copied instance dir: the record names ports where other servers run.
    checkout = new_dir("checkout")
    (checkout / "servers.json").write_text(json.dumps({"postgres": {"port": foreign[0]},
                                                       "redis": {"port": foreign[1]}}))
    [ports] = up(checkout)
    assert set(ports).isdisjoint(foreign)
    assert recorded(checkout) == ports
    assert_serves(checkout, ports)
    assert_serves(other, foreign)  # left alone: neither reused nor recreated nor stopped

    EmbeddedRedis(data_dir=checkout / "redis").stop()
    EmbeddedPostgres(data_dir=checkout / "postgres").stop()
    with listening(ports[0]) as pg_squatter, listening(ports[1]) as redis_squatter:
        [moved] = up(checkout)
        assert set(moved).isdisjoint({*ports, *foreign})
        assert recorded(checkout) == moved
        assert_serves(checkout, moved)
        assert_still_listening(pg_squatter)
        assert_still_listening(redis_squatter)
    assert foreign_pg.is_running() and foreign_redis.is_running()


def test_a_pid_file_naming_someone_elses_process_is_not_ours(new_dir):
    path = new_dir("stale", postgres=False)
    other = EmbeddedRedis(data_dir=new_dir("other", postgres=False) / "redis", port=free_port())
    other.start()
    stale = EmbeddedRedis(data_dir=path / "redis", port=other.port)
    stale.data_dir.mkdir()
    for pid in (os.getpid(), other.pid()):  # a live process, then a live redis-server working elsewhere
        (stale.data_dir / "redis.pid").write_text(f"{pid}\n")
        assert not stale.is_running()
        stale.stop()  # signals nothing
    assert other.is_running()
    with pytest.raises(ServerError, match="taken by another process"):
        stale.start()
    assert other.is_running()


def test_restart_keeps_data_and_is_quick(new_dir):
    path = new_dir("restart")
    rd = EmbeddedRedis(data_dir=path / "redis", port=free_port())
    rd.start()
    redis.Redis.from_url(rd.url).set("kept", "yes")
    began = time.monotonic()
    rd.restart()
    assert time.monotonic() - began < 2
    assert redis.Redis.from_url(rd.url).get("kept") == b"yes"

    pg = EmbeddedPostgres(data_dir=path / "postgres", port=free_port())
    pg.start()
    pg.ensure_database("kept_db")
    pg.restart()
    conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="kept_db")
    conn.close()

    for server in (rd, pg):
        server.stop()
        assert not server.is_running() and port_free(server.port)
