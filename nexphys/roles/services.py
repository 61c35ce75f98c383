"""Roles and permissions: the rules for creating, changing and deleting roles.

HTML pages and the JSON API call these functions; they flush, the caller commits once.

Who may change what:
- custom roles have a level from 1 (Basic) to 3 (Manager); only the system owner role is level 4;
- a role is changed (or deleted) only by someone of a higher level than the role, except owners,
  who may change any role but the owner role; nobody may raise a role to their own level or above
  (owners: up to Manager);
- nobody grants a permission they do not hold themselves (no escalation through roles);
- the owner role always holds every permission: it cannot be reduced.

The actor is the request's Principal. An API key has no role: it acts at the level of the person
who created it, with the key's own permissions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.exc import IntegrityError

from nexphys import errors as base
from nexphys.api_keys.models import ApiKey
from nexphys.audit.services import AuditAction, record
from nexphys.errors import Conflict, DomainError, Invalid, NotFound
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.roles.catalog import ALL_CODES
from nexphys.roles.defaults import OWNER as OWNER_KEY
from nexphys.roles.models import Permission, Role, RoleLevel, role_permissions
from nexphys.tenancy.cache import cached_tenant_value, forget_tenant_values_after_commit
from nexphys.validation import FieldErrors, TextWords, digits_to_int, text
from nexphys.web.access import Principal

CUSTOM_LEVELS = (RoleLevel.BASIC, RoleLevel.PREMIUM, RoleLevel.MANAGER)
NAME_MAX = 80
DESCRIPTION_MAX = 200
KEY_MAX = 40
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


# --- errors -------------------------------------------------------------------------------------

class RoleError(DomainError):
    """Base of the roles domain errors."""


class RoleNotFound(RoleError, NotFound):
    def __init__(self, role_id: object = None) -> None:
        super().__init__(f"There is no role {role_id}." if role_id is not None else "There is no such role.")


class RoleInvalid(RoleError, Invalid):
    """Field → messages, for a form or a 422."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))


class NotAllowed(RoleError, base.NotAllowed):
    """The actor may not do this to this role (a 403), with the reason."""


class RoleInUse(RoleError, Conflict):
    def __init__(self, role: Role, holders: int) -> None:
        people = "1 person holds" if holders == 1 else f"{holders} people hold"
        super().__init__(f"{people} the role “{role.name}”: give them another role before deleting it.")
        self.holders = holders


# --- reading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleSummary:
    role: Role
    member_count: int


def list_roles() -> list[RoleSummary]:
    """Every role with how many people hold it, highest level first."""
    counts = (sa.select(User.role_id, sa.func.count(User.id).label("n")).group_by(User.role_id).subquery())
    rows = db.session.execute(
        sa.select(Role, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.role_id == Role.id).options(orm.selectinload(Role.permissions))
        .order_by(Role.level.desc(), Role.is_system.desc(), Role.name, Role.id)
    ).all()
    return [RoleSummary(role, int(count)) for role, count in rows]


def get_role(role_id: int) -> Role:
    """The role with this id, or RoleNotFound."""
    role = db.session.get(Role, role_id) if isinstance(role_id, int) else None
    if role is None:
        raise RoleNotFound(role_id)
    return role


def member_count(role: Role) -> int:
    """How many people (any status) hold `role`."""
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role_id == role.id)) or 0


def permission_catalogue() -> list[tuple[str, list[Permission]]]:
    """Every permission of this studio grouped by resource, in catalogue order (a permission a later
    migration added sits where the catalogue puts it, not last; any the catalogue no longer lists go last)."""
    order = {code: n for n, code in enumerate(ALL_CODES)}
    groups: dict[str, list[Permission]] = {}
    rows = db.session.scalars(sa.select(Permission).order_by(Permission.id)).all()
    for permission in sorted(rows, key=lambda p: (order.get(p.code, len(order)), p.id)):
        groups.setdefault(permission.resource, []).append(permission)
    return list(groups.items())


def _permissions_by_code() -> dict[str, Permission]:
    return {p.code: p for p in db.session.scalars(sa.select(Permission).order_by(Permission.id))}


# --- who may do what -----------------------------------------------------------------------------

def actor_level(actor: Principal) -> int:
    """The actor's role level; an API key acts at its creator's current level (0 if none)."""
    if actor.kind == "user":
        return actor.role_level
    if actor.kind == "api_key":
        creator_level = db.session.scalar(
            sa.select(Role.level).join(User, User.role_id == Role.id).join(ApiKey, ApiKey.created_by_id == User.id)
            .where(ApiKey.id == actor.id))
        return creator_level or 0
    return 0


def is_owner_role(role: Role) -> bool:
    return role.key == OWNER_KEY


