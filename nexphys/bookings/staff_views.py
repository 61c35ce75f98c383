"""Staff pages for bookings: a class's roster, adding and removing people by hand, the check-in desk.

Every change goes through `nexphys.bookings.services` (the API calls the same functions); a refusal
(BookingError) becomes a flash message on the page it came from, never an error page. Check-in
buttons work as plain forms and, with htmx, swap just their row (the server answers the row partial
when the request carries HX-Request).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.auth.access import Principal, require_principal, requires
from nexphys.bookings import checkin, queries, services
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.bookings.queries import RosterEntry
from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.members.services import list_members
from nexphys.tenancy.context import require_tenant
from nexphys.web.safety import safe_next

bp = Blueprint("staff", __name__)

SEARCH_RESULTS = 10
GROUP_LABELS = {
    BookingStatus.CONFIRMED: "Confirmed",
    BookingStatus.WAITLISTED: "Waitlist",
    BookingStatus.CHECKED_IN: "Checked in",
    BookingStatus.LATE_CANCELLED: "Late cancellations",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.NO_SHOW: "No-shows",
}
STATUS_LABELS = {**GROUP_LABELS, BookingStatus.WAITLISTED: "Waitlisted", BookingStatus.LATE_CANCELLED: "Late cancel",
                 BookingStatus.NO_SHOW: "No-show"}


def _zone() -> ZoneInfo:
    return ZoneInfo(require_tenant().time_zone)


def _render(template: str, status: int = 200, **context):
    tenant = require_tenant()
    zone = _zone()

    def local(moment: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
        return moment.astimezone(zone).strftime(fmt) if moment else ""

    return render_template(template, tenant=tenant, brand_color=tenant.brand_color, local=local, zone=zone,
                           status_labels=STATUS_LABELS, **context), status


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _abilities(principal: Principal) -> dict[str, bool]:
    """Which buttons to offer: each matches the access declaration of the route it posts to."""
    return {"can_see_roster": principal.scope("bookings", "read") == "all",
            "can_check_in": principal.scope("bookings", "update") == "all",
            "can_add": principal.scope("bookings", "create") == "all",
            "can_remove": principal.scope("bookings", "delete") == "all"}


def _staff_user(principal: Principal) -> User:
    """The signed-in staff person (adding/removing by hand is recorded under their name)."""
    user = db.session.get(User, principal.id) if principal.kind == "user" else None
    if user is None:
        abort(403, description="Only a signed-in staff member can do this.")
    return user


def _search_members(q: str) -> list[User]:
    if not q:
        return []
    return list(list_members(q, status=UserStatus.ACTIVE, page=1, per_page=SEARCH_RESULTS).items)


def _roster_or_404(session_id: int) -> queries.Roster:
    try:
        return queries.roster(session_id)
    except services.NotFound:
        abort(404, description="There is no such class.")


def _booking_in_session(session_id: int, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != session_id:
        abort(404, description="There is no such booking in this class.")
    return booking


def _back(default: str) -> str:
    return safe_next(request.values.get("next"), default=default)


# --- roster ------------------------------------------------------------------------------------

@bp.get("/classes/<int:session_id>/roster")
@requires("bookings", "read", own=False)
def roster(session_id: int):
    """A class's roster by status, with check-in, a member search to add people, and removal."""
    principal = require_principal()
    roster = _roster_or_404(session_id)
    q = request.args.get("q", "").strip()[:100]
    by_member = {entry.member_id: entry for status in BookingStatus.LIVE for entry in roster.groups[status]}
    return _render("staff/roster.html", roster=roster, session=roster.session, groups=roster.groups,
                   group_labels=GROUP_LABELS, q=q, results=_search_members(q), by_member=by_member,
                   now=datetime.now(UTC), **_abilities(principal))


