"""Roles pages: the permission matrix, creating, changing and deleting custom roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.extensions import db
from nexphys.roles import services
from nexphys.roles.forms import ConfirmForm, RoleForm, level_choices
from nexphys.roles.models import Role, RoleLevel
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("roles", __name__)


def _page(template: str, **context):
    return render_template(template, level_names=RoleLevel.NAMES, **context)


def _form_page(template: str, form: RoleForm, status: int = 200, **context):
    return _page(template, form=form, catalogue=services.permission_catalogue(),
                 ticked=set(form.permissions.data or []), **context), status


@bp.get("/roles")
@requires("roles", "read")
def index():
    """The permission matrix: every permission (grouped by resource) against every role."""
    actor = require_principal()
    summaries = services.list_roles()
    return _page("roles/index.html", summaries=summaries, catalogue=services.permission_catalogue(),
                 can_create=actor.can("roles", "create"),
                 editable={s.role.id for s in summaries
                           if actor.can("roles", "update") and services.can_change(s.role, actor)})


@bp.route("/roles/new", methods=["GET", "POST"])
@requires("roles", "create")
def new():
    """Create a custom role: name, level and the permissions it grants."""
    actor = require_principal()
    form = RoleForm()
    form.level.choices = level_choices(services.assignable_levels(actor))
    general: list[str] = []
    if form.is_submitted():
        if form.validate():
            try:
                role = services.create_role(form.name.data, form.level.data, form.permissions.data or [], actor,
                                            description=form.description.data)
            except services.RoleInvalid as exc:
                general = attach_errors(form, exc.errors)
            else:
                db.session.commit()
                flash(f"Role “{role.name}” created.", "success")
                return redirect(url_for("roles.index"))
        return _form_page("roles/form.html", form, 422, role=None, general_errors=general)
    return _form_page("roles/form.html", form, role=None, general_errors=general)


def _changeable(role_id: int) -> Role:
    role = services.get_role(role_id)
    reason = services.change_refusal(role, require_principal())
    if reason:
        abort(403, description=reason)
    return role


@bp.route("/roles/<int:role_id>/edit", methods=["GET", "POST"])
@requires("roles", "update")
def edit(role_id: int):
    """Change a role's name, level and permissions."""
    actor = require_principal()
    role = _changeable(role_id)
    form = RoleForm() if request.method == "POST" else RoleForm(
        formdata=None, data={"name": role.name, "level": role.level, "description": role.description,
                              "permissions": sorted(role.permission_codes)})
    form.level.choices = level_choices(sorted(set(services.assignable_levels(actor)) | {role.level}))
    general: list[str] = []
    context = {"role": role, "holders": services.member_count(role),
               "can_delete": actor.can("roles", "delete") and services.delete_refusal(role, actor) is None}
    if form.is_submitted():
        if form.validate():
            try:
                services.update_role(role, actor, name=form.name.data, level=form.level.data,
                                     permission_codes=form.permissions.data or [],
                                     description=form.description.data or "")
            except services.RoleInvalid as exc:
                general = attach_errors(form, exc.errors)
            else:
                db.session.commit()
                flash(f"Role “{role.name}” saved.", "success")
                return redirect(url_for("roles.index"))
        return _form_page("roles/form.html", form, 422, general_errors=general, **context)
    return _form_page("roles/form.html", form, general_errors=general, **context)


@bp.post("/roles/<int:role_id>/delete")
@requires("roles", "delete")
def delete(role_id: int):
    """Delete a custom role nobody holds (asks for confirmation first)."""
    actor = require_principal()
    role = services.get_role(role_id)
    reason = services.delete_refusal(role, actor)
    if reason:
        abort(403, description=reason)
    holders = services.member_count(role)
    if request.form.get("confirm") != "yes":
        return _page("roles/delete.html", role=role, holders=holders, form=ConfirmForm(), error=None)
    try:
        name = role.name
        services.delete_role(role, actor)
    except services.RoleInUse as exc:
        db.session.rollback()
        return _page("roles/delete.html", role=services.get_role(role_id), holders=exc.holders, form=ConfirmForm(),
                     error=str(exc)), 409
    db.session.commit()
    flash(f"Role “{name}” deleted.", "success")
    return redirect(url_for("roles.index"))
