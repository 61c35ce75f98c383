"""Platform routes: apex host only, platform administrators only."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.platform.requests import APEX, admin_login, admin_token
from tests.requests import api_token, host, login

PLATFORM_PATHS = ["/platform/", "/platform/login", "/platform/tenants/new", "/platform/tenants/1",
                  "/api/v1/platform/tenants", "/api/v1/platform/tenants/1"]


@pytest.mark.parametrize("path", PLATFORM_PATHS)
def test_platform_routes_are_not_found_on_a_tenant_host(client, tenant_a, path):
    assert client.get(path, headers=host(tenant_a)).status_code == 404


def test_platform_routes_are_not_found_through_the_tenant_header(client, tenant_a):
    headers = {**APEX, "X-Tenant-Domain": tenant_a.slug}
    assert client.get("/platform/login", headers=headers).status_code == 404
    assert client.get("/platform/login?tenant=" + tenant_a.slug, headers=APEX).status_code == 404


def test_anonymous_visitors_are_sent_to_the_platform_sign_in(client):
    response = client.get("/platform/", headers=APEX)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/platform/login?next=/platform/")
    assert client.get("/api/v1/platform/tenants", headers=APEX).status_code == 401


def test_a_tenant_users_session_cookie_does_not_open_the_console(app, client, tenant_a):
    email = "owner-cookie@example.com"
    make_user(app, tenant_a, "owner", email)
    assert login(client, tenant_a, email).status_code == 302
    cookie = client.get_cookie("session", domain=f"{tenant_a.slug}.localhost")
    assert cookie is not None
    client.set_cookie("session", cookie.value, domain="localhost")
    response = client.get("/platform/", headers=APEX)
    assert response.status_code == 302 and response.headers["Location"].startswith("/platform/login")
    assert client.get("/api/v1/platform/tenants", headers=APEX).status_code == 401


def test_a_tenant_users_token_is_refused_on_the_apex(app, client, tenant_a):
    email = "owner-token@example.com"
    make_user(app, tenant_a, "owner", email)
    token = api_token(client, tenant_a, email)["access_token"]
    headers = {**APEX, "Authorization": f"Bearer {token}"}
    for method, path in (("get", "/api/v1/platform/tenants"), ("post", "/api/v1/platform/tenants"),
                         ("get", "/platform/")):
        response = getattr(client, method)(path, headers=headers, json={} if method == "post" else None)
        assert response.status_code == 401, (method, path)


def test_an_administrators_session_and_token_do_nothing_on_a_tenant_host(app, client, admin, tenant_a):
    assert admin_login(client).status_code == 302
    cookie = client.get_cookie("session", domain="localhost")
    client.set_cookie("session", cookie.value, domain=f"{tenant_a.slug}.localhost")
    assert client.get("/api/v1/me", headers=host(tenant_a)).status_code == 401
    token = admin_token(client)["Authorization"]
    response = client.get("/api/v1/me", headers={**host(tenant_a), "Authorization": token})
    assert response.status_code == 401


def test_every_platform_route_declares_platform_access(app):
    from nexphys.web.access import access_of

    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("platform.", "platform_api.")):
            access = access_of(app, rule.endpoint)
            assert access is not None, rule.endpoint
            expected = "public" if rule.endpoint == "platform.login" else "platform"
            assert access.kind == expected, rule.endpoint
            assert app.view_functions[rule.endpoint].__doc__, rule.endpoint


def test_the_openapi_document_lists_the_platform_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/platform/tenants"]
    assert paths["/api/v1/platform/tenants/{tenant_id}"]["get"]["summary"].startswith("One tenant")
    assert "post" in paths["/api/v1/platform/tenants/{tenant_id}/suspend"]
