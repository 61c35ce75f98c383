"""Roles and permissions API: /api/v1/roles, /api/v1/permissions."""

from __future__ import annotations

from flask import Blueprint, jsonify, url_for

from nexphys.extensions import db
from nexphys.roles import services
from nexphys.roles.models import Permission, Role
from nexphys.web.access import require_principal, requires
from nexphys.web.api import ValidationFailed, created, json_body

bp = Blueprint("roles_api", __name__, url_prefix="/api/v1")

WRITABLE = {"name", "level", "permissions", "description"}
# Ignored on PATCH, so a client may send back what it read (the key is chosen at creation only).
READ_ONLY = {"id", "key", "is_system", "member_count"}


def role_json(role: Role, member_count: int) -> dict:
    return {"id": role.id, "key": role.key, "name": role.name, "level": role.level, "is_system": role.is_system,
            "description": role.description, "permissions": [p.code for p in role.permissions],
            "member_count": member_count}


def permission_json(permission: Permission) -> dict:
    return {"code": permission.code, "resource": permission.resource, "action": permission.action,
            "condition": permission.condition, "description": permission.description}


def _checked_fields(data: dict, required: tuple[str, ...] = ()) -> None:
    errors = {name: ["This field is required."] for name in required if data.get(name) in (None, "")}
    errors.update({name: ["Unknown field."] for name in data if name not in WRITABLE | READ_ONLY})
    if errors:
        raise ValidationFailed(errors)


@bp.get("/roles")
@requires("roles", "read")
def list_roles():
    """List the studio's roles with their permissions and how many people hold each."""
    items = [role_json(s.role, s.member_count) for s in services.list_roles()]
    return jsonify(items=items, total=len(items))


@bp.post("/roles")
@requires("roles", "create")
def create_role():
    """Create a custom role {name, level (1-3), permissions: [codes][, key, description]}."""
    data = json_body()
    _checked_fields(data, required=("name", "level"))
    role = services.create_role(data["name"], data["level"], data.get("permissions", []), require_principal(),
                                key=data.get("key"), description=data.get("description"))
    db.session.commit()
    return created(role_json(role, 0), url_for("roles_api.get_role", role_id=role.id))


@bp.get("/roles/<int:role_id>")
@requires("roles", "read")
def get_role(role_id: int):
    """One role with its permissions and member count."""
    role = services.get_role(role_id)
    return jsonify(role_json(role, services.member_count(role)))


@bp.patch("/roles/<int:role_id>")
@requires("roles", "update")
def update_role(role_id: int):
    """Change a role's name, level and/or permissions (the full list of codes)."""
    role = services.get_role(role_id)
    data = json_body()
    _checked_fields(data)
    services.update_role(role, require_principal(), name=data.get("name"), level=data.get("level"),
                         permission_codes=data.get("permissions"), description=data.get("description"))
    db.session.commit()
    return jsonify(role_json(role, services.member_count(role)))


@bp.delete("/roles/<int:role_id>")
@requires("roles", "delete")
def delete_role(role_id: int):
    """Delete a custom role that nobody holds (409 while anyone does)."""
    services.delete_role(services.get_role(role_id), require_principal())
    db.session.commit()
    return "", 204


@bp.get("/permissions")
@requires("roles", "read")
def list_permissions():
    """The permission catalogue: code, resource, action, condition and description."""
    items = [permission_json(p) for _resource, permissions in services.permission_catalogue() for p in permissions]
    return jsonify(items=items, total=len(items))
