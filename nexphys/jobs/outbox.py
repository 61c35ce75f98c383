"""The one way to start background work: record it in the caller's transaction, push it to RQ after commit.

`submit()` writes a row of the job outbox (public.job_outbox) in the session's current transaction, so
the job exists if and only if the change that needs it commits. After the commit the job is pushed
to RQ; a push that fails (Redis down, a timeout) is logged and left, and never fails the request:
the relay (`relay()`, run every few seconds by the scheduler and once when a worker starts) pushes
whatever is still waiting and not known to RQ, so work runs within seconds of Redis coming back,
and again if Redis lost its data.

Delivery is at least once; the effect is once: the job wrapper locks its row when the job starts
and deletes it in the transaction that commits the job's effect. A second delivery of the same job
(a relay push racing the first, RQ re-running an abandoned job whose work had committed) finds no row
and does nothing. Effects outside the database (an SMTP send) are guarded by the job itself.

A job that RQ finally gave up on (its retries used) keeps its row, marked failed with the error:
`flask jobs outbox` lists them and `flask jobs retry` runs them again.

The table has no foreign key to tenants: every booking would otherwise share-lock its studio's
registry row, and a dropped studio's waiting jobs simply fail (MissingTenant) and stay visible.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import redis
import sqlalchemy as sa
from flask import current_app
from rq import Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy.dialects.postgresql import insert

from nexphys.extensions import db
from nexphys.jobs.models import OutboxJob, rq_job_id
from nexphys.jobs.queues import QUEUES, enqueue
from nexphys.kv import breaker, get_redis
from nexphys.tenancy.transactions import after_commit

log = logging.getLogger(__name__)

# Every job is retried by RQ unless it says otherwise: a database restart or a lost SMTP connection
# then costs a delay, not the work.
DEFAULT_RETRY_INTERVALS = (5, 30, 120)
NO_RETRY: tuple[int, ...] = ()
RELAY_GRACE_SECONDS = 2.0  # a younger row's own request is probably pushing it right now
_ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
_GAVE_UP = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
_outbox = OutboxJob.__table__


class Submitted(NamedTuple):
    """A recorded job: its outbox row and the id RQ knows it by."""

    outbox_id: int
    rq_id: str


class _Push(NamedTuple):
    outbox_id: int
    func: str
    args: list
    kwargs: dict
    queue: str
    job_key: str | None
    retry_intervals: Sequence[int]
    timeout_seconds: int


def submit(func: str, *args: Any, queue: str = "default", key: str | None = None,
           retry_intervals: Sequence[int] = DEFAULT_RETRY_INTERVALS, timeout_seconds: int = 600,
           tenant_id: int | None = None, **kwargs: Any) -> Submitted:
    """Record job `func` (a dotted path) in the current transaction; it is pushed to RQ after commit.

    With `key`, at most one such job waits at a time: while one is waiting or running, a second
    submit returns it. Arguments must be JSON values. The caller commits.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if tenant_id is not None:
        kwargs["tenant_id"] = int(tenant_id)
    values = dict(func=func, args=list(args), kwargs=kwargs, queue=queue, job_key=key,
                  retry_intervals=list(retry_intervals), timeout_seconds=timeout_seconds, tenant_id=tenant_id)
    statement = insert(_outbox).values(**values).returning(_outbox.c.id)
    if key is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=["job_key"], index_where=sa.text("job_key IS NOT NULL AND failed_at IS NULL"))
    outbox_id = db.session.execute(statement).scalar()
    if outbox_id is None:  # the same keyed job is already waiting
        outbox_id = db.session.execute(sa.select(_outbox.c.id).where(
            _outbox.c.job_key == key, _outbox.c.failed_at.is_(None))).scalar_one()
        return Submitted(outbox_id, rq_job_id(outbox_id, key))
    push = _Push(outbox_id, func, values["args"], kwargs, queue, key, tuple(retry_intervals), timeout_seconds)
    after_commit(lambda: push_to_rq(push))
    return Submitted(outbox_id, rq_job_id(outbox_id, key))


def _enqueue(job: _Push) -> None:
    retry = Retry(max=len(job.retry_intervals), interval=list(job.retry_intervals)) if job.retry_intervals else None
    enqueue(job.func, *job.args, queue=job.queue, job_id=rq_job_id(job.outbox_id, job.job_key),
            unique=job.job_key is not None, retry=retry, job_timeout=job.timeout_seconds,
            outbox_id=job.outbox_id, **job.kwargs)


def push_to_rq(job: _Push) -> bool:
    """Enqueue a recorded job on RQ; False (logged) when Redis cannot take it now: the relay will."""
    if not breaker().available:
        log.info("job %s (outbox %s) waits in the outbox: Redis is unavailable", job.func, job.outbox_id)
        return False
    try:
        _enqueue(job)
    except redis.RedisError as exc:
        breaker().failed()
        log.warning("job %s (outbox %s) not pushed to RQ, the relay will push it: %s",
                    job.func, job.outbox_id, exc)
        return False
    return True


def _as_push(row: sa.Row) -> _Push:
    return _Push(row.id, row.func, row.args, row.kwargs, row.queue, row.job_key, row.retry_intervals,
                 row.timeout_seconds)


class RelayReport(NamedTuple):
    pushed: int
    waiting: int
    cleared: int
    failed: int


