"""Member pages: list, detail, invite, deactivate, role changes, own profile."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.auth.everywhere import may_sign_out
from nexphys.bookings import queries
from nexphys.checkin import codes
from nexphys.extensions import db
from nexphys.joining import queries as joining
from nexphys.joining.forms import DecideForm
from nexphys.members import services
from nexphys.members.forms import ConfirmForm, InviteForm, ProfileForm, RoleForm
from nexphys.members.models import User, UserStatus
from nexphys.web.access import Principal, require_principal, requires
from nexphys.web.forms import attach_errors, has_errors

bp = Blueprint("members", __name__)

PER_PAGE = 20
HISTORY_PER_PAGE = 10  # attendance history rows on a member's page


def _is_self(principal: Principal, user: User) -> bool:
    return principal.person_id == user.id


def _visible_member(member_id: int, principal: Principal) -> User:
    """The person, if the caller may see them: own-scope callers see only themselves (others: 404)."""
    try:
        user = services.get_member(member_id)
    except services.MemberNotFound:
        abort(404, description="There is no such member.")
    if principal.scope("members", "read") != "all" and not _is_self(principal, user):
        abort(404, description="There is no such member.")
    return user


def _apply_errors(form, errors: dict[str, list[str]]) -> None:
    """Show a service's field errors next to the form's fields (anything else as a flash)."""
    unplaced = attach_errors(form, errors)
    if unplaced:
        flash(" ".join(unplaced), "error")


def _detail(user: User, principal: Principal, role_form: RoleForm | None = None):
    roles = services.assignable_roles(principal, user)
    if not roles:
        role_form = None  # the form is only offered to those who may change this person's role
    else:
        if role_form is None:
            role_form = RoleForm(formdata=None)
            role_form.role.data = roles[0].key
        role_form.set_roles(roles)
    history = None
    if principal.scope("bookings", "read") == "all" and principal.scope("members", "read") == "all":
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        history = queries.attendance_history(user.id, page=page, per_page=HISTORY_PER_PAGE)
    return render_template("members/detail.html", user=user, role_form=role_form, history=history,
                 show_sensitive=services.sees_sensitive(principal, user),
                 can_deactivate=services.may_deactivate(principal, user), is_self=_is_self(principal, user),
                 can_sign_out=may_sign_out(principal, user),
                 is_staff=principal.scope("members", "read") == "all",
                 joining=joining.member_joining(user.id) if services.sees_sensitive(principal, user) else None)


def _refused(exc: Exception, user, principal):
    """The detail page again with the reason: 409 for the last owner, 403 for anything else refused."""
    flash(str(exc), "error")
    return _detail(user, principal), 409 if isinstance(exc, services.LastOwner) else 403


@bp.get("/members")
@requires("members", "read", own=False)
def index():
    """The studio's people: search by name or email, filter by role and status, page through."""
    principal = require_principal()
    search = request.args.get("q", "").strip()[:100]
    role_key = request.args.get("role", "").strip()
    status = request.args.get("status", "").strip()
    if status not in UserStatus.ALL:
        status = ""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    members = services.list_members(search, role_key or None, status or None, page=page, per_page=PER_PAGE)
    filters = {name: value for name, value in (("q", search), ("role", role_key), ("status", status)) if value}
    can_invite = principal.scope("members", "create") == "all"
    return render_template("members/index.html", members=members, roles=services.all_roles(), q=search,
                           role_key=role_key, status=status, statuses=UserStatus.ALL, filters=filters,
                           can_invite=can_invite, sign_ups=joining.waiting_sign_ups() if can_invite else [],
                           decide_form=DecideForm())


@bp.get("/members/<int:member_id>")
@requires("members", "read")
def detail(member_id: int):
    """One person's details; staff see private fields and may change the role or deactivate."""
    principal = require_principal()
    return _detail(_visible_member(member_id, principal), principal)