def assignable_levels(actor: Principal) -> list[int]:
    """The levels `actor` may give a custom role: below their own; owners up to Manager."""
    level = actor_level(actor)
    return [lv for lv in CUSTOM_LEVELS if lv < level or level >= RoleLevel.OWNER]


def change_refusal(role: Role, actor: Principal) -> str | None:
    """Why `actor` may not change or delete `role`, or None if they may."""
    level = actor_level(actor)
    if is_owner_role(role):
        return "The owner role cannot be changed: it always holds every permission."
    if level >= RoleLevel.OWNER or level > role.level:
        return None
    return (f"Only someone above level {role.level} ({RoleLevel.NAMES.get(role.level, role.level)}) "
            f"may change the role “{role.name}”.")


def delete_refusal(role: Role, actor: Principal) -> str | None:
    """Why `actor` may not delete `role` (built-in roles never), or None if they may (unless it is held)."""
    if role.is_system:
        return f"“{role.name}” is a built-in role and cannot be deleted."
    return change_refusal(role, actor)


def can_change(role: Role, actor: Principal) -> bool:
    return change_refusal(role, actor) is None


def _require_change(role: Role, actor: Principal) -> None:
    reason = change_refusal(role, actor)
    if reason:
        raise NotAllowed(reason)


# --- validation ---------------------------------------------------------------------------------

_NAME_TEXT = TextWords(not_text="Give the role a name.", missing="Give the role a name.",
                      too_long="Keep the name to {limit} characters or fewer.")
_DESCRIPTION_TEXT = TextWords(not_text="The description is text.",
                             too_long="Keep the description to {limit} characters or fewer.")


def _clean_name(errors: FieldErrors, name: object, exclude_id: int | None = None) -> str | None:
    name = text(errors, "name", name, NAME_MAX, required=True, collapse=True, words=_NAME_TEXT)
    if name:
        clash = sa.select(Role.id).where(sa.func.lower(Role.name) == name.lower())
        if exclude_id is not None:
            clash = clash.where(Role.id != exclude_id)
        if db.session.scalar(clash) is not None:
            errors.add("name", f"There is already a role called “{name}”.")
    return name


def _clean_level(errors: FieldErrors, level: object, actor: Principal) -> int | None:
    level = digits_to_int(level)
    if isinstance(level, bool) or not isinstance(level, int):
        errors.add("level", "Choose a level: 1 (Basic), 2 (Premium) or 3 (Manager).")
        return None
    if level not in CUSTOM_LEVELS:
        errors.add("level", "A custom role's level is 1 (Basic), 2 (Premium) or 3 (Manager); "
                            "only the owner role is level 4.")
    elif level not in assignable_levels(actor):
        errors.add("level", f"You may only give a role a level below your own (level {actor_level(actor)}).")
    return level


def resolve_codes(errors: FieldErrors, codes: object) -> list[Permission]:
    """Resolve permission codes against this studio's catalogue (unknown or malformed → errors)."""
    if codes is None:
        return []
    if isinstance(codes, str) or not isinstance(codes, Iterable) or not all(isinstance(c, str) for c in codes):
        errors.add("permissions", "Send a list of permission codes such as \"members:read\".")
        return []
    catalogue = _permissions_by_code()
    unknown = sorted({c for c in codes if c not in catalogue})
    for code in unknown:
        errors.add("permissions", f"Unknown permission: {code}.")
    if unknown:
        return []
    return [catalogue[c] for c in sorted(set(codes), key=lambda c: catalogue[c].id)]


def check_grantable(codes: Iterable[str], actor: Principal) -> list[str]:
    """The codes among `codes` that `actor` may not grant (those they do not hold themselves)."""
    return sorted(set(codes) - set(actor.permissions))


def _check_grants(errors: FieldErrors, added: Iterable[str], actor: Principal) -> None:
    for code in check_grantable(added, actor):
        errors.add("permissions", f"You cannot grant {code}: you do not hold it yourself.")


def _clean_description(errors: FieldErrors, description: object) -> str | None:
    return text(errors, "description", description, DESCRIPTION_MAX, collapse=True, words=_DESCRIPTION_TEXT)


