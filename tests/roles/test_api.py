"""Roles API: /api/v1/roles and /api/v1/permissions, with the statuses of the contract."""

from __future__ import annotations

import pytest

from nexphys.roles.catalog import ALL_CODES, PERMISSIONS
from tests.factories import make_user, unique
from tests.requests import api_token, bearer, host
from tests.roles.factories import person, role_id


@pytest.fixture
def owner_api(client, app, tenant_a):
    return bearer(tenant_a, api_token(client, tenant_a, person(app, tenant_a, "owner"))["access_token"])


@pytest.fixture
def manager_api(client, app, tenant_a):
    return bearer(tenant_a, api_token(client, tenant_a, person(app, tenant_a, "manager"))["access_token"])


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_list_roles_with_permissions_and_member_counts(client, app, tenant_a, owner_api):
    make_user(app, tenant_a, "instructor")
    response = client.get("/api/v1/roles", headers=owner_api)
    assert response.status_code == 200
    roles = {r["key"]: r for r in response.get_json()["items"]}
    assert {"member", "premium_member", "instructor", "manager", "owner"} <= set(roles)
    owner = roles["owner"]
    assert owner["level"] == 4 and owner["is_system"] is True and set(owner["permissions"]) == set(ALL_CODES)
    assert owner["member_count"] >= 1 and roles["instructor"]["member_count"] >= 1
    assert set(owner) >= {"id", "key", "name", "level", "is_system", "permissions", "member_count"}


def test_the_permission_catalogue(client, tenant_a, manager_api):
    response = client.get("/api/v1/permissions", headers=manager_api)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["code"] for i in items] == ALL_CODES
    own = next(i for i in items if i["code"] == "bookings:read:own")
    assert own == {"code": "bookings:read:own", "resource": "bookings", "action": "read", "condition": "own",
                   "description": next(d for r, a, c, d in PERMISSIONS if (r, a, c) == ("bookings", "read", "own"))}


def test_crud(client, tenant_a, owner_api):
    name = unique("Integrator")
    created = client.post("/api/v1/roles", headers=owner_api,
                          json={"name": name, "level": 2, "permissions": ["members:read", "classes:read"]})
    assert created.status_code == 201
    body = created.get_json()
    assert created.headers["Location"] == f"/api/v1/roles/{body['id']}"
    assert (body["name"], body["level"], body["is_system"], body["member_count"]) == (name, 2, False, 0)
    assert body["permissions"] == ["members:read", "classes:read"]

    fetched = client.get(created.headers["Location"], headers=owner_api)
    assert fetched.status_code == 200 and fetched.get_json() == body

    changed = client.patch(created.headers["Location"], headers=owner_api,
                           json={"level": 3, "permissions": ["classes:read", "bookings:read"]})
    assert changed.status_code == 200
    assert (changed.get_json()["name"], changed.get_json()["level"]) == (name, 3)
    assert changed.get_json()["permissions"] == ["classes:read", "bookings:read"]
    # a client may send back what it read: read-only fields are ignored
    echoed = client.patch(created.headers["Location"], headers=owner_api,
                          json={**changed.get_json(), "name": name + "!"})
    assert echoed.status_code == 200 and echoed.get_json()["name"] == name + "!"

    assert client.delete(created.headers["Location"], headers=owner_api).status_code == 204
    problem(client.get(created.headers["Location"], headers=owner_api), 404)


def test_not_allowed_is_403(client, app, tenant_a, owner_api, manager_api):
    problem(client.post("/api/v1/roles", headers=manager_api, json={"name": unique("X"), "level": 1}), 403)
    problem(client.delete(f"/api/v1/roles/{role_id(app, tenant_a, 'member')}", headers=manager_api), 403)
    owner_role = f"/api/v1/roles/{role_id(app, tenant_a, 'owner')}"
    body = problem(client.patch(owner_role, headers=owner_api, json={"permissions": ["members:read"]}), 403)
    assert "cannot be reduced" in body["detail"]
    problem(client.patch(owner_role, headers=owner_api, json={"name": "Boss"}), 403)
    assert set(client.get(owner_role, headers=owner_api).get_json()["permissions"]) == set(ALL_CODES)
    problem(client.delete(f"/api/v1/roles/{role_id(app, tenant_a, 'manager')}", headers=owner_api), 403)


