"""The permission catalogue and what each default role is granted.

A permission code is "resource:action" or "resource:action:own" (only the holder's own records).
Seeded into every new tenant; a tenant migration adds catalogue entries when this grows.
"""

from __future__ import annotations

from nexphys.roles.models import RoleLevel

OWN = "own"

# (resource, action, condition, description)
PERMISSIONS: list[tuple[str, str, str | None, str]] = [
    ("members", "read", None, "See every member's profile"),
    ("members", "read", OWN, "See one's own profile"),
    ("members", "create", None, "Add and invite members"),
    ("members", "update", None, "Edit any member's profile"),
    ("members", "update", OWN, "Edit one's own profile"),
    ("members", "delete", None, "Deactivate members"),
    ("roles", "read", None, "See roles and permissions"),
    ("roles", "create", None, "Create custom roles"),
    ("roles", "update", None, "Change roles and who holds them"),
    ("roles", "delete", None, "Delete custom roles"),
    ("classes", "read", None, "See the timetable"),
    ("classes", "create", None, "Schedule classes"),
    ("classes", "update", None, "Change classes"),
    ("classes", "delete", None, "Cancel classes"),
    ("bookings", "read", None, "See every booking and roster"),
    ("bookings", "read", OWN, "See one's own bookings"),
    ("bookings", "create", None, "Book anyone into a class"),
    ("bookings", "create", OWN, "Book oneself into a class"),
    ("bookings", "update", None, "Check people in, change bookings"),
    ("bookings", "delete", None, "Cancel anyone's booking"),
    ("bookings", "delete", OWN, "Cancel one's own booking"),
    ("audit", "read", None, "Read the audit log"),
    ("api_keys", "read", None, "See API keys"),
    ("api_keys", "create", None, "Create API keys"),
    ("api_keys", "delete", None, "Revoke API keys"),
    ("settings", "read", None, "See studio settings"),
    ("settings", "update", None, "Change studio settings"),
]

ALL_CODES = [f"{r}:{a}" + (f":{c}" if c else "") for r, a, c, _ in PERMISSIONS]

_MEMBER = ["members:read:own", "members:update:own", "classes:read", "bookings:read:own",
           "bookings:create:own", "bookings:delete:own"]
_INSTRUCTOR = [*_MEMBER, "members:read", "bookings:read", "bookings:update"]
_MANAGER = [*_INSTRUCTOR, "members:create", "members:update", "members:delete", "roles:read",
            "classes:create", "classes:update", "classes:delete", "bookings:create", "bookings:delete",
            "settings:read"]

# key, name, level, description, permission codes
DEFAULT_ROLES: list[tuple[str, str, int, str, list[str]]] = [
    ("member", "Member", RoleLevel.BASIC, "Books classes and manages their own profile.", _MEMBER),
    ("premium_member", "Premium member", RoleLevel.PREMIUM, "A member with premium booking privileges.", _MEMBER),
    ("instructor", "Instructor", RoleLevel.MANAGER, "Teaches classes, sees rosters, checks people in.", _INSTRUCTOR),
    ("manager", "Manager", RoleLevel.MANAGER, "Runs the studio day to day.", _MANAGER),
    ("owner", "Owner", RoleLevel.OWNER, "Full control of the studio.", ALL_CODES),
]


def parse_code(code: str) -> tuple[str, str, str | None]:
    parts = code.split(":")
    if len(parts) not in (2, 3):
        raise ValueError(f"not a permission code: {code!r}")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None
