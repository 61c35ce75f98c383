"""Role permissions are cached per process: a change reaches this process at once and every other
process within the tenant cache's half second, both ways (granted and taken away)."""

from __future__ import annotations

import time

from tests.factories import make_user
from tests.requests import api_token, bearer


def _status_within(client, path: str, headers: dict, status: int, seconds: float = 1.5) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get(path, headers=headers).status_code == status:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"{path} did not answer {status} within {seconds}s")


def test_a_permission_change_reaches_every_process(app, app_factory, make_tenant):
    studio = make_tenant()
    this_process, other_process = app.test_client(), app_factory().test_client()
    owner = make_user(app, studio, "owner", full_name="Olive Owner")
    owner_api = bearer(studio, api_token(this_process, studio, _email(app, studio, owner))["access_token"])
    created = this_process.post("/api/v1/roles", headers=owner_api, json={
        "name": "Front desk", "level": 1, "permissions": ["members:read:own"]})
    assert created.status_code == 201, created.get_json()
    role = created.get_json()
    desk_user = make_user(app, studio, "member", full_name="Dee Desk")
    assert this_process.patch(f"/api/v1/members/{desk_user}", headers=owner_api,
                              json={"role": "front_desk"}).status_code in (200, 204), "role change refused"
    desk_api = bearer(studio, api_token(this_process, studio, _email(app, studio, desk_user))["access_token"])
    assert this_process.get("/api/v1/roles", headers=desk_api).status_code == 403
    assert other_process.get("/api/v1/roles", headers=desk_api).status_code == 403  # now cached there too

    granted = this_process.patch(f"/api/v1/roles/{role['id']}", headers=owner_api,
                                 json={"permissions": ["members:read:own", "roles:read"]})
    assert granted.status_code == 200, granted.get_json()
    assert this_process.get("/api/v1/roles", headers=desk_api).status_code == 200  # at once here
    assert _status_within(other_process, "/api/v1/roles", desk_api, 200) < 1.5

    taken = this_process.patch(f"/api/v1/roles/{role['id']}", headers=owner_api,
                               json={"permissions": ["members:read:own"]})
    assert taken.status_code == 200
    assert this_process.get("/api/v1/roles", headers=desk_api).status_code == 403
    assert _status_within(other_process, "/api/v1/roles", desk_api, 403) < 1.5


def _email(app, tenant, user_id: int) -> str:
    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        return db.session.get(User, user_id).email
