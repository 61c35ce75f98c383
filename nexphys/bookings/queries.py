"""Read-only booking queries for pages and the API: lists, a member's bookings, rosters, attendance.

Each function reads plain rows (no ORM entities, so no lazy loads and no decrypting of members'
private columns) in one query where it can. Waitlist positions come from a window function,
`row_number() OVER (PARTITION BY session_id ORDER BY created_at, id)` over the waitlisted bookings
of only the sessions in view, the same order the booking service promotes in.

Nothing here changes data; the rules themselves live in `nexphys.bookings.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import orm
from sqlalchemy.dialects.postgresql import distinct_on

from nexphys.bookings.models import Booking, BookingEvent, BookingStatus, EventKind
from nexphys.bookings.services import NotFound, booking_rules
from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User

# Roster groups in the order staff read them.
ROSTER_GROUPS = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.CHECKED_IN,
                 BookingStatus.LATE_CANCELLED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
# What counts as attendance history: classes that happened (or were late-cancelled), not free cancellations.
ATTENDANCE_STATUSES = (BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW, BookingStatus.LATE_CANCELLED,
                       BookingStatus.CONFIRMED)


@dataclass(frozen=True)
class BookingRow:
    """A booking with its class and member, as lists and pages show it."""

    id: int
    session_id: int
    member_id: int
    status: str
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    promoted: bool
    booked_by_id: int | None
    starts_at: datetime
    ends_at: datetime
    session_status: str
    class_type_id: int
    class_name: str
    class_color: str
    instructor_name: str | None
    room_name: str | None
    member_name: str
    member_email: str
    position: int | None  # waitlist position (1 = next in line); None unless waitlisted
    can_cancel: bool = False  # a member may cancel it now (filled in by member_bookings)
    cancel_is_late: bool = False  # cancelling now would be a late cancellation

    @property
    def is_waitlisted(self) -> bool:
        return self.status == BookingStatus.WAITLISTED


@dataclass(frozen=True)
class RosterEntry:
    booking_id: int
    member_id: int
    member_name: str
    member_email: str
    status: str
    position: int | None
    created_at: datetime
    checked_in_at: datetime | None
    cancelled_at: datetime | None
    promoted: bool
    booked_by_id: int | None


@dataclass(frozen=True)
class Roster:
    session: ClassSession
    groups: dict[str, list[RosterEntry]]  # every status of ROSTER_GROUPS, in that order, possibly empty

    @property
    def seat_holders(self) -> int:
        return sum(len(self.groups[s]) for s in BookingStatus.HOLDS_SEAT)


@dataclass(frozen=True)
class AttendanceHistory:
    page: SelectPagination  # BookingRow items, newest class first
    counts: dict[str, int] = field(default_factory=dict)  # status → number, over the member's whole history


class RowPagination(SelectPagination):
    """Flask-SQLAlchemy pagination over a multi-column select: items are built from whole rows."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        make: Callable[[sa.Row], Any] = self._query_args["make"]
        return [make(row) for row in self._query_args["session"].execute(select)]


def _paginate(select: sa.Select, make: Callable[[sa.Row], Any], page: int, per_page: int) -> RowPagination:
    return RowPagination(select=select, session=db.session(), make=make, page=page, per_page=per_page,
                         max_per_page=None, error_out=False, count=True)


def _positions(session_ids: sa.Select | Iterable[int]) -> sa.Subquery:
    """(booking id, waitlist position) for the waitlisted bookings of these sessions."""
    return (
        sa.select(Booking.id.label("booking_id"),
                  sa.func.row_number().over(partition_by=Booking.session_id,
                                            order_by=(Booking.created_at, Booking.id)).label("position"))
        .where(Booking.status == BookingStatus.WAITLISTED, Booking.session_id.in_(session_ids))
        .subquery("waitlist")
    )


_Instructor = orm.aliased(User, name="instructor")


def _booking_select(positions: sa.Subquery | None) -> sa.Select:
    """Bookings joined with their session, class type, room, instructor and member (and positions)."""
    position = positions.c.position if positions is not None else sa.null()
    select = (
        sa.select(Booking.id, Booking.session_id, Booking.member_id, Booking.status, Booking.created_at,
                  Booking.confirmed_at, Booking.cancelled_at, Booking.checked_in_at, Booking.promoted,
                  Booking.booked_by_id, ClassSession.starts_at, ClassSession.ends_at,
                  ClassSession.status.label("session_status"), ClassType.id.label("class_type_id"),
                  ClassType.name.label("class_name"), ClassType.color.label("class_color"),
                  _Instructor.full_name.label("instructor_name"), Room.name.label("room_name"),
                  User.full_name.label("member_name"), User.email.label("member_email"),
                  position.label("position"))
        .select_from(Booking)
        .join(ClassSession, ClassSession.id == Booking.session_id)
        .join(ClassType, ClassType.id == ClassSession.class_type_id)
        .join(User, User.id == Booking.member_id)
        .outerjoin(_Instructor, _Instructor.id == ClassSession.instructor_id)
        .outerjoin(Room, Room.id == ClassSession.room_id)
    )
    if positions is not None:
        select = select.outerjoin(positions, positions.c.booking_id == Booking.id)
    return select


