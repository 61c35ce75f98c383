"""Security headers on every kind of answer: pages, API, errors, static files; the timetable's embed setting."""

from __future__ import annotations

import re

import pytest

from nexphys.studio import embedding
from nexphys.studio.embedding import EMBED_SETTING
from nexphys.web.access import public
from tests.factories import set_settings
from tests.requests import host, post_form, staff_client

STRICT = ("default-src 'self'; script-src 'self'; style-src 'self'{nonce}; img-src 'self' data:; "
          "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}")


def policy(nonce: str | None = None, ancestors: str = "'none'") -> str:
    return STRICT.format(nonce=f" 'nonce-{nonce}'" if nonce else "", ancestors=ancestors)


def assert_hardened(response, nonce: str | None = None, ancestors: str = "'none'") -> None:
    """Every security header, with the policy this answer should carry."""
    headers = response.headers
    assert headers["Content-Security-Policy"] == policy(nonce, ancestors)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"
    if ancestors == "'none'":
        assert headers["X-Frame-Options"] == "DENY"
    else:
        assert "X-Frame-Options" not in headers  # it cannot name origins: frame-ancestors decides
    assert "Strict-Transport-Security" not in headers  # plain HTTP outside production


def page_nonce(response) -> str:
    """The nonce of the page's one <style> element, which the policy must name."""
    html = response.get_data(as_text=True)
    nonces = re.findall(r'<style nonce="([^"]+)">', html)
    assert len(nonces) == 1, nonces
    assert "<script>" not in html and " style=" not in html  # nothing inline besides that element
    return nonces[0]


def test_a_page_has_every_header_and_its_own_style_nonce(client, tenant_a):
    first = client.get("/", headers=host(tenant_a))
    assert first.status_code == 200
    assert_hardened(first, page_nonce(first))
    second = client.get("/", headers=host(tenant_a))
    assert page_nonce(second) != page_nonce(first)  # one per request


def test_the_brand_colour_comes_in_the_nonced_style_element(client, tenant_a):
    html = client.get("/", headers=host(tenant_a)).get_data(as_text=True)
    assert re.search(r'<style nonce="[^"]+">body \{ --brand: #[0-9a-fA-F]{3,6}; \}</style>', html)


def test_api_answers_have_the_headers_without_a_nonce(client, tenant_a):
    answer = client.get("/api/v1/classes", headers=host(tenant_a))
    assert answer.status_code == 200 and answer.is_json
    assert_hardened(answer)
    assert_hardened(client.get("/api/v1/openapi.json", headers=host(tenant_a)))
    refused = client.get("/api/v1/members", headers=host(tenant_a))  # no token: a problem+json 401
    assert refused.status_code == 401
    assert_hardened(refused)


def test_a_404_page_and_a_404_problem(client, tenant_a):
    page = client.get("/no-such-page", headers={**host(tenant_a), "Accept": "text/html"})
    assert page.status_code == 404
    assert_hardened(page, page_nonce(page))
    assert_hardened(client.get("/api/v1/no-such-thing", headers=host(tenant_a)))


def test_the_503_page_of_a_studio_being_set_up(client, make_tenant):
    tenant = make_tenant(provision=False)
    response = client.get("/", headers=host(tenant))
    assert response.status_code == 503
    assert_hardened(response, page_nonce(response))


def test_a_500_page_and_a_500_problem(app_factory, tenant_a):
    from flask import Blueprint

    from nexphys.tenancy.resolver import Scope, declare_scope

    broken_app = app_factory()
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    @boom.get("/api/v1/boom")
    @public
    def explode():
        raise RuntimeError("unexpected")

    broken_app.register_blueprint(boom)
    declare_scope(broken_app, "boom.*", Scope.ANY)
    client = broken_app.test_client()
    page = client.get("/boom", headers={**host(tenant_a), "Accept": "text/html"})
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert_hardened(page, page_nonce(page))
    problem = client.get("/api/v1/boom", headers=host(tenant_a))
    assert problem.status_code == 500
    assert_hardened(problem)