def _decide(row: sa.Row, job: Job | None) -> str:
    """push, wait, clear (RQ ran it), or fail (RQ gave up), from what RQ knows of the row's job."""
    if job is None:
        return "push"
    status = job.get_status(refresh=False)
    if status in _ACTIVE:
        return "wait"
    created = job.created_at.replace(tzinfo=job.created_at.tzinfo or UTC)
    if created < row.created_at:  # an earlier run of the same key: this row was never pushed
        return "push"
    return "clear" if status == JobStatus.FINISHED else "fail" if status in _GAVE_UP else "push"


def _error_of(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string or "").strip().splitlines()[-1:] if result is not None else []
    return (text[0] if text else f"gave up ({job.get_status(refresh=False)})")[:500]


def relay(limit: int = 500, grace_seconds: float = RELAY_GRACE_SECONDS) -> RelayReport:
    """Push every waiting job RQ does not hold; clear rows RQ finished and mark the ones it gave up on.

    Rows are locked SKIP LOCKED (a running job holds its own row, and two relays share the work).
    Raises redis.RedisError when Redis is down (nothing changes). Commits.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
    rows = db.session.execute(
        sa.select(_outbox).where(_outbox.c.failed_at.is_(None), _outbox.c.created_at < cutoff)
        .order_by(_outbox.c.id).limit(limit).with_for_update(skip_locked=True)).all()
    if not rows:
        db.session.commit()
        return RelayReport(0, 0, 0, 0)
    try:
        jobs = Job.fetch_many([rq_job_id(r.id, r.job_key) for r in rows], connection=get_redis(),
                              serializer=JSONSerializer)
        decided: dict[str, list[int]] = {"push": [], "wait": [], "clear": [], "fail": []}
        for row, job in zip(rows, jobs, strict=True):
            decision = _decide(row, job)
            decided[decision].append(row.id)
            if decision == "push":
                # Straight to RQ (not through the breaker): the relay runs to find out whether Redis is back.
                _enqueue(_as_push(row))
            elif decision == "fail":  # rare, and each with its own error
                db.session.execute(sa.update(_outbox).where(_outbox.c.id == row.id).values(
                    failed_at=sa.func.now(), last_error=_error_of(job)))
        if decided["push"]:  # one statement for the pass, not one per row
            db.session.execute(sa.update(_outbox).where(_outbox.c.id.in_(decided["push"]))
                               .values(pushes=_outbox.c.pushes + 1))
        if decided["clear"]:
            db.session.execute(sa.delete(_outbox).where(_outbox.c.id.in_(decided["clear"])))
        counts = {decision: len(ids) for decision, ids in decided.items()}
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    if counts["push"]:
        log.info("relay pushed %d waiting job(s) to RQ", counts["push"])
    return RelayReport(counts["push"], counts["wait"], counts["clear"], counts["fail"])


class NotThisJob(RuntimeError):
    """The outbox row of a job's id records another job: the job came from another database's outbox."""


def claim(outbox_id: int, func: str) -> bool:
    """At the start of job `func`: lock its row until the job's transaction ends; False if the work is done."""
    recorded = db.session.execute(
        sa.select(_outbox.c.func).where(_outbox.c.id == outbox_id).with_for_update()).scalar()
    if recorded is not None and recorded != func:
        raise NotThisJob(f"outbox row {outbox_id} is {recorded}, not {func}")
    return recorded is not None


def finish(outbox_id: int) -> None:
    """In the job's own transaction, just before it commits: the work is done."""
    db.session.execute(sa.delete(_outbox).where(_outbox.c.id == outbox_id))


def retry_failed(outbox_ids: Sequence[int] | None = None) -> int:
    """Put finally failed jobs (all, or these) back to waiting; pushed after commit. Commits."""
    statement = (sa.update(_outbox).where(_outbox.c.failed_at.is_not(None))
                 # a new created_at tells the relay that RQ's failed run is an earlier one
                 .values(failed_at=None, last_error=None, created_at=sa.func.now())
                 .returning(*_outbox.c))
    if outbox_ids is not None:
        statement = statement.where(_outbox.c.id.in_(list(outbox_ids)))
    rows = db.session.execute(statement).all()
    for row in rows:
        push = _as_push(row)
        after_commit(lambda push=push: push_to_rq(push))
    db.session.commit()
    return len(rows)


class OutboxState(NamedTuple):
    waiting: int
    oldest_waiting_seconds: float | None
    failed: int


def state() -> OutboxState:
    """How much work waits (and for how long), and how much finally failed: for /health and the CLI."""
    row = db.session.execute(sa.select(
        sa.func.count().filter(_outbox.c.failed_at.is_(None)),
        sa.func.extract("epoch", sa.func.now() - sa.func.min(_outbox.c.created_at).filter(
            _outbox.c.failed_at.is_(None))),
        sa.func.count().filter(_outbox.c.failed_at.is_not(None)),
    )).one()
    oldest = float(row[1]) if row[1] is not None else None
    return OutboxState(row[0], round(oldest, 1) if oldest is not None else None, row[2])


def failed_jobs(limit: int = 50) -> list[sa.Row]:
    return db.session.execute(sa.select(_outbox).where(_outbox.c.failed_at.is_not(None))
                              .order_by(_outbox.c.failed_at.desc()).limit(limit)).all()


def relay_in_app(app: Any = None) -> RelayReport | None:
    """One relay pass in its own app context, logging instead of raising (the scheduler's loop, a worker's start)."""
    app = app or current_app._get_current_object()
    with app.app_context():
        try:
            return relay()
        except redis.RedisError as exc:
            log.warning("relay: Redis unavailable (%s); waiting jobs stay in the outbox", exc)
        except sa.exc.DBAPIError as exc:
            log.warning("relay: database unavailable (%s)", str(exc).splitlines()[0])
        finally:
            db.session.remove()
    return None