def _row(row: sa.Row) -> BookingRow:
    return BookingRow(**row._mapping)


def list_bookings(member_id: int | None = None, session_id: int | None = None, status: str | None = None,
                  start: datetime | None = None, end: datetime | None = None, *, page: int = 1,
                  per_page: int = 25) -> RowPagination:
    """Bookings, newest class first (then in booking order), filtered by member, session, status and
    class start (start <= starts_at < end); paginated, items are BookingRow with waitlist positions."""
    filters = []
    if member_id is not None:
        filters.append(Booking.member_id == member_id)
    if session_id is not None:
        filters.append(Booking.session_id == session_id)
    if status is not None:
        filters.append(Booking.status == status)
    if start is not None:
        filters.append(ClassSession.starts_at >= start)
    if end is not None:
        filters.append(ClassSession.starts_at < end)
    # Positions only over the sessions this list can show waitlisted bookings of.
    waiting_sessions = (
        sa.select(Booking.session_id).join(ClassSession, ClassSession.id == Booking.session_id)
        .where(Booking.status == BookingStatus.WAITLISTED, *filters)
    )
    select = (_booking_select(_positions(waiting_sessions)).where(*filters)
              .order_by(ClassSession.starts_at.desc(), Booking.created_at, Booking.id))
    return _paginate(select, _row, page, per_page)


def booking_row(booking_id: int) -> BookingRow | None:
    """One booking with its class, member and waitlist position (None if there is no such booking)."""
    same_session = sa.select(Booking.session_id).where(Booking.id == booking_id)
    row = db.session.execute(_booking_select(_positions(same_session)).where(Booking.id == booking_id)).first()
    return _row(row) if row is not None else None


def member_bookings(member_id: int, now: datetime | None = None, *, upcoming: bool = True, page: int = 1,
                    per_page: int = 25) -> RowPagination:
    """A member's upcoming bookings (live, class not over; soonest first) or past ones (class over, or
    cancelled; newest first), with waitlist positions and whether cancelling now is possible / late."""
    now = now or utcnow()
    mine = Booking.member_id == member_id
    waiting_sessions = sa.select(Booking.session_id).where(mine, Booking.status == BookingStatus.WAITLISTED)
    if upcoming:
        select = (_booking_select(_positions(waiting_sessions))
                  .where(mine, Booking.status.in_(BookingStatus.LIVE), ClassSession.ends_at > now)
                  .order_by(ClassSession.starts_at, Booking.id))
    else:
        select = (_booking_select(None)
                  .where(mine, sa.or_(ClassSession.ends_at <= now, Booking.status.in_(BookingStatus.CANCELLED_ANY)))
                  .order_by(ClassSession.starts_at.desc(), Booking.id.desc()))
    rules = booking_rules()  # the cancellation cut-off is studio-wide (roles cannot override it)

    def make(row: sa.Row) -> BookingRow:
        booking = _row(row)
        can_cancel = (booking.status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
                      and booking.session_status == SessionStatus.SCHEDULED and booking.starts_at > now)
        late = can_cancel and booking.status == BookingStatus.CONFIRMED and rules.is_late_cancel(booking.starts_at, now)
        return replace(booking, can_cancel=can_cancel, cancel_is_late=late)

    return _paginate(select, make, page, per_page)


