"""The check-in desk: today's classes with who is expected, finding a member (by name, or by scanning or typing
their code) and checking them in.

Check-in goes through `nexphys.bookings.services.check_in` (the API calls the same function); a refusal
becomes a message on the page it came from, never an error page. Check-in buttons work as plain forms
and, with htmx, swap just their row here (and the class's counts, out of band), or refresh a class's
roster (its groups and counts) there.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.bookings import queries, services
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.bookings.staff import STATUS_LABELS, check_in_context, staff_abilities
from nexphys.checkin import codes
from nexphys.checkin import queries as desk_queries
from nexphys.checkin import services as desk_services
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.members.services import find_active
from nexphys.security.http import allow_camera
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires, signed_in
from nexphys.web.navigation import back_to, is_htmx

bp = Blueprint("checkin", __name__)

def _desk_row(booking: Booking) -> queries.BookingRow:
    rows = queries.list_bookings(member_id=booking.member_id, session_id=booking.session_id, per_page=10).items
    return next(row for row in rows if row.id == booking.id)


def _desk_fragment(booking: Booking, context: dict) -> str:
    """The changed row (of the class list or of a member's classes) and, out of band, its class's new counts."""
    view = request.form.get("view")
    with_counts = view == "arrival" or bool(request.form.get("counts"))
    desk_class = desk_queries.desk_class(booking.session_id) if with_counts else None
    if view == "arrival":
        html = render_template("checkin/_arrival.html", a=desk_queries.arrival(booking.id), s=desk_class.slot,
                               **context)
    else:
        html = render_template("checkin/_desk_row.html", row=_desk_row(booking), with_counts=desk_class is not None,
                               **context)
    if desk_class is not None:
        html += render_template("checkin/_desk_counts.html", c=desk_class, now=context["now"], oob=True)
    return html


def _fragment_context(message: str, category: str, principal) -> dict:
    return {"message": message, "category": category, "next_url": request.form.get("next", ""),
            "status_labels": STATUS_LABELS, **check_in_context(utcnow()), **staff_abilities(principal)}


@bp.post("/check-in/bookings/<int:booking_id>")
@requires("bookings", "update", own=False)
def check_in(booking_id: int):
    """Check a booked member in (one click); with HX-Request the answer is the updated row."""
    principal = require_principal()
    message, category, status = None, "success", 200
    try:
        booking = services.check_in(booking_id, actor=principal.label, actor_id=principal.person_id)
    except services.BookingError as exc:
        db.session.rollback()
        if isinstance(exc, services.NotFound):
            if is_htmx():
                abort(404, description=exc.message)
            flash(exc.message, "error")
            return redirect(back_to(url_for("checkin.desk")))
        booking = services.get_booking(booking_id)
        message, category, status = exc.message, "error", 409
    else:
        db.session.commit()
        message = f"{booking.member.full_name} is checked in."
    if not is_htmx():
        flash(message, category)
        return redirect(back_to(url_for("bookings.roster", session_id=booking.session_id)))
    if request.form.get("view") in ("desk", "arrival"):
        return _desk_fragment(booking, _fragment_context(message, category, principal)), status
    # On a roster the check-in moves a person between groups and changes its counts: the roster refreshes
    # itself (roster.html's #roster-live) and says what happened.
    flash(message, "inline" if category == "success" else "inline-error")
    return "", 204, {"HX-Trigger": "roster-changed"}


def _bookings_today(member_id: int) -> list[queries.BookingRow]:
    tenant = require_tenant()
    start, end = tenant.days(tenant.today())
    rows = queries.list_bookings(member_id=member_id, start=start, end=end, per_page=50).items
    return sorted((row for row in rows if row.status in BookingStatus.LIVE), key=lambda row: row.starts_at)


@bp.get("/check-in")
@requires("bookings", "update", own=False)
def desk():
    """The check-in desk: today's classes with who is expected, and finding a member by name, email or code."""
    q = request.args.get("q", "").strip()[:100]
    member_id = codes.member_from_any(q) if q else None
    if member_id is not None and db.session.get(User, member_id) is not None:  # a typed or pasted member code
        return redirect(url_for("checkin.check_in_code", code=codes.member_code(member_id)))
    found = [(member, _bookings_today(member.id)) for member in find_active(q)]
    now = utcnow()
    allow_camera()
    return render_template("checkin/desk.html", q=q, found=found, today=require_tenant().today(now),
                           classes=desk_queries.today_classes(now), status_labels=STATUS_LABELS,
                           **check_in_context(now), **staff_abilities(require_principal()))


@bp.post("/check-in/scan")
@requires("bookings", "update", own=False)
def scanned():
    """A code the desk's camera read: check the member in when exactly one class of theirs is open, then show
    their classes today (staff choose there when there are several, or see why there is none)."""
    principal = require_principal()
    member_id = codes.member_from_any(request.form.get("code", ""))
    member = db.session.get(User, member_id) if member_id is not None else None
    if member is None:
        flash("That code is not a member's check-in code here. Find them by name instead.", "error")
        return redirect(url_for("checkin.desk"))
    try:
        booking = desk_services.check_in_if_one_open(member.id, principal)
    except services.BookingError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        if booking is not None:
            flash(f"{member.full_name} is checked in to {booking.class_name} at "
                  f"{require_tenant().local(booking.starts_at):%H:%M}.", "success")
    return redirect(url_for("checkin.check_in_code", code=codes.member_code(member.id)))


@bp.get("/check-in/<code>")
@requires("bookings", "update", own=False)
def check_in_code(code: str):
    """What a scanned member QR code opens: that member's classes today, with one-click check-in."""
    member_id = codes.member_from_code(code)
    member = db.session.get(User, member_id) if member_id is not None else None
    if member is None:
        abort(404, description="This check-in code is not valid here. Ask the member to open their profile "
                               "page again, or find them by name.")
    return render_template("checkin/member_today.html", member=member, bookings=_bookings_today(member.id),
                           today=require_tenant().today(), status_labels=STATUS_LABELS, **check_in_context(utcnow()),
                           **staff_abilities(require_principal()))


@bp.post("/check-in/bookings/<int:booking_id>/undo")
@requires("bookings", "update", own=False)
def undo_check_in(booking_id: int):
    """Take back a check-in of the last few minutes (the wrong person was tapped); audited."""
    principal = require_principal()
    try:
        booking = services.undo_check_in(booking_id, actor=principal.label, actor_id=principal.person_id)
    except services.BookingError as exc:
        db.session.rollback()
        if isinstance(exc, services.NotFound):
            abort(404, description=exc.message)
        booking, message, category = services.get_booking(booking_id), exc.message, "error"
    else:
        db.session.commit()
        message, category = f"Check-in of {booking.member.full_name} undone: booked again.", "success"
    if is_htmx() and request.form.get("view") in ("desk", "arrival"):
        return _desk_fragment(booking, _fragment_context(message, category, principal)), (
            200 if category == "success" else 409)
    if is_htmx() and request.form.get("view") == "roster":
        flash(message, "inline" if category == "success" else "inline-error")
        return "", 204, {"HX-Trigger": "roster-changed"}
    flash(message, category)
    return redirect(back_to(url_for("bookings.roster", session_id=booking.session_id)))


@bp.get("/my-code")
@signed_in
def my_code():
    """The signed-in person's check-in code, large, to show at the front desk (one tap from their home)."""
    principal = require_principal()
    if principal.kind != "user":
        abort(404)
    user = db.session.get(User, principal.id)
    return render_template("checkin/my_code.html", user=user, short_code=codes.short_code(user.id),
                           qr=codes.qr_svg(codes.check_in_url(user.id), f"Check-in code for {user.full_name}"))
