"""Booking pages: a class's page, booking and cancelling, "My bookings"; for staff, a class's roster
(adding and removing people by hand) and the booking rules.

Every action is a plain POST form (Post/Redirect/Get with a flash message) that htmx enhances: with
the HX-Request header the answer is the re-rendered card (or booking row) with the outcome inline.
The rules are the booking service's (the API calls the same functions); refusals become messages,
never errors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.bookings import queries, rule_settings, services
from nexphys.bookings.cards import CARD_SETTINGS, Card, build_card, status_label, viewer_for
from nexphys.bookings.forms import BookingRulesForm, booking_rules_form
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.bookings.rules import ROLE_OVERRIDABLE, ROLE_RULES_SETTING, RULE_SETTINGS
from nexphys.bookings.staff import GROUP_LABELS, STATUS_LABELS, as_of_note, check_in_context, staff_abilities
from nexphys.calendar.services import STUDIO_TOKEN_SETTING, member_token, studio_token
from nexphys.classes.models import ClassSession
from nexphys.classes.queries import slot as load_slot
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.joining.terms import needs_acceptance
from nexphys.members.models import User
from nexphys.members.services import all_roles, find_active
from nexphys.settings.services import cached_settings, setting
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import Principal, current_principal, public, require_principal, requires
from nexphys.web.forms import attach_errors, has_errors
from nexphys.web.navigation import back_to, is_htmx, sign_in_redirect, this_page
from nexphys.web.safety import safe_next
from nexphys.workouts.plans import class_workout
from nexphys.workouts.program_queries import class_plan

bp = Blueprint("bookings", __name__)

PER_PAGE = 10
CARD_VARIANTS = ("chip", "detail", "row")


def _card(session_id: int, now: datetime | None = None) -> Card:
    """The session's card for the current viewer (404 when there is no such class)."""
    found = load_slot(session_id)
    if found is None:
        abort(404, description="There is no such class.")
    now = now or utcnow()
    viewer = viewer_for(current_principal(), cached_settings(CARD_SETTINGS), require_tenant().zone, now,
                        upcoming=lambda member_id: services.upcoming_confirmed_count(member_id, now))
    mine = queries.statuses_for(viewer.member_id, [found.id]).get(found.id) if viewer.signed_in else None
    workout = class_workout(found.id)
    return build_card(found, mine, viewer, workout.workout.title if workout else None)


@bp.get("/classes/<int:session_id>")
@public
def class_detail(session_id: int):
    """One class: type, description, time, instructor, room, spots left and the viewer's booking."""
    principal = current_principal()
    if cached_settings(CARD_SETTINGS).get("timetable_requires_sign_in") and principal is None:
        return sign_in_redirect()
    return render_template("bookings/class_detail.html", card=_card(session_id), next_url=request.path,
                           time_zone=require_tenant().time_zone, workout_plan=class_plan(session_id, principal),
                           may_edit_workout=principal is not None and principal.scope("workouts", "update") == "all",
                           can_see_roster=principal is not None and principal.scope("bookings", "read") == "all")


def _next_url(session_id: int) -> str:
    return safe_next(request.form.get("next"), default=url_for("bookings.class_detail", session_id=session_id))


def _variant() -> str:
    variant = request.form.get("card", "")
    return variant if variant in CARD_VARIANTS else "chip"


def _answer(session_id: int, message: str, kind: str, status: int = 200, booking_id: int | None = None,
            still_cancellable: bool = False, undo: bool = False):
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
        return render_template("bookings/_booking_row.html", b=row, next_url=next_url, message=message,
                               message_kind=kind, label=status_label), status
    return render_template("bookings/_session_card.html", card=_card(session_id), variant=variant,
                           next_url=next_url, message=message, message_kind=kind, undo=undo), status


def _member(principal: Principal) -> Principal:
    if principal.kind != "user":
        abort(403, description="Book classes as a studio member, on the studio's pages.")
    return principal


@bp.post("/classes/<int:session_id>/book")
@requires("bookings", "create")
def book(session_id: int):
    """Book oneself into a class; a full class puts you on its waitlist while that is open."""
    principal = _member(require_principal())
    if needs_acceptance(principal):  # new terms since the member last accepted: first those, then the class
        target = url_for("joining.accept_terms", next=_next_url(session_id))
        if is_htmx():
            return "", 204, {"HX-Redirect": target}
        return redirect(target)
    try:
        outcome = services.book(session_id, principal.id)
    except services.NotFound:
        db.session.rollback()
        abort(404, description="There is no such class.")
    except services.BookingError as exc:
        db.session.rollback()
        return _answer(session_id, exc.message, "error", exc.status)
    if request.form.get("confirm_late") != "yes" and services.booking_rules(principal.role_key).is_late_cancel(
            outcome.booking.session.starts_at, utcnow()):
        # It would book, but past the free cancellation time: undone (its emails with it) until confirmed, so
        # the question comes only for a booking that can happen, and costs nothing on time.
        db.session.rollback()
        warning = ("The free cancellation time for this class has passed: if you book and then cancel, it counts "
                   "as a late cancellation. Press Book again to confirm.")
        if is_htmx():
            return _answer(session_id, warning, "warning", 409)
        return render_template("bookings/book_confirm.html", card=_card(session_id), next_url=_next_url(session_id),
                               variant=_variant(), warning=warning)
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
    own = row is not None and row.member_id == principal.person_id
    if row is None or not (own or principal.scope("bookings", "delete") == "all"):
        abort(404, description="There is no such booking.")
    return row


