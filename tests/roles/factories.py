"""Data for the roles, API-key and audit tests: people by role, and roles read back."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories


def person(app, tenant, role_key: str) -> str:
    """Make a person of `role_key`; returns their email (the roles tests sign in with it)."""
    return factories.person(app, tenant, role_key)[1]


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
    """The id of the role with `key`."""
    from nexphys.extensions import db
    from nexphys.roles.models import Role
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        return db.session.scalar(sa.select(Role.id).where(Role.key == key))