def _key_from_name(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not base or not base[0].isalpha():
        base = f"role_{base}".rstrip("_")
    base = base[:KEY_MAX]
    taken = set(db.session.scalars(sa.select(Role.key).where(Role.key.like(f"{base[:KEY_MAX - 4]}%"))))
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key, n = base[:KEY_MAX - len(suffix)] + suffix, n + 1
    return key


def _clean_key(errors: FieldErrors, key: object) -> str | None:
    if key in (None, ""):
        return None
    if not isinstance(key, str) or len(key) > KEY_MAX or not KEY_PATTERN.match(key):
        errors.add("key", f"A key is lowercase letters, digits and _ (starting with a letter), "
                          f"at most {KEY_MAX} characters.")
        return None
    if db.session.scalar(sa.select(Role.id).where(Role.key == key)) is not None:
        errors.add("key", f"The key “{key}” is taken.")
    return key


# --- changing -----------------------------------------------------------------------------------

def _actor_fields(actor: Principal) -> dict:
    return {"actor": actor.label, "actor_user_id": actor.person_id}


def create_role(name: object, level: object, permission_codes: object, actor: Principal,
                key: object = None, description: object = None) -> Role:
    """Create a custom role (level 1–3) with the given permissions. Flushes; audited."""
    errors = FieldErrors()
    name = _clean_name(errors, name)
    level = _clean_level(errors, level, actor)
    key = _clean_key(errors, key)
    description = _clean_description(errors, description)
    permissions = resolve_codes(errors, permission_codes)
    _check_grants(errors, [p.code for p in permissions], actor)
    errors.raise_if_any(RoleInvalid)
    role = Role(key=key or _key_from_name(name), name=name, level=level, description=description,
                is_system=False, permissions=permissions)
    try:
        with db.session.begin_nested():
            db.session.add(role)
            db.session.flush()
    except IntegrityError as exc:  # a concurrent create took the key
        raise RoleInvalid({"key": ["That key was just taken; try again."]}) from exc
    record(AuditAction.ROLE_CREATED, target=f"role:{role.key}", **_actor_fields(actor),
           details={"role_id": role.id, "name": role.name, "level": role.level,
                    "added": [p.code for p in permissions], "removed": []})
    return role


def update_role(role: Role, actor: Principal, name: object = None, level: object = None,
                permission_codes: object = None, description: object = None) -> Role:
    """Change a role's name, level, description and/or permissions (None: unchanged). Flushes; audited."""
    current = role.permission_codes
    if is_owner_role(role) and permission_codes is not None and isinstance(permission_codes, Iterable) \
            and not current <= set(c for c in permission_codes if isinstance(c, str)):
        raise NotAllowed("The owner role always holds every permission: its permissions cannot be reduced.")
    _require_change(role, actor)
    errors = FieldErrors()
    new_name = _clean_name(errors, name, exclude_id=role.id) if name is not None else role.name
    new_description = _clean_description(errors, description) if description is not None else role.description
    new_level = role.level
    if level is not None:
        new_level = _clean_level(errors, level, actor)
    new_permissions = role.permissions
    if permission_codes is not None:
        new_permissions = resolve_codes(errors, permission_codes)
    new_codes = {p.code for p in new_permissions}
    added, removed = sorted(new_codes - current), sorted(current - new_codes)
    _check_grants(errors, added, actor)
    errors.raise_if_any(RoleInvalid)
    changes = {}
    if new_name != role.name:
        changes["name"] = [role.name, new_name]
        role.name = new_name
    if new_description != role.description:
        changes["description"] = [role.description, new_description]
        role.description = new_description
    if new_level != role.level:
        changes["level"] = [role.level, new_level]
        role.level = new_level
    if added or removed:
        role.permissions = list(new_permissions)
        forget_tenant_values_after_commit()  # signed-in people's cached permissions
    if changes or added or removed:
        db.session.flush()
        record(AuditAction.ROLE_UPDATED, target=f"role:{role.key}", **_actor_fields(actor),
               details={"role_id": role.id, "name": role.name, "changes": changes, "added": added,
                        "removed": removed})
    return role


def delete_role(role: Role, actor: Principal) -> None:
    """Delete a custom role nobody holds. Flushes; audited."""
    reason = delete_refusal(role, actor)
    if reason:
        raise NotAllowed(reason)
    holders = member_count(role)
    if holders:
        raise RoleInUse(role, holders)
    snapshot = {"role_id": role.id, "name": role.name, "level": role.level,
                "removed": sorted(role.permission_codes), "added": []}
    target = f"role:{role.key}"
    forget_tenant_values_after_commit()
    try:
        with db.session.begin_nested():
            db.session.delete(role)
            db.session.flush()
    except IntegrityError as exc:  # someone was given the role meanwhile
        raise RoleInUse(role, max(member_count(role), 1)) from exc
    record(AuditAction.ROLE_DELETED, target=target, **_actor_fields(actor), details=snapshot)


def cached_permission_codes(role_id: int) -> frozenset[str]:
    """A role's permission codes, kept in process (every authenticated request needs them).

    A change through `update_role` or `delete_role` drops them after commit here and, within the
    tenant cache's half second, in every other process.
    """
    def load() -> frozenset[str]:
        granted = sa.select(Permission).join(role_permissions, role_permissions.c.permission_id == Permission.id)
        return frozenset(p.code for p in db.session.scalars(granted.where(role_permissions.c.role_id == role_id)))

    return cached_tenant_value(f"role-permissions:{role_id}", load)
