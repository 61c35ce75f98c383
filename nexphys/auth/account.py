"""Account pages of a studio's people: change password, sign out everywhere, and the sign-in lifetimes.

Templates in templates/auth/. Every change is a POST with CSRF; ending sessions asks first.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import logout_user

from nexphys.auth import everywhere, lifetimes, services
from nexphys.auth.forms import ChangePasswordForm, SignOutEverywhereForm, session_settings_form
from nexphys.extensions import db, limiter
from nexphys.members.models import User
from nexphys.members.services import get_member
from nexphys.security.passwords import WeakPassword
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import Principal, require_principal, requires, signed_in
from nexphys.web.forms import attach_errors, has_errors

bp = Blueprint("auth_account", __name__)


def _own_account() -> tuple[Principal, User]:
    """The signed-in person and their row (API keys and administrators have no account here)."""
    principal = require_principal()
    if principal.kind != "user":
        abort(403, description="Only people have an account to change.")
    return principal, get_member(principal.id)


def _password_limit_key() -> str:
    return f"password:t{current_tenant().id}:user:{require_principal().id}"


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_password_limit_key,
               exempt_when=lambda: request.method != "POST")  # guessing the current password is throttled
def change_password():
    """Change your password: your other sessions and API tokens end, this one goes on."""
    principal, user = _own_account()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current.data, form.password.data, by=principal)
        except services.WrongPassword as exc:
            form.current.errors = [*form.current.errors, str(exc)]
        except WeakPassword as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            db.session.commit()
            flash("Your password is changed. You are signed out on every other device.", "success")
            return redirect(url_for("members.profile"))
    return render_template("auth/change_password.html", form=form, user=user), 422 if has_errors(form) else 200


def _confirmation(user: User, is_self: bool, form: SignOutEverywhereForm, status: int = 200):
    back = url_for("members.profile") if is_self else url_for("members.detail", member_id=user.id)
    action = url_for("auth_account.sign_out_everywhere") if is_self else url_for(
        "auth_account.sign_out_member", member_id=user.id)
    return render_template("auth/sign_out_everywhere.html", user=user, is_self=is_self, form=form,
                           action=action, back_url=back), status


def _confirmed(form: SignOutEverywhereForm) -> bool:
    """Only the confirmation page's own button does it; a bare POST (CSRF alone) shows the question."""
    return form.validate_on_submit() and bool(form.confirm.data)


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@signed_in
def sign_out_everywhere():
    """Sign yourself out on every device and end your API tokens (after a confirmation page)."""
    principal, user = _own_account()
    form = SignOutEverywhereForm()
    if not _confirmed(form):
        return _confirmation(user, True, form, 422 if request.method == "POST" else 200)
    everywhere.sign_out_everywhere(user, principal)
    db.session.commit()
    session.clear()
    logout_user()
    flash("You are signed out everywhere, on this device too.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/members/<int:member_id>/sign-out-everywhere", methods=["GET", "POST"])
@requires("members", "update")
def sign_out_member(member_id: int):
    """Staff: sign a person out on every device and end their API tokens (after a confirmation page)."""
    principal = require_principal()
    user = everywhere.person_to_sign_out(member_id, principal)  # 404 / 403 (nexphys.web.errors)
    if user.id == principal.person_id:
        return redirect(url_for("auth_account.sign_out_everywhere"))
    form = SignOutEverywhereForm()
    if not _confirmed(form):
        return _confirmation(user, False, form, 422 if request.method == "POST" else 200)
    everywhere.sign_out_everywhere(user, principal)
    db.session.commit()
    flash(f"{user.full_name} is signed out everywhere.", "success")
    return redirect(url_for("members.detail", member_id=user.id))


def _settings_page(form, can_save: bool, status: int = 200):
    errors = [(f.id, message) for f in form if f.errors for message in f.errors]
    return render_template("auth/session_settings.html", form=form, settings=lifetimes.SETTINGS, errors=errors,
                           can_save=can_save), status


@bp.get("/settings/sessions")
@requires("settings", "read")
def session_settings():
    """How long people stay signed in: idle and longest sign-in, for staff and for members."""
    form = session_settings_form(lifetimes.SETTINGS, formdata=None, data=lifetimes.current_values())
    return _settings_page(form, require_principal().scope("settings", "update") == "all")


@bp.post("/settings/sessions")
@requires("settings", "update")
def save_session_settings():
    """Save the sign-in lifetimes (owners): out-of-bounds values re-render the form with their messages."""
    form = session_settings_form(lifetimes.SETTINGS)
    form.validate()  # parses the numbers; the bounds are the service's
    try:
        cleaned = lifetimes.clean({s.key: form[s.key].data for s in lifetimes.SETTINGS})
    except lifetimes.LifetimesInvalid as exc:
        attach_errors(form, exc.errors)
    if has_errors(form):
        return _settings_page(form, True, 422)
    changes = lifetimes.save(cleaned, require_principal())
    db.session.commit()
    flash("Sign-in lifetimes saved. They apply to everyone signed in, from their next page." if changes
          else "Nothing to save: the sign-in lifetimes are unchanged.", "success" if changes else "info")
    return redirect(url_for("auth_account.session_settings"))
