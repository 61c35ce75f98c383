"""Tenant lifecycle operations, shared by the platform's CLI, pages and API, and by jobs."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import DropSchema

from nexphys.extensions import db
from nexphys.tenancy import cache
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.models import DomainKind, Plan, Subscription, Tenant, TenantDomain
from nexphys.tenancy.names import InvalidSlug, schema_name_for, validate_slug
from nexphys.tenancy.pool import enqueue_refill
from nexphys.tenancy.provisioning import provision

DEFAULT_PLAN = "studio"


class TenantError(Exception):
    """A tenant operation that cannot be done as asked (the message says why)."""


class TenantExists(TenantError):
    pass


class TenantMissing(TenantError):
    pass


def _validate_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TenantError(f"unknown time zone {name!r}") from exc
    return name


def _flush_unique(message: str) -> None:
    """Flush in a savepoint; a unique-constraint clash becomes TenantExists(message)."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise TenantExists(message) from exc


def get_tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TenantMissing(f"no tenant '{slug}'")
    return tenant


def list_tenants(status: str | None = None) -> list[Tenant]:
    query = sa.select(Tenant).order_by(Tenant.slug)
    if status:
        query = query.where(Tenant.status == status)
    return list(db.session.scalars(query))


def register_tenant(slug: str, name: str, plan_code: str = DEFAULT_PLAN, time_zone: str = "UTC",
                    custom_domains: tuple[str, ...] = (), brand_color: str = "#2563eb") -> Tenant:
    """Add a tenant to the registry in status `provisioning`, with its subdomain and plan. Flushes."""
    try:
        slug = validate_slug(slug)
    except InvalidSlug as exc:
        raise TenantError(str(exc)) from exc
    name = (name or "").strip()
    if not name:
        raise TenantError("a tenant needs a display name")
    plan = db.session.scalar(sa.select(Plan).where(Plan.code == plan_code))
    if plan is None:
        raise TenantError(f"unknown plan {plan_code!r}")
    tenant = Tenant(slug=slug, name=name, schema_name=schema_name_for(slug), plan=plan,
                    time_zone=_validate_time_zone(time_zone), brand_color=brand_color,
                    status=TenantStatus.PROVISIONING)
    tenant.domains.append(TenantDomain(kind=DomainKind.SUBDOMAIN, domain=slug, is_primary=not custom_domains))
    for index, domain in enumerate(custom_domains):
        tenant.domains.append(TenantDomain(kind=DomainKind.CUSTOM, domain=domain.lower(), is_primary=index == 0))
    db.session.add(tenant)
    _flush_unique(f"a tenant '{slug}' (or one of its domains) already exists")
    db.session.add(Subscription(tenant_id=tenant.id, plan_id=plan.id))
    db.session.flush()
    return tenant


def tenant_cache_keys(tenant: Tenant) -> list:
    return cache.lookup_keys(tenant.id, tenant.slug, [(d.kind, d.domain) for d in tenant.domains])


def _commit_and_invalidate(tenant: Tenant) -> None:
    keys = tenant_cache_keys(tenant)
    db.session.commit()
    cache.invalidate(keys)


def set_status(slug: str, status: str, reason: str | None = None) -> Tenant:
    tenant = get_tenant(slug)
    tenant.status = status
    tenant.status_reason = reason
    _commit_and_invalidate(tenant)
    return tenant


def suspend_tenant(slug: str, reason: str = "suspended by the platform") -> Tenant:
    """Lock a tenant out everywhere (within a second in every app process)."""
    tenant = get_tenant(slug)
    if tenant.status not in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED):
        raise TenantError(f"only an active tenant can be suspended ('{slug}' is {tenant.status})")
    return set_status(slug, TenantStatus.SUSPENDED, reason)


def reactivate_tenant(slug: str) -> Tenant:
    tenant = get_tenant(slug)
    if tenant.status != TenantStatus.SUSPENDED:
        raise TenantError(f"only a suspended tenant can be reactivated ('{slug}' is {tenant.status})")
    return set_status(slug, TenantStatus.ACTIVE, None)


def add_domain(slug: str, domain: str, kind: str = DomainKind.CUSTOM, primary: bool = False) -> TenantDomain:
    tenant = get_tenant(slug)
    if primary:
        for existing in tenant.domains:
            existing.is_primary = False
        db.session.flush()
    record = TenantDomain(kind=kind, domain=domain.lower(), is_primary=primary)
    tenant.domains.append(record)
    _flush_unique(f"the domain {domain!r} is already taken")
    _commit_and_invalidate(tenant)
    return record


def remove_domain(slug: str, domain: str) -> None:
    tenant = get_tenant(slug)
    keys = tenant_cache_keys(tenant)  # before the change, so the removed domain is forgotten too
    tenant.domains = [d for d in tenant.domains if d.domain != domain.lower()]
    db.session.commit()
    cache.invalidate(keys)


def drop_tenant(slug: str) -> None:
    """Delete a tenant's schema and registry rows. Irreversible: the CLI asks first."""
    tenant = get_tenant(slug)
    keys = tenant_cache_keys(tenant)
    db.session.execute(DropSchema(tenant.schema_name, cascade=True, if_exists=True))
    db.session.delete(tenant)
    db.session.commit()
    cache.invalidate(keys)


def provision_tenant_now(tenant_id: int) -> float:
    """Provision inline (the job body, and `flask tenants create --now`); returns seconds."""
    db.session.remove()
    try:
        seconds = provision(db.engine, tenant_id)
        if current_app.config["SCHEMA_POOL_SIZE"] > 0:
            enqueue_refill()  # replace the spare this tenant may have claimed
            db.session.commit()
        return seconds
    finally:
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is not None:
            cache.invalidate(tenant_cache_keys(tenant), current_app._get_current_object())
        db.session.remove()


def ensure_plans() -> None:
    """The default plans (idempotent): seeded by the public migrations and reused by tests."""
    # (code, name, members, staff, price in cents, API requests a minute per caller, per studio):
    # the rates as public migration 0005 sets them.
    defaults = [
        ("starter", "Starter", 100, 5, 4900, 120, 600),
        ("studio", "Studio", 500, 20, 9900, 300, 1500),
        ("pro", "Pro", None, None, 19900, 600, 3000),
    ]
    for code, name, max_members, max_staff, price, per_caller, per_studio in defaults:
        if db.session.scalar(sa.select(Plan.id).where(Plan.code == code)) is None:
            db.session.add(Plan(code=code, name=name, max_members=max_members, max_staff=max_staff,
                                monthly_price_cents=price, features={}, api_requests_per_minute_per_key=per_caller,
                                api_requests_per_minute_per_studio=per_studio))
    db.session.flush()
