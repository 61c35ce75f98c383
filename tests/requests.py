"""Requests to a studio's site and API from a test client, and reading what pages carry.

The platform's apex-host helpers are in `tests/platform/requests.py`, the browser's in `tests/browser/pages.py`.
"""

from __future__ import annotations

import re

from tests.factories import TEST_PASSWORD, person
from tests.running import host

OPERATOR = {"X-Operator-Token": "test-operator-token"}  # the suite's OPERATOR_TOKEN: /health's details


def bearer(tenant, token: str) -> dict:
    """Headers for an API call to the tenant with a bearer token."""
    return {**host(tenant), "Authorization": f"Bearer {token}"}


def wait_for_status(client, headers: dict, status: int, seconds: float = 1.0) -> float:
    """Poll until a page answers `status` (cache entries live TENANT_CACHE_SECONDS); return the wait."""
    import time

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get("/", headers=headers).status_code == status:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"status {status} not seen within {seconds}s")


# --- forms and sign-in --------------------------------------------------------------------------


def page_csrf(html: str) -> str:
    """The CSRF token of a rendered form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_token_from(client, tenant, path: str) -> str:
    """The CSRF token of the form on the tenant's page at `path`."""
    return page_csrf(client.get(path, headers=host(tenant)).get_data(as_text=True))


def post_form(client, tenant, form_path: str, data: dict, action: str | None = None):
    """POST a form the way a browser does: the CSRF token comes from the form's own page."""
    token = csrf_token_from(client, tenant, form_path)
    return client.post(action or form_path, headers=host(tenant), data={"csrf_token": token, **data})


def login(client, tenant, email: str, password: str = TEST_PASSWORD, remember: bool = False):
    """Sign in through the real form (CSRF token taken from the page)."""
    page = client.get("/login", headers=host(tenant)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", headers=host(tenant), data=data)


def staff_client(app, tenant, role_key: str = "manager"):
    """A test client signed in as a new person of `role_key`; returns (client, user id)."""
    user_id, email = person(app, tenant, role_key)
    client = app.test_client()
    assert login(client, tenant, email).status_code == 302
    return client, user_id


def person_headers(app, tenant, role_key: str = "member", **kwargs) -> tuple[dict, int]:
    """A new person of `role_key` and bearer headers with their API token; returns (headers, user id)."""
    user_id, email = person(app, tenant, role_key, **kwargs)
    return bearer(tenant, api_token(app.test_client(), tenant, email)["access_token"]), user_id


def api_token(client, tenant, email: str, password: str = TEST_PASSWORD) -> dict:
    """Exchange a person's password for API tokens (the /auth/token answer)."""
    response = client.post("/api/v1/auth/token", headers=host(tenant), json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- what pages and emails carry ----------------------------------------------------------------


def ticked(page: str) -> set[str]:
    """The permission codes whose checkbox is ticked on a rendered form."""
    return set(re.findall(r'name="permissions" value="([^"]+)" checked', page))


def set_password_path(body: str) -> str:
    """The path of the set-password link in an invitation email."""
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+)", body)
    assert match, body
    return match.group(1)
