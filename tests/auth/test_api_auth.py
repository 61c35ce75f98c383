"""API auth: tokens per tenant, refresh rotation with reuse detection, revocation, pinned algorithm."""

from __future__ import annotations

import time

import jwt

from tests.factories import TEST_PASSWORD, make_user
from tests.requests import api_token, bearer, host


def test_token_and_me(app, client, tenant_a):
    email = "api-me@example.com"
    user_id = make_user(app, tenant_a, "manager", email)
    pair = api_token(client, tenant_a, email)
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900 and pair["refresh_token"]
    me = client.get("/api/v1/me", headers=bearer(tenant_a, pair["access_token"]))
    assert me.status_code == 200
    body = me.get_json()
    assert body["id"] == user_id and body["email"] == email and body["role"]["key"] == "manager"
    assert "members:read" in body["permissions"] and "roles:create" not in body["permissions"]


def test_bad_credentials_get_one_answer(app, client, tenant_a):
    make_user(app, tenant_a, "member", "api-bad@example.com")
    wrong_password = client.post("/api/v1/auth/token", headers=host(tenant_a),
                                 json={"email": "api-bad@example.com", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", headers=host(tenant_a),
                          json={"email": "ghost@example.com", "password": TEST_PASSWORD})
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.get_json()["detail"] == unknown.get_json()["detail"]
    assert wrong_password.mimetype == "application/problem+json"


def test_malformed_requests_are_4xx(client, tenant_a):
    assert client.post("/api/v1/auth/token", headers=host(tenant_a), data="email=x").status_code == 415
    response = client.post("/api/v1/auth/token", headers={**host(tenant_a), "Content-Type": "application/json"},
                           data="{not json")
    assert response.status_code == 400
    missing = client.post("/api/v1/auth/token", headers=host(tenant_a), json={"email": "x@example.com"})
    assert missing.status_code == 422 and "password" in missing.get_json()["errors"]


def test_a_token_from_one_tenant_is_refused_by_another(app, client, tenant_a, tenant_b):
    email = "api-cross@example.com"
    make_user(app, tenant_a, "owner", email)
    make_user(app, tenant_b, "owner", email)
    token = api_token(client, tenant_a, email)["access_token"]
    assert client.get("/api/v1/me", headers=bearer(tenant_a, token)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(tenant_b, token)).status_code == 401
    apex = client.get("/api/v1/me", headers={"Host": "localhost", "Authorization": f"Bearer {token}"})
    assert apex.status_code == 401


def test_the_algorithm_is_pinned(app, client, tenant_a):
    email = "api-alg@example.com"
    user_id = make_user(app, tenant_a, "owner", email)
    claims = {"sub": str(user_id), "tid": tenant_a.id, "fam": "x", "aud": f"nexphys:tenant:{tenant_a.id}",
              "iss": "nexphys", "exp": int(time.time()) + 600}
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert client.get("/api/v1/me", headers=bearer(tenant_a, unsigned)).status_code == 401
    other_alg = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS512")
    assert client.get("/api/v1/me", headers=bearer(tenant_a, other_alg)).status_code == 401
    wrong_key = jwt.encode(claims, "not-the-key-" * 4, algorithm="HS256")
    assert client.get("/api/v1/me", headers=bearer(tenant_a, wrong_key)).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(app, client, tenant_a):
    email = "api-refresh@example.com"
    make_user(app, tenant_a, "member", email)
    first = api_token(client, tenant_a, email)
    second = client.post("/api/v1/auth/refresh", headers=host(tenant_a),
                         json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(tenant_a, second["access_token"])).status_code == 200

    # The old refresh token is presented again (stolen and replayed): the whole family dies.
    replay = client.post("/api/v1/auth/refresh", headers=host(tenant_a),
                         json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert client.get("/api/v1/me", headers=bearer(tenant_a, second["access_token"])).status_code == 401
    newest = client.post("/api/v1/auth/refresh", headers=host(tenant_a),
                         json={"refresh_token": second["refresh_token"]})
    assert newest.status_code == 401
    # Another sign-in of the same person is unaffected.
    other = api_token(client, tenant_a, email)
    assert client.get("/api/v1/me", headers=bearer(tenant_a, other["access_token"])).status_code == 200


def test_revocation_works_at_once(app, client, tenant_a):
    email = "api-revoke@example.com"
    make_user(app, tenant_a, "member", email)
    pair = api_token(client, tenant_a, email)
    headers = bearer(tenant_a, pair["access_token"])
    assert client.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", headers=host(tenant_a),
                            json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 401


def test_revocation_holds_with_redis_down(app_factory, app, client, tenant_a):
    email = "api-revoke-noredis@example.com"
    make_user(app, tenant_a, "member", email)
    pair = api_token(client, tenant_a, email)
    headers = bearer(tenant_a, pair["access_token"])
    assert client.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    without_redis = app_factory(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    assert without_redis.get("/api/v1/me", headers=headers).status_code == 401  # from the database


def test_deactivated_people_lose_api_access(app, client, tenant_a):
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.tenancy.context import tenant_bound

    email = "api-deactivated@example.com"
    user_id = make_user(app, tenant_a, "member", email)
    headers = bearer(tenant_a, api_token(client, tenant_a, email)["access_token"])
    with app.app_context(), tenant_bound(tenant_a):
        db.session.execute(sa.update(User).where(User.id == user_id).values(status="inactive"))
        db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unauthenticated_api_calls_get_401_problem(client, tenant_a):
    response = client.get("/api/v1/me", headers=host(tenant_a))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
