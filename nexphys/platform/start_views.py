"""The apex's public pages beyond the landing: find your studio, start a studio (with its email link and
progress), and in development the platform's mail."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField

from nexphys.auth.throttle import sign_up_limits
from nexphys.extensions import db
from nexphys.platform import mail, self_service, services
from nexphys.platform.forms import time_zone_choices
from nexphys.tenancy.context import TenantStatus
from nexphys.web.access import public
from nexphys.web.forms import attach_errors, has_errors

bp = Blueprint("start", __name__)


class StartForm(FlaskForm):
    name = StringField("Studio name")
    slug = StringField("Web address")
    time_zone = SelectField("Time zone", default="UTC", validate_choice=False)
    owner_name = StringField("Your name")
    owner_email = EmailField("Your email")
    submit = SubmitField("Email me the link")


class ConfirmForm(FlaskForm):
    """The button that creates the studio: only the CSRF token."""


@bp.get("/find")
@public
def find():
    """Find your studio by name: active studios only, the first few matches, each linking to its address."""
    query = request.args.get("q", "").strip()[:100]
    found = self_service.find_studios(query, request.scheme, services.request_port()) if query else []
    return render_template("platform/find.html", query=query, found=found, limit=self_service.FIND_LIMIT)


def _start_page(form: StartForm, status: int = 200):
    return render_template("platform/start.html", form=form, base_domain=current_app.config["NEXPHYS_BASE_DOMAIN"]), \
        status


@bp.route("/start", methods=["GET", "POST"])
@public
@sign_up_limits
def start():
    """Start a studio: its name and address, the owner's name and email; a link by email creates it."""
    if not self_service.settings()["enabled"]:
        return render_template("platform/start_off.html"), 200
    form = StartForm()
    form.time_zone.choices = time_zone_choices()
    if request.method == "POST":
        if not form.validate_on_submit():
            form.name.errors = ["The form had expired. Please send it again."]
            return _start_page(form, 400)
        try:
            asked = self_service.clean(form.name.data, form.slug.data, form.time_zone.data, form.owner_name.data,
                                       form.owner_email.data)
        except self_service.StartInvalid as exc:
            attach_errors(form, exc.errors)
            return _start_page(form, 422)
        except self_service.SelfServiceOff:
            return render_template("platform/start_off.html"), 200
        self_service.request_studio(asked)
        db.session.commit()
        return redirect(url_for("start.check_email"))
    return _start_page(form, 422 if has_errors(form) else 200)


@bp.get("/start/check-email")
@public
def check_email():
    """The link is on its way to the owner's address."""
    return render_template("platform/start_check_email.html")


@bp.route("/start/verify/<token>", methods=["GET", "POST"])
@public
def verify(token: str):
    """The emailed link: a button creates the studio (a GET alone, as mail scanners send, creates nothing)."""
    try:
        asked = self_service.request_for_token(token)
    except self_service.LinkInvalid as exc:
        return render_template("platform/start_link_invalid.html", message=str(exc)), 400
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("platform/start_confirm.html", asked=asked, form=form, expired=True), 400
        try:
            tenant_id = self_service.start(token, services.studio_base_url_for_request(asked.slug))
        except self_service.SelfServiceOff:
            return render_template("platform/start_off.html"), 200
        except self_service.StartInvalid as exc:
            message = " ".join(m for messages in exc.errors.values() for m in messages)
            return render_template("platform/start_link_invalid.html", message=message), 409
        return redirect(url_for("start.progress", token=self_service.progress_token(tenant_id)))
    return render_template("platform/start_confirm.html", asked=asked, form=form, expired=False)


@bp.get("/start/progress/<token>")
@public
def progress(token: str):
    """The new studio being set up: refreshes itself until it is ready, then says to check the owner's email."""
    try:
        tenant = self_service.tenant_for_progress(token)
    except self_service.LinkInvalid as exc:
        return render_template("platform/start_link_invalid.html", message=str(exc)), 400
    ready = tenant.status == TenantStatus.ACTIVE
    url = services.studio_url_of(tenant, request.scheme, services.request_port()) if ready else None
    return render_template("platform/start_progress.html", t=tenant, ready=ready, studio_url=url,
                           failed=tenant.status == TenantStatus.FAILED)


@bp.get("/dev/mail")
@public
def dev_mail():
    """Development only: the mail the platform would have sent, so its links can be followed."""
    if current_app.config["NEXPHYS_ENV"] == "production":
        abort(404)
    return render_template("platform/dev_mail.html", messages=mail.recent())
