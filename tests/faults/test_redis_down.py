"""Redis really stopped under the app: every daily action answers as with Redis up, nothing is lost.

The app runs on the suite's database and a spare Redis of its own, which the tests shut down. Work the
requests record (booking and cancellation emails) waits in the job outbox and runs, once, after Redis
is back and the relay has pushed it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.jobs import outbox
from nexphys.jobs.cli import Scheduler
from nexphys.jobs.models import OutboxJob
from nexphys.mail.models import OutboxMessage
from tests.bookings.apiclient import book, caller, token_headers
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_session, person, unique_slug
from tests.faults.conftest import stopped, wait_until
from tests.requests import OPERATOR, api_token, host, login
from tests.running import in_studio, run_jobs


@pytest.fixture(scope="module")
def redis_app(app_factory, app, spare_redis):
    """The app on the suite's (migrated) database and the spare Redis."""
    return app_factory(REDIS_URL=spare_redis.url)


@pytest.fixture(scope="module")
def studio(app, redis_app):
    tenant = create_tenant(redis_app, unique_slug("redisdown"), "Redis Down Studio")
    yield tenant
    drop_tenant(app, tenant.slug)


def _mail(app, tenant, address: str) -> list[tuple[str, str]]:
    with in_studio(app, tenant):
        return [(m.kind, m.status) for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id))]


def _waiting_jobs(app, tenant) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob).where(
            OutboxJob.tenant_id == tenant.id, OutboxJob.failed_at.is_(None)))


def test_with_redis_stopped_the_day_goes_on_and_no_email_is_lost(redis_app, spare_redis, studio):
    client = redis_app.test_client()
    member_id, member_email = person(redis_app, studio, "member")
    _, owner_email = person(redis_app, studio, "owner")
    member = token_headers(redis_app, studio, member_id)
    soon = make_session(redis_app, studio, starts_in=timedelta(hours=1))  # check-in is open
    later = make_session(redis_app, studio, starts_in=timedelta(days=3))
    to_cancel = make_session(redis_app, studio, starts_in=timedelta(days=2))
    answers = {}
    with stopped(spare_redis):
        answers["home"] = client.get("/", headers=host(studio)).status_code
        answers["class page"] = client.get(f"/classes/{soon}", headers=host(studio)).status_code
        answers["timetable api"] = client.get("/api/v1/classes", headers=host(studio)).status_code
        answers["password for a token"] = client.post(
            "/api/v1/auth/token", headers=host(studio), json={"email": member_email, "password": TEST_PASSWORD}
        ).status_code
        booked = book(client, member, soon)
        answers["booking"] = booked.status_code
        second = book(client, member, later)
        cancelled = client.delete(f"/api/v1/bookings/{second.get_json()['id']}", headers=member)
        answers["cancellation"] = cancelled.status_code
        answers["third booking"] = book(client, member, to_cancel).status_code

        staff = redis_app.test_client()
        answers["staff sign-in"] = login(staff, studio, owner_email).status_code
        answers["staff schedule"] = staff.get("/schedule", headers=host(studio)).status_code
        staff_api = {**host(studio), "Authorization": f"Bearer {api_token(staff, studio, owner_email)['access_token']}"}
        answers["check-in"] = client.post(f"/api/v1/bookings/{booked.get_json()['id']}/check-in",
                                          headers=staff_api).status_code
        answers["class edit"] = client.patch(f"/api/v1/classes/{to_cancel}", headers=staff_api,
                                             json={"notes": "Bring water"}).status_code
        answers["class cancel"] = client.post(f"/api/v1/classes/{to_cancel}/cancel", headers=staff_api,
                                              json={"reason": "Instructor ill"}).status_code
        health = client.get("/health", headers=OPERATOR)
        ready = client.get("/health/ready", headers=OPERATOR)
        # three confirmations, the member's own cancellation and the cancelled class, recorded with them
        assert _waiting_jobs(redis_app, studio) == 5

    assert answers == {"home": 200, "class page": 200, "timetable api": 200, "password for a token": 200,
                       "booking": 201, "cancellation": 200, "third booking": 201, "staff sign-in": 302,
                       "staff schedule": 200, "check-in": 200, "class edit": 200, "class cancel": 200}
    assert health.status_code == 503 and health.get_json()["redis"]["status"] == "error"
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready without redis"
    assert all(status == "pending" for _, status in _mail(redis_app, studio, member_email))

    # Redis is back: the relay pushes what waited, a worker runs it, and each email goes out once.
    def relayed_and_run() -> bool:
        outbox.relay_in_app(redis_app)  # (rows younger than its grace wait for the next pass)
        run_jobs(redis_app)
        return _waiting_jobs(redis_app, studio) == 0

    assert wait_until(relayed_and_run, what="the waiting emails being relayed and sent") < 10
    assert _mail(redis_app, studio, member_email) == [
        ("booking_confirmed", "kept"), ("booking_confirmed", "kept"), ("booking_cancelled", "kept"),
        ("booking_confirmed", "kept"), ("session_cancelled", "kept")]
    assert _waiting_jobs(redis_app, studio) == 0
    outbox.relay_in_app(redis_app)  # nothing is pushed twice
    run_jobs(redis_app)
    assert len(_mail(redis_app, studio, member_email)) == 5


def test_sign_in_throttling_falls_back_to_this_process_while_redis_is_down(app_factory, spare_redis, studio):
    throttled = app_factory(REDIS_URL=spare_redis.url, LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    client = throttled.test_client()
    _, email = person(throttled, studio, "member")
    with stopped(spare_redis):
        answers = [login(client, studio, email, password="not the password").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]  # wrong passwords, counted in memory: still limited


def test_the_scheduler_keeps_ticking_while_redis_is_down_and_relays_once_it_is_back(redis_app, spare_redis, studio):
    member_id = caller(redis_app, studio)[0]
    scheduler = Scheduler(redis_app)
    with stopped(spare_redis):
        client = redis_app.test_client()
        session_id = make_session(redis_app, studio, starts_in=timedelta(days=4))
        assert book(client, token_headers(redis_app, studio, member_id), session_id).status_code == 201
        scheduler.tick()  # logs that Redis is away; raises nothing
        waiting = _waiting_jobs(redis_app, studio)
        assert waiting >= 1
    wait_until(lambda: (scheduler.tick(), run_jobs(redis_app), _waiting_jobs(redis_app, studio))[2] == 0,
               what="the scheduler relaying the waiting jobs")