@bp.post("/classes/<int:session_id>/roster/add")
@requires("bookings", "create", own=False)
def add_to_class(session_id: int):
    """Add a member by hand: the booking window and their limit do not apply (audited); a full class waitlists."""
    staff = _staff_user(require_principal())
    if db.session.get(ClassSession, session_id) is None:
        abort(404, description="There is no such class.")
    back = _back(url_for("staff.roster", session_id=session_id))
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
    back = url_for("staff.roster", session_id=session_id)
    if request.method == "GET":
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
            flash(f"{booking.member.full_name}'s booking is {STATUS_LABELS[booking.status].lower()}: "
                  "there is nothing to remove.", "info")
            return redirect(back)
        return _render("staff/remove.html", booking=booking, session=booking.session)
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


# --- check-in ----------------------------------------------------------------------------------

def _roster_entry(booking: Booking) -> RosterEntry:
    return RosterEntry(booking_id=booking.id, member_id=booking.member_id, member_name=booking.member.full_name,
                       member_email=booking.member.email, status=booking.status, position=None,
                       created_at=booking.created_at, checked_in_at=booking.checked_in_at,
                       cancelled_at=booking.cancelled_at, promoted=booking.promoted, booked_by_id=booking.booked_by_id)


def _desk_row(booking: Booking) -> queries.BookingRow:
    rows = queries.list_bookings(member_id=booking.member_id, session_id=booking.session_id, per_page=10).items
    return next(row for row in rows if row.id == booking.id)


@bp.post("/check-in/bookings/<int:booking_id>")
@requires("bookings", "update", own=False)
def check_in(booking_id: int):
    """Check a booked member in (one click); with HX-Request the answer is the updated row."""
    principal = require_principal()
    message, category, status = None, "success", 200
    try:
        booking = services.check_in(booking_id)
    except services.BookingError as exc:
        db.session.rollback()
        if isinstance(exc, services.NotFound):
            if _is_htmx():
                abort(404, description=exc.message)
            flash(exc.message, "error")
            return redirect(_back(url_for("staff.desk")))
        booking = services.get_booking(booking_id)
        message, category, status = exc.message, "error", 409
    else:
        db.session.commit()
        message = f"{booking.member.full_name} is checked in."
    if not _is_htmx():
        flash(message, category)
        return redirect(_back(url_for("staff.roster", session_id=booking.session_id)))
    next_url = request.form.get("next", "")
    if request.form.get("view") == "desk":
        return _render("staff/_desk_row.html", status, row=_desk_row(booking), message=message, category=category,
                       next_url=next_url, **_abilities(principal))
    return _render("staff/_roster_row.html", status, entry=_roster_entry(booking), session=booking.session,
                   message=message, category=category, next_url=next_url, now=datetime.now(UTC),
                   **_abilities(principal))


def _today_bounds() -> tuple[datetime, datetime]:
    """Midnight to midnight of today in the studio's zone, in UTC (a DST day is 23 or 25 hours)."""
    zone = _zone()
    today = datetime.now(zone).date()
    start = datetime.combine(today, time(0), zone)
    end = datetime.combine(today + timedelta(days=1), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _bookings_today(member_id: int) -> list[queries.BookingRow]:
    start, end = _today_bounds()
    rows = queries.list_bookings(member_id=member_id, start=start, end=end, per_page=50).items
    return sorted((row for row in rows if row.status in BookingStatus.LIVE), key=lambda row: row.starts_at)


@bp.get("/check-in")
@requires("bookings", "update", own=False)
def desk():
    """The check-in desk: find a member by name or email and check them into today's classes."""
    principal = require_principal()
    q = request.args.get("q", "").strip()[:100]
    found = [(member, _bookings_today(member.id)) for member in _search_members(q)]
    return _render("staff/desk.html", q=q, found=found, today=datetime.now(_zone()).date(),
                   **_abilities(principal))


@bp.get("/check-in/<code>")
@requires("bookings", "update", own=False)
def check_in_code(code: str):
    """What a scanned member QR code opens: that member's classes today, with one-click check-in."""
    principal = require_principal()
    member_id = checkin.member_from_code(code)
    member = db.session.get(User, member_id) if member_id is not None else None
    if member is None:
        abort(404, description="This check-in code is not valid here. Ask the member to open their profile "
                               "page again, or find them by name.")
    return _render("staff/member_today.html", member=member, bookings=_bookings_today(member.id),
                   today=datetime.now(_zone()).date(), **_abilities(principal))
