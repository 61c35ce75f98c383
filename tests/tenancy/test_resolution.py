"""Which tenant a request reaches, by each source, with the documented precedence and answers."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers, MultiDict

from nexphys.tenancy.resolver import lookup_for_host, lookup_for_request
from nexphys.web.access import public
from tests.requests import host

BASE = "localhost"


@pytest.mark.parametrize("raw, expected", [
    ("localhost", (None, None)),
    ("localhost:5000", (None, None)),
    ("127.0.0.1:5000", (None, None)),
    ("[::1]:5000", (None, None)),
    ("www.localhost", (None, None)),
    ("gym-abc.localhost:5000", ("subdomain", "gym-abc")),
    ("GYM-ABC.LOCALHOST", ("subdomain", "gym-abc")),
    ("book.gymabc.com", ("custom", "book.gymabc.com")),
])
def test_lookup_for_host(raw, expected):
    lookup = lookup_for_host(raw, BASE)
    assert (lookup.kind, lookup.value) == expected


def _lookup(header=None, host_="localhost", query=None):
    headers = Headers({"X-Tenant-Domain": header} if header else {})
    return lookup_for_request(headers, host_, MultiDict({"tenant": query} if query else {}), BASE)


def test_precedence_header_then_host_then_query():
    assert _lookup(header="a-gym", host_="b-gym.localhost", query="c-gym").value == "a-gym"
    assert _lookup(header="a-gym.localhost", host_="b-gym.localhost").value == "a-gym"
    assert _lookup(host_="b-gym.localhost", query="c-gym").value == "b-gym"
    assert _lookup(query="c-gym").value == "c-gym"
    assert _lookup().is_apex
    assert _lookup(header="book.gymabc.com").kind == "custom"


def test_each_source_reaches_the_tenant(client, tenant_a):
    by_host = client.get("/", headers=host(tenant_a))
    by_header = client.get("/", headers={"X-Tenant-Domain": tenant_a.slug})
    by_header_domain = client.get("/", headers={"X-Tenant-Domain": f"{tenant_a.slug}.localhost"})
    by_query = client.get(f"/?tenant={tenant_a.slug}")
    for response in (by_host, by_header, by_header_domain, by_query):
        assert response.status_code == 200
        assert "Alpha Gym" in response.get_data(as_text=True)


def test_header_beats_host_and_host_beats_query(client, tenant_a, tenant_b):
    page = client.get("/", headers={**host(tenant_a), "X-Tenant-Domain": tenant_b.slug}).get_data(as_text=True)
    assert "Beta Studio" in page and "Alpha Gym" not in page
    page = client.get(f"/?tenant={tenant_b.slug}", headers=host(tenant_a)).get_data(as_text=True)
    assert "Alpha Gym" in page and "Beta Studio" not in page


def test_custom_domain(app, client, make_tenant):
    tenant = make_tenant(custom_domains=("book.example-gym.test",))
    response = client.get("/", headers={"Host": "book.example-gym.test"})
    assert response.status_code == 200
    assert tenant.name in response.get_data(as_text=True)
    # the subdomain still works too
    assert client.get("/", headers=host(tenant)).status_code == 200


def test_apex_serves_the_platform_landing(client, tenant_a):
    response = client.get("/", headers={"Host": "localhost:5000"})
    assert response.status_code == 200
    assert "nexphys" in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{"Host": "nobody-here.localhost"}, {"X-Tenant-Domain": "nobody-here"},
                                     {"Host": "unknown.example.org"}])
def test_unknown_tenant_is_404(client, headers):
    response = client.get("/", headers=headers)
    assert response.status_code == 404
    api = client.get("/api/v1/anything", headers=headers)
    assert api.status_code == 404
    assert api.mimetype == "application/problem+json"
    assert api.get_json()["type"] == "/problems/tenant-not-found"


def test_suspended_tenant_is_403(app, client, make_tenant):
    from nexphys.tenancy import services

    tenant = make_tenant()
    with app.app_context():
        services.suspend_tenant(tenant.slug)
    response = client.get("/", headers=host(tenant))
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True)
    with app.app_context():
        services.reactivate_tenant(tenant.slug)
    assert client.get("/", headers=host(tenant)).status_code == 200


def test_provisioning_tenant_is_503_with_retry_after(app, client, make_tenant):
    tenant = make_tenant(provision=False)
    response = client.get("/", headers=host(tenant))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    api = client.get("/api/v1/classes", headers=host(tenant))
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["type"] == "/problems/tenant-provisioning"


def test_failed_tenant_is_unavailable(app, client, make_tenant):
    from nexphys.tenancy import services

    tenant = make_tenant()
    with app.app_context():
        services.set_status(tenant.slug, "failed", "boom")
    assert client.get("/", headers=host(tenant)).status_code == 503


def test_archived_tenant_is_not_found(app, client, make_tenant):
    from nexphys.tenancy import services

    tenant = make_tenant()
    with app.app_context():
        services.set_status(tenant.slug, "archived")
    assert client.get("/", headers=host(tenant)).status_code == 404


def test_undeclared_routes_need_a_tenant_and_never_fall_back_to_public(app_factory, tenant_a):
    import sqlalchemy as sa
    from flask import Blueprint

    from nexphys.classes.models import ClassType
    from nexphys.extensions import db

    probe_app = app_factory()
    probe = Blueprint("probe", __name__)

    @probe.get("/probe")
    @public
    def count_class_types():
        return ",".join(db.session.scalars(sa.select(ClassType.name)))

    probe_app.register_blueprint(probe)
    client = probe_app.test_client()
    assert client.get("/probe", headers={"Host": "localhost"}).status_code == 404
    response = client.get("/probe", headers=host(tenant_a))
    assert response.status_code == 200 and "Alpha Only Kettlebells" in response.get_data(as_text=True)


def test_health_resolves_no_tenant_so_it_answers_on_any_host(client):
    assert client.get("/health/live", headers={"Host": "nobody-here.localhost"}).status_code == 200
