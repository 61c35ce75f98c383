"""Member booking pages: a class's page, booking and cancelling, and "My bookings".

Every action is a plain POST form (Post/Redirect/Get with a flash message) that htmx enhances: with
the HX-Request header the answer is the re-rendered card (or booking row) with the outcome inline.
The rules are the booking service's; refusals become messages, never errors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.auth.access import Principal, current_principal, public, require_principal, requires
from nexphys.bookings import queries, services
from nexphys.bookings.cards import CARD_SETTINGS, Card, build_card, status_label, viewer_for
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.calendar.services import STUDIO_TOKEN_SETTING, member_token, studio_token
from nexphys.classes.models import ClassSession
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.studio.services import cached_settings, setting
from nexphys.studio.timetable import slot as load_slot
from nexphys.tenancy.context import require_tenant
from nexphys.web.safety import safe_next

bp = Blueprint("bookings", __name__)

PER_PAGE = 10
CARD_VARIANTS = ("chip", "detail", "row")


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def this_page() -> str:
    """This page's path and query: where forms on it send people back to."""
    return request.full_path.rstrip("?") if request.query_string else request.path


def sign_in_redirect():
    """To the sign-in page, coming back here afterwards (studios that keep their timetable private)."""
    return redirect(url_for("auth.login", next=this_page()))


def _zone() -> ZoneInfo:
    return ZoneInfo(require_tenant().time_zone)


def _card(session_id: int, now: datetime | None = None) -> Card:
    """The session's card for the current viewer (404 when there is no such class)."""
    found = load_slot(session_id)
    if found is None:
        abort(404, description="There is no such class.")
    viewer = viewer_for(current_principal(), cached_settings(CARD_SETTINGS), _zone(), now or utcnow())
    mine = queries.statuses_for(viewer.member_id, [found.id]).get(found.id) if viewer.signed_in else None
    return build_card(found, mine, viewer)


def _page(template: str, **context):
    tenant = require_tenant()
    return render_template(template, tenant=tenant, brand_color=tenant.brand_color, **context)


@bp.get("/classes/<int:session_id>")
@public
def class_detail(session_id: int):
    """One class: type, description, time, instructor, room, spots left and the viewer's booking."""
    values = cached_settings(CARD_SETTINGS)
    principal = current_principal()
    if values.get("timetable_requires_sign_in") and principal is None:
        return sign_in_redirect()
    found = load_slot(session_id)
    if found is None:
        abort(404, description="There is no such class.")
    viewer = viewer_for(principal, values, _zone(), utcnow())
    mine = queries.statuses_for(viewer.member_id, [found.id]).get(found.id) if viewer.signed_in else None
    return _page("classes/detail.html", card=build_card(found, mine, viewer), next_url=request.path,
                 time_zone=require_tenant().time_zone,
                 can_see_roster=principal is not None and principal.scope("bookings", "read") == "all")


def _next_url(session_id: int) -> str:
    return safe_next(request.form.get("next"), default=url_for("bookings.class_detail", session_id=session_id))


def _variant() -> str:
    variant = request.form.get("card", "")
    return variant if variant in CARD_VARIANTS else "chip"


def _answer(session_id: int, message: str, kind: str, status: int = 200, booking_id: int | None = None,
            still_cancellable: bool = False):
    """htmx: the re-rendered card (or booking row) with the message inline. Otherwise: flash and go back (303).

    `still_cancellable`: the row keeps its (late) cancel button, as after the late-cancel warning.
    """
    next_url = _next_url(session_id)
    if not is_htmx():
        flash(message, kind)
        return redirect(next_url, code=303)
    variant = _variant()
    row = queries.booking_row(booking_id) if variant == "row" and booking_id is not None else None
    if row is not None:
        row = replace(row, can_cancel=still_cancellable, cancel_is_late=still_cancellable)
        return render_template("bookings/_booking_row.html", b=row, zone=_zone(), next_url=next_url,
                               message=message, message_kind=kind, label=status_label), status
    return render_template("bookings/_session_card.html", card=_card(session_id), variant=variant,
                           next_url=next_url, message=message, message_kind=kind), status


def _member(principal: Principal) -> Principal:
    if principal.kind != "user":
        abort(403, description="Book classes as a studio member, on the studio's pages.")
    return principal


