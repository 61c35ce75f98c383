"""API keys: created on a page with chosen permissions, shown once, stored hashed, revoked at once."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from tests.factories import unique
from tests.requests import host, post_form
from tests.roles.factories import person

SECRET = re.compile(r'value="(nxp_[0-9a-f]{8}_[A-Za-z0-9_-]+)"')


def create_key(client, tenant, name: str, permissions: list[str]):
    """Create a key on the page; the POST redirects (303) to the page that reveals the secret once."""
    posted = post_form(client, tenant, "/settings/api-keys/new", {"name": name, "permissions": permissions})
    assert posted.status_code == 303, posted.get_data(as_text=True)
    response = client.get(posted.headers["Location"], headers=host(tenant))
    assert response.status_code == 200
    return response, SECRET.search(response.get_data(as_text=True)).group(1)


def test_the_secret_is_revealed_once_and_a_reload_makes_no_second_key(tenant_a, owner_client, raw_engine):
    name = unique("Reload")
    posted = post_form(owner_client, tenant_a, "/settings/api-keys/new", {"name": name, "permissions": ["roles:read"]})
    first = owner_client.get(posted.headers["Location"], headers=host(tenant_a)).get_data(as_text=True)
    again = owner_client.get(posted.headers["Location"], headers=host(tenant_a)).get_data(as_text=True)
    assert SECRET.search(first) and not SECRET.search(again) and "cannot be shown again" in again
    with raw_engine.connect() as conn:
        count = conn.execute(sa.text(f'SELECT count(*) FROM "{tenant_a.schema_name}".api_keys WHERE name = :n'),
                             {"n": name}).scalar_one()
    assert count == 1


def key_row(raw_engine, tenant, prefix: str) -> dict:
    with raw_engine.connect() as conn:
        row = conn.execute(sa.text(f'SELECT * FROM "{tenant.schema_name}".api_keys WHERE prefix = :p'),
                           {"p": prefix}).mappings().one()
    return dict(row)


def test_a_key_made_on_the_page_has_exactly_its_permissions(client, tenant_a, owner_client, raw_engine):
    name = unique("Website")
    page, secret = create_key(owner_client, tenant_a, name, ["roles:read"])
    prefix = secret.split("_")[1]
    assert "shown only this once" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert secret not in page.headers.get("Set-Cookie", "")  # rendered, never flashed into the session
    assert secret not in owner_client.get("/settings/api-keys", headers=host(tenant_a)).get_data(as_text=True)

    as_key = {**host(tenant_a), "Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/roles", headers=as_key).status_code == 200
    assert client.get("/api/v1/roles", headers={**host(tenant_a), "X-API-Key": secret}).status_code == 200
    assert client.post("/api/v1/roles", headers=as_key, json={"name": unique("K"), "level": 1}).status_code == 403
    assert client.get("/api/v1/permissions", headers=as_key).status_code == 200
    me = client.get("/api/v1/me", headers=as_key).get_json()
    assert me["kind"] == "api_key" and me["permissions"] == ["roles:read"]
    assert key_row(raw_engine, tenant_a, prefix)["last_used_at"] is not None


def test_the_secret_is_stored_only_as_a_sha256_hash(tenant_a, owner_client, raw_engine):
    _page, secret = create_key(owner_client, tenant_a, unique("Hash check"), ["classes:read"])
    row = key_row(raw_engine, tenant_a, secret.split("_")[1])
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    with raw_engine.connect() as conn:
        audit = conn.execute(sa.text(f'SELECT details::text FROM "{tenant_a.schema_name}".audit_log')).scalars().all()
    assert not any(secret in entry or secret.split("_", 2)[2] in entry for entry in audit)


def test_revoking_a_key_refuses_its_next_call(client, tenant_a, owner_client):
    _page, secret = create_key(owner_client, tenant_a, unique("Kiosk"), ["roles:read"])
    as_key = {**host(tenant_a), "Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/roles", headers=as_key).status_code == 200
    key_id = _key_id_for(owner_client.get("/settings/api-keys", headers=host(tenant_a)).get_data(as_text=True), secret)

    confirm_path = f"/settings/api-keys/{key_id}/revoke"
    assert "Type the key's name" in owner_client.get(confirm_path, headers=host(tenant_a)).get_data(as_text=True)
    mistyped = post_form(owner_client, tenant_a, confirm_path, {"confirm": "something else"})
    assert mistyped.status_code == 422 and "Nothing was revoked" in mistyped.get_data(as_text=True)
    assert client.get("/api/v1/roles", headers=as_key).status_code == 200  # still works
    name = re.search(r"<strong>([^<]+)</strong>, to confirm", mistyped.get_data(as_text=True)).group(1)
    revoked = post_form(owner_client, tenant_a, confirm_path, {"confirm": name.upper()})

    assert revoked.status_code == 302
    response = client.get("/api/v1/roles", headers=as_key)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    listing = owner_client.get("/settings/api-keys", headers=host(tenant_a)).get_data(as_text=True)
    row = listing[listing.index(f"nxp_{secret.split('_')[1]}_"):].split("</tr>")[0]
    assert "Revoked" in row and "/revoke" not in row


def _key_id_for(listing: str, secret: str) -> str:
    """The id in the revoke button of the row showing this key's prefix."""
    row = listing[listing.index(f"nxp_{secret.split('_')[1]}_"):].split("</tr>")[0]
    return re.search(r'href="/settings/api-keys/(\d+)/revoke"', row).group(1)


