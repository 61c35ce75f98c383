"""Members API: /api/v1/members.

Visibility: callers with `members:read` see everyone; callers with only `members:read:own` see
themselves (a list of one; anyone else's id is a 404). Private fields (phone, date of birth,
emergency contact, health notes) are included for the person themself and for `members:read` holders.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for

from nexphys.extensions import db
from nexphys.members import services
from nexphys.members.models import User, UserStatus
from nexphys.web.access import Principal, require_principal, requires
from nexphys.web.api import ValidationFailed, created, json_body, page_args, page_json, require_fields

bp = Blueprint("members_api", __name__, url_prefix="/api/v1")

# Ignored by PATCH, so a client may send back what it read (email changes are not offered here).
READ_ONLY_FIELDS = ("id", "email", "status", "created_at")


def member_json(user: User, principal: Principal) -> dict:
    """The JSON representation of a person, with private fields only for those who may see them."""
    data = {"id": user.id, "email": user.email, "full_name": user.full_name,
            "role": {"key": user.role.key, "name": user.role.name, "level": user.role.level},
            "status": user.status, "created_at": user.created_at.isoformat()}
    if services.sees_sensitive(principal, user):
        data.update(phone=user.phone, date_of_birth=user.date_of_birth.isoformat() if user.date_of_birth else None,
                    emergency_contact=user.emergency_contact, health_notes=user.health_notes)
    return data


def _visible_member(member_id: int, principal: Principal, action: str = "read") -> User:
    """The person if the caller may see them (404 otherwise) and may perform `action` on them (403)."""
    user = services.get_member(member_id)
    is_self = principal.person_id == user.id
    if principal.scope("members", "read") != "all" and not is_self:
        abort(404, description="There is no such member.")
    if principal.scope("members", action) != "all" and not is_self:
        abort(403, description=f"Your role does not allow members:{action} on other people.")
    return user


def _string_field(data: dict, name: str, errors: dict) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = ["Must be a string."]
        return None
    return value


@bp.get("/members")
@requires("members", "read")
def list_members():
    """List members (?search=&role=&status=&page=&per_page=); own-scope callers get only themselves."""
    principal = require_principal()
    page, per_page = page_args()
    status = request.args.get("status") or None
    if status is not None and status not in UserStatus.ALL:
        raise ValidationFailed({"status": [f"One of: {', '.join(UserStatus.ALL)}."]})
    only_user_id = None
    if principal.scope("members", "read") != "all":
        only_user_id = principal.person_id or -1  # an own-scope API key has no "own" person: nothing visible
    members = services.list_members(request.args.get("search"), request.args.get("role") or None, status,
                                    page=page, per_page=per_page, only_user_id=only_user_id)
    return jsonify(page_json(members, [member_json(user, principal) for user in members.items]))


@bp.post("/members")
@requires("members", "create")
def create_member():
    """Invite a person {email, full_name, role?}: created as "invited" and emailed a set-password link."""
    principal = require_principal()
    data = json_body()
    require_fields(data, "email", "full_name")
    errors: dict[str, list[str]] = {}
    email = _string_field(data, "email", errors)
    full_name = _string_field(data, "full_name", errors)
    role_key = _string_field(data, "role", errors)
    if errors:
        raise ValidationFailed(errors)
    user = services.invite_member(email, full_name, role_key, invited_by=principal)
    db.session.commit()
    return created(member_json(user, principal), url_for("members_api.get_member", id=user.id))


@bp.get("/members/<int:id>")
@requires("members", "read")
def get_member(id: int):
    """One member; own-scope callers may only fetch themselves (anyone else: 404)."""
    principal = require_principal()
    return jsonify(member_json(_visible_member(id, principal), principal))


@bp.patch("/members/<int:id>")
@requires("members", "update")
def update_member(id: int):
    """Change profile fields and/or the role (role-level rules apply); read-only fields are ignored."""
    principal = require_principal()
    user = _visible_member(id, principal, "update")
    data = json_body()
    unknown = {name: ["Unknown field."] for name in data
               if name not in services.PROFILE_FIELDS and name not in ("role", *READ_ONLY_FIELDS)}
    if unknown:
        raise ValidationFailed(unknown)
    role = None
    if "role" in data:
        key = data["role"].get("key") if isinstance(data["role"], dict) else data["role"]  # as read, or a key
        if not isinstance(key, str) or not key:
            raise ValidationFailed({"role": ["Give a role key, e.g. \"member\"."]})
        role = services.get_role(key)
    changes = {name: value for name, value in data.items() if name in services.PROFILE_FIELDS}
    cleaned = services.clean_profile(changes)  # every field error in one 422, before anything changes
    if role is not None:
        services.change_role(user, role, principal)
    if cleaned:
        services.update_profile(user, cleaned, principal)
    db.session.commit()
    return jsonify(member_json(user, principal))


@bp.delete("/members/<int:id>")
@requires("members", "delete")
def delete_member(id: int):
    """Deactivate a member (204); their sign-ins and tokens stop working. Nobody can deactivate themself."""
    principal = require_principal()
    user = _visible_member(id, principal, "delete")
    services.deactivate_member(user, principal)
    db.session.commit()
    return "", 204
