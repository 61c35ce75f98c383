"""Web sign-in: sessions bound to their studio, CSRF, safe redirects, password reset by emailed link."""

from __future__ import annotations

import re

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.mail.models import OutboxMessage
from nexphys.tenancy.context import tenant_bound
from tests.factories import TEST_PASSWORD, make_user
from tests.requests import host, login


def _me(client, tenant):
    return client.get("/api/v1/me", headers=host(tenant))


def test_sign_in_and_out(app, client, tenant_a):
    email = f"signin-{tenant_a.slug}@example.com"
    make_user(app, tenant_a, "member", email)
    response = login(client, tenant_a, email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _me(client, tenant_a).get_json()["email"] == email
    home = client.get("/", headers=host(tenant_a)).get_data(as_text=True)
    assert "Sign out" in home
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/logout", headers=host(tenant_a), data={"csrf_token": token}).status_code == 302
    assert _me(client, tenant_a).status_code == 401


def test_wrong_email_and_wrong_password_get_the_same_answer(app, client, tenant_a):
    email = "same-answer@example.com"
    make_user(app, tenant_a, "member", email)
    wrong_password = login(client, tenant_a, email, "not the password")
    wrong_email = login(client, tenant_a, "nobody@example.com", TEST_PASSWORD)
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert "Wrong email or password." in wrong_password.get_data(as_text=True)
    assert "Wrong email or password." in wrong_email.get_data(as_text=True)


def test_login_without_csrf_token_is_rejected(app, client, tenant_a):
    email = "csrf@example.com"
    make_user(app, tenant_a, "member", email)
    response = client.post("/login", headers=host(tenant_a), data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert _me(client, tenant_a).status_code == 401


def test_logout_needs_csrf_too(app, client, tenant_a):
    email = "logout-csrf@example.com"
    make_user(app, tenant_a, "member", email)
    login(client, tenant_a, email)
    assert client.post("/logout", headers=host(tenant_a)).status_code == 400
    assert _me(client, tenant_a).status_code == 200


def test_next_redirects_stay_on_the_site(app, client, tenant_a):
    email = "next@example.com"
    make_user(app, tenant_a, "member", email)
    page = client.get("/login?next=https://evil.example/steal", headers=host(tenant_a)).get_data(as_text=True)
    assert 'name="next" value="/"' in page
    page = client.get("/login?next=/health/live", headers=host(tenant_a)).get_data(as_text=True)
    assert 'name="next" value="/health/live"' in page


def test_sign_in_starts_a_new_session(app, client, tenant_a):
    email = "fixation@example.com"
    make_user(app, tenant_a, "member", email)
    site = f"http://{tenant_a.slug}.localhost"
    with client.session_transaction(base_url=site) as session:
        session["planted"] = "by an attacker"
    login(client, tenant_a, email)
    with client.session_transaction(base_url=site) as session:
        assert "_user_id" in session and "planted" not in session


def test_a_session_from_one_studio_does_not_work_on_another(app, client, tenant_a, tenant_b):
    email = "replay@example.com"
    make_user(app, tenant_a, "owner", email)
    make_user(app, tenant_b, "owner", email)  # same email, independent person in the other studio
    login(client, tenant_a, email)
    cookie = client.get_cookie("session", domain=f"{tenant_a.slug}.localhost")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value, domain=f"{tenant_b.slug}.localhost")
    assert _me(other, tenant_b).status_code == 401  # replayed on B: not signed in
    same = app.test_client()
    same.set_cookie("session", cookie.value, domain=f"{tenant_a.slug}.localhost")
    assert _me(same, tenant_a).status_code == 200  # the cookie itself is fine on A


def test_remember_me_sets_a_tenant_bound_cookie(app, client, tenant_a, tenant_b):
    email = "remember@example.com"
    make_user(app, tenant_a, "member", email)
    login(client, tenant_a, email, remember=True)
    remember = client.get_cookie("remember_token", domain=f"{tenant_a.slug}.localhost")
    assert remember is not None and remember.http_only
    fresh = app.test_client()  # a new browser session with only the remember cookie
    fresh.set_cookie("remember_token", remember.value, domain=f"{tenant_a.slug}.localhost")
    assert _me(fresh, tenant_a).status_code == 200
    replay = app.test_client()
    replay.set_cookie("remember_token", remember.value, domain=f"{tenant_b.slug}.localhost")
    assert _me(replay, tenant_b).status_code == 401


def _last_mail(app, tenant, to: str) -> str:
    with app.app_context(), tenant_bound(tenant):
        message = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == to)
                                     .order_by(OutboxMessage.id.desc())).first()
        return message.body_text


def test_password_reset_by_emailed_link(app, client, tenant_a):
    email = "reset@example.com"
    make_user(app, tenant_a, "member", email)
    page = client.get("/password/forgot", headers=host(tenant_a)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/password/forgot", headers=host(tenant_a), data={"csrf_token": token, "email": email})
    assert response.status_code == 302
    unknown = client.post("/password/forgot", headers=host(tenant_a),
                          data={"csrf_token": token, "email": "nobody@example.com"})
    assert unknown.status_code == 302  # same answer for an unknown email

    body = _last_mail(app, tenant_a, email)
    link = re.search(r"http://[^\s]+/password/reset/[^\s]+", body).group(0)
    path = link.split("localhost", 1)[1]
    form = client.get(path, headers=host(tenant_a))
    assert form.status_code == 200
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    short = client.post(path, headers=host(tenant_a), data={"csrf_token": csrf, "password": "short",
                                                            "confirm": "short"})
    assert short.status_code == 422
    done = client.post(path, headers=host(tenant_a), data={"csrf_token": csrf, "password": "a brand new secret",
                                                           "confirm": "a brand new secret"})
    assert done.status_code == 302
    assert client.get(path, headers=host(tenant_a)).status_code == 400  # the link works once
    fresh = app.test_client()
    assert login(fresh, tenant_a, email, TEST_PASSWORD).status_code == 401
    assert login(fresh, tenant_a, email, "a brand new secret").status_code == 302


def test_inactive_people_cannot_sign_in(app, client, tenant_a):
    email = "inactive@example.com"
    make_user(app, tenant_a, "member", email, status="inactive")
    assert login(client, tenant_a, email).status_code == 401


def test_failed_and_successful_sign_ins_are_audited(app, client, tenant_a):
    from nexphys.audit.models import AuditEntry

    email = "audited@example.com"
    make_user(app, tenant_a, "member", email)
    login(client, tenant_a, email, "wrong")
    login(client, tenant_a, email)
    with app.app_context(), tenant_bound(tenant_a):
        actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor == email)
                                          .order_by(AuditEntry.id)))
    assert actions[-2:] == ["auth.sign_in_failed", "auth.sign_in"]


def test_the_outbox_page_shows_mail_in_development(app, client, tenant_a):
    response = client.get("/dev/outbox", headers=host(tenant_a))
    assert response.status_code == 200
    assert "Development outbox" in response.get_data(as_text=True)


def test_a_malformed_session_id_is_just_signed_out(app, tenant_a):
    client = app.test_client()
    with client.session_transaction(base_url=f"http://{tenant_a.slug}.localhost") as session:
        session["_user_id"] = "u:not-a-number"
    assert _me(client, tenant_a).status_code == 401
    assert client.get("/", headers=host(tenant_a)).status_code == 200
