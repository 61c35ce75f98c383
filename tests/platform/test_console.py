"""The platform console on the apex host: sign-in, tenants list, create with owner, suspend, reactivate."""

from __future__ import annotations

import re

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy import services as tenancy
from nexphys.tenancy.context import tenant_bound
from tests.factories import drop_tenant, invitation_messages, tenant_info, unique_slug
from tests.platform.requests import APEX, admin_login, apex_csrf
from tests.requests import host, page_csrf, wait_for_status
from tests.running import run_jobs


def test_sign_in_and_out(client, admin):
    response = admin_login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/platform/"
    page = client.get("/platform/", headers=APEX)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tenants" in html and "Sign out" in html
    token = page_csrf(html)
    response = client.post("/platform/logout", headers=APEX, data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/platform/", headers=APEX).status_code == 302


def test_logout_needs_csrf(client, admin):
    admin_login(client)
    assert client.post("/platform/logout", headers=APEX).status_code == 400
    assert client.get("/platform/", headers=APEX).status_code == 200


def test_wrong_details_get_one_generic_answer(client, admin):
    wrong_password = admin_login(client, password="not the password")
    wrong_email = admin_login(client, email="nobody@example.com")
    assert wrong_password.status_code == wrong_email.status_code == 401
    for response in (wrong_password, wrong_email):
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/platform/", headers=APEX).status_code == 302


def test_a_studio_users_credentials_do_not_sign_in_here(app, client, admin, tenant_a):
    from tests.factories import make_user

    email = "studio-owner-on-apex@example.com"
    make_user(app, tenant_a, "owner", email)
    assert admin_login(client, email=email).status_code == 401


def test_next_is_followed_only_within_the_site(client, admin):
    page = client.get("/platform/login?next=https://evil.example/x", headers=APEX).get_data(as_text=True)
    assert 'name="next" value="/platform/"' in page
    response = admin_login(client, next_url="//evil.example/")
    assert response.headers["Location"] == "/platform/"
    client.post("/platform/logout", headers=APEX, data={"csrf_token": apex_csrf(client, "/platform/")})
    response = admin_login(client, next_url="/platform/tenants/new")
    assert response.headers["Location"] == "/platform/tenants/new"


def test_the_console_lists_searches_and_filters_tenants(client, admin, tenant_a, tenant_b):
    admin_login(client)
    html = client.get("/platform/", headers=APEX).get_data(as_text=True)
    assert tenant_a.name in html and tenant_b.name in html
    assert f"{tenant_a.slug}.localhost" in html
    assert "New tenant" in html and "status-active" in html
    html = client.get(f"/platform/?q={tenant_b.slug}", headers=APEX).get_data(as_text=True)
    assert tenant_b.name in html and tenant_a.name not in html
    html = client.get("/platform/?status=archived&q=" + tenant_a.slug, headers=APEX).get_data(as_text=True)
    assert tenant_a.name not in html and "No tenants match" in html


def test_the_console_paginates(app, client, admin, monkeypatch):
    from nexphys.platform import console

    monkeypatch.setattr(console, "PER_PAGE", 1)
    admin_login(client)
    html = client.get("/platform/", headers=APEX).get_data(as_text=True)
    assert 'rel="next"' in html and "Page 1 of" in html
    assert client.get("/platform/?page=2", headers=APEX).status_code == 200


def _create_form(client, **fields) -> dict:
    data = {"csrf_token": apex_csrf(client, "/platform/tenants/new"), "plan": "studio", "time_zone": "UTC"}
    data.update(fields)
    return data


def test_creating_a_tenant_provisions_it_and_invites_its_owner(app, client, admin):
    admin_login(client)
    form = client.get("/platform/tenants/new", headers=APEX).get_data(as_text=True)
    assert '<option selected value="studio">' in form or 'value="studio" selected' in form
    assert 'value="UTC"' in form and "Europe/Dublin" in form
    slug = unique_slug("new")
    owner = f"owner@{slug}.example.com"
    response = client.post("/platform/tenants/new", headers=APEX, data=_create_form(
        client, slug=slug, name="Fresh Studio", time_zone="Europe/Dublin", owner_email=owner,
        owner_name="Olive Owner"))
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = response.headers["Location"]
    tenant_id = int(re.fullmatch(r"/platform/tenants/(\d+)", detail).group(1))
    try:
        page = client.get(detail, headers=APEX).get_data(as_text=True)
        assert "provisioning" in page.lower() and '<meta http-equiv="refresh" content="2">' in page
        assert "<progress" in page
        run_jobs(app)
        tenant = tenant_info(app, tenant_id)
        assert tenant.status == "active" and tenant.time_zone == "Europe/Dublin"
        page = client.get(detail, headers=APEX).get_data(as_text=True)
        assert 'http-equiv="refresh"' not in page
        assert f'href="http://{slug}.localhost/"' in page

        with app.app_context(), tenant_bound(tenant):
            user = db.session.scalar(sa.select(User).where(User.email == owner))
            assert user.status == "invited" and user.role.key == "owner" and user.password_hash is None
            assert user.full_name == "Olive Owner"
        [(to, subject, body)] = invitation_messages(app, tenant)
        assert to == owner and "Fresh Studio" in subject
        link = re.search(r"(http://\S+/password/reset/\S+)", body).group(1)
        assert link.startswith(f"http://{slug}.localhost/password/reset/")

        wait_for_status(client, host(tenant), 200)
        path = link.split("localhost", 1)[1]
        reset = client.get(path, headers=host(tenant))
        assert reset.status_code == 200 and owner in reset.get_data(as_text=True)
        with app.app_context():  # nothing about the owner is kept in public
            public = db.session.execute(sa.text(
                "SELECT count(*) FROM public.tenants t WHERE t::text ILIKE :e"), {"e": f"%{owner}%"}).scalar()
            assert public == 0
    finally:
        drop_tenant(app, slug)


def test_invalid_input_re_renders_with_the_values_kept(client, admin):
    admin_login(client)
    response = client.post("/platform/tenants/new", headers=APEX, data=_create_form(
        client, slug="Not A Slug", name="Kept Name", owner_email="not-an-email"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Kept Name"' in html and 'value="not a slug"' in html  # lower-cased, kept
    assert 'aria-invalid="true"' in html
    response = client.post("/platform/tenants/new", headers=APEX, data=_create_form(
        client, slug="admin", name="Reserved", owner_email="o@example.com"))
    assert response.status_code == 422 and "reserved" in response.get_data(as_text=True)


def test_a_duplicate_address_gets_a_clear_message(client, admin, tenant_a):
    admin_login(client)
    response = client.post("/platform/tenants/new", headers=APEX, data=_create_form(
        client, slug=tenant_a.slug, name="Copycat", owner_email="copy@example.com"))
    assert response.status_code == 409
    assert f"A tenant with the address &#39;{tenant_a.slug}&#39; already exists." in response.get_data(as_text=True)


def test_suspend_and_reactivate_from_the_console(app, client, admin, make_tenant):
    tenant = make_tenant()
    admin_login(client)
    assert client.get("/", headers=host(tenant)).status_code == 200
    html = client.get(f"/platform/?q={tenant.slug}", headers=APEX).get_data(as_text=True)
    assert "Suspend…" in html and f'id="reason-{tenant.id}"' in html
    back = f"/platform/?q={tenant.slug}"
    mistyped = client.post(f"/platform/tenants/{tenant.id}/suspend", headers=APEX, data={
        "csrf_token": page_csrf(html), "reason": "unpaid invoice", "confirm": "not-it", "next": back},
        follow_redirects=True)
    assert f"type “{tenant.slug}”" in mistyped.get_data(as_text=True) and tenant_info(app, tenant.id).status == "active"
    response = client.post(f"/platform/tenants/{tenant.id}/suspend", headers=APEX, data={
        "csrf_token": page_csrf(html), "reason": "unpaid invoice", "confirm": tenant.slug,
        "next": f"/platform/?q={tenant.slug}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/platform/?q={tenant.slug}"
    wait_for_status(client, host(tenant), 403)
    html = client.get(response.headers["Location"], headers=APEX).get_data(as_text=True)
    assert "status-suspended" in html and "unpaid invoice" in html and "Reactivate" in html

    response = client.post(f"/platform/tenants/{tenant.id}/reactivate", headers=APEX,
                           data={"csrf_token": page_csrf(html)})
    assert response.status_code == 302 and response.headers["Location"] == "/platform/"
    wait_for_status(client, host(tenant), 200)
    assert tenant_info(app, tenant.id).status_reason is None


def test_suspend_needs_csrf_and_refuses_bad_transitions(app, client, admin, make_tenant):
    tenant = make_tenant()
    admin_login(client)
    assert client.post(f"/platform/tenants/{tenant.id}/suspend", headers=APEX).status_code == 400
    token = apex_csrf(client, "/platform/")
    response = client.post(f"/platform/tenants/{tenant.id}/reactivate", headers=APEX, data={"csrf_token": token},
                           follow_redirects=True)
    assert "Only a suspended tenant can be reactivated" in response.get_data(as_text=True)
    assert tenant_info(app, tenant.id).status == "active"
    assert client.post("/platform/tenants/999999/suspend", headers=APEX,
                       data={"csrf_token": token}).status_code == 404


def test_a_failed_tenant_shows_its_reason_and_can_be_retried(app, client, admin):
    slug = unique_slug("fail")
    with app.app_context():
        tenant = tenancy.register_tenant(slug, "Failing Studio")
        db.session.commit()
        tenant_id = tenant.id
        tenancy.set_status(slug, "failed", "ProvisioningError: disk on fire")
    try:
        admin_login(client)
        page = client.get(f"/platform/tenants/{tenant_id}", headers=APEX).get_data(as_text=True)
        assert "Provisioning failed." in page and "disk on fire" in page and "Retry" in page
        response = client.post(f"/platform/tenants/{tenant_id}/retry", headers=APEX, data={
            "csrf_token": page_csrf(page), "owner_email": f"boss@{slug}.example.com"})
        assert response.status_code == 302
        assert tenant_info(app, tenant_id).status == "provisioning"
        page = client.get(f"/platform/tenants/{tenant_id}", headers=APEX).get_data(as_text=True)
        assert 'http-equiv="refresh"' in page and "Background job: queued" in page
        run_jobs(app)
        info = tenant_info(app, tenant_id)
        assert info.status == "active"
        [(to, _subject, _body)] = invitation_messages(app, info)
        assert to == f"boss@{slug}.example.com"
    finally:
        drop_tenant(app, slug)


def test_the_landing_page_still_works_and_offers_sign_in(client):
    html = client.get("/", headers=APEX).get_data(as_text=True)
    assert "the platform gyms and studios run on" in html
    assert 'href="/platform/login"' in html


def test_a_provisioning_tenant_without_a_job_can_be_queued_again(app, client, admin):
    slug = unique_slug("stuck")
    with app.app_context():
        tenant_id = tenancy.register_tenant(slug, "Stuck Studio").id
        db.session.commit()
    try:
        admin_login(client)
        page = client.get(f"/platform/tenants/{tenant_id}", headers=APEX).get_data(as_text=True)
        assert "No background job is working on it." in page and 'http-equiv="refresh"' in page
        response = client.post(f"/platform/tenants/{tenant_id}/retry", headers=APEX,
                               data={"csrf_token": page_csrf(page), "owner_email": "", "owner_name": ""})
        assert response.status_code == 302
        page = client.get(f"/platform/tenants/{tenant_id}", headers=APEX).get_data(as_text=True)
        assert "Background job: queued" in page and "No background job" not in page
        run_jobs(app)
        assert tenant_info(app, tenant_id).status == "active"
    finally:
        drop_tenant(app, slug)


def test_platform_sign_in_is_throttled(app_factory, app, admin):
    tight = app_factory(LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    client = tight.test_client()
    email = f"{unique_slug('throttle')}@example.com"
    answers = [admin_login(client, email=email, password="wrong password").status_code for _ in range(3)]
    assert answers == [401, 401, 429]


def test_unknown_tenants_and_filters(client, admin):
    admin_login(client)
    assert client.get("/platform/tenants/999999", headers=APEX).status_code == 404
    assert client.get("/platform/?status=bogus&page=0", headers=APEX).status_code == 200
