"""A studio's people: list, find, invite, edit profiles, deactivate, change roles.

Every rule about who may do what to whom lives here, so the pages and the API answer the same way.
Functions flush; the request (or CLI command, or job) commits once.

Hierarchy: people act on others by role level (RoleLevel BASIC 1 … OWNER 4). An API key has no role;
it acts at manager level (KEY_LEVEL) whatever permissions it carries, so a key can never touch owners.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from nexphys import errors as base
from nexphys.audit.services import AuditAction, record
from nexphys.auth.services import send_invitation
from nexphys.auth.sessions import end_sessions
from nexphys.errors import Conflict, DomainError, Invalid, NotFound
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.roles.models import Role, RoleLevel
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.models import Plan
from nexphys.validation import FieldErrors, TextWords, day, email_address, text, unknown_fields
from nexphys.web.access import Principal

KEY_LEVEL = RoleLevel.MANAGER
NAME_MAX = 120
CONTACT_MAX = 200
NOTES_MAX = 2000
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()./-]{4,22}[0-9]$")
PROFILE_FIELDS = ("full_name", "phone", "date_of_birth", "emergency_contact", "health_notes")
DEFAULT_ROLE_KEY = "member"


# --- domain errors ------------------------------------------------------------------------------

class MemberError(DomainError):
    """Base of the members domain errors; the message is safe to show."""


class MemberNotFound(MemberError, NotFound):
    """No such person in this studio (or not visible to the caller)."""


class RoleNotFound(MemberError, Invalid):
    """No role with that key in this studio (a bad value of the `role` field)."""

    def __init__(self, message: str) -> None:
        super().__init__({"role": [message]}, message)


class DuplicateEmail(MemberError, Conflict):
    """Someone in this studio already has that email (emails are unique regardless of case)."""


class NotAllowed(MemberError, base.NotAllowed):
    """The caller's role does not allow this action on this person."""


class LastOwner(MemberError, Conflict):
    """The studio must keep at least one active owner."""


class ProfileInvalid(MemberError, Invalid):
    """Field → messages for bad input, shown next to form fields or as a 422's `errors`."""


class MemberLimitReached(MemberError, Conflict):
    """The studio's plan holds no more members (invitations and sign-ups alike)."""


# --- who may do what -----------------------------------------------------------------------------

def acting_level(actor: Principal) -> int:
    """The role level an actor acts at: their role's, or manager level for an API key."""
    if actor.kind == "api_key":
        return KEY_LEVEL
    if actor.kind == "user":
        return actor.role_level
    return 0


def _is_self(actor: Principal, user: User) -> bool:
    return actor.person_id == user.id


def _actor_fields(actor: Principal) -> dict:
    return {"actor": actor.label, "actor_user_id": actor.person_id}


def can_grant(actor: Principal, role: Role) -> bool:
    """Whether `actor` may give `role` to a new person (owners: any; others: roles below their level)."""
    level = acting_level(actor)
    return level >= RoleLevel.OWNER or role.level < level


def may_change_role(actor: Principal, user: User, role: Role) -> bool:
    """The role-change rule: owners change anyone's role; others only when above both the old and new role."""
    if not actor.can("roles", "update"):
        return False
    level = acting_level(actor)
    if level >= RoleLevel.OWNER:
        return True
    return level > user.role.level and level > role.level


def may_manage(actor: Principal, user: User) -> bool:
    """Whether `actor` may act on `user` as staff: nobody acts on someone of a higher role level."""
    return acting_level(actor) >= user.role.level


def may_deactivate(actor: Principal, user: User) -> bool:
    """Whether the deactivate button should be offered (the last-owner rule is checked on submit)."""
    return (actor.scope("members", "delete") == "all" and not _is_self(actor, user)
            and user.status != UserStatus.INACTIVE and may_manage(actor, user))


def sees_sensitive(actor: Principal, user: User) -> bool:
    """Phone, birth date, emergency contact and health notes: the person themself or staff who read all."""
    return _is_self(actor, user) or actor.scope("members", "read") == "all"


# --- queries ---------------------------------------------------------------------------------------

def all_roles() -> list[Role]:
    """The studio's roles, lowest level first."""
    return list(db.session.scalars(sa.select(Role).order_by(Role.level, Role.name)))


def grantable_roles(actor: Principal) -> list[Role]:
    """Roles `actor` may give to someone they invite."""
    return [role for role in all_roles() if can_grant(actor, role)]


def assignable_roles(actor: Principal, user: User) -> list[Role]:
    """Roles `actor` may move `user` to (their current role excluded); empty when they may not change it."""
    return [role for role in all_roles() if role.id != user.role_id and may_change_role(actor, user, role)]


