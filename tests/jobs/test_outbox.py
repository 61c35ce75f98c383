"""The job outbox: a job exists exactly when its transaction commits, and the relay gets it to RQ."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from rq.job import Job
from rq.serializers import JSONSerializer

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.jobs import outbox
from nexphys.jobs.models import OutboxJob
from nexphys.jobs.queues import get_queue
from nexphys.kv import get_redis
from nexphys.tenancy.context import tenant_bound
from tests.jobs import sample_jobs
from tests.running import run_jobs


def _row(app, outbox_id: int) -> OutboxJob | None:
    with app.app_context():
        row = db.session.get(OutboxJob, outbox_id)
        db.session.expunge_all()
        return row


def _rq_job(app, rq_id: str) -> Job | None:
    with app.app_context():
        return Job.fetch_many([rq_id], connection=get_redis(), serializer=JSONSerializer)[0]


def _names(app, tenant, name: str) -> int:
    with app.app_context(), tenant_bound(tenant):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ClassType).where(ClassType.name == name))


def _relay_now(app) -> outbox.RelayReport:
    with app.app_context():
        return outbox.relay(grace_seconds=0)


def test_a_job_of_a_rolled_back_transaction_never_exists(app, tenant_a):
    with app.app_context():
        submitted = sample_jobs.add_class_type.delay("Rolled Back", tenant_id=tenant_a.id)
        db.session.rollback()
    assert _row(app, submitted.outbox_id) is None
    assert _rq_job(app, submitted.rq_id) is None


def test_a_committed_job_is_pushed_runs_once_and_leaves_no_row(app, tenant_a):
    name = f"Once {uuid.uuid4().hex[:6]}"
    with app.app_context():
        submitted = sample_jobs.add_class_type.delay(name, tenant_id=tenant_a.id)
        db.session.commit()
    assert _rq_job(app, submitted.rq_id).get_status() == "queued"
    run_jobs(app)
    assert _names(app, tenant_a, name) == 1 and _row(app, submitted.outbox_id) is None


def test_the_relay_pushes_again_what_redis_lost(app, tenant_a):
    name = f"Lost In Redis {uuid.uuid4().hex[:6]}"
    with app.app_context():
        submitted = sample_jobs.add_class_type.delay(name, tenant_id=tenant_a.id)
        db.session.commit()
        get_queue().empty()  # Redis lost its data (restarted without a dump, a failover)
    assert _rq_job(app, submitted.rq_id) is None
    report = _relay_now(app)
    assert report.pushed >= 1
    assert _relay_now(app).pushed == 0  # queued now: not pushed twice
    run_jobs(app)
    assert _names(app, tenant_a, name) == 1


def test_a_job_rq_gave_up_on_is_marked_failed_and_runs_again_when_retried(app, tenant_a):
    with app.app_context():
        submitted = sample_jobs.fail_after_writing.delay("Fails", tenant_id=tenant_a.id, retry_intervals=())
        db.session.commit()
    run_jobs(app)
    assert _rq_job(app, submitted.rq_id).get_status() == "failed"
    assert _relay_now(app).failed >= 1
    row = _row(app, submitted.outbox_id)
    assert row.failed_at is not None and "fails on purpose" in row.last_error
    with app.app_context():
        assert outbox.state().failed >= 1
        assert outbox.retry_failed([submitted.outbox_id]) == 1
    assert _row(app, submitted.outbox_id).failed_at is None
    assert _rq_job(app, submitted.rq_id).get_status() == "queued"  # pushed after the retry's commit
    with app.app_context():
        get_queue().empty()


def test_a_keyed_job_waits_once_however_often_it_is_submitted(app):
    key = f"only-one-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        first = outbox.submit("tests.jobs.sample_jobs.platform_ping", key=key)
        second = outbox.submit("tests.jobs.sample_jobs.platform_ping", key=key)
        db.session.commit()
        assert first == second and first.rq_id == key
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob).where(OutboxJob.job_key == key)) == 1
    run_jobs(app)
    assert _row(app, first.outbox_id) is None
    with app.app_context():
        third = outbox.submit("tests.jobs.sample_jobs.platform_ping", key=key)
        db.session.commit()
    assert third.outbox_id != first.outbox_id  # the first one is done: a new one waits
    assert _rq_job(app, key).get_status() == "queued"
    run_jobs(app)


def test_a_job_from_another_databases_outbox_refuses_to_run(app, tenant_a):
    with app.app_context():
        submitted = sample_jobs.add_class_type.delay("Not Mine", tenant_id=tenant_a.id)
        db.session.commit()
        get_queue().empty()
        with pytest.raises(outbox.NotThisJob):
            sample_jobs.fail_after_writing("Not Mine", tenant_id=tenant_a.id, outbox_id=submitted.outbox_id)
    assert _names(app, tenant_a, "Not Mine") == 0
    run_jobs(app)
    _relay_now(app)
    run_jobs(app)
    assert _names(app, tenant_a, "Not Mine") == 1
