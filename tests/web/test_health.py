"""Health endpoints against the real database and Redis."""

from __future__ import annotations

import sqlalchemy as sa

from tests.requests import OPERATOR, page_csrf


def test_health_reports_every_dependency(client, tenant_a, tenant_b):
    response = client.get("/health", headers=OPERATOR)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "healthy"
    assert body["database"]["status"] == body["redis"]["status"] == "ok"
    schemas = body["tenant_schemas"]
    assert schemas["expected"] == schemas["present"] == schemas["at_head"] >= 2
    assert set(body["queues"]["depth"]) == {"high", "default", "low"}
    assert body["job_outbox"]["status"] == "ok" and body["job_outbox"]["failed"] >= 0
    assert body["version"] and body["timestamp"]


def test_health_is_503_when_redis_is_down_but_the_app_stays_ready(app_factory):
    client = app_factory(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    response = client.get("/health", headers=OPERATOR)
    assert response.status_code == 503
    assert response.get_json()["redis"]["status"] == "error"
    assert response.get_json()["job_outbox"]["status"] == "ok"
    ready = client.get("/health/ready", headers=OPERATOR)  # pages, bookings and check-in are served without Redis
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready without redis"
    assert client.get("/health/live").status_code == 200


def test_health_is_503_when_a_tenant_schema_is_missing(app, client, make_tenant, raw_engine):
    tenant = make_tenant()
    with raw_engine.begin() as conn:
        conn.execute(sa.text(f'ALTER SCHEMA "{tenant.schema_name}" RENAME TO "{tenant.schema_name}_gone"'))
    try:
        body = client.get("/health", headers=OPERATOR).get_json()
        assert body["tenant_schemas"]["status"] == "degraded"
        assert body["tenant_schemas"]["present"] == body["tenant_schemas"]["expected"] - 1
        assert client.get("/health", headers=OPERATOR).status_code == 503
    finally:
        with raw_engine.begin() as conn:
            conn.execute(sa.text(f'ALTER SCHEMA "{tenant.schema_name}_gone" RENAME TO "{tenant.schema_name}"'))


def test_health_is_503_when_the_database_is_down(app_factory):
    client = app_factory(SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:1/nope").test_client()
    response = client.get("/health", headers=OPERATOR)
    assert response.status_code == 503
    assert response.get_json()["database"]["status"] == "error"
    assert client.get("/health/ready", headers=OPERATOR).status_code == 503


def test_ready(client):
    assert client.get("/health/ready", headers=OPERATOR).get_json()["status"] == "ready"


def test_anyone_gets_the_status_only_and_operators_the_details(app, app_factory, client):
    anonymous = client.get("/health")
    assert anonymous.get_json() == {"status": "healthy"} and anonymous.status_code == 200
    assert client.get("/health/ready").get_json() == {"status": "ready"}
    assert "database" in client.get("/health", headers=OPERATOR).get_json()
    assert "database" not in client.get("/health", headers={"X-Operator-Token": "guess"}).get_json()
    down = app_factory(SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:1/nope").test_client()
    outage = down.get("/health/ready")  # the database's address stays with the operators
    assert outage.status_code == 503 and outage.get_json() == {"status": "not ready"}
    assert "127.0.0.1" in down.get("/health/ready", headers=OPERATOR).get_data(as_text=True)


def test_a_signed_in_platform_admin_sees_the_details(app, client):
    from nexphys.extensions import db
    from nexphys.platform.services import create_admin
    from tests.factories import TEST_PASSWORD, password_hash

    with app.app_context():
        create_admin("health-admin@nexphys.example", "Health Admin", password_hash=password_hash(TEST_PASSWORD))
        db.session.commit()
    page = client.get("/platform/login", headers={"Host": "localhost"}).get_data(as_text=True)
    signed_in = client.post("/platform/login", headers={"Host": "localhost"}, data={
        "csrf_token": page_csrf(page), "email": "health-admin@nexphys.example", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    assert "database" in client.get("/health", headers={"Host": "localhost"}).get_json()
