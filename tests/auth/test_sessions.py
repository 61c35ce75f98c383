"""Sessions: a fresh one at each sign-in, ended everywhere by a password or role change or on request,
and signed out after the studio's idle and absolute lifetimes (real app, database and Redis)."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from flask_login.utils import encode_cookie

from nexphys.audit.models import AuditEntry
from nexphys.extensions import db
from nexphys.tenancy.context import tenant_bound
from tests.factories import TEST_PASSWORD, password_hash, person, set_settings
from tests.platform.requests import APEX, admin_login
from tests.requests import api_token, bearer, csrf_token_from, host, login, page_csrf, post_form

NEW_PASSWORD = "a brand new long secret"
DAY = 86400


def _site(tenant) -> str:
    return f"http://{tenant.slug}.localhost"


def _me(client, tenant) -> int:
    return client.get("/api/v1/me", headers=host(tenant)).status_code


def _token_works(client, tenant, pair: dict) -> tuple[int, int]:
    """(status of /me with the access token, status of a refresh with the refresh token)."""
    access = client.get("/api/v1/me", headers=bearer(tenant, pair["access_token"])).status_code
    refresh = client.post("/api/v1/auth/refresh", headers=host(tenant),
                          json={"refresh_token": pair["refresh_token"]}).status_code
    return access, refresh


def _signed_in(app, tenant, email: str, remember: bool = False):
    client = app.test_client()
    assert login(client, tenant, email, remember=remember).status_code == 302
    return client


def _session(client, tenant) -> dict:
    with client.session_transaction(base_url=_site(tenant)) as session:
        return dict(session)


def _move_session(client, tenant, seen_ago: int | None = None, started_ago: int | None = None) -> None:
    """Age this browser's session as if time had passed (the cookie is re-signed with the app's key)."""
    now = int(time.time())
    with client.session_transaction(base_url=_site(tenant)) as session:
        if seen_ago is not None:
            session["_nx_seen"] = now - seen_ago
        if started_ago is not None:
            parts = session["_user_id"].split(":")
            parts[-1] = str(now - started_ago)
            session["_user_id"] = ":".join(parts)


def _audited(app, tenant, action: str, target: str) -> list[AuditEntry]:
    with app.app_context(), tenant_bound(tenant):
        return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action,
                                                                   AuditEntry.target == target)))


# --- no fixation ------------------------------------------------------------------------------------

def test_a_cookie_from_before_sign_in_never_carries_the_sign_in(app, tenant_a):
    _uid, email = person(app, tenant_a, "member", "fixation")
    client = app.test_client()
    page = client.get("/login", headers=host(tenant_a)).get_data(as_text=True)
    before_cookie = client.get_cookie("session", domain=f"{tenant_a.slug}.localhost").value
    before = _session(client, tenant_a)
    assert before  # the anonymous session holds the form's CSRF secret
    data = {"csrf_token": page_csrf(page), "email": email, "password": TEST_PASSWORD}
    assert client.post("/login", headers=host(tenant_a), data=data).status_code == 302

    after = _session(client, tenant_a)
    assert "_user_id" in after
    assert not [key for key in before if after.get(key) == before[key]]  # nothing of the old session is left
    planted = app.test_client()  # the cookie an attacker captured or planted before the sign-in
    planted.set_cookie("session", before_cookie, domain=f"{tenant_a.slug}.localhost")
    assert _me(planted, tenant_a) == 401
    stale_form = client.post("/password/forgot", headers=host(tenant_a),
                             data={"csrf_token": page_csrf(page), "email": email})
    assert stale_form.status_code == 400  # the pre-sign-in CSRF token is dead too


def test_an_earlier_remember_cookie_does_not_outlive_the_next_sign_in(app, tenant_a):
    _a, first = person(app, tenant_a, "member", "first-person")
    _b, second = person(app, tenant_a, "member", "second-person")
    client = _signed_in(app, tenant_a, first, remember=True)
    assert client.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost") is not None
    login(client, tenant_a, second)  # someone else signs in on this browser, without "keep me signed in"
    assert client.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost") is None


def test_keep_me_signed_in_lasts_beyond_one_request_and_sign_out_ends_it(app, tenant_a):
    _uid, email = person(app, tenant_a, "member", "remembered")
    client = _signed_in(app, tenant_a, email, remember=True)
    cookie = client.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost").value
    reopened = app.test_client()  # the browser was closed: only the remember cookie is left
    reopened.set_cookie("remember_token", cookie, domain=f"{tenant_a.slug}.localhost")
    assert [_me(reopened, tenant_a) for _ in range(3)] == [200, 200, 200]
    home = client.get("/", headers=host(tenant_a)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    client.post("/logout", headers=host(tenant_a), data={"csrf_token": token})
    assert client.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost") is None
    assert _me(client, tenant_a) == 401


# --- a password or role change ends the person's other sessions and tokens --------------------------

def test_changing_the_password_ends_every_other_session_and_token(app, tenant_a):
    _uid, email = person(app, tenant_a, "member", "changer")
    here = _signed_in(app, tenant_a, email, remember=True)
    elsewhere = _signed_in(app, tenant_a, email)
    pair = api_token(app.test_client(), tenant_a, email)
    assert _me(elsewhere, tenant_a) == 200 and _token_works(app.test_client(), tenant_a, pair)[0] == 200

    wrong = post_form(here, tenant_a, "/account/password", {"current": "not it", "password": NEW_PASSWORD,
                                                             "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    done = post_form(here, tenant_a, "/account/password", {"current": TEST_PASSWORD, "password": NEW_PASSWORD,
                                                            "confirm": NEW_PASSWORD})
    assert done.status_code == 302

    assert _me(here, tenant_a) == 200  # the session that changed it goes on
    assert _me(elsewhere, tenant_a) == 401
    assert _token_works(app.test_client(), tenant_a, pair) == (401, 401)
    remembered = app.test_client()  # this browser's remember cookie was re-issued, so it still works
    remembered.set_cookie("remember_token", here.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost")
                          .value, domain=f"{tenant_a.slug}.localhost")
    assert _me(remembered, tenant_a) == 200
    assert login(app.test_client(), tenant_a, email, NEW_PASSWORD).status_code == 302


def test_a_password_reset_ends_every_session_and_token(app, tenant_a):
    from nexphys.auth.services import password_token
    from nexphys.members.models import User
    from tests.running import in_studio

    user_id, email = person(app, tenant_a, "member", "resetter")
    elsewhere = _signed_in(app, tenant_a, email)
    pair = api_token(app.test_client(), tenant_a, email)
    with in_studio(app, tenant_a):
        path = f"/password/reset/{password_token(db.session.get(User, user_id))}"
    browser = app.test_client()
    done = post_form(browser, tenant_a, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    page = elsewhere.get("/", headers=host(tenant_a)).get_data(as_text=True)
    assert "You were signed out on this device" in page
    assert _me(browser, tenant_a) == 200 and _me(elsewhere, tenant_a) == 401
    assert _token_works(app.test_client(), tenant_a, pair) == (401, 401)


def test_a_role_change_ends_the_persons_sessions_and_tokens(app, tenant_a):
    member_id, member_email = person(app, tenant_a, "member", "promoted")
    _oid, owner_email = person(app, tenant_a, "owner", "promoter")
    member = _signed_in(app, tenant_a, member_email)
    pair = api_token(app.test_client(), tenant_a, member_email)
    owner = _signed_in(app, tenant_a, owner_email)
    changed = post_form(owner, tenant_a, f"/members/{member_id}", {"role": "premium_member"},
                        action=f"/members/{member_id}/role")
    assert changed.status_code == 302
    assert _me(member, tenant_a) == 401
    assert _token_works(app.test_client(), tenant_a, pair) == (401, 401)
    assert _me(owner, tenant_a) == 200


def test_changing_ones_own_role_keeps_the_session_or_token_that_did_it(app, tenant_a):
    owner_id, email = person(app, tenant_a, "owner", "self-demoter")
    person(app, tenant_a, "owner", "remaining-owner")  # so the studio keeps an owner
    here = _signed_in(app, tenant_a, email)
    other_browser = _signed_in(app, tenant_a, email)
    caller, other_app = api_token(app.test_client(), tenant_a, email), api_token(app.test_client(), tenant_a, email)
    response = app.test_client().patch(f"/api/v1/members/{owner_id}", headers=bearer(tenant_a, caller["access_token"]),
                                       json={"role": "manager"})
    assert response.status_code == 200, response.get_json()
    assert _token_works(app.test_client(), tenant_a, caller)[0] == 200  # the token that made the change
    assert _token_works(app.test_client(), tenant_a, other_app) == (401, 401)
    assert _me(here, tenant_a) == _me(other_browser, tenant_a) == 401  # sessions are "other" here

    web_owner_id, web_email = person(app, tenant_a, "owner", "web-self-demoter")
    here, other_browser = _signed_in(app, tenant_a, web_email), _signed_in(app, tenant_a, web_email)
    changed = post_form(here, tenant_a, f"/members/{web_owner_id}", {"role": "manager"},
                        action=f"/members/{web_owner_id}/role")
    assert changed.status_code == 302
    assert _me(here, tenant_a) == 200 and _me(other_browser, tenant_a) == 401


def test_deactivation_ends_refresh_tokens_too(app, tenant_a):
    member_id, email = person(app, tenant_a, "member", "leaver")
    _mid, manager_email = person(app, tenant_a, "manager", "deactivator")
    pair = api_token(app.test_client(), tenant_a, email)
    manager = _signed_in(app, tenant_a, manager_email)
    done = post_form(manager, tenant_a, f"/members/{member_id}/deactivate", {})
    assert done.status_code == 302
    assert _token_works(app.test_client(), tenant_a, pair) == (401, 401)


# --- sign out everywhere ------------------------------------------------------------------------------

def test_sign_out_everywhere_from_ones_profile(app, tenant_a):
    user_id, email = person(app, tenant_a, "member", "everywhere")
    here, elsewhere = _signed_in(app, tenant_a, email), _signed_in(app, tenant_a, email)
    pair = api_token(app.test_client(), tenant_a, email)
    profile = here.get("/profile", headers=host(tenant_a)).get_data(as_text=True)
    assert "/account/sign-out-everywhere" in profile
    question = here.get("/account/sign-out-everywhere", headers=host(tenant_a))
    assert question.status_code == 200 and "Sign out everywhere?" in question.get_data(as_text=True)
    token = page_csrf(question.get_data(as_text=True))
    bare = here.post("/account/sign-out-everywhere", headers=host(tenant_a), data={"csrf_token": token})
    assert bare.status_code == 422 and _me(here, tenant_a) == 200  # only the confirmation button does it

    done = here.post("/account/sign-out-everywhere", headers=host(tenant_a),
                     data={"csrf_token": token, "confirm": "Yes, sign out everywhere"})
    assert done.status_code == 302 and done.headers["Location"].startswith("/login")
    assert _me(here, tenant_a) == _me(elsewhere, tenant_a) == 401
    assert _token_works(app.test_client(), tenant_a, pair) == (401, 401)
    assert _audited(app, tenant_a, "auth.signed_out_everywhere", f"user:{user_id}")


def test_staff_sign_a_member_out_everywhere_from_the_member_page(app, tenant_a):
    member_id, member_email = person(app, tenant_a, "member", "lost-phone")
    _mid, manager_email = person(app, tenant_a, "manager", "front-desk")
    owner_id, _owner_email = person(app, tenant_a, "owner", "boss")
    member = _signed_in(app, tenant_a, member_email)
    manager = _signed_in(app, tenant_a, manager_email)
    detail = manager.get(f"/members/{member_id}", headers=host(tenant_a)).get_data(as_text=True)
    assert f"/members/{member_id}/sign-out-everywhere" in detail
    done = post_form(manager, tenant_a, f"/members/{member_id}/sign-out-everywhere",
                     {"confirm": "Yes, sign out everywhere"})
    assert done.status_code == 302
    assert _me(member, tenant_a) == 401 and _me(manager, tenant_a) == 200
    entry, = _audited(app, tenant_a, "auth.signed_out_everywhere", f"user:{member_id}")
    assert entry.actor == manager_email and entry.details["by"] == "staff"

    assert manager.get(f"/members/{owner_id}/sign-out-everywhere", headers=host(tenant_a)).status_code == 403
    member = _signed_in(app, tenant_a, member_email)
    assert member.get(f"/members/{owner_id}/sign-out-everywhere", headers=host(tenant_a)).status_code == 404


def test_sign_out_everywhere_by_api(app, tenant_a):
    _uid, email = person(app, tenant_a, "member", "api-everywhere")
    browser = _signed_in(app, tenant_a, email)
    caller, other = api_token(app.test_client(), tenant_a, email), api_token(app.test_client(), tenant_a, email)
    client = app.test_client()
    response = client.post("/api/v1/me/sign-out-everywhere", headers=bearer(tenant_a, caller["access_token"]))
    assert response.status_code == 204
    assert _token_works(client, tenant_a, caller) == (401, 401)
    assert _token_works(client, tenant_a, other) == (401, 401)
    assert _me(browser, tenant_a) == 401

    member_id, member_email = person(app, tenant_a, "member", "api-target")
    _mid, manager_email = person(app, tenant_a, "manager", "api-staff")
    target = api_token(client, tenant_a, member_email)
    staff = api_token(client, tenant_a, manager_email)["access_token"]
    response = client.post(f"/api/v1/members/{member_id}/sign-out-everywhere", headers=bearer(tenant_a, staff))
    assert response.status_code == 204
    assert _token_works(client, tenant_a, target) == (401, 401)
    assert client.get("/api/v1/me", headers=bearer(tenant_a, staff)).status_code == 200
    mine = api_token(client, tenant_a, member_email)["access_token"]
    refused = client.post(f"/api/v1/members/{member_id + 10**6}/sign-out-everywhere", headers=bearer(tenant_a, mine))
    assert refused.status_code == 404


# --- idle and absolute lifetimes -------------------------------------------------------------------

def test_an_idle_session_is_signed_out_with_a_plain_message(app, tenant_a):
    _uid, email = person(app, tenant_a, "member", "idler")
    client = _signed_in(app, tenant_a, email, remember=True)
    _move_session(client, tenant_a, seen_ago=29 * DAY)
    assert _me(client, tenant_a) == 200  # within the members' 30 days
    assert abs(_session(client, tenant_a)["_nx_seen"] - time.time()) < 5  # the request counted as activity
    _move_session(client, tenant_a, seen_ago=31 * DAY)
    response = client.get("/profile", headers=host(tenant_a))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"], headers=host(tenant_a)).get_data(as_text=True)
    assert "You were signed out after 30 days of inactivity." in page
    assert client.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost") is None  # not back by cookie
    assert _me(client, tenant_a) == 401


def test_a_session_ends_after_its_absolute_lifetime_remember_cookie_included(app, tenant_a):
    _uid, email = person(app, tenant_a, "member", "long-timer")
    client = _signed_in(app, tenant_a, email, remember=True)
    _move_session(client, tenant_a, started_ago=89 * DAY)
    assert _me(client, tenant_a) == 200
    _move_session(client, tenant_a, started_ago=91 * DAY)
    page = client.get("/", headers=host(tenant_a)).get_data(as_text=True)  # the public timetable says why
    assert "a sign-in lasts at most 90 days" in page
    assert _me(client, tenant_a) == 401

    fresh = _signed_in(app, tenant_a, email, remember=True)
    aged = _session(fresh, tenant_a)["_user_id"].split(":")
    aged[-1] = str(int(time.time()) - 91 * DAY)
    with app.test_request_context():
        cookie = encode_cookie(":".join(aged))  # a remember cookie from a sign-in 91 days ago
    reopened = app.test_client()
    reopened.set_cookie("remember_token", cookie, domain=f"{tenant_a.slug}.localhost")
    assert _me(reopened, tenant_a) == 401
    assert reopened.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost") is None


def test_staff_lifetimes_follow_the_studios_settings(app, make_tenant):
    studio = make_tenant()
    _mid, email = person(app, studio, "manager", "short-shift")
    client = _signed_in(app, studio, email)
    _move_session(client, studio, seen_ago=2 * 3600)
    assert _me(client, studio) == 200  # staff default: 12 hours
    set_settings(app, studio, staff_session_idle_hours=1)
    assert _me(client, studio) == 200  # (that request was activity)
    _move_session(client, studio, seen_ago=2 * 3600)
    response = client.get("/members", headers=host(studio))
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=host(studio)).get_data(as_text=True)
    assert "You were signed out after 1 hour of inactivity." in page


def test_the_settings_page_edits_the_lifetimes_within_bounds(app, make_tenant):
    studio = make_tenant()
    _oid, owner_email = person(app, studio, "owner", "settings-owner")
    _mid, manager_email = person(app, studio, "manager", "settings-manager")
    _uid, member_email = person(app, studio, "member", "settings-member")
    owner = _signed_in(app, studio, owner_email)
    page = owner.get("/settings/sessions", headers=host(studio))
    assert page.status_code == 200 and 'value="12"' in page.get_data(as_text=True)
    assert "/settings/sessions" in owner.get("/settings/booking", headers=host(studio)).get_data(as_text=True)
    values = {"staff_session_idle_hours": "0", "staff_session_max_days": "7",
              "member_session_idle_days": "60", "member_session_max_days": "30"}
    refused = post_form(owner, studio, "/settings/sessions", values)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "must be between 1 and 720" in text and "cannot be longer" in text
    saved = post_form(owner, studio, "/settings/sessions", {**values, "staff_session_idle_hours": "8",
                                                            "member_session_idle_days": "14"})
    assert saved.status_code == 302
    assert 'value="8"' in owner.get("/settings/sessions", headers=host(studio)).get_data(as_text=True)
    assert _audited(app, studio, "settings.updated", "settings:sessions")

    manager = _signed_in(app, studio, manager_email)
    assert "Only owners can change" in manager.get("/settings/sessions", headers=host(studio)).get_data(as_text=True)
    token = csrf_token_from(manager, studio, "/settings/sessions")
    assert manager.post("/settings/sessions", headers=host(studio), data={"csrf_token": token}).status_code == 403
    member = _signed_in(app, studio, member_email)
    assert member.get("/settings/sessions", headers=host(studio)).status_code == 403


# --- platform administrators --------------------------------------------------------------------------

@pytest.fixture
def platform_admin(app) -> str:
    from nexphys.platform.services import create_admin, find_admin

    email = "sessions-admin@platform.example.com"
    with app.app_context():
        if find_admin(email) is None:
            create_admin(email, "Sessions Admin", password_hash=password_hash())
            db.session.commit()
    return email


def test_platform_admin_sessions_keep_working_within_their_lifetimes(app, platform_admin):
    client = app.test_client()
    assert admin_login(client, platform_admin).status_code == 302
    assert [client.get("/platform/", headers=APEX).status_code for _ in range(3)] == [200, 200, 200]
    with client.session_transaction(base_url="http://localhost") as session:
        assert session["_user_id"].startswith("p:")
        session["_nx_seen"] = int(time.time()) - 13 * 3600
    response = client.get("/platform/", headers=APEX)
    assert response.status_code == 302 and "/platform/login" in response.headers["Location"]


def test_each_ending_raises_the_persons_session_version(app, tenant_a):
    from nexphys.members.models import User

    user_id, email = person(app, tenant_a, "member", "versioned")
    client = _signed_in(app, tenant_a, email)
    post_form(client, tenant_a, "/account/sign-out-everywhere", {"confirm": "Yes, sign out everywhere"})
    with app.app_context(), tenant_bound(tenant_a):
        assert db.session.get(User, user_id).session_version == 1
