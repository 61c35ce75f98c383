"""Platform API: /api/v1/platform/tenants (apex host, platform administrators' bearer tokens)."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from werkzeug.exceptions import Conflict

from nexphys.extensions import db
from nexphys.platform import services
from nexphys.platform.schemas import NewTenant, Suspension, Tenant, TenantsQuery
from nexphys.tenancy.services import TenantError, TenantExists, TenantMissing
from nexphys.web.access import platform_admin
from nexphys.web.api import ValidationFailed
from nexphys.web.schemas import Page, api, respond

bp = Blueprint("platform_api", __name__, url_prefix="/api/v1/platform")


def _tenant_or_404(tenant_id: int):
    try:
        return services.get_tenant(tenant_id)
    except TenantMissing:
        abort(404, description=f"No tenant {tenant_id}.")


def _stripped(value: str | None) -> str | None:
    return value.strip() if value is not None else None


@bp.post("/tenants")
@platform_admin
@api(body=NewTenant, responses={202: Tenant}, problems=(409, 422))
def create_tenant(body: NewTenant):
    """Create a tenant; it is provisioned in the background and its owner emailed a set-password link (202)."""
    fields = {"slug": body.slug.strip(), "name": body.name.strip(), "plan_code": body.plan.strip(),
              "time_zone": body.time_zone.strip() or "UTC", "owner_email": body.owner_email.strip(),
              "owner_name": _stripped(body.owner_name)}
    errors = services.new_tenant_errors(**fields)
    if errors:
        raise ValidationFailed({("plan" if k == "plan_code" else k): v for k, v in errors.items()})
    try:
        tenant = services.create_tenant(**fields, base_url=services.studio_base_url_for_request(fields["slug"]))
        db.session.commit()
    except TenantExists as exc:
        db.session.rollback()
        raise Conflict(str(exc).capitalize() + ".") from exc
    except TenantError as exc:
        db.session.rollback()
        raise ValidationFailed({"slug": [str(exc)]}) from exc
    return respond(Tenant, services.tenant_json(tenant), 202,
                   url_for("platform_api.get_tenant", tenant_id=tenant.id))


@bp.get("/tenants")
@platform_admin
@api(query=TenantsQuery, responses={200: Page[Tenant]}, problems=(400, 422))
def list_tenants(query: TenantsQuery):
    """Tenants, newest first (paginated; ?status= and ?q= filter)."""
    pagination = services.search_tenants(query.q, query.status, query.page, query.per_page)
    return respond(Page[Tenant], Page.of(pagination, [services.tenant_json(t) for t in pagination.items]))


@bp.get("/tenants/<int:tenant_id>")
@platform_admin
@api(responses={200: Tenant}, problems=(404,))
def get_tenant(tenant_id: int):
    """One tenant: status (provisioning, active, suspended, failed with its reason, archived), plan, domains."""
    return respond(Tenant, services.tenant_json(_tenant_or_404(tenant_id)))


@bp.post("/tenants/<int:tenant_id>/suspend")
@platform_admin
@api(body=Suspension, body_optional=True, responses={200: Tenant}, problems=(404, 409, 422))
def suspend_tenant(tenant_id: int, body: Suspension):
    """Suspend an active tenant (optional {reason}); 409 unless it is active."""
    _tenant_or_404(tenant_id)
    reason = _stripped(body.reason)
    if reason and len(reason) > services.REASON_MAX:
        raise ValidationFailed({"reason": [f"Use at most {services.REASON_MAX} characters."]})
    try:
        tenant = services.suspend(tenant_id, reason)
    except TenantError as exc:
        db.session.rollback()
        raise Conflict(str(exc).capitalize() + ".") from exc
    return respond(Tenant, services.tenant_json(tenant))


@bp.post("/tenants/<int:tenant_id>/reactivate")
@platform_admin
@api(responses={200: Tenant}, problems=(404, 409))
def reactivate_tenant(tenant_id: int):
    """Reactivate a suspended tenant; 409 unless it is suspended."""
    _tenant_or_404(tenant_id)
    try:
        tenant = services.reactivate(tenant_id)
    except TenantError as exc:
        db.session.rollback()
        raise Conflict(str(exc).capitalize() + ".") from exc
    return respond(Tenant, services.tenant_json(tenant))
