"""What every new studio starts with in roles: the permission catalogue and the default roles with their grants.

Runs inside provisioning for every new tenant, so it is written for speed: each insert is a cached
executemany statement, and the grants are one INSERT … SELECT over two arrays (no catalogue round trip).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from nexphys.roles.catalog import DEFAULT_ROLES, PERMISSIONS
from nexphys.roles.models import Permission, Role, role_permissions

_PERMISSION_ROWS = [{"resource": r, "action": a, "condition": c, "description": d} for r, a, c, d in PERMISSIONS]
_ROLE_ROWS = [{"key": key, "name": name, "level": level, "description": text, "is_system": True}
              for key, name, level, text, _codes in DEFAULT_ROLES]
_GRANTS = {"role_keys": [key for key, *_rest, codes in DEFAULT_ROLES for _ in codes],
           "codes": [code for *_rest, codes in DEFAULT_ROLES for code in codes]}


def _grants_statement():
    arrays = sa.func.unnest(sa.bindparam("role_keys", type_=ARRAY(sa.Text)),
                            sa.bindparam("codes", type_=ARRAY(sa.Text)))
    grants = arrays.table_valued("role_key", "code").render_derived(name="g")
    code = Permission.resource + ":" + Permission.action + sa.func.coalesce(":" + Permission.condition, "")
    pairs = (sa.select(Role.id, Permission.id).select_from(grants)
             .join(Role, Role.key == grants.c.role_key).join(Permission, code == grants.c.code))
    return insert(role_permissions).from_select(["role_id", "permission_id"], pairs).on_conflict_do_nothing()


def seed_roles(session: Session) -> None:
    """Insert the catalogue and the default roles with their grants (idempotent)."""
    session.execute(insert(Permission).on_conflict_do_nothing(), _PERMISSION_ROWS)
    session.execute(insert(Role).on_conflict_do_nothing(index_elements=["key"]), _ROLE_ROWS)
    session.execute(_grants_statement(), _GRANTS)
