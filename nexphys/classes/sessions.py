"""Class sessions: scheduling a one-off class, editing one occurrence, cancelling, and the wall clock.

Functions flush; the caller (request, CLI command, job) commits once. A session's instants are stored in UTC;
staff think in the studio's wall clock, so a start may be given as `starts_at` with an offset or as local
`date` + `time`. A one-off session asked for at a local time that does not exist (the hour skipped when clocks
go forward) is refused; an ambiguous local time (clocks going back) means its first occurrence.

Editing "this and all future sessions" of a series is a series edit: nexphys.classes.series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.audit.services import AuditAction, record
from nexphys.bookings import services as bookings
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes import catalog
from nexphys.classes.errors import ScheduleConflict, ScheduleInvalid, found
from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy.context import require_tenant
from nexphys.validation import FieldErrors, clock_time, day, has_value, instant, optional_id, text, unknown_fields
from nexphys.web.access import Principal

NOTES_MAX = 2000
REASON_MAX = 500
SESSION_FIELDS = ("class_type_id", "starts_at", "date", "time", "duration_minutes", "instructor_id", "room_id",
                  "capacity", "notes")
EDIT_FIELDS = ("starts_at", "date", "time", "duration_minutes", "instructor_id", "room_id", "capacity", "notes",
               "class_type_id")


# --- the wall clock -----------------------------------------------------------------------------

def local_exists(day: date, wall: time, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (it would read back differently)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


def to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """Local date + wall-clock time in `zone` as a UTC instant (fold=0 for ambiguous and skipped times)."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _one_off_start(errors: FieldErrors, day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    if not local_exists(day, wall, zone):
        errors.add("time", f"{wall:%H:%M} does not exist on {day:%d %b %Y} in {zone.key}: the clocks go forward "
                           "that night. Choose another time.")
        return None
    return to_utc(day, wall, zone)


# --- reading ------------------------------------------------------------------------------------

def get_session(session_id: int) -> ClassSession:
    """The class session with this id, or ScheduleNotFound."""
    return found(db.session.get(ClassSession, session_id), "class")


def sessions_in_range(start: datetime, end: datetime, include_cancelled: bool = True) -> list[ClassSession]:
    """Sessions starting in [start, end) for the staff schedule, cancelled ones included by default."""
    query = sa.select(ClassSession).where(ClassSession.starts_at >= start, ClassSession.starts_at < end)
    if not include_cancelled:
        query = query.where(ClassSession.status == SessionStatus.SCHEDULED)
    return list(db.session.scalars(query.order_by(ClassSession.starts_at, ClassSession.id)))


def waiting_count(session_id: int) -> int:
    """How many members wait for a place in this session."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED))


# --- one-off sessions ---------------------------------------------------------------------------

def _start_from(errors: FieldErrors, values: dict[str, Any], zone: ZoneInfo) -> datetime | None:
    """The start instant from `starts_at` (with an offset) or local `date` + `time`."""
    if has_value(values, "starts_at"):
        return instant(errors, "starts_at", values["starts_at"])
    if not has_value(values, "date") and not has_value(values, "time"):
        errors.add("starts_at", "Choose the day and the time the class starts.")
        return None
    local_day, wall = day(errors, "date", values.get("date")), clock_time(errors, "time", values.get("time"))
    if local_day is None or wall is None:
        return None
    return _one_off_start(errors, local_day, wall, zone)


def clean_session(values: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Check a new one-off session (every bad field at once, ScheduleInvalid); returns its ClassSession fields."""
    now = now or utcnow()
    errors = FieldErrors()
    unknown_fields(errors, values, SESSION_FIELDS)
    class_type = catalog.active_class_type(errors, optional_id(errors, "class_type_id", values.get("class_type_id")))
    starts_at = _start_from(errors, values, require_tenant().zone)
    if starts_at is not None and starts_at <= now:
        errors.add("starts_at" if values.get("starts_at") else "date", "A new class cannot start in the past.")
    room = catalog.chosen_room(errors, optional_id(errors, "room_id", values.get("room_id")))
    instructor = catalog.chosen_instructor(errors, optional_id(errors, "instructor_id", values.get("instructor_id")))
    duration = capacity = None
    if has_value(values, "duration_minutes"):
        duration = catalog.duration(errors, values["duration_minutes"])
    if has_value(values, "capacity"):
        capacity = catalog.capacity(errors, values["capacity"])
        catalog.check_room_capacity(errors, capacity, room)
    notes = text(errors, "notes", values.get("notes"), NOTES_MAX)
    errors.raise_if_any(ScheduleInvalid)
    return {"class_type": class_type, "instructor": instructor, "room": room, "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=duration or class_type.duration_minutes),
            "capacity": catalog.default_capacity(class_type, room) if capacity is None else capacity,
            "notes": notes or ""}


