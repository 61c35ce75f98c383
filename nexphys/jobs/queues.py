"""RQ queues: explicit Redis connection, JSON serializer, jobs referenced by dotted path.

App code does not enqueue directly: it submits to the job outbox (nexphys.jobs.outbox), which
records the job in the caller's transaction and pushes it here after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from nexphys.kv import get_redis

QUEUES = ("high", "default", "low")  # the worker drains them in this order
_STILL_TO_RUN = ("queued", "started", "deferred", "scheduled")


def get_queue(name: str = "default", app: Flask | None = None) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis(app), serializer=JSONSerializer)


def enqueue(func: Callable | str, *args: Any, queue: str = "default", job_id: str | None = None,
            unique: bool = False, retry: Retry | None = None, job_timeout: int = 600, **kwargs: Any) -> Job:
    """Enqueue a job. With `unique`, a job of that id still to run is returned instead of a second one."""
    q = get_queue(queue)
    if unique and job_id:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=False) in _STILL_TO_RUN:
            return existing
    return q.enqueue(func, args=args, kwargs=kwargs, job_id=job_id, retry=retry, job_timeout=job_timeout,
                     failure_ttl=7 * 24 * 3600)
