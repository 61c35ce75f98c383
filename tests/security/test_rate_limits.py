"""API rate limits per caller and per studio, at the plan's rates, counted in the real Redis.

The suite's app only reports (conftest: API_RATE_LIMITS "report"); these tests build one that enforces,
and give each test fresh studios on a plan of their own with tight rates.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from tests.factories import make_user
from tests.requests import bearer
from tests.running import host, run

DAY = "/api/v1/classes?date=2026-01-07"  # the public timetable (anonymous callers)
ME = "/api/v1/me"


@pytest.fixture(scope="module")
def strict(app_factory, app):
    """An app that enforces the limits; plan edits reach it within a second (TENANT_REDIS_CACHE_SECONDS)."""
    return app_factory(API_RATE_LIMITS="enforce", TENANT_REDIS_CACHE_SECONDS=1)


@pytest.fixture
def plan(app):
    """Make a plan with the given rates (requests a minute); returns its code."""
    from nexphys.extensions import db
    from nexphys.tenancy.models import Plan

    def make(per_key: int | None, per_studio: int | None) -> str:
        code = f"rl-{uuid.uuid4().hex[:8]}"
        with app.app_context():
            db.session.add(Plan(code=code, name=code, monthly_price_cents=0, features={},
                                api_requests_per_minute_per_key=per_key,
                                api_requests_per_minute_per_studio=per_studio))
            db.session.commit()
        return code

    return make


def api_key(app, tenant) -> dict:
    """Headers of a new API key of the studio (no permissions: /me is enough to call)."""
    from nexphys.api_keys.services import create_api_key

    _key, secret = run(app, tenant, create_api_key, f"key {uuid.uuid4().hex[:6]}", [], None)
    return {**host(tenant), "X-API-Key": secret}


def access_token(app, tenant, user_id: int) -> str:
    from nexphys.auth.tokens import issue_access_token
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        return issue_access_token(user_id, tenant.id, str(uuid.uuid4()))


def calls(client, path: str, headers: dict, n: int, **kwargs) -> list:
    return [client.get(path, headers=headers, **kwargs) for _ in range(n)]


def assert_refused(response, limit: int, words: str) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/problems/rate_limited" and body["status"] == 429 and body["title"]
    assert words in body["detail"] and "Try again in" in body["detail"], body["detail"]
    # The window began moments ago in this test (with a minute's margin for a slow machine, it is a
    # one-minute window): both headers and the words name the same wait.
    retry, reset = int(response.headers["Retry-After"]), int(response.headers["RateLimit-Reset"])
    assert 30 <= retry <= 60 and abs(retry - reset) <= 1
    waited = int(re.search(r"Try again in (\d+)", body["detail"]).group(1))
    assert abs(waited - retry) <= 1
    assert response.headers["RateLimit-Limit"] == str(limit)
    assert response.headers["RateLimit-Remaining"] == "0"


def test_a_keys_request_over_its_limit_is_429_with_the_headers(strict, plan, make_tenant):
    tenant = make_tenant(plan_code=plan(3, 100))
    client, key = strict.test_client(), api_key(strict, tenant)
    allowed = calls(client, ME, key, 3)
    assert [r.status_code for r in allowed] == [200, 200, 200]
    # Every answer says how much is left (the IETF draft's fields: Reset in seconds from now).
    assert [r.headers["RateLimit-Remaining"] for r in allowed] == ["2", "1", "0"]
    assert all(r.headers["RateLimit-Limit"] == "3" and 0 <= int(r.headers["RateLimit-Reset"]) <= 60
               for r in allowed)
    assert "Retry-After" not in allowed[0].headers
    assert_refused(client.get(ME, headers=key), 3, "This API key has made 3 requests a minute")


def test_another_key_of_the_studio_is_limited_only_by_the_studio(strict, plan, make_tenant):
    tenant = make_tenant(plan_code=plan(3, 5))
    client, first, second = strict.test_client(), api_key(strict, tenant), api_key(strict, tenant)
    assert [r.status_code for r in calls(client, ME, first, 4)] == [200, 200, 200, 429]
    # The first key's refused request did not count for the studio: 3 of its 5 are used.
    answers = calls(client, ME, second, 2)
    assert [r.status_code for r in answers] == [200, 200]
    assert answers[-1].headers["RateLimit-Limit"] == "5"  # the studio's limit is now the nearer one
    assert_refused(client.get(ME, headers=second), 5, "This studio's API callers together have made 5")
    # Every caller of the studio shares it: a person's token and an anonymous visitor too.
    token = access_token(strict, tenant, make_user(strict, tenant))
    assert client.get(ME, headers=bearer(tenant, token)).status_code == 429
    assert client.get(DAY, headers=host(tenant)).status_code == 429


def test_another_studio_is_never_affected(strict, plan, make_tenant):
    tight = plan(2, 3)
    flooded, neighbour = make_tenant(plan_code=tight), make_tenant(plan_code=tight)
    client, key = strict.test_client(), api_key(strict, flooded)
    assert [r.status_code for r in calls(client, ME, key, 6)] == [200, 200, 429, 429, 429, 429]
    assert client.get(DAY, headers=host(flooded)).status_code == 200  # its third: the studio is now full
    assert client.get(DAY, headers=host(flooded)).status_code == 429
    other = api_key(strict, neighbour)
    answer = client.get(ME, headers=other)
    assert answer.status_code == 200 and answer.headers["RateLimit-Remaining"] == "1"
    # The same address as the flooded studio's anonymous caller, on the neighbour: its own count.
    assert client.get(DAY, headers=host(neighbour)).status_code == 200


def test_anonymous_callers_are_limited_per_address(strict, plan, make_tenant):
    tenant = make_tenant(plan_code=plan(2, 100))
    client = strict.test_client()
    assert [r.status_code for r in calls(client, DAY, host(tenant), 2)] == [200, 200]
    assert_refused(client.get(DAY, headers=host(tenant)), 2, "This address has made 2 requests")
    elsewhere = client.get(DAY, headers=host(tenant), environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert elsewhere.status_code == 200 and elsewhere.headers["RateLimit-Remaining"] == "1"
    # A token that does not authenticate is counted as a token of its own (401 while under the rate),
    # not against the address it came from ...
    forged = bearer(tenant, "not.a.token")
    codes = [client.get(ME, headers=forged, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]
    still = client.get(DAY, headers=host(tenant), environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert still.status_code == 200 and still.headers["RateLimit-Remaining"] == "0"
    # ... and an unknown API key as a key of its own: counted before any database read.
    unknown = {**host(tenant), "X-API-Key": "nxp_00000000_not-a-key"}
    assert [r.status_code for r in calls(client, ME, unknown, 3)] == [401, 401, 429]


def test_each_access_token_is_counted_by_itself_without_being_decoded(strict, plan, make_tenant):
    tenant = make_tenant(plan_code=plan(3, 100))
    client, user_id = strict.test_client(), make_user(strict, tenant)
    one, two = (bearer(tenant, access_token(strict, tenant, user_id)) for _ in range(2))
    assert [client.get(ME, headers=one).status_code for _ in range(3)] == [200, 200, 200]
    assert_refused(client.get(ME, headers=one), 3, "You have made 3 requests")
    assert client.get(ME, headers=two).status_code == 200  # the person's other token counts on its own
    forged = {**host(tenant), "Authorization": "Bearer aaa.bbb.ccc"}  # counted, then refused by access
    assert [client.get(ME, headers=forged).status_code for _ in range(3)] == [401, 401, 401]
    assert_refused(client.get(ME, headers=forged), 3, "You have made 3 requests")


def _until(check, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the new rate was not seen in time"
        time.sleep(0.1)


def test_the_limits_follow_the_plan(strict, plan, make_tenant, raw_engine):
    from nexphys.extensions import db
    from nexphys.tenancy import cache, services
    from nexphys.tenancy.models import Plan

    tenant = make_tenant(plan_code=plan(2, 100))
    client, key = strict.test_client(), api_key(strict, tenant)
    assert [r.status_code for r in calls(client, ME, key, 3)] == [200, 200, 429]
    roomier = plan(5, 100)
    with strict.app_context():  # the studio moves to another plan, as the platform would commit it
        row = services.get_tenant(tenant.slug)
        row.plan = db.session.scalar(sa.select(Plan).where(Plan.code == roomier))
        db.session.commit()
        cache.invalidate(services.tenant_cache_keys(row))
    _until(lambda: client.get(ME, headers=key).headers.get("RateLimit-Limit") == "5")
    # The plan itself edited in place (no invalidation at all): seen within TENANT_REDIS_CACHE_SECONDS.
    with raw_engine.begin() as conn:
        conn.execute(sa.text("UPDATE public.plans SET api_requests_per_minute_per_key = 7 WHERE code = :c"),
                     {"c": roomier})
    _until(lambda: client.get(ME, headers=key).headers.get("RateLimit-Limit") == "7")


def test_a_plan_without_rates_gets_the_platform_defaults(app_factory, plan, make_tenant):
    defaults = app_factory(API_RATE_LIMITS="enforce", API_REQUESTS_PER_MINUTE_PER_KEY=2,
                           API_REQUESTS_PER_MINUTE_PER_STUDIO=50)
    tenant = make_tenant(plan_code=plan(None, None))
    client = defaults.test_client()
    assert [r.status_code for r in calls(client, DAY, host(tenant), 3)] == [200, 200, 429]


def test_the_openapi_document_and_health_are_not_limited(strict, plan, make_tenant):
    tenant = make_tenant(plan_code=plan(1, 1))
    client = strict.test_client()
    for path in ("/api/v1/openapi.json", "/health/live"):
        answers = calls(client, path, host(tenant), 3)
        assert [r.status_code for r in answers] == [200, 200, 200], path
        assert not any("RateLimit-Limit" in r.headers for r in answers), path
    assert client.get(DAY, headers=host(tenant)).status_code == 200  # the studio's one request is still there


def test_every_operation_documents_the_429(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "429" in operation["responses"], (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_report_mode_counts_and_refuses_nothing(app, plan, make_tenant):
    tenant = make_tenant(plan_code=plan(1, 100))
    answers = calls(app.test_client(), DAY, host(tenant), 3)  # the suite's app reports only
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.headers["RateLimit-Remaining"] for r in answers] == ["0", "0", "0"]


@pytest.fixture(scope="module")
def spare_redis(app_factory):
    """A Redis of this module's own, which a test really stops; the shared limiter is pointed back after."""
    from nexphys.devservers import EmbeddedRedis, free_port

    folder = Path(tempfile.mkdtemp(prefix="nexphys-rate-limits-"))
    server = EmbeddedRedis(data_dir=folder / "redis", port=free_port())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
    app_factory()  # Flask-Limiter's one instance takes the storage of the last app built: the suite's Redis


