"""`flask worker` and `flask scheduler`: the RQ worker and the periodic-job scheduler."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rq import Worker
from rq.cron import CronJob, CronScheduler
from rq.job import Job
from rq.serializers import JSONSerializer

from nexphys.domains import installed, load
from nexphys.jobs.queues import QUEUES, get_queue
from nexphys.kv import get_redis
from nexphys.tenancy.migrations import script_directory


class JsonCronJob(CronJob):
    """RQ's CronJob enqueues with the default (pickle) serializer; ours speak JSON."""

    def enqueue(self, connection) -> Job:
        job = get_queue(self.queue_name).enqueue(self.func, args=self.args, kwargs=self.kwargs,
                                                 **self.job_options)
        return job


def build_scheduler() -> CronScheduler:
    """RQ's cron scheduler with every installed domain's periodic jobs."""
    scheduler = CronScheduler(connection=get_redis())
    for periodic in installed().periodic_jobs():
        module, _, name = periodic.job.rpartition(".")
        scheduler._cron_jobs.append(JsonCronJob(queue_name=periodic.queue, func=load(f"{module}:{name}"),
                                                kwargs=dict(periodic.kwargs), interval=periodic.every_seconds))
    return scheduler


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker on the high, default and low queues."""
    script_directory()  # load the migration scripts once: every forked work horse inherits them
    worker = Worker([get_queue(name) for name in QUEUES], connection=get_redis(), serializer=JSONSerializer)
    worker.work(burst=burst, with_scheduler=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic-job scheduler."""
    build_scheduler().start()
