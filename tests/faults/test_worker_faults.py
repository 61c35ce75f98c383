"""A real `flask worker` process killed mid-job, and one whose Redis restarts under it.

A job killed before it committed is retried by RQ's abandoned-job handling and takes effect once; a
job delivered again after its work committed does nothing; a worker outlives a Redis restart and runs
work submitted while Redis was away.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from rq import SimpleWorker
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.jobs.models import OutboxJob
from nexphys.jobs.queues import QUEUES, get_queue
from nexphys.kv import get_redis
from nexphys.tenancy.context import tenant_bound
from tests.faults.conftest import stopped, wait_until
from tests.jobs import sample_jobs

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture(scope="module")
def worker_app(app_factory, app, spare_redis):
    """The app on the suite's database and database 2 of the spare Redis (its queues are this module's)."""
    return app_factory(REDIS_URL=spare_redis.url.rsplit("/", 1)[0] + "/2")


def _start(app, database_url: str, command: str = "worker") -> subprocess.Popen:
    """`flask worker` (or `flask scheduler`) on the suite's database and the app's Redis, as `make run` starts it."""
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url,
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": app.config["SECRET_KEY"]}
    return subprocess.Popen([FLASK, command], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its work horse (RQ puts each horse in a process group of its own), as an
    OOM killer or a lost host would."""
    if process.poll() is not None:
        return
    family = [process.pid, *(child.pid for child in psutil.Process(process.pid).children(recursive=True))]
    for pid in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(10)
    wait_until(lambda: not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
                               for pid in family), what="the worker's processes ending")


def _count(app, tenant, name: str) -> int:
    with app.app_context(), tenant_bound(tenant):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ClassType).where(ClassType.name == name))


def _submit(app, tenant, name: str, wait_key: str = "") -> Job:
    with app.app_context():
        submitted = sample_jobs.write_then_wait.delay(name, wait_key or "-", tenant_id=tenant.id, retry_intervals=(0,))
        db.session.commit()
        return Job.fetch(submitted.rq_id, connection=get_redis(), serializer=JSONSerializer)


def _work_here(app) -> None:
    with app.app_context():
        queues = [get_queue(name) for name in QUEUES]
        SimpleWorker(queues, connection=queues[0].connection, serializer=JSONSerializer).work(burst=True)


def test_a_worker_killed_mid_job_has_the_job_retried_and_its_effect_happens_once(
        worker_app, database_url, tenant_a):
    name, wait_key = f"Killed Mid Job {uuid.uuid4().hex[:6]}", f"wait:{uuid.uuid4().hex}"
    with worker_app.app_context():
        get_redis().set(wait_key, 1)
    job = _submit(worker_app, tenant_a, name, wait_key)
    worker = _start(worker_app, database_url)
    try:
        with worker_app.app_context():
            wait_until(lambda: job.get_status(refresh=True) == "started" and not get_redis().exists(wait_key),
                       seconds=30, what="the worker starting the job")
    finally:
        _kill(worker)
    assert _count(worker_app, tenant_a, name) == 0  # killed before its transaction committed

    with worker_app.app_context():
        # RQ's abandoned-job handling, as the next worker's maintenance runs it once the dead worker's
        # heartbeat has expired (about 90 s later; the clock is moved on instead of waited for).
        StartedJobRegistry(queue=get_queue()).cleanup(timestamp=time.time() + 600)
        assert job.get_status(refresh=True) == "queued"  # retried: it had a retry left
    _work_here(worker_app)
    assert _count(worker_app, tenant_a, name) == 1
    with worker_app.app_context():
        assert job.get_status(refresh=True) == "finished"
        assert db.session.get(OutboxJob, job.kwargs["outbox_id"]) is None

        # The job delivered once more (a worker that died after the commit, before RQ heard of it):
        get_queue().enqueue_job(job)
    _work_here(worker_app)
    assert _count(worker_app, tenant_a, name) == 1  # its work was done: nothing happens twice
    with worker_app.app_context():
        assert "already done" in job.latest_result().return_value["skipped"]


def test_the_worker_and_scheduler_outlive_a_redis_restart_and_run_what_was_submitted_meanwhile(
        worker_app, database_url, spare_redis, tenant_a):
    name = f"After Redis Restart {uuid.uuid4().hex[:6]}"
    worker, scheduler = _start(worker_app, database_url), _start(worker_app, database_url, "scheduler")
    try:
        warm = _submit(worker_app, tenant_a, f"Warm {name}")
        wait_until(lambda: _count(worker_app, tenant_a, f"Warm {name}") == 1, seconds=30, what="a first job")
        with stopped(spare_redis):
            time.sleep(1.5)  # long enough for the worker to notice
            _submit_without_redis(worker_app, tenant_a, name)
        took = wait_until(lambda: _count(worker_app, tenant_a, name) == 1, seconds=30,
                          what="the job submitted while Redis was down")
        assert worker.poll() is None and scheduler.poll() is None, "a process exited"
        assert took < 20
        del warm
        for process in (worker, scheduler):  # and each still stops when asked (as honcho or systemd asks)
            process.send_signal(signal.SIGTERM)
            assert process.wait(10) == 0
    finally:
        _kill(worker)
        _kill(scheduler)


def _submit_without_redis(app, tenant, name: str) -> None:
    """Submitted while Redis is down: recorded, not pushed (the worker's restart or the relay pushes it)."""
    with app.app_context():
        sample_jobs.write_then_wait.delay(name, "-", tenant_id=tenant.id, retry_intervals=(0,))
        db.session.commit()


def test_a_worker_that_quit_on_a_redis_error_hands_back_the_job_it_had_just_started(worker_app, tenant_a):
    from rq import Worker

    from nexphys.jobs.cli import release_what_a_stopped_worker_held

    name = f"Picked Up As Redis Went {uuid.uuid4().hex[:6]}"
    job = _submit(worker_app, tenant_a, name)
    with worker_app.app_context():
        queues = [get_queue(queue) for queue in QUEUES]
        quitter = Worker(queues, connection=get_redis(), serializer=JSONSerializer)
        dequeued, _queue = quitter.dequeue_job_and_maintain_ttl(timeout=1)
        quitter.prepare_execution(dequeued)  # started, in the registry, and then RQ's loop quit
        quitter.prepare_job_execution(dequeued)
        job.refresh()
        assert job.get_status() == "started" and job.worker_name == quitter.name
        release_what_a_stopped_worker_held(quitter)
        assert job.get_status(refresh=True) == "queued"  # handed back now, not after its heartbeat expires
    _work_here(worker_app)
    assert _count(worker_app, tenant_a, name) == 1
