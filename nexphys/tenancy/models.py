"""The public schema: tenant registry, domains, plans, subscriptions, system settings, migration ledger."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.db import TimestampTZ, utcnow
from nexphys.extensions import db
from nexphys.tenancy.context import TenantInfo, TenantStatus


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (
        sa.CheckConstraint("api_requests_per_minute_per_key >= 0", name="api_per_key_not_negative"),
        sa.CheckConstraint("api_requests_per_minute_per_studio >= 0", name="api_per_studio_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    max_members: Mapped[int | None]
    max_staff: Mapped[int | None]
    monthly_price_cents: Mapped[int] = mapped_column(default=0)
    features: Mapped[dict] = mapped_column(JSONB, default=dict)
    # API rate limits (nexphys.security.rate_limits): per caller (an API key, a person, an anonymous
    # address) and per studio (all its callers together). NULL: the platform's default (config); 0: no API.
    api_requests_per_minute_per_key: Mapped[int | None]
    api_requests_per_minute_per_studio: Mapped[int | None]


class Tenant(db.Model):
    __tablename__ = "tenants"
    __table_args__ = (
        sa.CheckConstraint(
            sa.column("status").in_(TenantStatus.ALL), name="status_known"
        ),
        sa.CheckConstraint(
            sa.column("isolation_level").in_(("schema", "database")), name="isolation_level_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    schema_name: Mapped[str] = mapped_column(sa.String(63), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=TenantStatus.PROVISIONING, index=True)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("public.plans.id"))
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    brand_color: Mapped[str] = mapped_column(sa.String(7), default="#2563eb")
    isolation_level: Mapped[str] = mapped_column(sa.String(20), default="schema")
    # Placement: which database cluster holds the tenant's schema. One cluster today.
    cluster: Mapped[str] = mapped_column(sa.String(40), default="primary")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(TimestampTZ())

    plan: Mapped[Plan | None] = relationship(lazy="joined")
    domains: Mapped[list[TenantDomain]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="TenantDomain.id"
    )

    def info(self) -> TenantInfo:
        return TenantInfo(
            id=self.id, slug=self.slug, name=self.name, schema_name=self.schema_name,
            status=self.status, status_reason=self.status_reason, time_zone=self.time_zone,
            cluster=self.cluster, brand_color=self.brand_color,
            plan_code=self.plan.code if self.plan else None,
        )


class DomainKind:
    SUBDOMAIN = "subdomain"  # a label under the platform's base domain, e.g. "gym-abc"
    CUSTOM = "custom"  # a full host name the studio owns, e.g. "book.gymabc.com"


class TenantDomain(db.Model):
    __tablename__ = "tenant_domains"
    __table_args__ = (
        sa.UniqueConstraint("kind", "domain"),
        sa.Index("uq_tenant_domains_one_primary", "tenant_id", unique=True,
                 postgresql_where=sa.text("is_primary")),
        sa.CheckConstraint(sa.column("kind").in_(("subdomain", "custom")), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    domain: Mapped[str] = mapped_column(sa.String(253))
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="domains")


class Subscription(db.Model):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("public.plans.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    started_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    current_period_end: Mapped[datetime | None] = mapped_column(TimestampTZ())
    cancelled_at: Mapped[datetime | None] = mapped_column(TimestampTZ())


class SystemSetting(db.Model):
    __tablename__ = "system_settings"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)


class SpareSchema(db.Model):
    """A schema built at head ahead of time; provisioning claims one by renaming it (see pool.py)."""

    __tablename__ = "schema_pool"

    schema_name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    revision: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, index=True)


class TenantMigration(db.Model):
    """The migration ledger: where each tenant schema stands, so a no-op run needs one query."""

    __tablename__ = "tenant_migrations"

    tenant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("public.tenants.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[str | None] = mapped_column(sa.String(64))
    applied_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    last_attempt_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