def get_role(key: str) -> Role:
    """The role with this key, or RoleNotFound."""
    role = db.session.scalar(sa.select(Role).where(Role.key == key))
    if role is None:
        raise RoleNotFound(f"There is no role {key!r}.")
    return role


def list_members(search: str | None = None, role_key: str | None = None, status: str | None = None,
                 page: int = 1, per_page: int = 25, only_user_id: int | None = None):
    """People ordered by name, filtered by a name/email search, role and status; a Flask-SQLAlchemy page."""
    query = sa.select(User)
    if search and search.strip():
        term = search.strip()
        query = query.where(sa.or_(User.full_name.icontains(term, autoescape=True),
                                   User.email.icontains(term, autoescape=True)))
    if role_key:
        query = query.where(User.role_id.in_(sa.select(Role.id).where(Role.key == role_key)))
    if status:
        query = query.where(User.status == status)
    if only_user_id is not None:
        query = query.where(User.id == only_user_id)
    query = query.order_by(sa.func.lower(User.full_name), User.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def find_active(search: str, limit: int = 10) -> list[User]:
    """Active people whose name or email matches `search`, by name (staff's member pickers)."""
    if not search:
        return []
    return list(list_members(search, status=UserStatus.ACTIVE, page=1, per_page=limit).items)


def get_member(member_id: int) -> User:
    """The person with this id, or MemberNotFound."""
    user = db.session.get(User, member_id)
    if user is None:
        raise MemberNotFound("There is no such member.")
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def _active_owner_ids(lock: bool = False) -> list[int]:
    query = (sa.select(User.id).where(User.status == UserStatus.ACTIVE)
             .where(User.role_id.in_(sa.select(Role.id).where(Role.level >= RoleLevel.OWNER))))
    if lock:
        query = query.with_for_update()  # two owners demoting each other at once: one waits for the other
    return list(db.session.scalars(query))


def _is_last_active_owner(user: User) -> bool:
    if user.status != UserStatus.ACTIVE or user.role.level < RoleLevel.OWNER:
        return False
    return [owner_id for owner_id in _active_owner_ids(lock=True) if owner_id != user.id] == []


def member_count() -> int:
    """Members (below staff level) who are active or invited: what the plan's member limit counts."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).join(Role, Role.id == User.role_id)
        .where(Role.level < RoleLevel.MANAGER, User.status != UserStatus.INACTIVE)) or 0


def check_member_limit(role: Role) -> None:
    """MemberLimitReached when one more member of `role` would pass the plan's limit (staff are not counted)."""
    if role.level >= RoleLevel.MANAGER:
        return
    plan_code = require_tenant().plan_code
    limit = db.session.scalar(sa.select(Plan.max_members).where(Plan.code == plan_code)) if plan_code else None
    if limit is not None and member_count() >= limit:
        raise MemberLimitReached(f"The studio's plan allows {limit} members and they are all taken: deactivate "
                                 "someone who left, or move to a larger plan.")


# --- validation --------------------------------------------------------------------------------

_PROFILE_TEXT = TextWords(too_long="At most {limit} characters.")
_NAME_TEXT = TextWords(missing="Enter a name.", too_long="At most {limit} characters.")
_BIRTH_DATE_FORMAT = "Enter a date as YYYY-MM-DD."


def _clean_name(errors: FieldErrors, field: str, value: object) -> str | None:
    return text(errors, field, value, NAME_MAX, required=True, words=_NAME_TEXT)


def _clean_phone(errors: FieldErrors, field: str, value: object) -> str | None:
    phone = text(errors, field, value)
    if not phone:
        return None
    digits = sum(ch.isdigit() for ch in phone)
    if not PHONE_PATTERN.match(phone) or not 6 <= digits <= 15:
        errors.add(field, "Enter a phone number of 6 to 15 digits, optionally starting with +.")
        return None
    return phone


def _clean_birth_date(errors: FieldErrors, field: str, value: object) -> date | None:
    born = day(errors, field, value, required=False, message=_BIRTH_DATE_FORMAT)
    if born is None:
        return None
    if born >= date.today():
        errors.add(field, "The date of birth must be in the past.")
    elif born < EARLIEST_BIRTH_DATE:
        errors.add(field, "Enter a date of birth after 1900.")
    return born


def _limited(limit: int) -> Callable[[FieldErrors, str, object], str | None]:
    """A cleaner of optional text up to `limit` characters (None for nothing)."""
    return lambda errors, field, value: text(errors, field, value, limit, words=_PROFILE_TEXT) or None


_CLEANERS = {"full_name": _clean_name, "phone": _clean_phone, "date_of_birth": _clean_birth_date,
             "emergency_contact": _limited(CONTACT_MAX), "health_notes": _limited(NOTES_MAX)}


def clean_profile(changes: dict) -> dict:
    """Validated profile values, or ProfileInvalid with every bad field's message."""
    errors = FieldErrors()
    unknown_fields(errors, changes, _CLEANERS, "This field cannot be changed.")
    cleaned = {name: _CLEANERS[name](errors, name, value) for name, value in changes.items() if name in _CLEANERS}
    errors.raise_if_any(ProfileInvalid)
    return cleaned


# --- changes ----------------------------------------------------------------------------------

def invite_member(email: str, full_name: str, role_key: str | None, invited_by: Principal) -> User:
    """Create an invited person (no password yet), email them a set-password link, audit it. Flushes."""
    errors = FieldErrors()
    email = email_address(errors, "email", email)
    full_name = _clean_name(errors, "full_name", full_name)
    role = None
    try:
        role = get_role(role_key or DEFAULT_ROLE_KEY)
    except RoleNotFound:
        errors.add("role", "Choose one of the studio's roles.")
    errors.raise_if_any(ProfileInvalid)
    if not can_grant(invited_by, role):
        raise NotAllowed(f"You cannot invite someone as {role.name}.")
    if find_by_email(email) is not None:
        raise DuplicateEmail(f"Someone at this studio already uses {email}.")
    check_member_limit(role)
    user = User(email=email, full_name=full_name, role=role, status=UserStatus.INVITED, password_hash=None)
    try:
        with db.session.begin_nested():  # a concurrent invite of the same email: keep the outer transaction
            db.session.add(user)
    except IntegrityError as exc:
        raise DuplicateEmail(f"Someone at this studio already uses {email}.") from exc
    send_invitation(user, invited_by=_inviter_name(invited_by))
    record(AuditAction.MEMBER_INVITED, **_actor_fields(invited_by), target=f"user:{user.id}",
           details={"role": role.key})
    return user


def _inviter_name(actor: Principal) -> str:
    if actor.kind == "user":
        inviter = db.session.get(User, actor.id)
        if inviter is not None:
            return inviter.full_name
    return f"The {require_tenant().name} team"


def update_profile(user: User, changes: dict, actor: Principal) -> list[str]:
    """Apply profile changes (validated); audits the names of the fields that changed. Returns them."""
    staff_may = actor.scope("members", "update") == "all" and may_manage(actor, user)
    if not (_is_self(actor, user) or staff_may):
        raise NotAllowed("You cannot edit this person's profile.")
    cleaned = clean_profile(changes)
    changed = [name for name in PROFILE_FIELDS if name in cleaned and getattr(user, name) != cleaned[name]]
    for name in changed:
        setattr(user, name, cleaned[name])
    if changed:
        db.session.flush()
        record(AuditAction.MEMBER_UPDATED, **_actor_fields(actor), target=f"user:{user.id}",
               details={"fields": changed})  # names only: the values may be health data
    return changed


def deactivate_member(user: User, actor: Principal) -> bool:
    """Set a person inactive (their sessions and tokens stop working). False when already inactive."""
    if _is_self(actor, user):
        raise NotAllowed("You cannot deactivate yourself.")
    if actor.scope("members", "delete") != "all" or not may_manage(actor, user):
        raise NotAllowed("You cannot deactivate this person.")
    if user.status == UserStatus.INACTIVE:
        return False
    if _is_last_active_owner(user):
        raise LastOwner("This is the studio's last active owner: make someone else an owner first.")
    previous = user.status
    user.status = UserStatus.INACTIVE
    end_sessions(user)
    db.session.flush()
    record(AuditAction.MEMBER_DEACTIVATED, **_actor_fields(actor), target=f"user:{user.id}",
           details={"previous_status": previous})
    return True


def change_role(user: User, role: Role, actor: Principal) -> bool:
    """Give `user` another role under the hierarchy rule; keeps one active owner. False when unchanged."""
    if role.id == user.role_id:
        return False
    if not may_change_role(actor, user, role):
        raise NotAllowed(f"You cannot change {user.full_name}'s role to {role.name}.")
    if role.level < RoleLevel.OWNER and _is_last_active_owner(user):
        raise LastOwner("This is the studio's last active owner: make someone else an owner first.")
    previous = user.role
    user.role = role
    end_sessions(user, keep=actor)  # the new role's rules apply from a new sign-in; the changer's goes on
    db.session.flush()
    record(AuditAction.ROLE_CHANGED, **_actor_fields(actor), target=f"user:{user.id}",
           details={"from": previous.key, "to": role.key})
    return True
