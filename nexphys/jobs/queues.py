"""RQ queues: explicit Redis connection, JSON serializer, jobs referenced by dotted path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from nexphys.kv import get_redis

QUEUES = ("high", "default", "low")  # the worker drains them in this order


def get_queue(name: str = "default", app: Flask | None = None) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis(app), serializer=JSONSerializer)


def enqueue(func: Callable | str, *args: Any, queue: str = "default", job_id: str | None = None,
            retry: Retry | None = None, job_timeout: int = 600, **kwargs: Any) -> Job:
    """Enqueue a job; with `job_id`, an already queued or running job of that id is returned instead."""
    q = get_queue(queue)
    if job_id:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=True) in ("queued", "started", "deferred",
                                                                         "scheduled"):
            return existing
    return q.enqueue(func, args=args, kwargs=kwargs, job_id=job_id, retry=retry, job_timeout=job_timeout,
                     failure_ttl=7 * 24 * 3600)
