"""Request and response shapes of the roles API (the rules themselves are the service's)."""

from __future__ import annotations

from pydantic import Field

from nexphys.roles.services import DESCRIPTION_MAX, KEY_MAX, NAME_MAX
from nexphys.web.schemas import Body, Shape, Text

LEVELS = "1 (Basic), 2 (Premium) or 3 (Manager); only the owner role is level 4"


class Role(Shape):
    id: int
    key: str
    name: str
    level: int
    is_system: bool
    description: str
    permissions: list[str] = Field(description="Permission codes such as \"members:read\"")
    member_count: int


class Permission(Shape):
    code: str
    resource: str
    action: str
    condition: str | None
    description: str


class NewRole(Body):
    """A custom role; `key` is made from the name unless given. Read-only fields sent back are ignored."""

    ignored = frozenset({"id", "is_system", "member_count"})

    name: Text = Field(json_schema_extra={"maxLength": NAME_MAX})
    level: int = Field(description=LEVELS)
    permissions: list[str] = []
    key: str | None = Field(None, json_schema_extra={"maxLength": KEY_MAX, "pattern": "^[a-z][a-z0-9_]*$"})
    description: str | None = Field(None, json_schema_extra={"maxLength": DESCRIPTION_MAX})


class RoleChanges(Body):
    """Any of name, level, description and the full list of permission codes; the key never changes."""

    ignored = frozenset({"id", "key", "is_system", "member_count"})

    name: str | None = Field(None, json_schema_extra={"maxLength": NAME_MAX})
    level: int | None = Field(None, description=LEVELS)
    permissions: list[str] | None = None
    description: str | None = Field(None, json_schema_extra={"maxLength": DESCRIPTION_MAX})
