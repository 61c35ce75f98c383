"""Request and response shapes of the platform API (apex host, platform administrators)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nexphys.platform.services import NAME_MAX, REASON_MAX
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.names import SLUG_MAX
from nexphys.tenancy.services import DEFAULT_PLAN
from nexphys.web.schemas import Body, Instant, PageQuery, Shape, Text

Status = Literal[TenantStatus.PROVISIONING, TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.FAILED,
                 TenantStatus.ARCHIVED]


class Domain(Shape):
    host: str
    kind: Literal["subdomain", "custom"]
    primary: bool


class Tenant(Shape):
    """A studio as the platform sees it: `failed` carries the reason in `status_reason`."""

    id: int
    slug: str
    name: str
    status: Status
    status_reason: str | None
    plan: str | None
    time_zone: str
    domains: list[Domain]
    created_at: Instant | None
    activated_at: Instant | None


class TenantsQuery(PageQuery):
    q: str | None = Field(None, description="Text in the slug, name or a domain")
    status: Status | None = None


class NewTenant(Body):
    """A studio to create: it is provisioned by a background job, then its owner is emailed."""

    slug: Text = Field(json_schema_extra={"maxLength": SLUG_MAX, "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"})
    name: Text = Field(json_schema_extra={"maxLength": NAME_MAX})
    plan: Text = Field(description=f"A plan code, e.g. {DEFAULT_PLAN}")
    owner_email: Text
    owner_name: str | None = Field(None, json_schema_extra={"maxLength": NAME_MAX})
    time_zone: str = Field("UTC", description="An IANA time zone, e.g. Europe/London")


class Suspension(Body):
    reason: str | None = Field(None, json_schema_extra={"maxLength": REASON_MAX})
