"""Platform console on the apex host: sign-in, tenants, create, suspend, reactivate, retry provisioning."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from nexphys.allowlist import services as allowlist
from nexphys.auth.principals import SessionIdentity, admin_principal, session_id_for_admin
from nexphys.auth.services import GENERIC_FAILURE
from nexphys.auth.throttle import sign_in_limits
from nexphys.extensions import db
from nexphys.platform import self_service, services
from nexphys.platform.forms import (
    ActionForm,
    AdminLoginForm,
    NewTenantForm,
    RetryForm,
    SuspendForm,
    time_zone_choices,
)
from nexphys.platform.jobs import provisioning_job_status, queued_owner
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.models import Tenant
from nexphys.tenancy.services import DEFAULT_PLAN, TenantError, TenantExists, TenantMissing
from nexphys.web.access import current_principal, platform_admin, public, require_principal
from nexphys.web.choices import options
from nexphys.web.safety import safe_next

bp = Blueprint("platform", __name__, url_prefix="/platform")

PER_PAGE = 20


def _studio_url(tenant: Tenant) -> str:
    return services.studio_url_of(tenant, request.scheme, services.request_port())


def _back(default_endpoint: str = "platform.index", **values) -> str:
    return safe_next(request.form.get("next"), default=url_for(default_endpoint, **values))


def _tenant_or_404(tenant_id: int) -> Tenant:
    try:
        return services.get_tenant(tenant_id)
    except TenantMissing:
        abort(404)


@bp.route("/login", methods=["GET", "POST"])
@public
@sign_in_limits
def login():
    """Sign in as a platform administrator; one generic message for any wrong detail."""
    form = AdminLoginForm()
    next_url = safe_next(request.values.get("next"), default=url_for("platform.index"))
    principal = current_principal()
    if request.method == "GET" and principal is not None and principal.kind == "platform_admin":
        return redirect(next_url)
    if form.validate_on_submit():
        admin = services.authenticate_admin(form.email.data, form.password.data)
        if admin is None:
            flash(GENERIC_FAILURE, "error")
            return render_template("platform/login.html", form=form, next_url=next_url), 401
        session.clear()  # nothing of the anonymous session is carried over
        login_user(SessionIdentity(session_id_for_admin(admin), admin_principal(admin)))
        db.session.commit()
        flash(f"Signed in as {admin.email}.", "success")
        return redirect(next_url)
    return render_template("platform/login.html", form=form, next_url=next_url), 422 if form.errors else 200


@bp.post("/logout")
@platform_admin
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("platform.login"))


@bp.get("/")
@platform_admin
def index():
    """Tenants, newest first: search, filter by status, suspend or reactivate each."""
    query = request.args.get("q", "").strip()[:100]
    status = request.args.get("status") or ""
    if status not in TenantStatus.ALL:
        status = ""
    page = request.args.get("page", 1, type=int)
    pages = services.search_tenants(query, status or None, max(page, 1), PER_PAGE)
    counts = dict(db.session.execute(sa.select(Tenant.status, sa.func.count()).group_by(Tenant.status)).all())
    return render_template("platform/index.html", pages=pages, query=query, status=status, counts=counts,
                 statuses=TenantStatus.ALL, action_form=ActionForm(), suspend_form=SuspendForm(),
                 here=request.full_path if request.query_string else request.path, host_of=services.host_of)


@bp.route("/tenants/new", methods=["GET", "POST"])
@platform_admin
def new_tenant():
    """Create a tenant: it is provisioned by a background job, then its owner is emailed a set-password link."""
    form = NewTenantForm()
    form.plan.choices = options((p.code, _plan_label(p)) for p in services.plans())
    form.time_zone.choices = time_zone_choices()
    if request.method == "GET" and not form.plan.data:
        form.plan.data = DEFAULT_PLAN
    status = 200
    if form.validate_on_submit():
        errors = services.new_tenant_errors(form.slug.data, form.name.data, form.plan.data, form.time_zone.data,
                                            form.owner_email.data, form.owner_name.data)
        if not errors:
            base_url = _base_url_for(form.slug.data)
            try:
                tenant = services.create_tenant(form.slug.data, form.name.data, form.plan.data, form.time_zone.data,
                                                form.owner_email.data, form.owner_name.data, base_url=base_url)
                db.session.commit()
            except TenantExists:
                db.session.rollback()
                form.slug.errors = [f"A tenant with the address '{form.slug.data}' already exists."]
                status = 409
            except TenantError as exc:
                db.session.rollback()
                form.slug.errors = [str(exc).capitalize() + "."]
                status = 422
            else:
                flash(f"{tenant.name} is being set up. Its owner gets an email when it is ready.", "success")
                return redirect(url_for("platform.tenant", tenant_id=tenant.id))
        for field_name, messages in errors.items():
            field = getattr(form, field_name)
            field.errors = [*field.errors, *messages]
    if any(field.errors for field in form):
        status = status if status != 200 else 422
    return render_template("platform/new_tenant.html", form=form), status


def _plan_label(plan) -> str:
    members = f"up to {plan.max_members} members" if plan.max_members else "unlimited members"
    return f"{plan.name} ({members})"


def _base_url_for(slug: str) -> str:
    return services.studio_base_url_for_request(slug)


@bp.get("/tenants/<int:tenant_id>")
@platform_admin
def tenant(tenant_id: int):
    """One tenant: status, plan, domains, allowed networks, and provisioning progress (refreshes while it runs)."""
    networks = allowlist.networks_of_tenant(tenant_id)  # first: reading the studio's schema ends this session
    record = _tenant_or_404(tenant_id)
    job_status = None
    retry_form = RetryForm()
    if record.status in (TenantStatus.PROVISIONING, TenantStatus.FAILED):
        job_status = provisioning_job_status(record.id)
    if job_status is not None or record.status == TenantStatus.FAILED:
        previous = queued_owner(record.id)
        if previous:
            retry_form.owner_email.data, retry_form.owner_name.data = previous[0], previous[1]
    return render_template("platform/tenant.html", t=record, studio_url=_studio_url(record), job_status=job_status,
                 action_form=ActionForm(), suspend_form=SuspendForm(), retry_form=retry_form,
                 here=request.path, host_of=services.host_of, networks=networks)


@bp.post("/tenants/<int:tenant_id>/suspend")
@platform_admin
def suspend(tenant_id: int):
    """Suspend an active tenant with a reason: its studio answers 403 everywhere within a second."""
    record = _tenant_or_404(tenant_id)
    form = SuspendForm()
    if not form.validate():
        flash("The reason is too long.", "error")
        return redirect(_back())
    if (form.confirm.data or "").strip().lower() != record.slug:
        flash(f"Nothing was suspended: type “{record.slug}” (the studio's address name) to confirm.", "error")
        return redirect(_back())
    return _change_status(lambda: services.suspend(record.id, form.reason.data), f"{record.name} is suspended.")


@bp.post("/tenants/<int:tenant_id>/reactivate")
@platform_admin
def reactivate(tenant_id: int):
    """Reactivate a suspended tenant."""
    record = _tenant_or_404(tenant_id)
    return _change_status(lambda: services.reactivate(record.id), f"{record.name} is active again.")


def _change_status(change, done: str):
    """Apply a status change; flash what happened (or why not) and go back where the admin was."""
    try:
        change()
    except TenantError as exc:
        db.session.rollback()
        flash(str(exc).capitalize() + ".", "error")
    else:
        flash(done, "success")
    return redirect(_back())


@bp.post("/tenants/<int:tenant_id>/allowed-networks/clear")
@platform_admin
def clear_allowed_networks(tenant_id: int):
    """Recovery for an owner locked out by their own list: staff may sign in from anywhere again. Audited."""
    name = _tenant_or_404(tenant_id).name
    try:
        cleared = allowlist.clear_for_tenant(tenant_id, actor=f"platform:{require_principal().label}")
    except LookupError as exc:
        flash(str(exc).capitalize() + ".", "error")
    else:
        flash(f"{name}: allowed networks cleared; staff can sign in from anywhere." if cleared
              else f"{name} has no allowed networks: nothing to clear.", "success" if cleared else "info")
    return redirect(url_for("platform.tenant", tenant_id=tenant_id))


@bp.post("/tenants/<int:tenant_id>/retry")
@platform_admin
def retry(tenant_id: int):
    """Queue provisioning again for a failed tenant (with its owner invitation)."""
    record = _tenant_or_404(tenant_id)
    form = RetryForm()
    if not form.validate():
        flash("Check the owner's email.", "error")
        return redirect(url_for("platform.tenant", tenant_id=record.id))
    try:
        services.retry_provisioning(record, form.owner_email.data or None, form.owner_name.data or None,
                                    base_url=_base_url_for(record.slug))
    except TenantError as exc:
        db.session.rollback()
        flash(str(exc).capitalize() + ".", "error")
    else:
        flash(f"Provisioning of {record.name} is queued again.", "info")
    return redirect(url_for("platform.tenant", tenant_id=record.id))


@bp.route("/self-service", methods=["GET", "POST"])
@platform_admin
def self_service_settings():
    """Whether gym owners may start a studio themselves from the apex page, and on which plan."""
    current = self_service.settings()
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("The page had expired. Please try again.", "error")
            return redirect(url_for("platform.self_service_settings"))
        plan = request.form.get("plan") or current["plan"]
        try:
            self_service.save_settings(request.form.get("enabled") == "on", plan)
        except ValueError:
            flash("Choose one of the plans.", "error")
            return redirect(url_for("platform.self_service_settings"))
        db.session.commit()
        flash("Self-service studios are on." if request.form.get("enabled") == "on"
              else "Self-service studios are off: the Start a studio page says so.", "success")
        return redirect(url_for("platform.self_service_settings"))
    return render_template("platform/self_service.html", settings=current, plans=services.plans(), form=form,
                           plan_label=_plan_label)
