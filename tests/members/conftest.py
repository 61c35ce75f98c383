"""Helpers for the members tests: a studio of our own, and running service code inside a tenant."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import create_tenant, drop_tenant, host, make_user


@pytest.fixture(scope="module")
def studio(app):
    """A fresh studio for one test module (no people yet: the owner rules count on that)."""
    info = create_tenant(app, name="Members Test Studio")
    yield info
    drop_tenant(app, info.slug)


@contextmanager
def in_studio(app, tenant) -> Iterator[None]:
    """A request context on the tenant's host with the tenant bound, as a request would have it."""
    from nexphys.tenancy.context import tenant_bound

    with app.test_request_context("/", headers=host(tenant)), tenant_bound(tenant):
        yield


def email_for(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}@example.com"


def person(app, tenant, role_key: str = "member", label: str | None = None, **kwargs) -> tuple[int, str]:
    """Make a person; returns (id, email)."""
    email = email_for(label or role_key)
    return make_user(app, tenant, role_key, email, **kwargs), email


def principal_for(user_id: int):
    """The Principal a signed-in person would have (call inside `in_studio`)."""
    from nexphys.auth.principals import user_principal
    from nexphys.extensions import db
    from nexphys.members.models import User

    return user_principal(db.session.get(User, user_id))


def load_user(app, tenant, user_id: int) -> dict:
    """A person's current columns (decrypted), read in a fresh session."""
    from nexphys.extensions import db
    from nexphys.members.models import User

    with in_studio(app, tenant):
        user = db.session.get(User, user_id)
        return {"status": user.status, "role": user.role.key, "full_name": user.full_name, "phone": user.phone,
                "date_of_birth": user.date_of_birth, "health_notes": user.health_notes,
                "password_hash": user.password_hash, "email": user.email}


def audit_entries(app, tenant, action: str, target: str | None = None) -> list:
    from nexphys.audit.models import AuditEntry
    from nexphys.extensions import db

    with in_studio(app, tenant):
        query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        if target:
            query = query.where(AuditEntry.target == target)
        return [{"actor": e.actor, "actor_user_id": e.actor_user_id, "target": e.target, "details": e.details}
                for e in db.session.scalars(query)]


def outbox_for(app, tenant, address: str) -> list:
    from nexphys.extensions import db
    from nexphys.mail.models import OutboxMessage

    with in_studio(app, tenant):
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == address)
                                  .order_by(OutboxMessage.id))
        return [{"subject": m.subject, "body": m.body_text, "kind": m.kind} for m in rows]


def set_password_path(body: str) -> str:
    """The path of the set-password link in an invitation email."""
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+)", body)
    assert match, body
    return match.group(1)


def page_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