def test_with_redis_down_each_process_counts_in_memory_then_redis_again(app_factory, plan, make_tenant,
                                                                       spare_redis):
    from tests.faults.conftest import stopped, wait_until

    down = app_factory(REDIS_URL=spare_redis.url, API_RATE_LIMITS="enforce")
    tenant = make_tenant(plan_code=plan(3, 100))
    client, key = down.test_client(), api_key(down, tenant)
    assert client.get(ME, headers=key).status_code == 200  # counted in Redis
    with stopped(spare_redis):
        # This process's memory starts its own count: still limited, at the same rate.
        answers = calls(client, ME, key, 4)
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert answers[-1].get_json()["type"] == "/problems/rate_limited"
    counts = redis.Redis.from_url(spare_redis.url)

    def counted_in_redis_again() -> bool:
        # A key Redis has never counted each time (a key over its rate is refused from memory until its
        # window ends, without asking Redis); the app's Redis breaker retries Redis 3 s after a failure.
        fresh = api_key(down, tenant)
        client.get(ME, headers=fresh)
        digest = hashlib.sha256(fresh["X-API-Key"].encode()).hexdigest()[:16]
        return counts.exists(f"nexphys:api-rate:{{t{tenant.id}}}:key:{digest}") == 1

    wait_until(counted_in_redis_again, seconds=10, what="the counts going back to Redis")
