"""`flask worker`, `flask scheduler` and `flask outbox`: the RQ worker, the periodic jobs and the relay.

Both long-running processes outlive a Redis or PostgreSQL outage: RQ's worker quits on most Redis
errors, so `flask worker` waits for Redis and starts a fresh one; the scheduler's loop logs an error
and tries again on its next tick. Each relays the job outbox (a worker once at start, the scheduler
every RELAY_SECONDS), so work recorded while Redis was away reaches RQ within seconds of its return.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time

import click
import redis
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from rq import Worker
from rq.cron import CronJob, CronScheduler
from rq.exceptions import StopRequested
from rq.job import Job
from rq.serializers import JSONSerializer

from nexphys.domains import installed, load
from nexphys.extensions import db
from nexphys.jobs import outbox
from nexphys.jobs.queues import QUEUES, get_queue
from nexphys.kv import get_redis
from nexphys.tenancy.migrations import script_directory

log = logging.getLogger(__name__)
RELAY_SECONDS = 2.0
REDIS_WAIT_CAP_SECONDS = 2.0
MAINTENANCE_SECONDS = 60  # RQ's registry clean-up: retries jobs abandoned by a killed worker


class JsonCronJob(CronJob):
    """RQ's CronJob enqueues with the default (pickle) serializer; ours speak JSON."""

    def enqueue(self, connection) -> Job:
        return get_queue(self.queue_name).enqueue(self.func, args=self.args, kwargs=self.kwargs,
                                                  **self.job_options)


class Scheduler(CronScheduler):
    """RQ's cron scheduler, relaying the job outbox on every tick and surviving Redis outages."""

    def __init__(self, app: Flask, **kwargs) -> None:
        super().__init__(connection=get_redis(app), **kwargs)
        self.app = app

    def tick(self) -> None:
        """Relay the outbox, then enqueue the periodic jobs that are due (errors logged, not raised)."""
        outbox.relay_in_app(self.app)
        try:
            if self.enqueue_jobs():
                self.save()
            self.heartbeat()
        except redis.RedisError as exc:
            log.warning("scheduler: Redis unavailable (%s); trying again in %.0f s", exc, RELAY_SECONDS)

    def start(self) -> None:
        self._install_signal_handlers()
        try:
            while True:
                self.tick()
                time.sleep(max(0.0, min(self.calculate_sleep_interval(), RELAY_SECONDS)))
        except (KeyboardInterrupt, StopRequested):
            log.info("scheduler %s: stopping", self.name)
        finally:
            with contextlib.suppress(redis.RedisError):  # Redis away: its registry entry expires by itself
                self.register_death()


def build_scheduler(app: Flask | None = None) -> Scheduler:
    """The scheduler with every installed domain's periodic jobs."""
    scheduler = Scheduler(app or current_app._get_current_object())
    for periodic in installed().periodic_jobs():
        module, _, name = periodic.job.rpartition(".")
        scheduler._cron_jobs.append(JsonCronJob(queue_name=periodic.queue, func=load(f"{module}:{name}"),
                                                kwargs=dict(periodic.kwargs), interval=periodic.every_seconds))
    return scheduler


def wait_for_redis(connection: redis.Redis) -> None:
    """Block until Redis answers, logging once and backing off up to a few seconds between tries."""
    wait = 0.25
    while True:
        try:
            connection.ping()
            return
        except redis.RedisError as exc:
            if wait == 0.25:
                log.warning("worker: Redis unavailable (%s); waiting for it", exc)
            time.sleep(wait)
            wait = min(wait * 2, REDIS_WAIT_CAP_SECONDS)


def release_what_a_stopped_worker_held(worker: Worker) -> None:
    """After RQ's worker quit on a Redis error: free its scheduler's locks and hand back its started jobs.

    Otherwise the next worker's scheduler (which runs retries) waits for the dead one's locks to expire,
    and a job it had just started waits for its heartbeat to expire (a minute and a half) before RQ's
    abandoned-job handling retries it. A work horse still running is waited for first: it finishes its job.
    """
    horse = worker.horse_pid
    if horse:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(horse, 0)
    if worker.scheduler is not None:
        worker.scheduler.release_locks()
    for queue in worker.queues:
        registry = queue.started_job_registry
        for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
            job = Job.fetch_many([job_id], connection=worker.connection, serializer=JSONSerializer)[0]
            if job is not None and job.worker_name == worker.name:
                worker.connection.zadd(registry.key, {f"{job_id}:{execution_id}": 0})  # due now
        registry.cleanup(timestamp=1)  # RQ's own handling of abandoned jobs, for these only


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker on the high, default and low queues (restarted in-process after a Redis outage)."""
    script_directory()  # load the migration scripts once: every forked work horse inherits them
    app = current_app._get_current_object()
    stopped: Worker | None = None
    while True:
        wait_for_redis(get_redis())
        if stopped is not None:
            try:
                release_what_a_stopped_worker_held(stopped)
            except redis.RedisError as exc:  # away again: wait for it once more
                log.warning("worker: Redis error while recovering (%s)", exc)
                continue
            stopped = None
        outbox.relay_in_app(app)
        worker = Worker([get_queue(name) for name in QUEUES], connection=get_redis(), serializer=JSONSerializer,
                        maintenance_interval=MAINTENANCE_SECONDS)
        # RQ backs off up to a minute between reconnection attempts; work should resume within seconds.
        worker.max_connection_wait_time = REDIS_WAIT_CAP_SECONDS
        try:
            worker.work(burst=burst, with_scheduler=True)
        except redis.RedisError as exc:  # raised by RQ's teardown when Redis went away
            log.warning("worker: Redis error (%s)", exc)
        if burst or worker._shutdown_requested_date is not None:  # SIGTERM / Ctrl-C: RQ's warm shutdown
            return
        log.warning("worker: RQ stopped on an error; starting a new worker when Redis answers")
        stopped = worker


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic-job scheduler and the job outbox relay."""
    build_scheduler().start()


outbox_cli = AppGroup("outbox", help="Background work recorded in the job outbox.")


@outbox_cli.command("status")
def outbox_status() -> None:
    """How many jobs wait (and the oldest's age) and which finally failed."""
    state = outbox.state()
    age = f", the oldest for {state.oldest_waiting_seconds:.0f} s" if state.oldest_waiting_seconds else ""
    click.echo(f"{state.waiting} waiting{age}; {state.failed} failed")
    for row in outbox.failed_jobs():
        click.echo(f"  #{row.id} {row.func} (tenant {row.tenant_id or '-'}) failed {row.failed_at:%Y-%m-%d %H:%M}: "
                   f"{row.last_error}")
    db.session.rollback()


@outbox_cli.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Every failed job.")
def outbox_retry(ids: tuple[int, ...], retry_all: bool) -> None:
    """Run finally failed jobs again (by outbox id, or --all)."""
    if not ids and not retry_all:
        raise click.UsageError("name the jobs' ids, or --all")
    click.echo(f"{outbox.retry_failed(None if retry_all else ids)} job(s) waiting again")


@outbox_cli.command("relay")
def outbox_relay() -> None:
    """Push waiting jobs to RQ once (the scheduler does this every few seconds)."""
    report = outbox.relay()
    click.echo(f"pushed {report.pushed}, in RQ {report.waiting}, cleared {report.cleared}, failed {report.failed}")
