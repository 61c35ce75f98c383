"""PostgreSQL really restarted (and its backends terminated) under the app, the worker and the relay.

The app runs on a spare PostgreSQL of its own. While the server is down, requests get a 503 with
Retry-After (problem+json for the API, a plain page for browsers), never a 500; the first request
after it is back succeeds, because no dead pooled connection is handed out; jobs that failed in the
outage are retried by RQ and take effect once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.jobs import outbox
from nexphys.jobs.models import OutboxJob
from nexphys.jobs.queues import QUEUES, get_queue
from nexphys.tenancy.context import tenant_bound
from tests.bookings.apiclient import book, token_headers
from tests.factories import create_tenant, make_session, person, unique_slug
from tests.faults.conftest import stopped, wait_until
from tests.jobs import sample_jobs
from tests.requests import OPERATOR, host

DATABASE = "nexphys_faults"


@pytest.fixture(scope="module")
def pg_app(app_factory, spare_postgres, spare_redis):
    """The app on a database of the spare PostgreSQL (migrated), and the spare Redis."""
    spare_postgres.ensure_database(DATABASE)
    url = spare_postgres.url.rsplit("/", 1)[0] + f"/{DATABASE}"
    # Redis database 1: its queues hold this database's jobs only (the Redis fault tests use database 0).
    app = app_factory(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=spare_redis.url.rsplit("/", 1)[0] + "/1")
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="module")
def studio(pg_app):
    return create_tenant(pg_app, unique_slug("pgdown"), "Restarted Studio")


def _fill_the_pool(app, connections: int = 4) -> None:
    """Leave several idle connections in the app's pool, as a busy process has."""
    with app.app_context():
        held = [db.engine.connect() for _ in range(connections)]
        for conn in held:
            conn.exec_driver_sql("SELECT 1")
        for conn in held:
            conn.close()


def _forget_when_the_studio_was_looked_up(app) -> None:
    """Make the process's studio lookups stale and drop Redis's copies: the next lookup needs the database."""
    from nexphys.kv import get_redis

    cache = app.extensions["nexphys_tenant_cache"]
    cache._local = {key: (loaded_at - 3600, generation, tenant)
                    for key, (loaded_at, generation, tenant) in cache._local.items()}
    with app.app_context():
        get_redis().flushdb()


def _work(app) -> None:
    """A burst worker in this process (it reuses the app's pool), moving due retries to their queues first."""
    with app.app_context():
        queues = [get_queue(name) for name in QUEUES]
        SimpleWorker(queues, connection=queues[0].connection, serializer=JSONSerializer).work(
            burst=True, with_scheduler=True)


def test_during_a_restart_requests_get_503_and_the_first_one_after_it_succeeds(pg_app, spare_postgres, studio):
    client = pg_app.test_client()
    member_id, _ = person(pg_app, studio, "member")
    member = token_headers(pg_app, studio, member_id)
    session_id = make_session(pg_app, studio, starts_in=timedelta(days=1))
    assert client.get("/api/v1/classes", headers=host(studio)).status_code == 200
    _fill_the_pool(pg_app)

    _forget_when_the_studio_was_looked_up(pg_app)
    with stopped(spare_postgres):
        api = client.get("/api/v1/classes", headers=host(studio))
        booking = book(client, member, session_id)
        page = client.get("/", headers={**host(studio), "Accept": "text/html"})
        health, ready, live = (client.get(f"/health{path}", headers=OPERATOR) for path in ("", "/ready", "/live"))

    for answer in (api, booking):
        assert answer.status_code == 503, answer.get_data(as_text=True)
        assert answer.mimetype == "application/problem+json" and answer.headers["Retry-After"] == "5"
        assert answer.get_json()["type"] == "/problems/unavailable"
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    html = page.get_data(as_text=True)
    assert "Unavailable for a moment" in html and "Try again now" in html
    assert "Restarted Studio" in html  # the studio's own page: its last known details serve in the outage
    assert '<meta http-equiv="refresh" content="5">' in html  # the page retries by itself
    assert (health.status_code, ready.status_code, live.status_code) == (503, 503, 200)

    # The server is back: the very first request is served, on a fresh connection.
    assert client.get("/api/v1/classes", headers=host(studio)).status_code == 200
    assert book(client, member, session_id).status_code == 201


def test_after_every_backend_is_terminated_the_next_requests_succeed(pg_app, studio):
    client = pg_app.test_client()
    assert client.get("/api/v1/classes", headers=host(studio)).status_code == 200
    _fill_the_pool(pg_app)
    with pg_app.app_context(), db.engine.connect() as admin:
        admin = admin.execution_options(isolation_level="AUTOCOMMIT")
        ended = admin.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").scalar()
        assert ended >= 3  # the pool's other idle connections (the admin one is the fourth)
        wait_until(lambda: admin.exec_driver_sql(  # termination is asynchronous: until the backends are gone
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").scalar() == 0,
            what="the terminated backends exiting")
    answers = [client.get("/api/v1/classes", headers=host(studio)).status_code for _ in range(6)]
    assert answers == [200] * 6


def test_jobs_that_fail_in_the_outage_are_retried_and_take_effect_once(pg_app, spare_postgres, studio):
    with pg_app.app_context():
        submitted = sample_jobs.add_class_type.delay("Made After The Restart", tenant_id=studio.id,
                                                     retry_intervals=(1,))
        db.session.commit()
    _fill_the_pool(pg_app)
    with stopped(spare_postgres):
        assert outbox.relay_in_app(pg_app) is None  # logged, not raised
        _work(pg_app)  # the job fails: no database; RQ schedules its retry
        with pg_app.app_context():
            assert submitted.rq_id in get_queue().scheduled_job_registry.get_job_ids()
    time.sleep(1.2)  # the retry's interval
    _work(pg_app)
    _work(pg_app)  # a second pass finds nothing more to do
    with pg_app.app_context(), tenant_bound(studio):
        made = db.session.scalar(sa.select(sa.func.count()).select_from(ClassType).where(
            ClassType.name == "Made After The Restart"))
    assert made == 1
    with pg_app.app_context():
        assert db.session.get(OutboxJob, submitted.outbox_id) is None  # done, so never run again
    assert outbox.relay_in_app(pg_app) is not None
