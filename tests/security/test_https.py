"""HTTPS in production: plain HTTP is redirected (health checks excepted), HSTS is sent, links say https."""

from __future__ import annotations

import pytest

from nexphys.platform.owner import invite_owner
from nexphys.security.http import HSTS
from nexphys.tenancy.urls import studio_url
from tests.factories import invitation_messages
from tests.requests import host

# Flask's test client speaks PREFERRED_URL_SCHEME unless told: https once FORCE_HTTPS is on.
PLAIN = {"base_url": "http://localhost"}


@pytest.fixture(scope="module")
def production(app_factory):
    """The app as production runs it (FORCE_HTTPS unset: it follows NEXPHYS_ENV)."""
    return app_factory(NEXPHYS_ENV="production")


def test_production_redirects_plain_http_gets_with_a_301(production, tenant_a):
    response = production.test_client().get("/?view=day&date=2026-01-05", headers=host(tenant_a), **PLAIN)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://alpha-gym.localhost/?view=day&date=2026-01-05"
    assert "Strict-Transport-Security" not in response.headers  # HSTS means nothing over plain HTTP
    assert response.headers["Content-Security-Policy"]  # a redirect is an answer like any other
    head = production.test_client().head("/login", headers=host(tenant_a), **PLAIN)
    assert head.status_code == 301 and head.headers["Location"] == "https://alpha-gym.localhost/login"


def test_production_redirects_other_methods_with_a_308(production, tenant_a):
    client = production.test_client()
    response = client.post("/login", headers=host(tenant_a), data={"email": "a@example.com"}, **PLAIN)
    assert response.status_code == 308  # the method and body are kept
    assert response.headers["Location"] == "https://alpha-gym.localhost/login"
    assert client.post("/api/v1/auth/token", headers=host(tenant_a), json={}, **PLAIN).status_code == 308


@pytest.mark.parametrize("path", ["/health", "/health/live", "/health/ready"])
def test_health_checks_answer_on_plain_http(production, path):
    assert production.test_client().get(path, **PLAIN).status_code in (200, 503)


def test_https_answers_carry_hsts(production, tenant_a):
    response = production.test_client().get("/", headers=host(tenant_a), base_url="https://alpha-gym.localhost")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == HSTS == "max-age=31536000; includeSubDomains"
    assert 'value="https://alpha-gym.localhost/calendar/' in response.get_data(as_text=True)  # the feed link


def test_behind_a_tls_proxy_production_serves_instead_of_redirecting(app_factory, tenant_a):
    proxied = app_factory(NEXPHYS_ENV="production", TRUSTED_PROXY_HOPS=1).test_client()
    forwarded = {**host(tenant_a), "X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"}
    response = proxied.get("/", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}, **PLAIN)
    assert response.status_code == 200 and response.headers["Strict-Transport-Security"] == HSTS
    plain = proxied.get("/", headers={**forwarded, "X-Forwarded-Proto": "http"},
                        environ_base={"REMOTE_ADDR": "10.0.0.2"}, **PLAIN)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://alpha-gym.localhost/"


def test_force_https_can_be_set_either_way(app_factory, tenant_a):
    off = app_factory(NEXPHYS_ENV="production", FORCE_HTTPS=False).test_client()
    assert off.get("/", headers=host(tenant_a), **PLAIN).status_code == 200
    on = app_factory(FORCE_HTTPS=True).test_client()  # development
    assert on.get("/", headers=host(tenant_a), **PLAIN).status_code == 301


def test_development_serves_plain_http_without_hsts(client, tenant_a):
    response = client.get("/", headers=host(tenant_a))
    assert response.status_code == 200 and "Strict-Transport-Security" not in response.headers
    secure = client.get("/", headers=host(tenant_a), base_url="https://alpha-gym.localhost")
    assert "Strict-Transport-Security" not in secure.headers  # no HSTS pinned on developers' localhost


def test_links_made_outside_requests_say_https_in_production(production, app, tenant_a):
    with production.app_context():
        assert studio_url("alpha-gym") == "https://alpha-gym.localhost/"
        assert studio_url("alpha-gym", scheme="http") == "https://alpha-gym.localhost/"  # never a link to redirect
        assert studio_url("alpha-gym", "gym.example.com") == "https://gym.example.com/"
    with app.app_context():
        assert studio_url("alpha-gym").startswith("http://alpha-gym.localhost:")  # development: as configured


def test_an_owner_invitation_from_a_job_links_to_https(production, make_tenant):
    tenant = make_tenant()
    with production.app_context():
        assert invite_owner(tenant.id, "owner-https@example.com") is not None
    (_to, _subject, body), = invitation_messages(production, tenant)
    assert "https://" + tenant.slug + ".localhost/password/reset/" in body
    assert "http://" not in body
