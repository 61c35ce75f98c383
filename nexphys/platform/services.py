"""Platform operations: administrators' sign-in, and tenants as the console, the API and the CLI see them.

Tenant rules live in nexphys.tenancy.services; this module adds what the platform needs around them
(validation by field, search, the owner invitation, JSON). Functions flush; the caller commits, except
the status changes, which tenancy commits itself so every process sees them at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, request

from nexphys.extensions import db
from nexphys.jobs.outbox import Submitted
from nexphys.platform.jobs import enqueue_provisioning_with_owner, queued_owner
from nexphys.platform.models import PlatformAdmin
from nexphys.security.passwords import check_strength, hash_password, verify_password
from nexphys.tenancy import services as tenancy
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.jobs import enqueue_provisioning
from nexphys.tenancy.models import DomainKind, Plan, Tenant, TenantDomain
from nexphys.tenancy.names import InvalidSlug, validate_slug
from nexphys.tenancy.urls import studio_url

NAME_MAX = 120
REASON_MAX = 500


class AdminExists(Exception):
    """A platform administrator with that email already exists."""


# --- administrators ------------------------------------------------------------------------------

def find_admin(email: str) -> PlatformAdmin | None:
    return db.session.scalar(
        sa.select(PlatformAdmin).where(sa.func.lower(PlatformAdmin.email) == (email or "").strip().lower()))


def authenticate_admin(email: str, password: str) -> PlatformAdmin | None:
    """The active administrator with these credentials, or None (same work either way)."""
    admin = find_admin(email)
    ok = verify_password(admin.password_hash if admin else None, password or "")
    if not ok or admin is None or not admin.is_active:
        return None
    admin.last_login_at = datetime.now(UTC)
    return admin


def create_admin(email: str, full_name: str, password: str | None = None, *,
                 password_hash: str | None = None) -> PlatformAdmin:
    """Add an administrator (a strong password, or an already made hash); AdminExists if the email is taken."""
    email = (email or "").strip().lower()
    if find_admin(email) is not None:
        raise AdminExists(f"an administrator {email} already exists")
    if password_hash is None:
        password_hash = hash_password(check_strength(password or ""))
    admin = PlatformAdmin(email=email, full_name=(full_name or "").strip() or email, password_hash=password_hash)
    db.session.add(admin)
    db.session.flush()
    return admin


# --- tenants -------------------------------------------------------------------------------------

def plans() -> list[Plan]:
    return list(db.session.scalars(sa.select(Plan).order_by(Plan.monthly_price_cents, Plan.code)))


def new_tenant_errors(slug: str, name: str, plan_code: str, time_zone: str, owner_email: str,
                      owner_name: str | None = None) -> dict[str, list[str]]:
    """Field → messages for a tenant that cannot be created as asked (empty when all is well)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    try:
        validate_slug(slug)
    except InvalidSlug as exc:
        add("slug", str(exc).capitalize() + ".")
    if not (name or "").strip():
        add("name", "A studio needs a name.")
    elif len(name.strip()) > NAME_MAX:
        add("name", f"Use at most {NAME_MAX} characters.")
    if db.session.scalar(sa.select(Plan.id).where(Plan.code == (plan_code or ""))) is None:
        add("plan", f"Unknown plan {plan_code!r}.")
    try:
        ZoneInfo(time_zone or "")
    except (ZoneInfoNotFoundError, ValueError):
        add("time_zone", f"Unknown time zone {time_zone!r}.")
    try:
        validate_email(owner_email or "", check_deliverability=False)
    except EmailNotValidError as exc:
        add("owner_email", str(exc))
    if owner_name and len(owner_name.strip()) > NAME_MAX:
        add("owner_name", f"Use at most {NAME_MAX} characters.")
    return errors


def create_tenant(slug: str, name: str, plan_code: str, time_zone: str, owner_email: str,
                  owner_name: str | None = None, base_url: str | None = None) -> Tenant:
    """Register a tenant with its provisioning and owner invitation job, which runs once the caller commits.

    TenantExists for a taken slug or domain, TenantError for anything else wrong. Flushes.
    `base_url` is the studio's address for the invitation link (default from the configuration).
    """
    tenant = tenancy.register_tenant(slug.strip(), name, plan_code, time_zone)
    tenant_id = tenant.id
    owner_email = owner_email.strip()
    owner_name = (owner_name or "").strip() or None
    enqueue_provisioning_with_owner(tenant_id, owner_email, owner_name, base_url)
    return tenant


