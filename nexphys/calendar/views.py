"""Calendar feeds: the public .ics URL apps subscribe to, and resetting a leaked link."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for

from nexphys.calendar import services
from nexphys.extensions import db
from nexphys.web.access import public, require_principal, requires

bp = Blueprint("calendar", __name__)


@bp.get("/calendar/<token>.ics")
@public  # calendar apps cannot sign in: the secret token in the URL is the credential
def feed(token: str):
    """A calendar feed (text/calendar): a member's bookings or the studio timetable, by its secret token."""
    body = services.feed_for_token(token)
    if body is None:
        abort(404, description="There is no calendar at this address. It may have been reset.")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="classes.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.post("/calendar/reset")
@requires("bookings", "read")
def reset():
    """Give the signed-in member a new personal feed link (the old one stops working)."""
    principal = require_principal()
    if principal.kind != "user":
        abort(403)
    services.reset_member_token(principal.id)
    db.session.commit()
    flash("Your calendar link has been reset. Subscribe again with the new link; the old one no longer works.",
          "success")
    return redirect(url_for("bookings.mine") + "#calendar", code=303)


@bp.post("/calendar/studio/reset")
@requires("settings", "update", own=False)
def reset_studio():
    """Give the studio timetable feed a new link (subscribers of the old one must subscribe again)."""
    services.reset_studio_token()
    db.session.commit()
    flash("The studio timetable feed has a new link; the old one no longer works.", "success")
    return redirect(url_for("bookings.mine") + "#calendar", code=303)
