"""Errors answer HTML to browsers and problem+json to API clients; never a bare 500."""

from __future__ import annotations

from nexphys.web.access import public
from tests.requests import host


def test_browser_gets_an_html_404_on_the_studios_pages(client, tenant_a):
    response = client.get("/no-such-page", headers={**host(tenant_a), "Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Alpha Gym" in response.get_data(as_text=True)


def test_error_pages_speak_plainly_in_the_studios_chrome_with_its_menu(app, tenant_a):
    from tests.requests import staff_client

    member, _ = staff_client(app, tenant_a, "member")
    missing = member.get("/no-such-page", headers=host(tenant_a)).get_data(as_text=True)
    assert "We cannot find that page" in missing and "The requested URL was not found" not in missing
    assert 'href="/bookings"' in missing and "Go to your home page" in missing  # the person's menu is there
    refused = member.get("/schedule", headers=host(tenant_a))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "This page is not open to you" in page and "ask the studio" in page
    assert "You don't have the permission" not in page and 'href="/bookings"' in page
    # A view's own reason stays: it says more than any stock sentence.
    no_class = member.get("/classes/987654", headers=host(tenant_a)).get_data(as_text=True)
    assert "There is no such class." in no_class and "We cannot find that page" in no_class


def test_api_clients_get_problem_json(client, tenant_a):
    response = client.get("/api/v1/no-such-thing", headers=host(tenant_a))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and "type" in body


def test_json_accept_gets_problem_json_outside_the_api(client, tenant_a):
    response = client.get("/no-such-page", headers={**host(tenant_a), "Accept": "application/json"})
    assert response.mimetype == "application/problem+json"


def test_bad_week_is_a_400_not_a_500(client, tenant_a):
    response = client.get("/?week=not-a-date", headers=host(tenant_a))
    assert response.status_code == 400
    assert "week must be a date" in response.get_data(as_text=True)


def test_unexpected_errors_are_a_clean_500(app_factory, tenant_a):
    from flask import Blueprint

    from nexphys.tenancy.resolver import Scope, declare_scope

    broken_app = app_factory()
    boom = Blueprint("boom", __name__)

    @boom.get("/api/v1/boom")
    @public
    def explode():
        raise RuntimeError("internal detail that must not leak")

    broken_app.register_blueprint(boom)
    declare_scope(broken_app, "boom.*", Scope.ANY)
    response = broken_app.test_client().get("/api/v1/boom", headers=host(tenant_a))
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "internal detail" not in response.get_data(as_text=True)


def test_week_navigation_renders_other_weeks(client, tenant_a):
    response = client.get("/?week=2026-01-07", headers=host(tenant_a))
    assert response.status_code == 200
    assert "05 Jan 2026" in response.get_data(as_text=True)  # the Monday of that week
