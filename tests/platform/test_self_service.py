"""The apex's two paths: find a studio by name (active ones only), and start a studio with an emailed link that
creates it through the console's provisioning job; administrators can turn self-service off."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.factories import create_tenant, drop_tenant, email_for, invitation_messages, unique_slug
from tests.platform.requests import APEX, admin_login, apex_csrf
from tests.running import run_jobs


def _mail_to(app, address: str) -> list:
    from nexphys.extensions import db
    from nexphys.platform.models import PlatformMessage

    with app.app_context():
        return [(m.subject, m.body_text) for m in db.session.scalars(
            sa.select(PlatformMessage).where(PlatformMessage.to_address == address).order_by(PlatformMessage.id))]


def _tenant(app, slug: str):
    from nexphys.extensions import db
    from nexphys.tenancy.models import Tenant

    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        return (tenant.id, tenant.status, tenant.plan.code) if tenant else None


def _followed(app, location: str) -> int:
    """The studio a progress address follows."""
    from nexphys.platform.self_service import tenant_for_progress

    with app.app_context():
        return tenant_for_progress(location.rsplit("/", 1)[1]).id


def _set_self_service(app, enabled: bool, plan: str = "starter") -> None:
    from nexphys.extensions import db
    from nexphys.platform.self_service import save_settings

    with app.app_context():
        save_settings(enabled, plan)
        db.session.commit()


def _ask(client, slug: str, email: str, name: str = "Iron Oak Gym", owner: str = "Olga Owner"):
    return client.post("/start", headers=APEX, data={"csrf_token": apex_csrf(client, "/start"), "name": name,
                                                     "slug": slug, "time_zone": "Europe/London",
                                                     "owner_name": owner, "owner_email": email})


def test_find_your_studio_lists_active_studios_only(app, client):
    live = create_tenant(app, unique_slug("fy"), "Quasar Quokka Fitness")
    hidden = create_tenant(app, unique_slug("fy"), "Quasar Quokka Suspended")
    unready = create_tenant(app, unique_slug("fy"), "Quasar Quokka Unready", provision=False)
    from nexphys.tenancy.services import suspend_tenant

    with app.app_context():
        suspend_tenant(hidden.slug, "test")
    try:
        page = client.get("/find?q=quasar quokka", headers=APEX).get_data(as_text=True)
        assert "Quasar Quokka Fitness" in page and f"http://{live.slug}.localhost" in page
        assert "Suspended" not in page and "Unready" not in page
        assert "No studio matches" in client.get("/find?q=zzznothing", headers=APEX).get_data(as_text=True)
        assert client.get("/find?q=%25", headers=APEX).status_code == 200  # a wildcard is a character
        assert client.get("/find", headers={"Host": f"{live.slug}.localhost"}).status_code == 404
    finally:
        for slug in (live.slug, hidden.slug, unready.slug):
            drop_tenant(app, slug)


def test_starting_a_studio_creates_nothing_until_the_link_then_provisions_and_invites(app, client):
    _set_self_service(app, True, "starter")
    slug, email = unique_slug("st"), email_for("owner")
    response = _ask(client, slug, email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/start/check-email")
    assert _tenant(app, slug) is None  # an unverified request makes no tenant
    [(subject, body)] = _mail_to(app, email)
    assert "Confirm your email" in subject
    path = re.search(r"https?://[^/\s]+(/start/verify/\S+)", body).group(1)
    page = client.get(path, headers=APEX)
    assert page.status_code == 200 and "Create my studio" in page.get_data(as_text=True)
    assert _tenant(app, slug) is None  # a GET (a mail scanner) creates nothing
    created = client.post(path, headers=APEX, data={"csrf_token": apex_csrf(client, path)})
    assert created.status_code == 302 and "/start/progress/" in created.headers["Location"]
    progress = created.headers["Location"]
    tenant_id, status, plan = _tenant(app, slug)
    assert status == "provisioning" and plan == "starter"
    assert "Setting up Iron Oak Gym" in client.get(progress, headers=APEX).get_data(as_text=True)
    run_jobs(app)  # the console's provisioning job: the schema, then the owner's invitation
    assert _tenant(app, slug)[1] == "active"
    assert "Iron Oak Gym is ready" in client.get(progress, headers=APEX).get_data(as_text=True)
    from tests.factories import tenant_info

    info = tenant_info(app, tenant_id)
    assert [to for to, _subject, _body in invitation_messages(app, info)] == [email]
    # the link used again shows the same studio, and makes no second one
    again = client.post(path, headers=APEX, data={"csrf_token": apex_csrf(client, path)})
    assert again.status_code == 302 and _followed(app, again.headers["Location"]) == tenant_id
    drop_tenant(app, slug)


def test_bad_input_and_a_taken_address_are_explained(app, client):
    _set_self_service(app, True)
    taken = create_tenant(app, unique_slug("tk"), "Taken Studio")
    try:
        page = _ask(client, taken.slug, "not-an-email", name="", owner="")
        html = page.get_data(as_text=True)
        assert page.status_code == 422
        assert "That address is taken" in html and "Enter a valid email address." in html
        assert "A studio needs a name." in html and "Enter your name." in html
        bad = _ask(client, "No Spaces!", email_for("x")).get_data(as_text=True)
        assert "An address is lower-case letters" in bad and "slug" not in bad.split("<main", 1)[1].replace(
            'name="slug"', "").replace('id="slug"', "").replace('for="slug"', "").replace("#slug", "").replace(
            "slug-", "").replace("data-slug", "")
    finally:
        drop_tenant(app, taken.slug)


def test_an_admin_turns_self_service_off_and_the_page_says_so(app, client, admin):
    console = app.test_client()
    admin_login(console)
    off = console.post("/platform/self-service", headers=APEX,
                       data={"csrf_token": apex_csrf(console, "/platform/self-service"), "plan": "starter"})
    assert off.status_code == 302
    try:
        page = client.get("/start", headers=APEX).get_data(as_text=True)
        assert "not taking new studios online" in page and "<form" not in page.split("<main", 1)[1]
        assert "not taking new studios" in client.get("/", headers=APEX).get_data(as_text=True)
        assert client.get("/platform/self-service", headers=APEX).status_code == 302  # admins only
    finally:
        _set_self_service(app, True)


def test_a_tampered_link_is_refused(app, client):
    assert client.get("/start/verify/not-a-real-token", headers=APEX).status_code == 400
    assert client.get("/start/progress/not-a-real-token", headers=APEX).status_code == 400