def create_session(values: dict[str, Any], now: datetime | None = None, actor: Principal | None = None
                   ) -> ClassSession:
    """A one-off session: class type, start (`starts_at` with an offset, or local `date` + `time` in the studio's
    zone), optional duration (default: the type's), instructor, room, capacity (default: the type's, at most the
    room's) and notes. It may not start in the past. Audited under `actor`."""
    session = ClassSession(**clean_session(values, now))
    db.session.add(session)
    db.session.flush()
    record_change(AuditAction.SESSION_CREATED, actor, session)
    return session


def record_change(action: str, actor: Principal | None, session: ClassSession, **details: Any) -> None:
    """Audit a change to the schedule: who, which class and when it starts (and what else `details` say)."""
    if actor is None:
        return
    record(action, actor.label, actor.id if actor.kind == "user" else None, target=f"class_session:{session.id}",
           details={"class": session.class_type.name, "starts_at": session.starts_at.isoformat(), **details})


# --- editing a session --------------------------------------------------------------------------

@dataclass
class SessionChanges:
    """What an edit asked for, parsed and checked (None: leave as is)."""

    starts_at: datetime | None = None
    local_time: time | None = None  # the new wall-clock time (for an edit of all future sessions)
    duration_minutes: int | None = None
    instructor: tuple[User | None] | None = None  # a 1-tuple, so "no instructor" differs from "unchanged"
    room: tuple[Room | None] | None = None
    capacity: int | None = None
    notes: str | None = None
    class_type: ClassType | None = None


def _new_start(errors: FieldErrors, session: ClassSession, values: dict[str, Any], zone: ZoneInfo
               ) -> datetime | None:
    """The start asked for: `starts_at`, or a local `date` and/or `time` (the other kept from the session)."""
    if has_value(values, "starts_at"):
        return instant(errors, "starts_at", values["starts_at"])
    if not has_value(values, "date") and not has_value(values, "time"):
        return None
    local_start = session.starts_at.astimezone(zone)
    local_day = day(errors, "date", values["date"]) if has_value(values, "date") else local_start.date()
    wall = clock_time(errors, "time", values["time"]) if has_value(values, "time") else local_start.time()
    if local_day is None or wall is None:
        return None
    return _one_off_start(errors, local_day, wall, zone)


def _session_changes(errors: FieldErrors, session: ClassSession, values: dict[str, Any], scope: str
                     ) -> SessionChanges:
    zone = require_tenant().zone
    changes = SessionChanges()
    unknown_fields(errors, values, EDIT_FIELDS)
    changes.starts_at = _new_start(errors, session, values, zone)
    if changes.starts_at is not None:
        local = changes.starts_at.astimezone(zone)
        if scope == "future" and local.date() != session.starts_at.astimezone(zone).date():
            errors.add("date", "Editing all future sessions keeps each one on its own day: change the time, "
                               "or the series' weekdays.")
        changes.local_time = local.time().replace(tzinfo=None)
        if changes.starts_at == session.starts_at:
            changes.starts_at = None  # unchanged
        elif changes.starts_at <= utcnow():
            errors.add("time" if "time" in values else "starts_at", "A class cannot be moved into the past.")
    if has_value(values, "duration_minutes"):
        changes.duration_minutes = catalog.duration(errors, values["duration_minutes"])
    if "instructor_id" in values:
        changes.instructor = (catalog.chosen_instructor(
            errors, optional_id(errors, "instructor_id", values["instructor_id"]), keep=session.instructor_id),)
    if "room_id" in values:
        changes.room = (catalog.chosen_room(errors, optional_id(errors, "room_id", values["room_id"])),)
    if has_value(values, "capacity"):
        changes.capacity = catalog.capacity(errors, values["capacity"])
    if "notes" in values:
        changes.notes = text(errors, "notes", values["notes"], NOTES_MAX)
    if has_value(values, "class_type_id"):
        type_id = optional_id(errors, "class_type_id", values["class_type_id"])
        changes.class_type = session.class_type if type_id == session.class_type_id else \
            catalog.active_class_type(errors, type_id)
    room = changes.room[0] if changes.room is not None else session.room
    catalog.check_room_capacity(errors, changes.capacity if changes.capacity is not None else session.capacity, room)
    return changes


def below_booked(capacity: int, booked: int) -> ScheduleConflict:
    """The refusal of a capacity below the seats already booked."""
    return ScheduleConflict(
        f"{booked} {'place is' if booked == 1 else 'places are'} already booked: the capacity cannot go below "
        f"{booked}. Cancel bookings first, or choose {booked} or more.",
        {"capacity": [f"{booked} already booked: choose {booked} or more."]})


