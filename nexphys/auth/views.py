"""Sign-in pages of a studio: sign in, sign out, forgotten password, set password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import logout_user

from nexphys.audit.services import AuditAction, record
from nexphys.auth import lifetimes, services, sessions
from nexphys.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from nexphys.auth.principals import SessionIdentity, user_principal
from nexphys.auth.throttle import sign_in_limits
from nexphys.extensions import db
from nexphys.joining.terms import needs_acceptance
from nexphys.security.passwords import WeakPassword
from nexphys.web.access import current_principal, public, signed_in
from nexphys.web.safety import safe_next

bp = Blueprint("auth", __name__)


def start_session(user, remember: bool) -> None:
    """A fresh session for `user`: nothing of the session before is carried over (nexphys.auth.sessions)."""
    started = sessions.now_seconds()
    identity = SessionIdentity(sessions.session_id_for_user(user, started), user_principal(user))
    sessions.begin(identity, started, remember, lifetimes.for_role_level(user.role.level))


@bp.route("/login", methods=["GET", "POST"])
@public
@sign_in_limits
def login():
    """Sign in with email and password; one generic message for any wrong detail."""
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AuthError as exc:
            db.session.commit()  # keep the audit entry of the failure
            flash(str(exc), "error")
            return render_template("auth/login.html", form=form, next_url=next_url), 401
        start_session(user, remember=form.remember.data)
        db.session.commit()
        flash(f"Welcome back, {user.full_name.split()[0]}.", "success")
        if needs_acceptance(user_principal(user)):  # the studio published new terms since they last accepted
            return redirect(url_for("joining.accept_terms", next=next_url))
        return redirect(next_url)
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
@signed_in
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign anyone out)."""
    principal = current_principal()
    record(AuditAction.SIGN_OUT, actor=principal.label, actor_user_id=principal.id)
    db.session.commit()
    session.clear()
    logout_user()  # after the clear: it asks for the remember cookie to be deleted too
    flash("You are signed out.", "info")
    return redirect(url_for("web.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@sign_in_limits
def forgot_password():
    """Ask for a reset link; the answer is the same whether the email is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If that email belongs to an account here, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a password from an emailed link (reset or invitation); the link then stops working."""
    try:
        user = services.user_for_password_token(token)
    except services.AuthError as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except WeakPassword as exc:
            form.password.errors.append(str(exc))
        else:
            start_session(user, remember=False)
            db.session.commit()
            flash("Your password is set. You are signed in.", "success")
            return redirect(url_for("web.home"))
    return render_template("auth/set_password.html", form=form, user=user), 422 if form.errors else 200
