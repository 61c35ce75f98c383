"""Request and response shapes of the members API (the rules themselves are the service's)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema

from nexphys.members.models import UserStatus
from nexphys.members.services import CONTACT_MAX, NAME_MAX, NOTES_MAX
from nexphys.validation import EMAIL_MAX
from nexphys.web.schemas import Body, Day, Instant, PageQuery, Shape, Text

Status = Literal[UserStatus.ACTIVE, UserStatus.INVITED, UserStatus.INACTIVE]
RoleReference = Annotated[Any, WithJsonSchema({
    "description": "A role key (\"member\"), or the role object as read ({\"key\": …}).",
    "anyOf": [{"type": "string", "minLength": 1},
              {"type": "object", "properties": {"key": {"type": "string", "minLength": 1}}, "required": ["key"]},
              {"type": "null"}]})]


def _text(limit: int, required: bool = False) -> Any:
    """A text field whose length limit the service checks (and the document states)."""
    return Field(... if required else None, json_schema_extra={"maxLength": limit})


class RoleBrief(Shape):
    key: str
    name: str
    level: int


class Member(Shape):
    """A person of the studio; the private fields only for themselves and staff who read everyone."""

    id: int
    email: str
    full_name: str
    role: RoleBrief
    status: Status
    created_at: Instant
    phone: str | None = None
    date_of_birth: Day | None = None
    emergency_contact: str | None = None
    health_notes: str | None = None


class MembersQuery(PageQuery):
    search: str | None = None
    role: str | None = Field(None, description="A role key")
    status: Status | None = None


class Invitation(Body):
    """Invite a person: created as "invited" and emailed a link to choose their password."""

    email: Text = _text(EMAIL_MAX, required=True)
    full_name: Text = _text(NAME_MAX, required=True)
    role: str | None = Field(None, description="A role key (default: member)")


class MemberChanges(Body):
    """Profile fields and/or the role; the read-only fields of a member as read are ignored."""

    ignored = frozenset({"id", "email", "status", "created_at"})

    full_name: str | None = _text(NAME_MAX)
    phone: str | None = Field(None, description="6 to 15 digits, optionally starting with +")
    date_of_birth: date | None = None
    emergency_contact: str | None = _text(CONTACT_MAX)
    health_notes: str | None = _text(NOTES_MAX)
    role: RoleReference = None
