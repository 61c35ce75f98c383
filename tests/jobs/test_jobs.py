"""The tenant-aware job wrapper, through a real RQ worker on the real Redis."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import Worker
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.jobs.queues import QUEUES, get_queue
from nexphys.jobs.wrapper import MissingTenant
from nexphys.tenancy.context import current_tenant, tenant_bound
from tests.jobs import sample_jobs


def _names(app, tenant) -> set[str]:
    with app.app_context(), tenant_bound(tenant):
        return set(db.session.scalars(sa.select(ClassType.name)))


def _submitted(app, job, *args, **kwargs) -> Job:
    """`job.delay(...)` in a transaction of its own, committed; the RQ job it was pushed as."""
    with app.app_context():
        submitted = job.delay(*args, **kwargs)
        db.session.commit()
        return Job.fetch(submitted.rq_id, connection=get_queue().connection, serializer=JSONSerializer)


def _work(app) -> None:
    with app.app_context():
        queues = [get_queue(name) for name in QUEUES]
        Worker(queues, connection=queues[0].connection, serializer=JSONSerializer).work(burst=True)


def test_a_tenant_job_refuses_to_run_or_be_enqueued_without_a_tenant(app_ctx):
    with pytest.raises(MissingTenant):
        sample_jobs.add_class_type("x")
    with pytest.raises(MissingTenant):
        sample_jobs.add_class_type.delay("x")


def test_a_job_runs_in_its_tenant_only(app, tenant_a, tenant_b):
    job = _submitted(app, sample_jobs.add_class_type, "Job Made Class", tenant_id=tenant_a.id)
    assert job.kwargs == {"tenant_id": tenant_a.id, "outbox_id": int(job.id.split("-")[1])}
    assert job.args == ["Job Made Class"]
    _work(app)
    with app.app_context():
        job.refresh()
        assert job.get_status() == "finished", job.latest_result()
        assert job.return_value()["tenant"] == tenant_a.slug
    assert "Job Made Class" in _names(app, tenant_a)
    assert "Job Made Class" not in _names(app, tenant_b)


def test_a_failing_job_rolls_back_unbinds_and_stays_visible_for_retry(app, tenant_a):
    job = _submitted(app, sample_jobs.fail_after_writing, "Should Not Exist", tenant_id=tenant_a.id,
                     retry_intervals=())
    _work(app)
    assert "Should Not Exist" not in _names(app, tenant_a)
    with app.app_context():
        job.refresh()
        assert job.get_status() == "failed"
        registry = FailedJobRegistry(queue=get_queue("default"))
        assert job.id in registry.get_job_ids()
        registry.requeue(job.id)  # retryable: back on its queue
        assert job.id in get_queue("default").get_job_ids()
        get_queue("default").empty()


def test_inline_failure_unbinds_in_the_callers_context(app, tenant_a):
    with app.app_context():
        with pytest.raises(ValueError):
            sample_jobs.fail_after_writing("Inline Fail", tenant_id=tenant_a.id)
        assert current_tenant() is None
        with pytest.raises(sa.exc.ProgrammingError):  # no tenant left bound on this context's session
            db.session.scalars(sa.select(ClassType.name)).all()
        db.session.rollback()


def test_platform_jobs_run_without_a_tenant(app):
    with app.app_context():
        assert sample_jobs.platform_ping() == {"tenant": None}


def test_provisioning_through_the_worker_is_unique_per_tenant(app, client):
    from nexphys.tenancy.jobs import enqueue_provisioning
    from tests.factories import create_tenant, drop_tenant, tenant_info
    from tests.requests import host, wait_for_status

    tenant = create_tenant(app, provision=False)
    assert client.get("/", headers=host(tenant)).status_code == 503
    with app.app_context():
        first, second = enqueue_provisioning(tenant.id), enqueue_provisioning(tenant.id)
        db.session.commit()
        assert first == second
        assert get_queue("high").count == 1
    _work(app)
    assert tenant_info(app, tenant.id).status == "active"
    wait_for_status(client, host(tenant), 200)  # this process's half-second cache entry expires
    drop_tenant(app, tenant.slug)