@bp.route("/members/invite", methods=["GET", "POST"])
@requires("members", "create")
def invite():
    """Invite someone by email: they get a link to choose their password."""
    principal = require_principal()
    roles = services.grantable_roles(principal)
    form = InviteForm()
    form.set_roles(roles)
    status = 200
    if request.method == "GET" and any(role.key == services.DEFAULT_ROLE_KEY for role in roles):
        form.role.data = services.DEFAULT_ROLE_KEY
    if form.validate_on_submit():
        try:
            user = services.invite_member(form.email.data, form.full_name.data, form.role.data, principal)
        except services.ProfileInvalid as exc:
            _apply_errors(form, exc.errors)
        except services.DuplicateEmail as exc:
            form.email.errors = [*form.email.errors, str(exc)]
        except services.MemberLimitReached as exc:
            flash(str(exc), "error")
            status = 409
        except services.NotAllowed as exc:
            form.role.errors = [*form.role.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("members.detail", member_id=user.id))
    return render_template("members/invite.html", form=form, roles=roles), 422 if has_errors(form) else status


@bp.post("/members/<int:member_id>/role")
@requires("roles", "update")
def change_role(member_id: int):
    """Give someone another role: owners may give any; others only roles below their own level."""
    principal = require_principal()
    user = _visible_member(member_id, principal)
    form = RoleForm()
    try:
        role = services.get_role(form.role.data or "")
    except services.RoleNotFound:
        form.role.errors = ["Choose one of the listed roles."]
        return _detail(user, principal, role_form=form), 422
    try:
        changed = services.change_role(user, role, principal)
    except (services.NotAllowed, services.LastOwner) as exc:
        return _refused(exc, user, principal)
    db.session.commit()
    flash(f"{user.full_name} is now {user.role.name}." if changed else f"{user.full_name} already has that role.",
          "success" if changed else "info")
    return redirect(url_for("members.detail", member_id=user.id))


@bp.route("/members/<int:member_id>/deactivate", methods=["GET", "POST"])
@requires("members", "delete")
def deactivate(member_id: int):
    """Deactivate someone (after a confirmation page): they can no longer sign in."""
    principal = require_principal()
    user = _visible_member(member_id, principal)
    form = ConfirmForm()
    if user.status == UserStatus.INACTIVE:
        flash(f"{user.full_name} is already inactive.", "info")
        return redirect(url_for("members.detail", member_id=user.id))
    if request.method == "GET":
        if not services.may_deactivate(principal, user):
            abort(403, description="You cannot deactivate this person." if not _is_self(principal, user)
                  else "You cannot deactivate yourself.")
        return render_template("members/deactivate.html", user=user, form=form)
    if not form.validate_on_submit():
        return render_template("members/deactivate.html", user=user, form=form), 422
    try:
        services.deactivate_member(user, principal)
    except (services.NotAllowed, services.LastOwner) as exc:
        return _refused(exc, user, principal)
    db.session.commit()
    flash(f"{user.full_name} is deactivated.", "success")
    return redirect(url_for("members.detail", member_id=user.id))


@bp.route("/profile", methods=["GET", "POST"])
@requires("members", "update")
def profile():
    """Your own profile: name, phone, date of birth, emergency contact and health notes."""
    principal = require_principal()
    if principal.kind != "user":
        abort(403, description="Only people have a profile.")
    user = _visible_member(principal.id, principal)
    form = ProfileForm(obj=user)
    form.date_of_birth.render_kw = {"max": date.today().isoformat()}
    if form.is_submitted():
        form.validate()  # parses the date; every other rule is the service's
        changes = {name: form[name].data for name in services.PROFILE_FIELDS if not form[name].errors}
        try:
            if has_errors(form):
                services.clean_profile(changes)  # so every other bad field is reported at once too
            else:
                changed = services.update_profile(user, changes, principal)
                db.session.commit()
                flash("Your profile is saved." if changed else "Nothing to save: your profile is unchanged.",
                      "success" if changed else "info")
                return redirect(url_for("members.profile"))
        except services.ProfileInvalid as exc:
            _apply_errors(form, exc.errors)
    check_in_qr = codes.qr_svg(codes.check_in_url(user.id), f"Check-in code for {user.full_name}")
    return render_template("members/profile.html", form=form, user=user, check_in_qr=check_in_qr), \
        422 if has_errors(form) else 200
