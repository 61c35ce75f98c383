"""Platform API: /api/v1/platform/tenants (apex host, platform administrators' bearer tokens)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for
from werkzeug.exceptions import Conflict

from nexphys.extensions import db
from nexphys.platform import services
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.services import DEFAULT_PLAN, TenantError, TenantExists, TenantMissing
from nexphys.web.access import platform_admin
from nexphys.web.api import ValidationFailed, created, json_body, page_args, page_json, require_fields

bp = Blueprint("platform_api", __name__, url_prefix="/api/v1/platform")


def _tenant_or_404(tenant_id: int):
    try:
        return services.get_tenant(tenant_id)
    except TenantMissing:
        abort(404, description=f"No tenant {tenant_id}.")


def _text(data: dict, name: str, default: str | None = None) -> str | None:
    value = data.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed({name: ["Must be a string."]})
    return value.strip()


@bp.post("/tenants")
@platform_admin
def create_tenant():
    """Create a tenant; it is provisioned in the background and its owner emailed a set-password link (202)."""
    data = json_body()
    require_fields(data, "slug", "name", "plan", "owner_email")
    fields = {"slug": _text(data, "slug"), "name": _text(data, "name"), "plan_code": _text(data, "plan", DEFAULT_PLAN),
              "time_zone": _text(data, "time_zone", "UTC") or "UTC", "owner_email": _text(data, "owner_email"),
              "owner_name": _text(data, "owner_name")}
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
    return created(services.tenant_json(tenant), url_for("platform_api.get_tenant", tenant_id=tenant.id), 202)


@bp.get("/tenants")
@platform_admin
def list_tenants():
    """Tenants, newest first (paginated; ?status= and ?q= filter)."""
    page, per_page = page_args()
    status = request.args.get("status") or None
    if status is not None and status not in TenantStatus.ALL:
        raise ValidationFailed({"status": [f"One of: {', '.join(TenantStatus.ALL)}."]})
    pagination = services.search_tenants(request.args.get("q"), status, page, per_page)
    return jsonify(page_json(pagination, [services.tenant_json(t) for t in pagination.items]))


@bp.get("/tenants/<int:tenant_id>")
@platform_admin
def get_tenant(tenant_id: int):
    """One tenant: status (provisioning, active, suspended, failed with its reason, archived), plan, domains."""
    return jsonify(services.tenant_json(_tenant_or_404(tenant_id)))


@bp.post("/tenants/<int:tenant_id>/suspend")
@platform_admin
def suspend_tenant(tenant_id: int):
    """Suspend an active tenant (optional {reason}); 409 unless it is active."""
    _tenant_or_404(tenant_id)
    data = json_body() if request.content_length else {}
    reason = _text(data, "reason")
    if reason and len(reason) > services.REASON_MAX:
        raise ValidationFailed({"reason": [f"Use at most {services.REASON_MAX} characters."]})
    try:
        tenant = services.suspend(tenant_id, reason)
    except TenantError as exc:
        db.session.rollback()
        raise Conflict(str(exc).capitalize() + ".") from exc
    return jsonify(services.tenant_json(tenant))


@bp.post("/tenants/<int:tenant_id>/reactivate")
@platform_admin
def reactivate_tenant(tenant_id: int):
    """Reactivate a suspended tenant; 409 unless it is suspended."""
    _tenant_or_404(tenant_id)
    try:
        tenant = services.reactivate(tenant_id)
    except TenantError as exc:
        db.session.rollback()
        raise Conflict(str(exc).capitalize() + ".") from exc
    return jsonify(services.tenant_json(tenant))
