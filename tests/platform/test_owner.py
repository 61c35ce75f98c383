"""The owner a new tenant starts with, and the provisioning job that invites them."""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.platform.jobs import provision_with_owner
from nexphys.platform.owner import invite_owner
from nexphys.tenancy import services as tenancy
from nexphys.tenancy.context import tenant_bound
from nexphys.tenancy.urls import studio_url
from tests.factories import drop_tenant, invitation_messages, make_user, tenant_info, unique_slug


def test_inviting_the_owner_is_idempotent(app, make_tenant):
    tenant = make_tenant()
    with app.app_context():
        first = invite_owner(tenant.id, "Boss@Example.com", None, "https://studio.example.com")
        again = invite_owner(tenant.id, "boss@example.com", "Other Name")
    assert first is not None and again is None
    [(to, _subject, body)] = invitation_messages(app, tenant)
    assert to == "Boss@example.com" and "https://studio.example.com/password/reset/" in body
    with app.app_context(), tenant_bound(tenant):
        user = db.session.get(User, first)
        assert user.full_name == "Boss" and user.status == "invited" and user.role.key == "owner"


def test_an_existing_person_is_left_alone(app, make_tenant):
    tenant = make_tenant()
    make_user(app, tenant, "member", "already@example.com")
    with app.app_context():
        assert invite_owner(tenant.id, "already@example.com") is None
    assert invitation_messages(app, tenant) == []
    with app.app_context(), tenant_bound(tenant):
        assert db.session.scalar(sa.select(User.status).where(User.email == "already@example.com")) == "active"


def test_the_job_provisions_then_invites_and_can_run_twice(app):
    slug = unique_slug("job")
    with app.app_context():
        tenant_id = tenancy.register_tenant(slug, "Job Studio").id
        db.session.commit()
        result = provision_with_owner(tenant_id, f"o@{slug}.example.com", "Owen Owner")
        again = provision_with_owner(tenant_id, f"o@{slug}.example.com", "Owen Owner")
    try:
        assert result["owner_id"] and again["owner_id"] is None and again["seconds"] == 0.0
        info = tenant_info(app, tenant_id)
        assert info.status == "active"
        [(_to, _subject, body)] = invitation_messages(app, info)
        assert f"http://{slug}.localhost:5000/password/reset/" in body  # the configured port, outside a request
    finally:
        drop_tenant(app, slug)


def test_studio_urls(app):
    with app.app_context():
        assert studio_url("gym") == "http://gym.localhost:5000/"
        assert studio_url("gym", port="") == "http://gym.localhost/"
        assert studio_url("gym", scheme="https", port="443") == "https://gym.localhost/"
        assert studio_url("gym", custom_domain="book.gym.com", scheme="https", port="") == "https://book.gym.com/"
