"""Members API: visibility by scope, invitations, profile and role changes, deactivation, errors."""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.api_keys.services import create_api_key
from nexphys.extensions import db
from tests.factories import audit_entries, email_for, load_user, make_user, outbox_for, person
from tests.requests import api_token, bearer, host
from tests.running import in_studio

PRIVATE = {"phone", "date_of_birth", "emergency_contact", "health_notes"}


def _auth(client, tenant, role_key="member", **kwargs) -> tuple[int, dict]:
    """A new person of `role_key` and bearer headers for them."""
    user_id, email = person(app_of(client), tenant, role_key, **kwargs)
    return user_id, bearer(tenant, api_token(client, tenant, email)["access_token"])


def app_of(client):
    return client.application


# --- reading ----------------------------------------------------------------------------------

def test_a_member_sees_only_themself(client, studio):
    me, headers = _auth(client, studio, "member")
    other, _ = person(app_of(client), studio, "member")
    listing = client.get("/api/v1/members", headers=headers)
    assert listing.status_code == 200
    body = listing.get_json()
    assert body["total"] == 1 and [m["id"] for m in body["items"]] == [me]
    assert set(body["items"][0]) >= PRIVATE  # their own private fields
    assert client.get(f"/api/v1/members/{me}", headers=headers).status_code == 200
    hidden = client.get(f"/api/v1/members/{other}", headers=headers)
    assert hidden.status_code == 404 and hidden.mimetype == "application/problem+json"
    assert client.get("/api/v1/members/999999", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/members/{other}", headers=headers, json={"full_name": "X"}).status_code == 404


def test_staff_see_everyone_with_private_fields(client, studio):
    _, headers = _auth(client, studio, "instructor")
    person(app_of(client), studio, "member", full_name="Visible Vole")
    body = client.get("/api/v1/members?search=visible vole", headers=headers).get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["full_name"] == "Visible Vole" and item["role"] == {"key": "member", "name": "Member", "level": 1}
    assert item["status"] == "active" and "created_at" in item and set(item) >= PRIVATE
    everyone = client.get("/api/v1/members?per_page=2&page=1", headers=headers).get_json()
    assert everyone["total"] > 2 and len(everyone["items"]) == 2 and everyone["pages"] >= 2
    assert client.get("/api/v1/members?status=gone", headers=headers).status_code == 422
    assert client.get("/api/v1/members?page=x", headers=headers).status_code == 400


def test_signed_out_callers_get_401(client, studio):
    response = client.get("/api/v1/members", headers=host(studio))
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_token_from_another_studio_is_refused(app, client, tenant_a, tenant_b):
    email = email_for("cross")
    make_user(app, tenant_b, "owner", email)
    token = api_token(client, tenant_b, email)["access_token"]
    assert client.get("/api/v1/members", headers=bearer(tenant_b, token)).status_code == 200
    assert client.get("/api/v1/members", headers=bearer(tenant_a, token)).status_code == 401
    member_a = make_user(app, tenant_a, "member", email_for("target"))
    assert client.get(f"/api/v1/members/{member_a}", headers=bearer(tenant_a, token)).status_code == 401


# --- inviting -----------------------------------------------------------------------------------

def test_create_invites_and_answers_201_with_location(client, studio):
    _, headers = _auth(client, studio, "manager")
    email = email_for("api-invite")
    response = client.post("/api/v1/members", headers=headers, json={"email": email, "full_name": "Api Invitee"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "invited" and body["role"]["key"] == "member" and body["email"] == email
    assert response.headers["Location"].endswith(f"/api/v1/members/{body['id']}")
    assert client.get(response.headers["Location"], headers=headers).get_json()["id"] == body["id"]
    [mail] = outbox_for(app_of(client), studio, email)
    assert "/password/reset/" in mail["body"]


def test_create_validation_conflict_and_content_type(client, studio):
    _, headers = _auth(client, studio, "manager")
    missing = client.post("/api/v1/members", headers=headers, json={"email": ""})
    assert missing.status_code == 422 and missing.mimetype == "application/problem+json"
    assert set(missing.get_json()["errors"]) == {"email", "full_name"}
    bad = client.post("/api/v1/members", headers=headers,
                      json={"email": "not-an-email", "full_name": "x" * 121, "role": "wizard"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"email", "full_name", "role"}
    typed = client.post("/api/v1/members", headers=headers, json={"email": ["a@b.com"], "full_name": 5})
    assert typed.status_code == 422 and set(typed.get_json()["errors"]) == {"email", "full_name"}
    _, taken = person(app_of(client), studio, "member")
    duplicate = client.post("/api/v1/members", headers=headers, json={"email": taken.upper(), "full_name": "Again"})
    assert duplicate.status_code == 409 and "already uses" in duplicate.get_json()["detail"]
    above = client.post("/api/v1/members", headers=headers,
                        json={"email": email_for("boss"), "full_name": "Boss", "role": "owner"})
    assert above.status_code == 403
    form = client.post("/api/v1/members", headers=headers, data={"email": "a@b.com", "full_name": "Form"})
    assert form.status_code == 415
    broken = client.post("/api/v1/members", headers={**headers, "Content-Type": "application/json"}, data="{nope")
    assert broken.status_code == 400
    _, member_headers = _auth(client, studio, "member")
    assert client.post("/api/v1/members", headers=member_headers,
                       json={"email": email_for("x"), "full_name": "X"}).status_code == 403


def test_an_api_key_acts_at_manager_level(app, client, studio):
    with in_studio(app, studio):
        _, secret = create_api_key("Front desk", ["members:read", "members:create"], None)
        db.session.commit()
    headers = {**host(studio), "X-API-Key": secret}
    assert client.get("/api/v1/members", headers=headers).status_code == 200
    email = email_for("kiosk")
    created = client.post("/api/v1/members", headers=headers, json={"email": email, "full_name": "Kiosk Signup"})
    assert created.status_code == 201
    [mail] = outbox_for(app, studio, email)
    assert "The Members Test Studio team invited you" in mail["body"]
    assert client.post("/api/v1/members", headers=headers,
                       json={"email": email_for("k"), "full_name": "K", "role": "manager"}).status_code == 403
    [entry] = audit_entries(app, studio, "member.invited", f"user:{created.get_json()['id']}")
    assert entry["actor"] == "api-key:Front desk" and entry["actor_user_id"] is None


# --- updating ---------------------------------------------------------------------------------

def test_a_member_patches_their_own_profile(app, client, studio, raw_engine):
    me, headers = _auth(client, studio, "member")
    response = client.patch(f"/api/v1/members/{me}", headers=headers,
                            json={"full_name": "Patched Name", "phone": "+44 7700 900123",
                                  "date_of_birth": "1988-07-09", "health_notes": "Pregnant, 20 weeks"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["full_name"] == "Patched Name" and body["phone"] == "+44 7700 900123"
    assert body["date_of_birth"] == "1988-07-09" and body["health_notes"] == "Pregnant, 20 weeks"
    # echoing back what was read (read-only fields included) is accepted and changes nothing
    assert client.patch(f"/api/v1/members/{me}", headers=headers, json=body).status_code == 200
    # encrypted at rest: the raw column holds a versioned ciphertext, never the plaintext
    with raw_engine.connect() as conn:
        row = conn.execute(sa.text(f'SELECT phone, health_notes FROM "{studio.schema_name}".users WHERE id = :id'),
                           {"id": me}).one()
    for stored, plain in zip(row, ("+44 7700 900123", "Pregnant, 20 weeks"), strict=True):
        assert stored.startswith("v1.") and plain not in stored and "900123" not in stored
    [entry] = audit_entries(app, studio, "member.updated", f"user:{me}")
    assert entry["details"] == {"fields": ["full_name", "phone", "date_of_birth", "health_notes"]}


def test_patch_validation_errors(client, studio):
    me, headers = _auth(client, studio, "member")
    response = client.patch(f"/api/v1/members/{me}", headers=headers,
                            json={"full_name": "", "phone": "12", "date_of_birth": "2999-01-01",
                                  "emergency_contact": 42, "favourite_colour": "blue"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"favourite_colour"}  # unknown fields first
    response = client.patch(f"/api/v1/members/{me}", headers=headers,
                            json={"full_name": "", "phone": "12", "date_of_birth": "2999-01-01",
                                  "emergency_contact": 42})
    errors = response.get_json()["errors"]
    assert response.status_code == 422
    assert set(errors) == {"full_name", "phone", "date_of_birth", "emergency_contact"}
    assert errors["date_of_birth"] == ["The date of birth must be in the past."]
    assert client.patch(f"/api/v1/members/{me}", headers=headers,
                        json={"date_of_birth": "09/07/1988"}).status_code == 422
    assert client.patch(f"/api/v1/members/{me}", headers=headers, data="x").status_code == 415


def test_role_changes_through_the_api(app, client, make_tenant):
    tenant = make_tenant()
    owner_id, owner_headers = _auth(client, tenant, "owner")
    member_id, member_headers = _auth(client, tenant, "member")
    _, manager_headers = _auth(client, tenant, "manager")
    assert client.patch(f"/api/v1/members/{member_id}", headers=member_headers,
                        json={"role": "owner"}).status_code == 403  # not even for themself
    assert client.patch(f"/api/v1/members/{member_id}", headers=manager_headers,
                        json={"role": "premium_member"}).status_code == 403  # no roles:update
    assert client.patch(f"/api/v1/members/{owner_id}", headers=manager_headers,
                        json={"full_name": "Demoted"}).status_code == 403  # nobody edits people above them
    made = client.patch(f"/api/v1/members/{member_id}", headers=owner_headers, json={"role": "owner"})
    assert made.status_code == 200 and made.get_json()["role"]["key"] == "owner"
    assert client.patch(f"/api/v1/members/{member_id}", headers=owner_headers,
                        json={"role": "nope"}).status_code == 422
    # two owners now: one may step down, and then the other is the last
    assert client.patch(f"/api/v1/members/{owner_id}", headers=owner_headers,
                        json={"role": {"key": "manager"}}).status_code == 200
    new_owner_headers = bearer(tenant, api_token(client, tenant, load_user(app, tenant, member_id)["email"])[
        "access_token"])
    last = client.patch(f"/api/v1/members/{member_id}", headers=new_owner_headers, json={"role": "member"})
    assert last.status_code == 409 and "last active owner" in last.get_json()["detail"]
    assert load_user(app, tenant, member_id)["role"] == "owner"


# --- deactivating -----------------------------------------------------------------------------

def test_delete_deactivates_and_their_tokens_stop_working(client, studio):
    me, manager_headers = _auth(client, studio, "manager")
    target, target_headers = _auth(client, studio, "member")
    assert client.get("/api/v1/me", headers=target_headers).status_code == 200
    assert client.delete(f"/api/v1/members/{target}", headers=manager_headers).status_code == 204
    assert client.get(f"/api/v1/members/{target}", headers=manager_headers).get_json()["status"] == "inactive"
    assert client.get("/api/v1/me", headers=target_headers).status_code == 401
    assert client.delete(f"/api/v1/members/{target}", headers=manager_headers).status_code == 204  # idempotent
    assert client.delete(f"/api/v1/members/{me}", headers=manager_headers).status_code == 403  # not yourself
    owner, _ = person(app_of(client), studio, "owner")
    assert client.delete(f"/api/v1/members/{owner}", headers=manager_headers).status_code == 403
    _, instructor_headers = _auth(client, studio, "instructor")
    assert client.delete(f"/api/v1/members/{owner}", headers=instructor_headers).status_code == 403
    assert client.delete("/api/v1/members/999999", headers=manager_headers).status_code == 404


def test_openapi_describes_the_members_endpoints(client, studio):
    doc = client.get("/api/v1/openapi.json", headers=host(studio)).get_json()
    item = doc["paths"]["/api/v1/members/{id}"]
    assert set(item) >= {"get", "patch", "delete"}
    assert item["delete"]["x-permission"] == "members:delete" and item["delete"]["summary"].startswith("Deactivate")
    assert doc["paths"]["/api/v1/members"]["post"]["summary"].startswith("Invite")
