"""Declarative bases and column helpers shared by every domain's models.

Public tables (the tenant registry, plans, system settings) live in the `public` schema.
Tenant tables are declared in the placeholder schema UNBOUND_TENANT_SCHEMA, which does not exist:
the tenancy core translates it into the bound tenant's schema when statements execute
(SQLAlchemy's schema_translate_map), so a statement run without a bound tenant fails instead of
silently reading another schema. Domain code never names a schema.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PUBLIC_SCHEMA = "public"
# Never a real schema: tenant schemas are always "tenant_<slug>" and slugs cannot start with "_".
UNBOUND_TENANT_SCHEMA = "unbound_tenant"


def public_metadata() -> MetaData:
    return MetaData(schema=PUBLIC_SCHEMA, naming_convention=NAMING_CONVENTION)


class TenantModel(DeclarativeBase):
    """Base of every table that lives in a tenant's schema."""

    metadata = MetaData(schema=UNBOUND_TENANT_SCHEMA, naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now, used as a callable default (evaluated per row, not at import)."""
    return datetime.now(UTC)


def TimestampTZ() -> DateTime:  # noqa: N802 - reads like a type in column declarations
    return DateTime(timezone=True)
