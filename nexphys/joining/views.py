"""Joining pages of a studio: sign up, confirm the email, wait for the staff, accept new terms, the first-visit
form; and the staff's approve / decline buttons (on the members page)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.auth.throttle import sign_up_limits
from nexphys.auth.views import start_session
from nexphys.extensions import db
from nexphys.joining import first_visit as visits
from nexphys.joining import services, terms
from nexphys.joining.forms import AcceptTermsForm, DecideForm, FirstVisitForm, JoinForm
from nexphys.joining.models import SignUpStatus
from nexphys.members import services as members
from nexphys.web.access import current_principal, public, require_principal, requires, signed_in
from nexphys.web.forms import attach_errors, has_errors
from nexphys.web.safety import safe_next

bp = Blueprint("joining", __name__)


def _join_page(form: JoinForm, status: int = 200):
    return render_template("joining/join.html", form=form, terms=terms.current()), status


@bp.route("/join", methods=["GET", "POST"])
@public
@sign_up_limits
def join():
    """Sign up: name, email, password and the studio's terms; then a link by email confirms the address."""
    if services.policy() == services.INVITE:
        return render_template("joining/closed.html"), 404
    if current_principal() is not None:
        return redirect(url_for("web.home"))
    form = JoinForm()
    if form.is_submitted():
        if not form.validate():  # only the CSRF token is judged here; an expired form is shown again
            flash("The form had expired. Please send it again.", "error")
            return _join_page(form, 400)
        try:
            services.sign_up(form.email.data, form.full_name.data, form.password.data, bool(form.accept_terms.data))
        except services.SignUpInvalid as exc:
            attach_errors(form, exc.errors)
            return _join_page(form, 422)
        db.session.commit()
        return redirect(url_for("joining.check_email"))
    return _join_page(form)


@bp.get("/join/check-email")
@public
def check_email():
    """After signing up: the link is on its way (the same words whether the address was known or not)."""
    return render_template("joining/check_email.html")


@bp.get("/join/verify/<token>")
@public
def verify(token: str):
    """The emailed link: confirms the address; a member at once (signed in) or waiting for the staff."""
    try:
        verified = services.verify(token)
    except services.LinkInvalid as exc:
        db.session.rollback()
        return render_template("joining/link_invalid.html", message=exc.message), 400
    db.session.commit()
    sign_up = verified.sign_up
    if sign_up.status == SignUpStatus.PENDING:
        return render_template("joining/waiting.html", sign_up=sign_up)
    if verified.just_joined:
        user = members.get_member(sign_up.user_id)
        start_session(user, remember=False)
        db.session.commit()
        flash(f"Welcome, {user.full_name.split()[0]}: you are a member now.", "success")
        return redirect(url_for("joining.first_visit", welcome=1))
    flash("Your email is already confirmed. Sign in with it and your password." if sign_up.status ==
          SignUpStatus.JOINED else "This request to join is closed. Contact the studio if you think it is a mistake.",
          "info")
    return redirect(url_for("auth.login"))


def _principal_user():
    principal = require_principal()
    if principal.kind != "user":
        abort(403, description="Only people have a profile.")
    return principal, members.get_member(principal.id)


@bp.route("/welcome", methods=["GET", "POST"])
@signed_in
def first_visit():
    """Before the first visit: emergency contact, date of birth, health notes, how you heard of us."""
    principal, user = _principal_user()
    form = FirstVisitForm()
    visit = visits.of(user.id)
    if request.method == "GET":
        form.emergency_name.data, form.emergency_phone.data = visits.split_contact(user.emergency_contact)
        form.date_of_birth.data, form.health_notes.data = user.date_of_birth, user.health_notes
        form.heard_about.data = visit.heard_about if visit else ""
    form.date_of_birth.render_kw = {"max": date.today().isoformat()}
    if form.is_submitted():
        form.validate()  # parses the date and the CSRF token; every other rule is the service's
        if not has_errors(form):
            answers = visits.Answers(form.emergency_name.data, form.emergency_phone.data,
                                          form.date_of_birth.data, form.health_notes.data, form.heard_about.data)
            try:
                visits.save(user, answers, principal)
            except visits.FirstVisitInvalid as exc:
                attach_errors(form, exc.errors)
            else:
                db.session.commit()
                flash("Thank you: the studio has what it needs for your first visit.", "success")
                return redirect(url_for("web.home"))
    return render_template("joining/first_visit.html", form=form, visit=visit,
                           welcome=request.args.get("welcome") == "1"), 422 if has_errors(form) else 200


@bp.route("/terms", methods=["GET", "POST"])
@public
def accept_terms():
    """The studio's terms; a signed-in member who has not accepted the newest version accepts it here."""
    version = terms.current()
    if version is None:
        return render_template("joining/terms.html", version=None, needs=False, form=None, next_url=None)
    principal = current_principal()
    next_url = safe_next(request.values.get("next"))
    needs = terms.needs_acceptance(principal)
    form = AcceptTermsForm()
    if request.method == "POST":
        if principal is None or principal.kind != "user":
            return redirect(url_for("auth.login", next=url_for("joining.accept_terms")))
        if form.validate_on_submit():
            terms.accept(principal.id, version)
            db.session.commit()
            flash(f"Thank you: you accepted version {version.number} of the terms.", "success")
            return redirect(next_url)
    return render_template("joining/terms.html", version=version, needs=needs, form=form, next_url=next_url)


def _decide(sign_up_id: int, approve: bool):
    principal = require_principal()
    if not DecideForm().validate_on_submit():
        flash("The page had expired. Please try again.", "error")
        return redirect(url_for("members.index"))
    try:
        if approve:
            user = services.approve(sign_up_id, principal)
        else:
            request_ = services.decline(sign_up_id, principal)
    except services.SignUpNotFound:
        abort(404, description="There is no such request to join.")
    except (services.AlreadyDecided, members.MemberLimitReached, members.DuplicateEmail) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("members.index"))
    db.session.commit()
    if approve:
        flash(f"{user.full_name} is a member now; they got an email saying so.", "success")
    else:
        flash(f"The request of {request_.full_name} is declined; they got an email saying so.", "success")
    return redirect(url_for("members.index"))


@bp.post("/members/sign-ups/<int:sign_up_id>/approve")
@requires("members", "create", own=False)
def approve(sign_up_id: int):
    """Let a waiting sign-up in (members page)."""
    return _decide(sign_up_id, True)


@bp.post("/members/sign-ups/<int:sign_up_id>/decline")
@requires("members", "create", own=False)
def decline(sign_up_id: int):
    """Say no to a waiting sign-up (members page)."""
    return _decide(sign_up_id, False)