@bp.post("/bookings/<int:booking_id>/cancel")
@requires("bookings", "delete")
def cancel(booking_id: int):
    """Cancel a booking or leave a waitlist; after the free cut-off, asks to confirm a late cancellation."""
    principal = require_principal()
    booking = _cancellable(booking_id, principal)
    own = booking.member_id == principal.person_id
    now = utcnow()
    late = (own and booking.status == BookingStatus.CONFIRMED and booking.starts_at > now
            and services.booking_rules().is_late_cancel(booking.starts_at, now))
    if late and request.form.get("confirm_late") != "yes":
        warning = ("The free cancellation time for this class has passed: cancelling now counts as a late "
                   "cancellation. Press the button again to confirm.")
        if is_htmx():
            return _answer(booking.session_id, warning, "warning", 409, booking_id, still_cancellable=True)
        return render_template("bookings/cancel_confirm.html", card=_card(booking.session_id, now),
                               booking_id=booking_id, next_url=_next_url(booking.session_id), variant=_variant())
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
    # A slip is easy with one tap: a free cancellation of one's own booking offers to undo it for a moment.
    undo = own and not outcome.late and booking.status != BookingStatus.WAITLISTED
    return _answer(booking.session_id, message, "success", booking_id=booking_id, undo=undo)


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
    held = services.upcoming_confirmed_count(principal.id, now)
    limit = services.booking_rules(principal.role_key).max_upcoming
    return render_template("bookings/mine.html", upcoming=upcoming, past=past, next_url=this_page(),
                           held=held, limit=limit,
                           label=status_label, feed_url=url_for("calendar.feed", token=token, _external=True),
                           studio_feed_url=url_for("calendar.feed", token=studio_feed, _external=True),
                           can_reset_studio_feed=principal.scope("settings", "update") == "all")


# --- a class's roster (staff) -------------------------------------------------------------------

def _staff_user(principal: Principal) -> User:
    """The signed-in staff person (adding/removing by hand is recorded under their name)."""
    user = db.session.get(User, principal.person_id) if principal.person_id is not None else None
    if user is None:
        abort(403, description="Only a signed-in staff member can do this.")
    return user


def _booking_in_session(session_id: int, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != session_id:
        abort(404, description="There is no such booking in this class.")
    return booking


@bp.get("/classes/<int:session_id>/roster")
@requires("bookings", "read", own=False)
def roster(session_id: int):
    """A class's roster by status, with check-in, a member search to add people, and removal."""
    try:
        roster = queries.roster(session_id)
    except services.NotFound:
        abort(404, description="There is no such class.")
    q = request.args.get("q", "").strip()[:100]
    now, zone = datetime.now(UTC), require_tenant().zone
    as_of, as_of_error = _as_of(request.args.get("as_of", ""), zone)
    past = queries.roster_as_of(session_id, as_of) if as_of is not None else None
    by_member = {entry.member_id: entry for status in BookingStatus.LIVE for entry in roster.groups[status]}
    # Its own refresh after a check-in (roster.html's #roster-live) gets the live part only.
    template = "bookings/_roster_live.html" if is_htmx() and request.headers.get("HX-Target") == "roster-live" \
        else "bookings/roster.html"
    return render_template(template, roster=roster, session=roster.session, groups=roster.groups,
                           group_labels=GROUP_LABELS, status_labels=STATUS_LABELS, q=q, results=find_active(q),
                           by_member=by_member, **check_in_context(now), **staff_abilities(require_principal()),
                           past=past, as_of_error=as_of_error,
                           as_of_value=f"{(as_of or now).astimezone(zone):%Y-%m-%dT%H:%M}" if not as_of_error
                           else request.args.get("as_of", "")[:40],
                           as_of_note=as_of_note(past, as_of, zone, now) if past is not None else None)


def _as_of(text: str, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """?as_of= from the page's date-and-time field (studio time; an ISO offset is honoured): (moment, error)."""
    text = text.strip()
    if not text:
        return None, None
    try:
        moment = datetime.fromisoformat(text[:40])
    except ValueError:
        return None, "Enter a date and a time, such as 1 December 2026 at 09:00."
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)), None


