"""The default roles every studio starts with (their grants come from each domain's Permission list)."""

from __future__ import annotations

from nexphys.roles.models import RoleLevel

OWNER = "owner"
# key, name, level, description
DEFAULT_ROLES: tuple[tuple[str, str, int, str], ...] = (
    ("member", "Member", RoleLevel.BASIC, "Books classes and manages their own profile."),
    ("premium_member", "Premium member", RoleLevel.PREMIUM, "A member with premium booking privileges."),
    ("instructor", "Instructor", RoleLevel.MANAGER, "Teaches classes, sees rosters, checks people in."),
    ("manager", "Manager", RoleLevel.MANAGER, "Runs the studio day to day."),
    (OWNER, "Owner", RoleLevel.OWNER, "Full control of the studio."),
)

# Who holds a permission by default, for the domains' Permission(..., roles=...). Owners hold everything.
EVERYONE = ("member", "premium_member", "instructor", "manager")
STAFF = ("instructor", "manager")
MANAGERS = ("manager",)
