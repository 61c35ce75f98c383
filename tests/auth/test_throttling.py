"""Sign-in throttling per account and per IP (Flask-Limiter counting in the real Redis)."""

from __future__ import annotations

import uuid

from tests.factories import make_user
from tests.requests import host, login


def test_per_account_limit_answers_429_with_retry_after(app_factory, app, tenant_a):
    strict = app_factory(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_IP="100 per minute")
    client = strict.test_client()
    email = f"throttle-{uuid.uuid4().hex[:6]}@example.com"
    make_user(app, tenant_a, "member", email)
    answers = [login(client, tenant_a, email, "wrong").status_code for _ in range(3)]
    assert answers == [401, 401, 401]
    blocked = login(client, tenant_a, email, "wrong")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Even the right password waits: the account is throttled, not the guess.
    assert login(client, tenant_a, email).status_code == 429
    # Another account from the same address is not affected by this account's limit.
    other = f"throttle-other-{uuid.uuid4().hex[:6]}@example.com"
    make_user(app, tenant_a, "member", other)
    assert login(client, tenant_a, other).status_code == 302


def test_per_ip_limit_across_accounts(app_factory, make_tenant):
    strict = app_factory(LOGIN_LIMIT_PER_ACCOUNT="100 per minute", LOGIN_LIMIT_PER_IP="4 per minute")
    client = strict.test_client()
    tenant = make_tenant()
    codes = [login(client, tenant, f"guess{i}@example.com", "wrong").status_code for i in range(5)]
    assert codes[:4] == [401] * 4 and codes[4] == 429


def test_api_token_endpoint_is_throttled_with_problem_json(app_factory, app, tenant_a):
    strict = app_factory(LOGIN_LIMIT_PER_ACCOUNT="2 per minute", LOGIN_LIMIT_PER_IP="100 per minute")
    client = strict.test_client()
    email = f"throttle-api-{uuid.uuid4().hex[:6]}@example.com"
    body = {"email": email, "password": "wrong"}
    codes = [client.post("/api/v1/auth/token", headers=host(tenant_a), json=body).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    blocked = client.post("/api/v1/auth/token", headers=host(tenant_a), json=body)
    assert blocked.mimetype == "application/problem+json" and "Retry-After" in blocked.headers
