"""Members API: /api/v1/members.

Visibility: callers with `members:read` see everyone; callers with only `members:read:own` see
themselves (a list of one; anyone else's id is a 404). Private fields (phone, date of birth,
emergency contact, health notes) are included for the person themself and for `members:read` holders.
"""

from __future__ import annotations

from flask import Blueprint, abort, url_for

from nexphys.extensions import db
from nexphys.members import services
from nexphys.members.models import User
from nexphys.members.schemas import Invitation, Member, MemberChanges, MembersQuery
from nexphys.web.access import Principal, require_principal, requires
from nexphys.web.api import ValidationFailed
from nexphys.web.schemas import Page, api, no_content, respond

bp = Blueprint("members_api", __name__, url_prefix="/api/v1")


def member_json(user: User, principal: Principal) -> dict:
    """A person's fields, with the private ones only for those who may see them."""
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


def _check_changes(values: dict) -> None:
    """The profile rules over the fields that parsed (for one 422 with every field's message)."""
    services.clean_profile({name: value for name, value in values.items() if name in services.PROFILE_FIELDS})


@bp.get("/members")
@requires("members", "read")
@api(query=MembersQuery, responses={200: Page[Member]}, problems=(400, 422))
def list_members(query: MembersQuery):
    """List members (?search=&role=&status=&page=&per_page=); own-scope callers get only themselves."""
    principal = require_principal()
    only_user_id = None
    if principal.scope("members", "read") != "all":
        only_user_id = principal.person_id or -1  # an own-scope API key has no "own" person: nothing visible
    members = services.list_members(query.search, query.role or None, query.status, page=query.page,
                                    per_page=query.per_page, only_user_id=only_user_id)
    return respond(Page[Member], Page.of(members, [member_json(user, principal) for user in members.items]))


@bp.post("/members")
@requires("members", "create")
@api(body=Invitation, responses={201: Member}, problems=(403, 409, 422))
def create_member(body: Invitation):
    """Invite a person {email, full_name, role?}: created as "invited" and emailed a set-password link."""
    principal = require_principal()
    user = services.invite_member(body.email, body.full_name, body.role, invited_by=principal)
    db.session.commit()
    return respond(Member, member_json(user, principal), 201, url_for("members_api.get_member", id=user.id))


@bp.get("/members/<int:id>")
@requires("members", "read")
@api(responses={200: Member}, problems=(404,))
def get_member(id: int):
    """One member; own-scope callers may only fetch themselves (anyone else: 404)."""
    principal = require_principal()
    return respond(Member, member_json(_visible_member(id, principal), principal))


@bp.patch("/members/<int:id>")
@requires("members", "update")
@api(body=MemberChanges, responses={200: Member}, problems=(403, 404, 409, 422), check=_check_changes)
def update_member(id: int, body: MemberChanges):
    """Change profile fields and/or the role (role-level rules apply); read-only fields are ignored."""
    principal = require_principal()
    user = _visible_member(id, principal, "update")
    values = body.values()
    role = None
    if "role" in values:
        given = values.pop("role")
        key = given.get("key") if isinstance(given, dict) else given  # as read, or a key
        if not isinstance(key, str) or not key:
            raise ValidationFailed({"role": ["Give a role key, e.g. \"member\"."]})
        role = services.get_role(key)
    cleaned = services.clean_profile(values)  # every field error in one 422, before anything changes
    if role is not None:
        services.change_role(user, role, principal)
    if cleaned:
        services.update_profile(user, cleaned, principal)
    db.session.commit()
    return respond(Member, member_json(user, principal))


@bp.delete("/members/<int:id>")
@requires("members", "delete")
@api(responses={204: None}, problems=(403, 404, 409))
def delete_member(id: int):
    """Deactivate a member (204); their sign-ins and tokens stop working. Nobody can deactivate themself."""
    principal = require_principal()
    user = _visible_member(id, principal, "delete")
    services.deactivate_member(user, principal)
    db.session.commit()
    return no_content()
