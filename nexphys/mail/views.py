"""The notifications page: every email the studio sends, its delivery status, and a retry for failures.

Access is `settings:read` (managers and owners by default), not `bookings:update`: the outbox holds
every email of the studio, account emails (invitations, password resets) included, with members'
addresses; and a failing delivery is fixed in the studio's mail setup, which is the managers' and
owners' business rather than the instructors'. Bodies are never shown here (they may hold sign-in links).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.auth.access import requires
from nexphys.extensions import db
from nexphys.mail import services
from nexphys.tenancy.context import require_tenant
from nexphys.web.api import page_args
from nexphys.web.safety import safe_next

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@requires("settings", "read")
def index():
    """The studio's outgoing email, newest first: filter by status, see attempts and errors, page through."""
    tenant = require_tenant()
    status = request.args.get("status", "")
    if status not in services.STATUSES:
        status = ""  # an unknown filter shows everything rather than a misleading empty page
    page, per_page = page_args(default_per_page=25)
    messages = services.outbox(page=page, per_page=per_page, status=status or None)
    return render_template("notifications/index.html", tenant=tenant, brand_color=tenant.brand_color,
                           messages=messages, status=status, statuses=services.STATUSES,
                           counts=services.status_counts(), zone=ZoneInfo(tenant.time_zone))


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
    return redirect(safe_next(request.form.get("next"), default=url_for("notifications.index")))