def test_the_list_shows_name_prefix_permissions_and_use(tenant_a, owner_client, client):
    name = unique("Listing")
    _page, secret = create_key(owner_client, tenant_a, name, ["classes:read", "roles:read"])
    client.get("/api/v1/roles", headers={**host(tenant_a), "X-API-Key": secret})
    page = owner_client.get("/settings/api-keys", headers=host(tenant_a)).get_data(as_text=True)
    row = page[page.index(f"<th scope=\"row\">{name}</th>"):].split("</tr>")[0]
    assert f"nxp_{secret.split('_')[1]}_" in row
    assert "classes:read" in row and "roles:read" in row and "Active" in row and "Never" not in row


def test_a_key_from_another_studio_is_refused(app, client, tenant_a, tenant_b):
    from tests.requests import login

    owner_b = app.test_client()
    login(owner_b, tenant_b, person(app, tenant_b, "owner"))
    _page, secret = create_key(owner_b, tenant_b, unique("Beta key"), ["roles:read"])
    assert client.get("/api/v1/roles", headers={**host(tenant_b), "X-API-Key": secret}).status_code == 200
    for header in ({"X-API-Key": secret}, {"Authorization": f"Bearer {secret}"}):
        assert client.get("/api/v1/roles", headers={**host(tenant_a), **header}).status_code == 401


def test_key_form_validation_keeps_ticks(tenant_a, owner_client):
    response = post_form(owner_client, tenant_a, "/settings/api-keys/new", {"name": "", "permissions": ["roles:read"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Name the key" in page and 'value="roles:read" checked' in page and "nxp_" not in page
    empty = post_form(owner_client, tenant_a, "/settings/api-keys/new", {"name": unique("Nothing")})
    assert empty.status_code == 422 and "Choose at least one permission." in empty.get_data(as_text=True)


def test_managers_cannot_see_or_make_keys(tenant_a, manager_client):
    assert manager_client.get("/settings/api-keys", headers=host(tenant_a)).status_code == 403
    assert manager_client.get("/settings/api-keys/new", headers=host(tenant_a)).status_code == 403


def test_api_keys_cannot_carry_more_than_their_creator_holds(app, tenant_a, owner_email, manager_email):
    from nexphys.api_keys.services import ApiKeyInvalid, issue_api_key
    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.tenancy.context import tenant_bound
    from nexphys.web.access import Principal

    with app.app_context(), tenant_bound(tenant_a):
        manager = db.session.scalar(sa.select(User).where(User.email == manager_email))
        actor = Principal("user", manager.id, manager.email, tenant_a.id, manager.role.level, manager.role.key,
                          frozenset(manager.role.permission_codes | {"api_keys:create"}))
        try:
            issue_api_key("Escalation", ["members:read", "roles:create"], actor)
        except ApiKeyInvalid as exc:
            assert exc.errors["permissions"] == ["You cannot give a key roles:create: you do not hold it yourself."]
        else:
            raise AssertionError("a manager gave a key a permission they do not hold")
        key, secret = issue_api_key("Fine", ["members:read"], actor)
        assert key.permissions == ["members:read"] and secret.startswith(f"nxp_{key.prefix}_")
        db.session.rollback()
