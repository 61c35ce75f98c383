"""The permission catalogue and what each default role is granted, from the installed domains.

A permission code is "resource:action" or "resource:action:own" (only the holder's own records). Each
domain declares its permissions and which default roles hold them (nexphys.domains.Permission);
owners hold all. Seeded into every new tenant; a tenant migration adds catalogue entries when this grows.
"""

from __future__ import annotations

from nexphys.domains import installed
from nexphys.roles.defaults import DEFAULT_ROLES as ROLE_DEFINITIONS
from nexphys.roles.defaults import OWNER

_declared = installed().permissions()

# (resource, action, condition, description), in catalogue order
PERMISSIONS: list[tuple[str, str, str | None, str]] = [(p.resource, p.action, p.condition, p.description)
                                                        for p in _declared]
ALL_CODES = [p.code for p in _declared]

# key, name, level, description, permission codes
DEFAULT_ROLES: list[tuple[str, str, int, str, list[str]]] = [
    (key, name, level, text, ALL_CODES if key == OWNER else [p.code for p in _declared if key in p.roles])
    for key, name, level, text in ROLE_DEFINITIONS
]