def test_unknown_roles_are_404(client, tenant_a, owner_api):
    for method in ("get", "patch", "delete"):
        problem(getattr(client, method)("/api/v1/roles/999999", headers=owner_api, json={"name": "x"}), 404)


def test_a_held_role_is_409(client, app, tenant_a, owner_api):
    created = client.post("/api/v1/roles", headers=owner_api, json={"name": unique("Held"), "level": 1}).get_json()
    make_user(app, tenant_a, created["key"])
    body = problem(client.delete(f"/api/v1/roles/{created['id']}", headers=owner_api), 409)
    assert "1 person holds" in body["detail"]
    assert client.get(f"/api/v1/roles/{created['id']}", headers=owner_api).get_json()["member_count"] == 1


@pytest.mark.parametrize(("payload", "field"), [
    ({"level": 1}, "name"),
    ({"name": "Lvl"}, "level"),
    ({"name": "Lvl", "level": 4}, "level"),
    ({"name": "Lvl", "level": "high"}, "level"),
    ({"name": "Lvl", "level": True}, "level"),
    ({"name": "Lvl", "level": 1, "permissions": ["members:fly"]}, "permissions"),
    ({"name": "Lvl", "level": 1, "permissions": "members:read"}, "permissions"),
    ({"name": "Lvl", "level": 1, "colour": "red"}, "colour"),
    ({"name": "Owner", "level": 1}, "name"),
    ({"name": "x" * 81, "level": 1}, "name"),
    ({"name": "Lvl", "level": 1, "key": "Not A Key"}, "key"),
    ({"name": "Lvl", "level": 1, "key": "owner"}, "key"),
])
def test_invalid_roles_are_422_with_field_errors(client, tenant_a, owner_api, payload, field):
    body = problem(client.post("/api/v1/roles", headers=owner_api, json=payload), 422)
    assert field in body["errors"] and all(isinstance(m, str) for m in body["errors"][field])


def test_invalid_patch_is_422_and_changes_nothing(client, tenant_a, owner_api):
    created = client.post("/api/v1/roles", headers=owner_api, json={"name": unique("Keep"), "level": 1,
                                                                     "permissions": ["classes:read"]}).get_json()
    url = f"/api/v1/roles/{created['id']}"
    body = problem(client.patch(url, headers=owner_api, json={"name": "renamed", "level": 4}), 422)
    assert list(body["errors"]) == ["level"]
    assert client.get(url, headers=owner_api).get_json() == created


def test_wrong_content_type_is_415_and_bad_json_400(client, tenant_a, owner_api):
    problem(client.post("/api/v1/roles", headers=owner_api, data={"name": "Form", "level": "1"}), 415)
    problem(client.post("/api/v1/roles", headers={**owner_api, "Content-Type": "application/json"}, data="{nope"), 400)
    problem(client.post("/api/v1/roles", headers={**owner_api, "Content-Type": "application/json"}, data="[1]"), 400)


def test_the_api_needs_credentials(client, tenant_a):
    problem(client.get("/api/v1/roles", headers=host(tenant_a)), 401)
    problem(client.get("/api/v1/roles", headers=bearer(tenant_a, "not-a-token")), 401)


def test_a_token_of_another_studio_is_refused(client, app, tenant_a, tenant_b):
    token = api_token(client, tenant_b, person(app, tenant_b, "owner"))["access_token"]
    problem(client.get("/api/v1/roles", headers=bearer(tenant_a, token)), 401)


def test_the_openapi_document_describes_the_role_routes(client, tenant_a):
    paths = client.get("/api/v1/openapi.json", headers=host(tenant_a)).get_json()["paths"]
    assert set(paths["/api/v1/roles/{role_id}"]) == {"get", "patch", "delete"}
    assert paths["/api/v1/roles"]["post"]["x-permission"] == "roles:create"
    assert paths["/api/v1/permissions"]["get"]["summary"].startswith("The permission catalogue")
