"""The platform API: /api/v1/platform/tenants with a platform administrator's bearer token."""

from __future__ import annotations

import pytest

from tests.factories import drop_tenant, invitation_messages, make_user, unique_slug
from tests.platform.requests import APEX, admin_token
from tests.requests import host, wait_for_status
from tests.running import run_jobs


@pytest.fixture
def auth(client, admin) -> dict:
    return admin_token(client)


def _body(slug: str, **extra) -> dict:
    return {"slug": slug, "name": f"API {slug}", "plan": "starter", "owner_email": f"owner@{slug}.example.com",
            **extra}


def test_create_returns_202_with_location_and_ends_active_with_an_owner(app, client, auth):
    slug = unique_slug("api")
    response = client.post("/api/v1/platform/tenants", headers=auth,
                           json=_body(slug, owner_name="Api Owner", time_zone="Asia/Tokyo"))
    try:
        assert response.status_code == 202, response.get_json()
        body = response.get_json()
        assert response.headers["Location"] == f"/api/v1/platform/tenants/{body['id']}"
        assert body["status"] == "provisioning" and body["plan"] == "starter" and body["time_zone"] == "Asia/Tokyo"
        assert body["domains"] == [{"host": f"{slug}.localhost", "kind": "subdomain", "primary": True}]
        assert body["activated_at"] is None and body["created_at"]
        run_jobs(app)
        current = client.get(response.headers["Location"], headers=auth).get_json()
        assert current["status"] == "active" and current["activated_at"] and current["status_reason"] is None
        from tests.factories import tenant_info

        [(to, _subject, text)] = invitation_messages(app, tenant_info(app, body["id"]))
        assert to == f"owner@{slug}.example.com" and "/password/reset/" in text
    finally:
        drop_tenant(app, slug)


def test_the_invitation_link_uses_the_address_the_api_was_called_on(app, client, auth):
    slug = unique_slug("api")
    response = client.post("/api/v1/platform/tenants", headers={**auth, "Host": "localhost:8123"}, json=_body(slug))
    try:
        assert response.status_code == 202
        run_jobs(app)
        from tests.factories import tenant_info

        [(_to, _subject, text)] = invitation_messages(app, tenant_info(app, response.get_json()["id"]))
        assert f"http://{slug}.localhost:8123/password/reset/" in text
    finally:
        drop_tenant(app, slug)


def test_a_duplicate_is_409(client, auth, tenant_a):
    response = client.post("/api/v1/platform/tenants", headers=auth, json=_body(tenant_a.slug))
    assert response.status_code == 409
    assert response.get_json()["status"] == 409 and "already exists" in response.get_json()["detail"]


@pytest.mark.parametrize("change, field", [
    ({"slug": "Bad Slug"}, "slug"), ({"slug": "api"}, "slug"), ({"plan": "platinum"}, "plan"),
    ({"owner_email": "nope"}, "owner_email"), ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"name": ""}, "name"), ({"owner_email": None}, "owner_email"), ({"slug": 42}, "slug"),
])
def test_invalid_input_is_422_with_the_field(client, auth, change, field):
    response = client.post("/api/v1/platform/tenants", headers=auth, json={**_body(unique_slug("bad")), **change})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_without_a_token_is_401(client):
    response = client.post("/api/v1/platform/tenants", headers=APEX, json=_body(unique_slug()))
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/platform/tenants/1", headers=APEX).status_code == 401


def test_a_tenant_users_token_is_refused(app, client, tenant_a):
    from tests.requests import api_token

    email = "api-owner-on-apex@example.com"
    make_user(app, tenant_a, "owner", email)
    token = api_token(client, tenant_a, email)["access_token"]
    response = client.post("/api/v1/platform/tenants", headers={**APEX, "Authorization": f"Bearer {token}"},
                           json=_body(unique_slug()))
    assert response.status_code == 401  # its audience is the tenant's, not the platform's


def test_an_api_key_is_refused_on_the_apex(client):
    response = client.get("/api/v1/platform/tenants", headers={**APEX, "X-API-Key": "nxp_abcd_secret"})
    assert response.status_code == 401


def test_list_and_filter(client, auth, tenant_a, tenant_b):
    body = client.get("/api/v1/platform/tenants?per_page=100", headers=auth).get_json()
    slugs = {t["slug"] for t in body["items"]}
    assert {tenant_a.slug, tenant_b.slug} <= slugs
    assert body["page"] == 1 and body["total"] >= 2
    body = client.get(f"/api/v1/platform/tenants?status=active&q={tenant_a.slug}", headers=auth).get_json()
    assert [t["slug"] for t in body["items"]] == [tenant_a.slug]
    body = client.get("/api/v1/platform/tenants?status=archived", headers=auth).get_json()
    assert tenant_a.slug not in {t["slug"] for t in body["items"]}
    assert client.get("/api/v1/platform/tenants?status=bogus", headers=auth).status_code == 422
    assert client.get("/api/v1/platform/tenants?page=x", headers=auth).status_code == 400
    one = client.get("/api/v1/platform/tenants?per_page=1", headers=auth).get_json()
    assert len(one["items"]) == 1 and one["pages"] >= 2


def test_get_one(client, auth, tenant_b):
    body = client.get(f"/api/v1/platform/tenants/{tenant_b.id}", headers=auth).get_json()
    assert set(body) >= {"id", "slug", "name", "status", "status_reason", "plan", "time_zone", "domains",
                         "created_at", "activated_at"}
    assert body["slug"] == tenant_b.slug and body["time_zone"] == "America/New_York"
    assert client.get("/api/v1/platform/tenants/999999", headers=auth).status_code == 404


def test_suspend_and_reactivate(client, auth, make_tenant):
    tenant = make_tenant()
    url = f"/api/v1/platform/tenants/{tenant.id}"
    response = client.post(f"{url}/suspend", headers=auth, json={"reason": "chargeback"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "suspended" and response.get_json()["status_reason"] == "chargeback"
    wait_for_status(client, host(tenant), 403)
    assert client.post(f"{url}/reactivate", headers=auth).status_code == 200
    wait_for_status(client, host(tenant), 200)
    response = client.post(f"{url}/reactivate", headers=auth)
    assert response.status_code == 409 and "suspended" in response.get_json()["detail"]
    response = client.post(f"{url}/suspend", headers=auth)  # no body: a default reason
    assert response.status_code == 200 and response.get_json()["status_reason"]
    assert client.post(f"{url}/reactivate", headers=auth).status_code == 200


def test_a_tenant_still_provisioning_cannot_be_suspended(app, client, auth):
    slug = unique_slug("prov")
    created = client.post("/api/v1/platform/tenants", headers=auth, json=_body(slug))
    try:
        response = client.post(f"{created.headers['Location']}/suspend", headers=auth, json={"reason": "x"})
        assert response.status_code == 409
        assert client.post("/api/v1/platform/tenants/999999/suspend", headers=auth).status_code == 404
    finally:
        from nexphys.jobs.queues import get_queue

        with app.app_context():
            get_queue("high").empty()
        drop_tenant(app, slug)
