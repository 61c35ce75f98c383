"""Fixtures of the fault suite: a Redis and a PostgreSQL of its own, which the tests really stop.

The rest of the suite keeps using the shared servers; only these spare ones are stopped and restarted,
each on a free port with its data in a temporary directory (readable by the embedded PostgreSQL's
system user when the suite runs as root).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexphys.devservers import EmbeddedPostgres, EmbeddedRedis, free_port


@pytest.fixture(scope="session")
def spare_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="nexphys-faults-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def spare_redis(spare_dir) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(data_dir=spare_dir / "redis", port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def spare_postgres(spare_dir) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(data_dir=spare_dir / "postgres", port=free_port())
    server.start()
    yield server
    server.stop()


def wait_until(condition, seconds: float = 10.0, what: str = "the condition") -> float:
    """Poll `condition` until it is true; the seconds it took (fails the test after `seconds`)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - started


@contextlib.contextmanager
def stopped(server) -> Iterator[None]:
    """The server really stopped (its process gone, its port closed) for the block; started again after."""
    server.stop()
    wait_until(lambda: not server.is_running(), what=f"{type(server).__name__} stopping")
    try:
        yield
    finally:
        server.start()
