"""Requests to the platform on the apex host: the administrator's sign-in, API token and forms."""

from __future__ import annotations

from tests.factories import TEST_PASSWORD
from tests.requests import page_csrf

APEX = {"Host": "localhost"}
ADMIN_EMAIL = "root@platform.example.com"  # the `admin` fixture's administrator


def apex_csrf(client, path: str) -> str:
    """The CSRF token of the form on the apex page at `path`."""
    response = client.get(path, headers=APEX)
    assert response.status_code == 200, (path, response.status_code)
    return page_csrf(response.get_data(as_text=True))


def admin_login(client, email: str = ADMIN_EMAIL, password: str = TEST_PASSWORD, next_url: str | None = None):
    """Sign in through the platform's real form on the apex host."""
    data = {"csrf_token": apex_csrf(client, "/platform/login"), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/platform/login", headers=APEX, data=data)


def admin_token(client, email: str = ADMIN_EMAIL, password: str = TEST_PASSWORD) -> dict:
    """Headers for a platform API call with an administrator's fresh access token."""
    response = client.post("/api/v1/auth/token", headers=APEX, json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return {**APEX, "Authorization": f"Bearer {response.get_json()['access_token']}"}