def retry_provisioning(tenant: Tenant, owner_email: str | None = None, owner_name: str | None = None,
                       base_url: str | None = None) -> Submitted:
    """Submit provisioning again for a failed (or stuck) tenant, with the owner of the last attempt if known.

    The tenant goes back to `provisioning` so its page follows the new attempt. Commits.
    """
    if tenant.status not in (TenantStatus.FAILED, TenantStatus.PROVISIONING):
        raise tenancy.TenantError(f"only a failed tenant can be retried ('{tenant.slug}' is {tenant.status})")
    if not owner_email:
        previous = queued_owner(tenant.id)
        if previous:
            owner_email, owner_name, base_url = previous[0], owner_name or previous[1], base_url or previous[2]
    if owner_email:
        submitted = enqueue_provisioning_with_owner(tenant.id, owner_email, owner_name, base_url)
    else:
        submitted = enqueue_provisioning(tenant.id)
    if tenant.status == TenantStatus.FAILED:
        tenancy.set_status(tenant.slug, TenantStatus.PROVISIONING, None)  # commits the job with it
    db.session.commit()
    return submitted


def get_tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise tenancy.TenantMissing(f"no tenant {tenant_id}")
    return tenant


def search_tenants(query: str | None = None, status: str | None = None, page: int = 1, per_page: int = 25):
    """Tenants newest first, filtered by status and by text in slug, name or domain (paginated)."""
    statement = sa.select(Tenant).order_by(Tenant.created_at.desc(), Tenant.id.desc())
    if status:
        statement = statement.where(Tenant.status == status)
    text = (query or "").strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        in_domains = sa.select(TenantDomain.id).where(TenantDomain.tenant_id == Tenant.id,
                                                      TenantDomain.domain.ilike(pattern, escape="\\"))
        statement = statement.where(sa.or_(Tenant.slug.ilike(pattern, escape="\\"),
                                           Tenant.name.ilike(pattern, escape="\\"), in_domains.exists()))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def suspend(tenant_id: int, reason: str | None = None) -> Tenant:
    """Suspend an active tenant (locked out everywhere within a second); TenantError otherwise. Commits."""
    tenant = get_tenant(tenant_id)
    reason = (reason or "").strip()[:REASON_MAX] or "suspended by the platform"
    return tenancy.suspend_tenant(tenant.slug, reason)


def reactivate(tenant_id: int) -> Tenant:
    """Let a suspended tenant in again; TenantError otherwise. Commits."""
    return tenancy.reactivate_tenant(get_tenant(tenant_id).slug)


def host_of(domain: TenantDomain) -> str:
    if domain.kind == DomainKind.SUBDOMAIN:
        return f"{domain.domain}.{current_app.config['NEXPHYS_BASE_DOMAIN']}"
    return domain.domain


def studio_url_of(tenant: Tenant, scheme: str | None = None, port: str | int | None = None) -> str:
    """The studio's home page at its primary domain."""
    primary = next((d for d in tenant.domains if d.is_primary), None)
    custom = primary.domain if primary is not None and primary.kind == DomainKind.CUSTOM else None
    return studio_url(tenant.slug, custom, scheme, port)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def tenant_json(tenant: Tenant) -> dict:
    """A tenant as the platform API shows it."""
    return {
        "id": tenant.id, "slug": tenant.slug, "name": tenant.name, "status": tenant.status,
        "status_reason": tenant.status_reason, "plan": tenant.plan.code if tenant.plan else None,
        "time_zone": tenant.time_zone,
        "domains": [{"host": host_of(d), "kind": d.kind, "primary": d.is_primary} for d in tenant.domains],
        "created_at": _iso(tenant.created_at), "activated_at": _iso(tenant.activated_at),
    }


def request_port() -> str:
    """The port the current request came in on ("" for the scheme's default), so studio links match it."""
    host = request.host
    if host.endswith("]") or ":" not in host:
        return ""
    return host.rsplit(":", 1)[1]


def studio_base_url_for_request(slug: str) -> str:
    """The studio's address as seen from the current (apex) request: same scheme and port."""
    return studio_url(slug, None, request.scheme, request_port())