@bp.post("/classes/<int:session_id>/roster/add")
@requires("bookings", "create", own=False)
def add_to_class(session_id: int):
    """Add a member by hand: the booking window and their limit do not apply (audited); a full class waitlists."""
    staff = _staff_user(require_principal())
    if db.session.get(ClassSession, session_id) is None:
        abort(404, description="There is no such class.")
    back = back_to(url_for("bookings.roster", session_id=session_id))
    member_id = request.form.get("member_id", type=int)
    if member_id is None:
        flash("Choose a member to add.", "error")
        return redirect(back)
    try:
        outcome = services.book(session_id, member_id, by_staff=staff)
    except services.BookingError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    name = outcome.booking.member.full_name
    db.session.commit()
    if outcome.waitlist_position is None:
        flash(f"{name} is booked into this class.", "success")
    else:
        flash(f"The class is full: {name} is on the waitlist, number {outcome.waitlist_position}.", "info")
    return redirect(back)


@bp.route("/classes/<int:session_id>/roster/<int:booking_id>/remove", methods=["GET", "POST"])
@requires("bookings", "delete", own=False)
def remove_from_class(session_id: int, booking_id: int):
    """Remove someone from a class (after a confirmation page); a freed seat goes to the waitlist."""
    staff = _staff_user(require_principal())
    booking = _booking_in_session(session_id, booking_id)
    back = url_for("bookings.roster", session_id=session_id)
    if request.method == "GET":
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
            flash(f"{booking.member.full_name}'s booking is {STATUS_LABELS[booking.status].lower()}: "
                  "there is nothing to remove.", "info")
            return redirect(back)
        return render_template("bookings/remove.html", booking=booking, session=booking.session)
    name = booking.member.full_name
    try:
        outcome = services.cancel(booking_id, by_staff=staff)
    except services.BookingError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    promoted = outcome.promoted.member.full_name if outcome.promoted is not None else None
    db.session.commit()
    flash(f"{name} is removed from this class." + (f" {promoted} moved up from the waitlist." if promoted else ""),
          "success")
    return redirect(back)


# --- the booking rules (owners change them; managers may look) ---------------------------------

def _rules_page(form: BookingRulesForm, roles: list, values: dict, status: int = 200):
    principal = require_principal()
    errors = [(f.id, message) for f in form if f.errors for message in f.errors]
    return render_template("bookings/rules.html", form=form, roles=roles, values=values, rule_settings=RULE_SETTINGS,
                           errors=errors, can_save=principal.scope("settings", "update") == "all",
                           can_see_notifications=principal.can("settings", "read")), status


def _fill(form: BookingRulesForm, values: dict, roles: list) -> None:
    for key in RULE_SETTINGS:
        form[key].data = values.get(key)
    overrides = values.get(ROLE_RULES_SETTING) or {}
    for role in roles:
        for key in ROLE_OVERRIDABLE:
            form[rule_settings.override_field(role.key, key)].data = (overrides.get(role.key) or {}).get(key)
    form[rule_settings.SIGN_IN_SETTING].data = bool(values.get(rule_settings.SIGN_IN_SETTING))


@bp.get("/settings/booking")
@requires("settings", "read")
def rules():
    """The booking rules: studio defaults, per-role overrides and whether the timetable needs sign-in."""
    roles = all_roles()
    values = rule_settings.current_values()
    form = booking_rules_form([role.key for role in roles], values, formdata=None)
    _fill(form, values, roles)
    return _rules_page(form, roles, values)


@bp.post("/settings/booking")
@requires("settings", "update")
def save_rules():
    """Save the booking rules (owners): out-of-bounds values re-render the form with their messages."""
    roles = all_roles()
    stored = rule_settings.current_values()
    form = booking_rules_form([role.key for role in roles], stored)
    form.validate()  # parses the numbers; the bounds are the service's
    defaults = {key: form[key].data for key in RULE_SETTINGS}
    overrides = {role.key: {key: form[rule_settings.override_field(role.key, key)].data for key in ROLE_OVERRIDABLE}
                 for role in roles}
    try:
        cleaned = rule_settings.clean(defaults, overrides, form[rule_settings.SIGN_IN_SETTING].data)
    except rule_settings.RulesInvalid as exc:
        attach_errors(form, exc.errors)
    if has_errors(form):
        return _rules_page(form, roles, stored, 422)
    changes = rule_settings.save(cleaned, require_principal())
    db.session.commit()
    if changes:
        flash("Booking rules saved. They apply to every booking from now on.", "success")
    else:
        flash("Nothing to save: the booking rules are unchanged.", "info")
    return redirect(url_for("bookings.rules"))
