"""Bookings API: /api/v1/bookings and /api/v1/classes/{id}/roster.

Visibility: callers with `bookings:read` see every booking; others see only their own (anyone else's
id is a 404, as if it did not exist). Acting for someone else needs the full permission
(`bookings:create`, `bookings:delete`); a person doing so acts as staff: the booking window and the
member's limit do not apply, cancelling is never late, and it is recorded in the audit log.

API keys belong to no person, so nothing is "their own": they must name `member_id`, and their
bookings and cancellations follow the member's rules (by_staff is None) — an integration books as
the member would, and cannot override the studio's limits without a person to answer for it.

Refusals by the booking rules are problem+json with a stable `reason` (full, already_booked,
outside_booking_window, over_booking_limit, not_bookable, cannot_cancel, cannot_check_in) and
`type` /problems/<reason>. POST /bookings honours Idempotency-Key (nexphys.web.idempotency).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, url_for

from nexphys.bookings import queries, services
from nexphys.bookings.schemas import Booking, BookingsQuery, CancelledBooking, NewBooking, Roster, RosterQuery
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import Principal, require_principal, requires
from nexphys.web.api import ValidationFailed
from nexphys.web.idempotency import idempotent
from nexphys.web.schemas import Page, api, respond

bp = Blueprint("bookings_api", __name__, url_prefix="/api/v1")

def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def booking_json(row: queries.BookingRow) -> dict:
    """The JSON representation of a booking, with its class and member."""
    return {"id": row.id, "session_id": row.session_id, "member_id": row.member_id, "status": row.status,
            "waitlist_position": row.position, "created_at": _iso(row.created_at),
            "confirmed_at": _iso(row.confirmed_at), "cancelled_at": _iso(row.cancelled_at),
            "checked_in_at": _iso(row.checked_in_at), "promoted": row.promoted, "booked_by_id": row.booked_by_id,
            "class": {"id": row.session_id, "name": row.class_name, "starts_at": _iso(row.starts_at),
                      "ends_at": _iso(row.ends_at), "status": row.session_status, "instructor": row.instructor_name,
                      "room": row.room_name},
            "member": {"id": row.member_id, "full_name": row.member_name}}


def _visible_booking(booking_id: int, principal: Principal, action: str = "read") -> queries.BookingRow:
    """The booking if the caller may see it (404 otherwise)."""
    row = queries.booking_row(booking_id)
    sees_all = principal.scope("bookings", "read") == "all" or principal.scope("bookings", action) == "all"
    if row is None or not (sees_all or row.member_id == principal.person_id):
        abort(404, description="There is no such booking.")
    return row


def _staff(principal: Principal) -> User | None:
    """The person acting as staff, or None for an API key (which follows the member's rules)."""
    return db.session.get(User, principal.id) if principal.kind == "user" else None


def _moment_arg(name: str, value: str | None, zone: ZoneInfo, end: bool = False) -> datetime | None:
    """?from= / ?to= as a studio-local day (YYYY-MM-DD; `to` includes its day) or an ISO 8601 instant."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), tzinfo=zone)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed({name: ["Use a date such as 2026-01-07 or an ISO 8601 time."]}) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


@bp.get("/bookings")
@requires("bookings", "read")
@api(query=BookingsQuery, responses={200: Page[Booking]}, problems=(400, 422))
def list_bookings(query: BookingsQuery):
    """List bookings, newest class first (?member_id=&session_id=&status=&from=&to=); own-scope callers see theirs."""
    principal = require_principal()
    zone = require_tenant().zone
    start, end = _moment_arg("from", query.from_, zone), _moment_arg("to", query.to, zone, end=True)
    member_id = query.member_id
    if principal.scope("bookings", "read") != "all":
        own = principal.person_id or -1  # an own-scope API key has no "own" person: nothing visible
        member_id = own if member_id in (None, own) else -1
    bookings = queries.list_bookings(member_id, query.session_id, query.status, start, end,
                                     page=query.page, per_page=query.per_page)
    return respond(Page[Booking], Page.of(bookings, [booking_json(row) for row in bookings.items]))


@bp.get("/bookings/<int:id>")
@requires("bookings", "read")
@api(responses={200: Booking}, problems=(404,))
def get_booking(id: int):
    """One booking with its class and waitlist position; own-scope callers may only fetch their own."""
    return respond(Booking, booking_json(_visible_booking(id, require_principal())))


@bp.post("/bookings")
@requires("bookings", "create")
@idempotent
@api(body=NewBooking, responses={201: Booking}, problems=(403, 404, 409, 422))
def create_booking(body: NewBooking):
    """Book a class {session_id[, member_id]}: 201 confirmed or waitlisted, or 409 with the reason (Idempotency-Key)."""
    principal = require_principal()
    own = principal.person_id
    if body.member_id is None and own is None:
        raise ValidationFailed({"member_id": ["An API key books for a member: give member_id."]})
    member_id = body.member_id or own
    by_staff = None
    if member_id != own:
        if principal.scope("bookings", "create") != "all":
            abort(403, description="Your role allows booking only yourself.")
        if not db.session.scalar(sa.select(sa.exists().where(User.id == member_id))):
            raise ValidationFailed({"member_id": ["There is no such member."]})
        by_staff = _staff(principal)
    outcome = services.book(body.session_id, member_id, by_staff=by_staff)
    row = queries.booking_row(outcome.booking.id)
    return respond(Booking, booking_json(row), 201, url_for("bookings_api.get_booking", id=row.id))


@bp.delete("/bookings/<int:id>")
@requires("bookings", "delete")
@api(responses={200: CancelledBooking}, problems=(403, 404, 409))
def cancel_booking(id: int):
    """Cancel a booking: 200 with status cancelled or late_cancelled, `late`, and whom the waitlist promoted."""
    principal = require_principal()
    row = _visible_booking(id, principal, "delete")
    is_own = row.member_id == principal.person_id
    if not is_own and principal.scope("bookings", "delete") != "all":
        abort(403, description="Your role allows cancelling only your own bookings.")
    outcome = services.cancel(id, by_staff=None if is_own else _staff(principal))
    db.session.commit()
    body = booking_json(queries.booking_row(id))
    body.update(late=outcome.late, promoted_booking_id=outcome.promoted.id if outcome.promoted else None)
    return respond(CancelledBooking, body)


@bp.post("/bookings/<int:id>/check-in")
@requires("bookings", "update", own=False)
@api(responses={200: Booking}, problems=(404, 409))
def check_in_booking(id: int):
    """Check a member in to their class (staff): 200 with the booking; repeating it changes nothing."""
    principal = require_principal()
    _visible_booking(id, principal, "update")
    services.check_in(id, actor=principal.label, actor_id=principal.person_id)
    db.session.commit()
    return respond(Booking, booking_json(queries.booking_row(id)))


def _roster_entry_json(entry: queries.RosterEntry) -> dict:
    return {"booking_id": entry.booking_id, "status": entry.status, "waitlist_position": entry.position,
            "member": {"id": entry.member_id, "full_name": entry.member_name, "email": entry.member_email},
            "created_at": _iso(entry.created_at), "checked_in_at": _iso(entry.checked_in_at),
            "cancelled_at": _iso(entry.cancelled_at), "promoted": entry.promoted,
            "booked_by_id": entry.booked_by_id}


@bp.get("/classes/<int:id>/roster")
@requires("bookings", "read", own=False)
@api(query=RosterQuery, responses={200: Roster}, problems=(404, 422))
def class_roster(id: int, query: RosterQuery):
    """A class's roster (staff): bookings grouped by status (confirmed, waitlisted in line order, checked in, ...);
    ?as_of= shows it as it stood then, rebuilt from the booking events."""
    as_of = _moment_arg("as_of", query.as_of, require_tenant().zone)
    roster = queries.roster(id) if as_of is None else queries.roster_as_of(id, as_of)
    session = roster.session
    booked = session.booked_count if as_of is None else roster.seat_holders
    return respond(Roster, {
        "as_of": _iso(as_of),
        "session": {"id": session.id, "name": session.class_type.name, "starts_at": _iso(session.starts_at),
                    "ends_at": _iso(session.ends_at), "status": session.status, "capacity": session.capacity,
                    "booked": booked, "spots_left": max(session.capacity - booked, 0)},
        "counts": {status: len(entries) for status, entries in roster.groups.items()},
        "groups": {status: [_roster_entry_json(e) for e in entries] for status, entries in roster.groups.items()},
    })
