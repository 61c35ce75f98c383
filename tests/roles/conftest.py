"""Fixtures of the roles, API-key and audit tests: signed-in owners and managers of tenant_a."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from, host, login, make_user


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def person(app, tenant, role_key: str) -> str:
    email = f"{role_key}-{uuid.uuid4().hex[:8]}@example.com"
    make_user(app, tenant, role_key, email)
    return email


@pytest.fixture
def owner_email(app, tenant_a) -> str:
    return person(app, tenant_a, "owner")


@pytest.fixture
def manager_email(app, tenant_a) -> str:
    return person(app, tenant_a, "manager")


@pytest.fixture
def owner_client(app, tenant_a, owner_email):
    client = app.test_client()
    assert login(client, tenant_a, owner_email).status_code == 302
    return client


@pytest.fixture
def manager_client(app, tenant_a, manager_email):
    client = app.test_client()
    assert login(client, tenant_a, manager_email).status_code == 302
    return client


def post_form(client, tenant, form_path: str, data: dict, action: str | None = None):
    """POST a form the way a browser does: the CSRF token comes from the form's own page."""
    token = csrf_token_from(client, tenant, form_path)
    return client.post(action or form_path, headers=host(tenant), data={"csrf_token": token, **data})


def role_row(app, tenant, name: str):
    """(id, key, level, is_system, codes) of the role called `name`, read fresh, or None."""
    from nexphys.extensions import db
    from nexphys.roles.models import Role
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        role = db.session.scalar(sa.select(Role).where(Role.name == name))
        if role is None:
            return None
        return role.id, role.key, role.level, role.is_system, role.permission_codes


def role_id(app, tenant, key: str) -> int:
    from nexphys.extensions import db
    from nexphys.roles.models import Role
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        return db.session.scalar(sa.select(Role.id).where(Role.key == key))


def ticked(page: str) -> set[str]:
    """The permission codes whose checkbox is ticked on a rendered form."""
    return set(re.findall(r'name="permissions" value="([^"]+)" checked', page))
