"""Roles and permissions API: /api/v1/roles, /api/v1/permissions."""

from __future__ import annotations

from flask import Blueprint, url_for

from nexphys.extensions import db
from nexphys.roles import services
from nexphys.roles.models import Permission as PermissionRow
from nexphys.roles.models import Role as RoleRow
from nexphys.roles.schemas import NewRole, Permission, Role, RoleChanges
from nexphys.web.access import require_principal, requires
from nexphys.web.schemas import Items, api, no_content, respond

bp = Blueprint("roles_api", __name__, url_prefix="/api/v1")


def role_json(role: RoleRow, member_count: int) -> dict:
    return {"id": role.id, "key": role.key, "name": role.name, "level": role.level, "is_system": role.is_system,
            "description": role.description, "permissions": [p.code for p in role.permissions],
            "member_count": member_count}


def permission_json(permission: PermissionRow) -> dict:
    return {"code": permission.code, "resource": permission.resource, "action": permission.action,
            "condition": permission.condition, "description": permission.description}


@bp.get("/roles")
@requires("roles", "read")
@api(responses={200: Items[Role]})
def list_roles():
    """List the studio's roles with their permissions and how many people hold each."""
    items = [role_json(s.role, s.member_count) for s in services.list_roles()]
    return respond(Items[Role], {"items": items, "total": len(items)})


@bp.post("/roles")
@requires("roles", "create")
@api(body=NewRole, responses={201: Role}, problems=(403, 422))
def create_role(body: NewRole):
    """Create a custom role {name, level (1-3), permissions: [codes][, key, description]}."""
    role = services.create_role(body.name, body.level, body.permissions, require_principal(), key=body.key,
                                description=body.description)
    db.session.commit()
    return respond(Role, role_json(role, 0), 201, url_for("roles_api.get_role", role_id=role.id))


@bp.get("/roles/<int:role_id>")
@requires("roles", "read")
@api(responses={200: Role}, problems=(404,))
def get_role(role_id: int):
    """One role with its permissions and member count."""
    role = services.get_role(role_id)
    return respond(Role, role_json(role, services.member_count(role)))


@bp.patch("/roles/<int:role_id>")
@requires("roles", "update")
@api(body=RoleChanges, responses={200: Role}, problems=(403, 404, 422))
def update_role(role_id: int, body: RoleChanges):
    """Change a role's name, level and/or permissions (the full list of codes)."""
    role = services.get_role(role_id)
    services.update_role(role, require_principal(), name=body.name, level=body.level,
                         permission_codes=body.permissions, description=body.description)
    db.session.commit()
    return respond(Role, role_json(role, services.member_count(role)))


@bp.delete("/roles/<int:role_id>")
@requires("roles", "delete")
@api(responses={204: None}, problems=(403, 404, 409))
def delete_role(role_id: int):
    """Delete a custom role that nobody holds (409 while anyone does)."""
    services.delete_role(services.get_role(role_id), require_principal())
    db.session.commit()
    return no_content()


@bp.get("/permissions")
@requires("roles", "read")
@api(responses={200: Items[Permission]})
def list_permissions():
    """The permission catalogue: code, resource, action, condition and description."""
    items = [permission_json(p) for _resource, permissions in services.permission_catalogue() for p in permissions]
    return respond(Items[Permission], {"items": items, "total": len(items)})