@bp.post("/classes/<int:session_id>/book")
@requires("bookings", "create")
def book(session_id: int):
    """Book oneself into a class; a full class puts you on its waitlist while that is open."""
    principal = _member(require_principal())
    try:
        outcome = services.book(session_id, principal.id)
    except services.NotFound:
        db.session.rollback()
        abort(404, description="There is no such class.")
    except services.BookingError as exc:
        db.session.rollback()
        return _answer(session_id, exc.message, "error", exc.status)
    db.session.commit()
    if outcome.waitlist_position is None:
        message = "You're booked. See you in class!"
    else:
        message = (f"This class is full, so you're on the waitlist at #{outcome.waitlist_position}. "
                   "We'll email you if a spot opens up.")
    return _answer(session_id, message, "success")


def _cancellable(booking_id: int, principal: Principal) -> sa.Row:
    """(id, session_id, member_id, status, starts_at) of a booking the caller may cancel, else 404."""
    row = db.session.execute(
        sa.select(Booking.id, Booking.session_id, Booking.member_id, Booking.status, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Booking.session_id).where(Booking.id == booking_id)).first()
    own = row is not None and principal.kind == "user" and row.member_id == principal.id
    if row is None or not (own or principal.scope("bookings", "delete") == "all"):
        abort(404, description="There is no such booking.")
    return row


@bp.post("/bookings/<int:booking_id>/cancel")
@requires("bookings", "delete")
def cancel(booking_id: int):
    """Cancel a booking or leave a waitlist; after the free cut-off, asks to confirm a late cancellation."""
    principal = require_principal()
    booking = _cancellable(booking_id, principal)
    own = booking.member_id == principal.id and principal.kind == "user"
    now = utcnow()
    late = (own and booking.status == BookingStatus.CONFIRMED and booking.starts_at > now
            and services.booking_rules().is_late_cancel(booking.starts_at, now))
    if late and request.form.get("confirm_late") != "yes":
        warning = ("The free cancellation time for this class has passed: cancelling now counts as a late "
                   "cancellation. Press the button again to confirm.")
        if is_htmx():
            return _answer(booking.session_id, warning, "warning", 409, booking_id, still_cancellable=True)
        return _page("bookings/cancel_confirm.html", card=_card(booking.session_id, now), booking_id=booking_id,
                     next_url=_next_url(booking.session_id), variant=_variant()), 200
    try:
        outcome = services.cancel(booking_id, by_staff=None if own else db.session.get(User, principal.id), now=now)
    except services.NotFound:
        db.session.rollback()
        abort(404, description="There is no such booking.")
    except services.BookingError as exc:
        db.session.rollback()
        return _answer(booking.session_id, exc.message, "error", exc.status, booking_id)
    db.session.commit()
    if booking.status == BookingStatus.WAITLISTED:
        message = "You've left the waitlist."
    elif outcome.late:
        message = "Booking cancelled. It was after the free cancellation time, so it counts as a late cancellation."
    else:
        message = "Booking cancelled. Your spot is free for someone else."
    return _answer(booking.session_id, message, "success", booking_id=booking_id)


def _page_arg(name: str) -> int:
    return max(request.args.get(name, 1, type=int) or 1, 1)


@bp.get("/bookings")
@requires("bookings", "read")
def mine():
    """My bookings: upcoming (waitlist positions, late-cancel warnings) and past, and my calendar link."""
    principal = _member(require_principal())
    now = utcnow()
    upcoming = queries.member_bookings(principal.id, now, upcoming=True, page=_page_arg("page"), per_page=PER_PAGE)
    past = queries.member_bookings(principal.id, now, upcoming=False, page=_page_arg("past"), per_page=PER_PAGE)
    token = member_token(principal.id)  # made on first visit: the page shows the feed URL
    studio_feed = studio_token(setting(STUDIO_TOKEN_SETTING))
    db.session.commit()
    return _page("bookings/mine.html", upcoming=upcoming, past=past, zone=_zone(), next_url=this_page(),
                 label=status_label, feed_url=url_for("calendar.feed", token=token, _external=True),
                 studio_feed_url=url_for("calendar.feed", token=studio_feed, _external=True),
                 can_reset_studio_feed=principal.scope("settings", "update") == "all")