def statuses_for(member_id: int, session_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The member's live booking on each of these sessions: {session_id: {booking_id, status, position}}."""
    ids = list(set(session_ids))
    if not ids:
        return {}
    positions = _positions(ids)
    rows = db.session.execute(
        sa.select(Booking.session_id, Booking.id, Booking.status, positions.c.position)
        .outerjoin(positions, positions.c.booking_id == Booking.id)
        .where(Booking.member_id == member_id, Booking.session_id.in_(ids), Booking.status.in_(BookingStatus.LIVE))
    )
    return {session_id: {"booking_id": booking_id, "status": status, "position": position}
            for session_id, booking_id, status, position in rows}


def roster(session_id: int) -> Roster:
    """One session's bookings grouped by status (ROSTER_GROUPS order): the waitlist in line order with
    positions, every other group by member name. Raises services.NotFound for an unknown session."""
    session = db.session.get(ClassSession, session_id)
    if session is None:
        raise NotFound("There is no such class.")
    position = sa.case((Booking.status == BookingStatus.WAITLISTED, sa.func.row_number().over(
        partition_by=Booking.status, order_by=(Booking.created_at, Booking.id))), else_=None)
    rows = db.session.execute(
        sa.select(Booking.id.label("booking_id"), Booking.member_id, User.full_name.label("member_name"),
                  User.email.label("member_email"), Booking.status, position.label("position"), Booking.created_at,
                  Booking.checked_in_at, Booking.cancelled_at, Booking.promoted, Booking.booked_by_id)
        .join(User, User.id == Booking.member_id)
        .where(Booking.session_id == session_id)
        .order_by(Booking.created_at, Booking.id)
    )
    return _grouped(session, rows)


def roster_as_of(session_id: int, moment: datetime) -> Roster:
    """A session's roster as it stood at `moment`, rebuilt from its events: each booking's last event at or
    before it (bookings made later are absent). Groups, order and positions as `roster`'s; a waiting
    member's position counts only those still waiting then. Raises services.NotFound for an unknown session."""
    session = db.session.get(ClassSession, session_id)
    if session is None:
        raise NotFound("There is no such class.")
    until = (BookingEvent.session_id == session_id, BookingEvent.occurred_at <= moment)
    last = (sa.select(BookingEvent.booking_id, BookingEvent.status, BookingEvent.occurred_at)
            .where(*until).ext(distinct_on(BookingEvent.booking_id))
            .order_by(BookingEvent.booking_id, BookingEvent.occurred_at.desc(), BookingEvent.id.desc())
            .subquery("last"))
    promoted = (sa.select(BookingEvent.booking_id).where(*until, BookingEvent.kind == EventKind.PROMOTED)
                .scalar_subquery())
    position = sa.case((last.c.status == BookingStatus.WAITLISTED, sa.func.row_number().over(
        partition_by=last.c.status, order_by=(Booking.created_at, Booking.id))), else_=None)
    rows = db.session.execute(
        sa.select(Booking.id.label("booking_id"), Booking.member_id, User.full_name.label("member_name"),
                  User.email.label("member_email"), last.c.status, position.label("position"), Booking.created_at,
                  sa.case((last.c.status == BookingStatus.CHECKED_IN, last.c.occurred_at)).label("checked_in_at"),
                  sa.case((last.c.status.in_(BookingStatus.CANCELLED_ANY), last.c.occurred_at)).label("cancelled_at"),
                  Booking.id.in_(promoted).label("promoted"), Booking.booked_by_id)
        .join(last, last.c.booking_id == Booking.id).join(User, User.id == Booking.member_id)
        .order_by(Booking.created_at, Booking.id))
    return _grouped(session, rows)


def _grouped(session: ClassSession, rows: Iterable[sa.Row]) -> Roster:
    groups: dict[str, list[RosterEntry]] = {status: [] for status in ROSTER_GROUPS}
    for row in rows:
        groups.setdefault(row.status, []).append(RosterEntry(**row._mapping))
    for status, entries in groups.items():
        if status != BookingStatus.WAITLISTED:
            entries.sort(key=lambda e: (e.member_name.casefold(), e.booking_id))
    return Roster(session, groups)


def attendance_history(member_id: int, now: datetime | None = None, *, page: int = 1,
                       per_page: int = 25) -> AttendanceHistory:
    """A member's classes that have started (checked in, no-show, late-cancelled, or confirmed and not
    yet marked), newest first, with counts per status over the whole history."""
    now = now or utcnow()
    filters = (Booking.member_id == member_id, Booking.status.in_(ATTENDANCE_STATUSES))
    past = sa.or_(ClassSession.starts_at <= now, Booking.status == BookingStatus.LATE_CANCELLED)
    select = (_booking_select(None).where(*filters, past)
              .order_by(ClassSession.starts_at.desc(), Booking.id.desc()))
    counts = dict(db.session.execute(
        sa.select(Booking.status, sa.func.count()).join(ClassSession, ClassSession.id == Booking.session_id)
        .where(*filters, past).group_by(Booking.status)).all())
    return AttendanceHistory(_paginate(select, _row, page, per_page),
                             {status: counts.get(status, 0) for status in ATTENDANCE_STATUSES})