def _lock(session: ClassSession) -> ClassSession:
    """Lock the session's row (as the booking service does) and read its seat count fresh."""
    return db.session.scalars(sa.select(ClassSession).where(ClassSession.id == session.id)
                              .with_for_update(of=ClassSession).execution_options(populate_existing=True)).one()


def prepare_edit(session: ClassSession, values: dict[str, Any], scope: str, now: datetime
                 ) -> tuple[ClassSession, SessionChanges]:
    """Lock the session and check an edit of it (`scope` "one" or "future"); returns the locked session and the
    changes. ScheduleConflict when it can no longer change or for a capacity below its bookings; ScheduleInvalid
    with every bad field."""
    session = _lock(session)
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleConflict("This class is cancelled; it can no longer be changed.")
    if session.ends_at <= now:
        raise ScheduleConflict("This class is over; it can no longer be changed.")
    errors = FieldErrors()
    changes = _session_changes(errors, session, values, scope)
    if (changes.starts_at is not None or changes.duration_minutes is not None) and session.starts_at <= now:
        errors.add("time", "This class has started: its time can no longer change.")
    errors.raise_if_any(ScheduleInvalid)
    if changes.capacity is not None and changes.capacity < session.booked_count:
        raise below_booked(changes.capacity, session.booked_count)
    return session, changes


def apply_changes(session: ClassSession, changes: SessionChanges) -> bool:
    """Write the changes (notes aside) on one session; returns whether its capacity went up (seats to fill)."""
    raised = changes.capacity is not None and changes.capacity > session.capacity
    if changes.starts_at is not None:
        length = session.ends_at - session.starts_at
        session.starts_at = changes.starts_at
        session.ends_at = changes.starts_at + length
    if changes.duration_minutes is not None:
        session.ends_at = session.starts_at + timedelta(minutes=changes.duration_minutes)
    if changes.instructor is not None:
        session.instructor = changes.instructor[0]
    if changes.room is not None:
        session.room = changes.room[0]
    if changes.capacity is not None:
        session.capacity = changes.capacity
    if changes.class_type is not None:
        session.class_type = changes.class_type
    return raised


def update_session(session: ClassSession, values: dict[str, Any], now: datetime | None = None) -> ClassSession:
    """Edit this occurrence only (a series' occurrence is then marked as individually modified). Notes belong to
    the session alone. The capacity never goes below the seats booked (ScheduleConflict naming how many);
    raising it fills seats from the waitlist."""
    now = now or utcnow()
    session, changes = prepare_edit(session, values, "one", now)
    raised = apply_changes(session, changes)
    if session.series_id is not None and db.session.is_modified(session):
        session.is_modified = True  # (notes alone do not set it: they never come from the series)
    if changes.notes is not None:
        session.notes = changes.notes
    db.session.flush()
    if raised:
        bookings.fill_from_waitlist(session.id, now=now)
    return session


# --- cancelling ---------------------------------------------------------------------------------

def cancel_session(session: ClassSession, reason: str | None, actor: Principal | None,
                   now: datetime | None = None) -> list[Booking]:
    """Cancel a class: booked and waiting members are released and emailed (the booking service), and the
    cancellation is recorded in the audit log. Returns the released bookings."""
    now = now or utcnow()
    errors = FieldErrors()
    reason = text(errors, "reason", reason, REASON_MAX)
    errors.raise_if_any(ScheduleInvalid)
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleConflict("This class is already cancelled.")
    if session.ends_at <= now:
        raise ScheduleConflict("This class is over; it can no longer be cancelled.")
    released = bookings.cancel_session(session.id, reason, now=now,
                                       by_user_id=actor.person_id if actor is not None else None)
    if actor is not None:
        record(AuditAction.SESSION_CANCELLED, actor.label, actor.id if actor.kind == "user" else None,
               target=f"class_session:{session.id}",
               details={"class": session.class_type.name, "starts_at": session.starts_at.isoformat(),
                        "reason": reason or None, "released": len(released)})
    return released


def deletable(session: ClassSession) -> bool:
    """A cancelled class nobody ever booked (nor waited for) may be deleted: it leaves no history behind."""
    if session.status != SessionStatus.CANCELLED:
        return False
    return not db.session.scalar(sa.select(sa.exists().where(Booking.session_id == session.id)))


def delete_session(session: ClassSession, actor: Principal | None) -> None:
    """Delete a cancelled class nobody booked (ScheduleConflict otherwise: its bookings are history); audited."""
    if not deletable(session):
        raise ScheduleConflict("Only a cancelled class that nobody booked can be deleted; this one stays, "
                               "struck through, as part of the studio's history.")
    if actor is not None:
        record(AuditAction.SESSION_DELETED, actor.label, actor.id if actor.kind == "user" else None,
               target=f"class_session:{session.id}",
               details={"class": session.class_type.name, "starts_at": session.starts_at.isoformat()})
    db.session.delete(session)
    db.session.flush()