@pytest.mark.parametrize("path", ["/static/css/nexphys.css", "/static/js/nexphys.js", "/static/img/favicon.svg"])
def test_static_files(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_hardened(response)


def test_health_answers_too(client):
    assert_hardened(client.get("/health/live"))


def test_the_embed_setting_opens_the_timetable_only(app, client, make_tenant):
    tenant = make_tenant()
    set_settings(app, tenant, **{EMBED_SETTING: ["https://www.studio-site.example", "https://blog.studio.example"]})
    timetable = client.get("/", headers=host(tenant))
    assert_hardened(timetable, page_nonce(timetable),
                    ancestors="'self' https://www.studio-site.example https://blog.studio.example")
    day = client.get("/?view=day", headers=host(tenant))
    assert "https://www.studio-site.example" in day.headers["Content-Security-Policy"]
    for path in ("/login", "/no-such-page"):  # every other page stays unframeable
        other = client.get(path, headers={**host(tenant), "Accept": "text/html"})
        assert_hardened(other, page_nonce(other))
    assert_hardened(client.get("/api/v1/openapi.json", headers=host(tenant)))


def test_the_embed_setting_defaults_to_no_site(client, tenant_a):
    assert embedding.framing_origins(None) == ()
    response = client.get("/", headers=host(tenant_a))
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_hand_edited_value_cannot_inject_into_the_policy(app, client, make_tenant):
    tenant = make_tenant()
    set_settings(app, tenant, **{EMBED_SETTING: ["https://ok.example", "https://x.example; script-src *", "*"]})
    csp = client.get("/", headers=host(tenant)).headers["Content-Security-Policy"]
    assert csp.endswith("frame-ancestors 'self' https://ok.example")


@pytest.mark.parametrize(("text", "origins"), [
    ("https://WWW.Studio.example/", ["https://www.studio.example"]),
    ("https://a.example\nhttps://b.example:8443, https://a.example:443", ["https://a.example", "https://b.example:8443"]),
    ("https://bücher.example", ["https://xn--bcher-kva.example"]),
    ("", []),
])
def test_origins_are_normalised(text, origins):
    assert embedding.clean(text) == origins


@pytest.mark.parametrize("text", ["http://studio.example", "https://studio.example/timetable", "https://*.studio.example",
                                  "studio.example", "https://studio.example;", "https://u:p@studio.example",
                                  "https://localhost", "https://203.0.113.7", "'self'", "https://a.example?x=1",
                                  " ".join(f"https://s{i}.example" for i in range(11))])
def test_anything_but_https_origins_is_refused(text):
    with pytest.raises(embedding.EmbedOriginsInvalid) as refused:
        embedding.clean(text)
    assert refused.value.errors["origins"]


def test_an_owner_saves_the_sites_and_the_timetable_follows(app, make_tenant):
    tenant = make_tenant()
    owner, _ = staff_client(app, tenant, "owner")
    bad = post_form(owner, tenant, "/settings/embedding", {"origins": "http://plain.example"})
    assert bad.status_code == 422 and "is not a site address" in bad.get_data(as_text=True)
    saved = post_form(owner, tenant, "/settings/embedding", {"origins": "https://site.example"})
    assert saved.status_code == 302
    page = owner.get("/settings/embedding", headers=host(tenant)).get_data(as_text=True)
    assert "https://site.example" in page and "&lt;iframe src=" in page
    assert owner.get("/timetable", headers=host(tenant)).headers["Content-Security-Policy"].endswith(
        "frame-ancestors 'self' https://site.example")
    # The settings page itself stays unframeable.
    assert owner.get("/settings/embedding", headers=host(tenant)).headers["X-Frame-Options"] == "DENY"


def test_managers_see_the_sites_but_cannot_change_them(app, make_tenant):
    tenant = make_tenant()
    manager, _ = staff_client(app, tenant, "manager")
    page = manager.get("/settings/embedding", headers=host(tenant))
    assert page.status_code == 200 and "Only owners can change" in page.get_data(as_text=True)
    assert post_form(manager, tenant, "/settings/embedding", {"origins": "https://site.example"}).status_code == 403
