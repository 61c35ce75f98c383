"""The notifications page: every email the studio sends, its delivery status, and a retry for failures;
and, in development, the outbox page where sent mail can be read and its links followed.

Access to the notifications page is `settings:read` (managers and owners by default), not
`bookings:update`: the outbox holds every email of the studio, account emails (invitations, password
resets) included, with members' addresses; and a failing delivery is fixed in the studio's mail setup,
which is the managers' and owners' business rather than the instructors'. Bodies are never shown there
(they may hold sign-in links).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from nexphys.extensions import db
from nexphys.mail import services
from nexphys.web.access import public, requires
from nexphys.web.api import page_args
from nexphys.web.navigation import back_to

bp = Blueprint("mail", __name__)


@bp.get("/notifications")
@requires("settings", "read")
def index():
    """The studio's outgoing email, newest first: filter by status, see attempts and errors, page through."""
    status = request.args.get("status", "")
    if status not in services.STATUSES:
        status = ""  # an unknown filter shows everything rather than a misleading empty page
    page, per_page = page_args(default_per_page=25)
    messages = services.outbox(page=page, per_page=per_page, status=status or None)
    return render_template("mail/index.html", messages=messages, status=status, statuses=services.STATUSES,
                           status_words=services.STATUS_WORDS,
                           counts=services.status_counts())


@bp.post("/notifications/<int:message_id>/retry")
@requires("settings", "read")
def retry(message_id: int):
    """Send a failed email again (queued at once; the page shows the outcome once the worker ran)."""
    try:
        message = services.retry_message(message_id)
    except LookupError:
        abort(404, description="There is no such message.")
    except services.NotRetryable as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        flash(f"“{message.subject}” to {message.to_address} is queued to be sent again.", "success")
    return redirect(back_to(url_for("mail.index")))


@bp.get("/dev/outbox")
@public
def dev_outbox():
    """Development only: the mail this studio would have sent, so emailed links can be followed."""
    if current_app.config["NEXPHYS_ENV"] == "production":
        abort(404)
    page = request.args.get("page", 1, type=int)
    return render_template("mail/outbox.html", messages=services.outbox(page=page))
