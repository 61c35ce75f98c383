"""Planning the schedule of the bound studio: class types, rooms, recurring series and one-off sessions.

The one place for the schedule's rules, called alike by the staff pages, the JSON API, the demo seed
and the scheduled job. Functions flush; the caller (request, CLI command, job) commits once.

Times: a session's instants are stored in UTC. Staff think in the studio's wall clock, so a series
keeps a local `start_time` and every occurrence is local date + local time in the studio's zone,
converted to UTC one by one: a 07:00 class stays at 07:00 on both sides of a daylight-saving change
(its UTC hour moves). A one-off session asked for at a local time that does not exist (the hour
skipped when clocks go forward) is refused; a series occurrence that falls into such a gap is placed
by Python's rule (fold=0: the wall-clock time read with the offset before the change, e.g. 01:30 in
London's gap becomes 02:30 BST). An ambiguous local time (clocks going back) means its first occurrence.

Input values may be Python objects (from the forms) or JSON values (strings, numbers), so the pages
and the API share one set of parsing rules and messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from nexphys.audit.services import AuditAction, record
from nexphys.bookings import services as bookings
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes.models import ClassSeries, ClassSession, ClassType, Room, SessionStatus
from nexphys.db import utcnow
from nexphys.errors import Conflict, DomainError, Invalid, NotFound
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.roles.models import Role, RoleLevel
from nexphys.settings.services import setting
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import Principal

NAME_MAX = 80
DESCRIPTION_MAX = 2000
NOTES_MAX = 2000
REASON_MAX = 500
DURATION_MIN, DURATION_MAX = 5, 600
CAPACITY_MAX = 500
LEVELS = ("all", "beginner", "intermediate", "advanced")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A series may start a little in the past (e.g. "from this Monday"), never further: generation would
# otherwise fill history with sessions nobody attended.
SERIES_PAST_DAYS = 7
WEEKS_AHEAD_MAX = 52


# --- domain errors ------------------------------------------------------------------------------

class ScheduleError(DomainError):
    """Base of the schedule's errors; the message is safe to show."""


class ScheduleInvalid(ScheduleError, Invalid):
    """Field → messages for bad input (a form's field errors, or a 422's `errors`)."""


class ScheduleNotFound(ScheduleError, NotFound):
    """No such class type, room, series or session in this studio."""


class ScheduleConflict(ScheduleError, Conflict):
    """The change contradicts the current state (e.g. a capacity below the seats already booked)."""


# --- parsing helpers ----------------------------------------------------------------------------

class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ScheduleInvalid(dict(self))


def _text(values: dict, name: str, errors: _Errors, limit: int, required: bool = False) -> str | None:
    value = values.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, "Must be text.")
        return None
    value = value.strip()
    if required and not value:
        errors.add(name, "This field is required.")
        return None
    if len(value) > limit:
        errors.add(name, f"Use at most {limit} characters.")
        return None
    return value


def _int(values: dict, name: str, errors: _Errors, low: int, high: int, label: str) -> int | None:
    value = values.get(name)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
        value = int(value)
    if value is None or value == "":
        errors.add(name, "This field is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, "Must be a whole number.")
        return None
    if not low <= value <= high:
        errors.add(name, f"{label} must be between {low} and {high}.")
        return None
    return value


def _optional_id(values: dict, name: str, errors: _Errors) -> int | None:
    value = values.get(name)
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(name, "Must be an id (a whole number) or null.")
        return None
    return value


def _date(values: dict, name: str, errors: _Errors, required: bool = True) -> date | None:
    value = values.get(name)
    if value in (None, ""):
        if required:
            errors.add(name, "This field is required.")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(name, "Use a date such as 2026-01-07.")
    return None


def _time(values: dict, name: str, errors: _Errors) -> time | None:
    value = values.get(name)
    if value in (None, ""):
        errors.add(name, "This field is required.")
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}:\d{2}(:00)?\s*", value):
        try:
            return time.fromisoformat(value.strip().zfill(5))
        except ValueError:
            pass
    errors.add(name, "Use a 24-hour time such as 07:30.")
    return None


def _aware(values: dict, name: str, errors: _Errors) -> datetime | None:
    value = values.get(name)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.add(name, "Use an ISO-8601 date and time with an offset, e.g. 2026-01-07T18:30:00+01:00.")
            return None
    if not isinstance(value, datetime):
        errors.add(name, "Use an ISO-8601 date and time with an offset, e.g. 2026-01-07T18:30:00+01:00.")
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors.add(name, "Include the UTC offset (e.g. +01:00 or Z), or send local date and time instead.")
        return None
    return value.astimezone(UTC)


# --- time zone ------------------------------------------------------------------------------------

def studio_zone() -> ZoneInfo:
    """The bound studio's time zone."""
    return require_tenant().zone


def studio_today(now: datetime | None = None) -> date:
    """Today's date on the studio's wall clock."""
    return (now or utcnow()).astimezone(studio_zone()).date()


def local_exists(day: date, wall: time, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (it would read back differently)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


def to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """Local date + wall-clock time in `zone` as a UTC instant (fold=0 for ambiguous and skipped times)."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _one_off_start(day: date, wall: time, zone: ZoneInfo, errors: _Errors, field: str = "time") -> datetime | None:
    if not local_exists(day, wall, zone):
        errors.add(field, f"{wall:%H:%M} does not exist on {day:%d %b %Y} in {zone.key}: the clocks go forward "
                          "that night. Choose another time.")
        return None
    return to_utc(day, wall, zone)


def _get(model, row_id: int, what: str):
    row = db.session.get(model, row_id)
    if row is None:
        raise ScheduleNotFound(f"There is no such {what}.")
    return row


# --- class types ------------------------------------------------------------------------------------

def list_class_types(include_archived: bool = False) -> list[ClassType]:
    """Class types by name; archived ones only when asked for."""
    query = sa.select(ClassType).order_by(sa.func.lower(ClassType.name))
    if not include_archived:
        query = query.where(ClassType.archived_at.is_(None))
    return list(db.session.scalars(query))


def get_class_type(type_id: int) -> ClassType:
    """The class type with this id (archived ones too), or ScheduleNotFound."""
    return _get(ClassType, type_id, "class type")


def _name_taken(model, name: str, exclude_id: int | None) -> bool:
    query = sa.select(model.id).where(sa.func.lower(model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


CLASS_TYPE_FIELDS = ("name", "description", "duration_minutes", "default_capacity", "color", "level")


def clean_class_type(values: dict[str, Any], current: ClassType | None = None) -> dict[str, Any]:
    """Validate class type fields; with `current`, only the fields given are checked (a partial update)."""
    errors = _Errors()
    cleaned: dict[str, Any] = {}
    given = set(values) if current is not None else set(CLASS_TYPE_FIELDS)
    for name in set(values) - set(CLASS_TYPE_FIELDS):
        errors.add(name, "Unknown field.")
    if "name" in given:
        name = _text(values, "name", errors, NAME_MAX, required=True)
        if name and _name_taken(ClassType, name, current.id if current else None):
            errors.add("name", f"There is already a class type called “{name}”.")
        cleaned["name"] = name
    if "description" in given:
        cleaned["description"] = _text(values, "description", errors, DESCRIPTION_MAX)
    if "duration_minutes" in given:
        cleaned["duration_minutes"] = _int(values, "duration_minutes", errors, DURATION_MIN, DURATION_MAX,
                                           "The duration (minutes)")
    if "default_capacity" in given:
        cleaned["default_capacity"] = _int(values, "default_capacity", errors, 0, CAPACITY_MAX, "The capacity")
    if "color" in given:
        color = values.get("color")
        if color in (None, "") and current is None:
            color = "#2563eb"
        if not isinstance(color, str) or not COLOR_PATTERN.match(color.strip()):
            errors.add("color", "Use a colour such as #2563eb.")
        else:
            cleaned["color"] = color.strip().lower()
    if "level" in given:
        level = values.get("level")
        if level in (None, "") and current is None:
            level = "all"
        if level not in LEVELS:
            errors.add("level", f"Choose one of: {', '.join(LEVELS)}.")
        else:
            cleaned["level"] = level
    errors.raise_if_any()
    return cleaned


def _added(row):
    db.session.add(row)
    db.session.flush()
    return row


def _assigned(row, cleaned: dict[str, Any]) -> bool:
    """Set the cleaned values on a row; returns whether any differed."""
    changed = False
    for name, value in cleaned.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    db.session.flush()
    return changed


def create_class_type(values: dict[str, Any]) -> ClassType:
    """A new class type (name unique regardless of case, duration 5–600 min, capacity 0–500, #rrggbb)."""
    return _added(ClassType(**clean_class_type(values)))


def update_class_type(class_type: ClassType, values: dict[str, Any]) -> bool:
    """Change the fields given; returns whether anything changed. Existing sessions keep their own times."""
    return _assigned(class_type, clean_class_type(values, current=class_type))


def class_type_in_use(class_type: ClassType) -> bool:
    """Whether sessions or series refer to this type (it is then archived rather than deleted)."""
    used = sa.union_all(
        sa.select(ClassSession.id).where(ClassSession.class_type_id == class_type.id).limit(1),
        sa.select(ClassSeries.id).where(ClassSeries.class_type_id == class_type.id).limit(1))
    return db.session.execute(used).first() is not None


def delete_class_type(class_type: ClassType) -> str:
    """Delete an unused type; archive one with sessions behind it (history keeps its name). Returns
    "deleted" or "archived". Archived types can no longer be chosen for new sessions or series."""
    if class_type_in_use(class_type):
        if class_type.archived_at is None:
            class_type.archived_at = utcnow()
        db.session.flush()
        return "archived"
    db.session.delete(class_type)
    db.session.flush()
    return "deleted"


def restore_class_type(class_type: ClassType) -> None:
    """Bring an archived type back into use."""
    class_type.archived_at = None
    db.session.flush()


def _active_class_type(type_id: int | None, errors: _Errors, name: str = "class_type_id") -> ClassType | None:
    if type_id is None:
        errors.add(name, "Choose a class type.")
        return None
    class_type = db.session.get(ClassType, type_id)
    if class_type is None or class_type.archived_at is not None:
        errors.add(name, "Choose one of the studio's current class types.")
        return None
    return class_type


# --- rooms ------------------------------------------------------------------------------------------

def list_rooms() -> list[Room]:
    """The studio's rooms by name."""
    return list(db.session.scalars(sa.select(Room).order_by(sa.func.lower(Room.name))))


def get_room(room_id: int) -> Room:
    """The room with this id, or ScheduleNotFound."""
    return _get(Room, room_id, "room")


def clean_room(values: dict[str, Any], current: Room | None = None) -> dict[str, Any]:
    """Validate a room: a unique name (regardless of case) and a capacity of 1–500."""
    errors = _Errors()
    cleaned: dict[str, Any] = {}
    given = set(values) if current is not None else {"name", "capacity"}
    if "name" in given:
        name = _text(values, "name", errors, NAME_MAX, required=True)
        if name and _name_taken(Room, name, current.id if current else None):
            errors.add("name", f"There is already a room called “{name}”.")
        cleaned["name"] = name
    if "capacity" in given:
        cleaned["capacity"] = _int(values, "capacity", errors, 1, CAPACITY_MAX, "The room's capacity")
    if current is not None and cleaned.get("capacity") and not errors:
        bigger = db.session.scalar(sa.select(sa.func.count()).select_from(ClassSession).where(
            ClassSession.room_id == current.id, ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > utcnow(), ClassSession.capacity > cleaned["capacity"]))
        if bigger:
            errors.add("capacity", f"{bigger} upcoming {'class has' if bigger == 1 else 'classes have'} more places "
                                   f"than {cleaned['capacity']} in this room: lower their capacity first.")
    errors.raise_if_any()
    return cleaned


def create_room(values: dict[str, Any]) -> Room:
    """A new room."""
    return _added(Room(**clean_room(values)))


def update_room(room: Room, values: dict[str, Any]) -> bool:
    """Rename a room or change its capacity (never below an upcoming class's capacity in it)."""
    return _assigned(room, clean_room(values, current=room))


def _room(room_id: int | None, errors: _Errors) -> Room | None:
    if room_id is None:
        return None
    room = db.session.get(Room, room_id)
    if room is None:
        errors.add("room_id", "Choose one of the studio's rooms.")
    return room


# --- instructors ----------------------------------------------------------------------------------------

def instructors() -> list[User]:
    """Staff who may teach: active people whose role is at manager level or above (instructor, manager,
    owner and custom roles of that level)."""
    return list(db.session.scalars(
        sa.select(User).join(Role, Role.id == User.role_id)
        .where(Role.level >= RoleLevel.MANAGER, User.status == UserStatus.ACTIVE)
        .order_by(sa.func.lower(User.full_name))))


def _instructor(user_id: int | None, errors: _Errors, keep: int | None = None) -> User | None:
    """The chosen instructor, if they may teach; `keep` is the current one (left in place even if no longer staff)."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or (user_id != keep and (user.role.level < RoleLevel.MANAGER or user.status != UserStatus.ACTIVE)):
        errors.add("instructor_id", "Choose one of the studio's instructors.")
        return None
    return user


def _check_room_capacity(capacity: int | None, room: Room | None, errors: _Errors) -> None:
    if capacity is not None and room is not None and capacity > room.capacity:
        errors.add("capacity", f"{room.name} holds {room.capacity}: the capacity cannot be more than that.")


# --- sessions ---------------------------------------------------------------------------------------------

def get_session(session_id: int) -> ClassSession:
    """The class session with this id, or ScheduleNotFound."""
    return _get(ClassSession, session_id, "class")


def sessions_in_range(start: datetime, end: datetime, include_cancelled: bool = True) -> list[ClassSession]:
    """Sessions starting in [start, end) for the staff schedule, cancelled ones included by default."""
    query = sa.select(ClassSession).where(ClassSession.starts_at >= start, ClassSession.starts_at < end)
    if not include_cancelled:
        query = query.where(ClassSession.status == SessionStatus.SCHEDULED)
    return list(db.session.scalars(query.order_by(ClassSession.starts_at, ClassSession.id)))


def _start_from(values: dict, zone: ZoneInfo, errors: _Errors) -> datetime | None:
    """The start instant from `starts_at` (with an offset) or local `date` + `time`."""
    if values.get("starts_at") not in (None, ""):
        return _aware(values, "starts_at", errors)
    if values.get("date") in (None, "") and values.get("time") in (None, ""):
        errors.add("starts_at", "Give starts_at (with an offset), or the local date and time.")
        return None
    day, wall = _date(values, "date", errors), _time(values, "time", errors)
    if day is None or wall is None:
        return None
    return _one_off_start(day, wall, zone, errors)


SESSION_FIELDS = ("class_type_id", "starts_at", "date", "time", "duration_minutes", "instructor_id", "room_id",
                  "capacity", "notes")


def create_session(values: dict[str, Any], now: datetime | None = None) -> ClassSession:
    """A one-off session: class type, start (`starts_at` with an offset, or local `date` + `time` in the studio's
    zone), optional duration (default: the type's), instructor, room, capacity (default: the type's, at most the
    room's) and notes. It may not start in the past."""
    now = now or utcnow()
    zone = studio_zone()
    errors = _Errors()
    for name in set(values) - set(SESSION_FIELDS):
        errors.add(name, "Unknown field.")
    class_type = _active_class_type(_optional_id(values, "class_type_id", errors), errors)
    starts_at = _start_from(values, zone, errors)
    if starts_at is not None and starts_at <= now:
        errors.add("starts_at" if values.get("starts_at") else "date", "A new class cannot start in the past.")
    room = _room(_optional_id(values, "room_id", errors), errors)
    instructor = _instructor(_optional_id(values, "instructor_id", errors), errors)
    duration = capacity = None
    if values.get("duration_minutes") not in (None, ""):
        duration = _int(values, "duration_minutes", errors, DURATION_MIN, DURATION_MAX, "The duration (minutes)")
    if values.get("capacity") not in (None, ""):
        capacity = _int(values, "capacity", errors, 0, CAPACITY_MAX, "The capacity")
        _check_room_capacity(capacity, room, errors)
    notes = _text(values, "notes", errors, NOTES_MAX)
    errors.raise_if_any()
    duration = duration or class_type.duration_minutes
    if capacity is None:
        capacity = min(class_type.default_capacity, room.capacity) if room else class_type.default_capacity
    session = ClassSession(class_type=class_type, instructor=instructor, room=room, starts_at=starts_at,
                           ends_at=starts_at + timedelta(minutes=duration), capacity=capacity, notes=notes or "")
    db.session.add(session)
    db.session.flush()
    return session


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


EDIT_FIELDS = ("starts_at", "date", "time", "duration_minutes", "instructor_id", "room_id", "capacity", "notes",
               "class_type_id")


def _parse_edit(session: ClassSession, values: dict[str, Any], scope: str, errors: _Errors) -> SessionChanges:
    zone = studio_zone()
    changes = SessionChanges()
    for name in set(values) - set(EDIT_FIELDS):
        errors.add(name, "Unknown field.")
    local_start = session.starts_at.astimezone(zone)
    if values.get("starts_at") not in (None, ""):
        changes.starts_at = _aware(values, "starts_at", errors)
    elif values.get("date") not in (None, "") or values.get("time") not in (None, ""):
        day = _date(values, "date", errors) if values.get("date") not in (None, "") else local_start.date()
        wall = _time(values, "time", errors) if values.get("time") not in (None, "") else local_start.time()
        if day is not None and wall is not None:
            changes.starts_at = _one_off_start(day, wall, zone, errors)
    if changes.starts_at is not None:
        local = changes.starts_at.astimezone(zone)
        if scope == "future" and local.date() != local_start.date():
            errors.add("date", "Editing all future sessions keeps each one on its own day: change the time, "
                               "or the series' weekdays.")
        changes.local_time = local.time().replace(tzinfo=None)
        if changes.starts_at == session.starts_at:
            changes.starts_at = None  # unchanged
        elif changes.starts_at <= utcnow():
            errors.add("time" if "time" in values else "starts_at", "A class cannot be moved into the past.")
    if values.get("duration_minutes") not in (None, ""):
        changes.duration_minutes = _int(values, "duration_minutes", errors, DURATION_MIN, DURATION_MAX,
                                        "The duration (minutes)")
    if "instructor_id" in values:
        changes.instructor = (_instructor(_optional_id(values, "instructor_id", errors), errors,
                                          keep=session.instructor_id),)
    if "room_id" in values:
        changes.room = (_room(_optional_id(values, "room_id", errors), errors),)
    if values.get("capacity") not in (None, ""):
        changes.capacity = _int(values, "capacity", errors, 0, CAPACITY_MAX, "The capacity")
    if "notes" in values:
        changes.notes = _text(values, "notes", errors, NOTES_MAX)
    if values.get("class_type_id") not in (None, ""):
        type_id = _optional_id(values, "class_type_id", errors)
        changes.class_type = session.class_type if type_id == session.class_type_id else \
            _active_class_type(type_id, errors)
    room = changes.room[0] if changes.room is not None else session.room
    _check_room_capacity(changes.capacity if changes.capacity is not None else session.capacity, room, errors)
    return changes


def _below_booked(capacity: int, booked: int) -> ScheduleConflict:
    return ScheduleConflict(
        f"{booked} {'place is' if booked == 1 else 'places are'} already booked: the capacity cannot go below "
        f"{booked}. Cancel bookings first, or choose {booked} or more.",
        {"capacity": [f"{booked} already booked: choose {booked} or more."]})


def _apply_to_session(session: ClassSession, changes: SessionChanges, starts_at: datetime | None) -> bool:
    """Write the changes on one session; returns whether its capacity went up (seats to fill)."""
    raised = changes.capacity is not None and changes.capacity > session.capacity
    if starts_at is not None:
        duration = session.ends_at - session.starts_at
        session.starts_at = starts_at
        session.ends_at = starts_at + duration
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


def _lock(session: ClassSession) -> ClassSession:
    """Lock the session's row (as the booking service does) and read its seat count fresh."""
    return db.session.scalars(sa.select(ClassSession).where(ClassSession.id == session.id)
                              .with_for_update(of=ClassSession).execution_options(populate_existing=True)).one()


def update_session(session: ClassSession, values: dict[str, Any], scope: str = "one",
                   now: datetime | None = None) -> ClassSession:
    """Edit a session: `scope="one"` changes this occurrence only (marked as individually modified);
    `scope="future"` changes this one and every later not-yet-started, not individually modified session
    of its series (see update_series). Notes always belong to this one session. The capacity never goes
    below the seats booked (ScheduleConflict naming how many); raising it fills seats from the waitlist."""
    now = now or utcnow()
    if scope not in ("one", "future"):
        raise ScheduleInvalid({"scope": ["Use \"one\" (this session) or \"future\" (this and all future sessions)."]})
    if scope == "future" and session.series_id is None:
        raise ScheduleInvalid({"scope": ["This class is not part of a series: only \"one\" applies."]})
    if scope == "future":
        _lock_series(session.series)  # series before session, the order series-wide edits take them in
    session = _lock(session)
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleConflict("This class is cancelled; it can no longer be changed.")
    if session.ends_at <= now:
        raise ScheduleConflict("This class is over; it can no longer be changed.")
    errors = _Errors()
    changes = _parse_edit(session, values, scope, errors)
    if (changes.starts_at is not None or changes.duration_minutes is not None) and session.starts_at <= now:
        errors.add("time", "This class has started: its time can no longer change.")
    errors.raise_if_any()
    if changes.capacity is not None and changes.capacity < session.booked_count:
        raise _below_booked(changes.capacity, session.booked_count)
    raised = _apply_to_session(session, changes, changes.starts_at)
    if scope == "future":
        # The chosen session takes the values as given, even where they already match the series' rule.
        if changes.notes is not None:
            session.notes = changes.notes
        db.session.flush()
        series = session.series
        rule: dict[str, Any] = {}
        if changes.local_time is not None:
            rule["start_time"] = changes.local_time
        for name in ("duration_minutes", "capacity", "class_type"):
            if getattr(changes, name) is not None:
                rule[name] = getattr(changes, name)
        if changes.instructor is not None:
            rule["instructor"] = changes.instructor[0]
        if changes.room is not None:
            rule["room"] = changes.room[0]
        _change_series(series, rule, session.occurrence_on, now, include=session.id)
        db.session.flush()
        db.session.refresh(session)
        if raised:
            bookings.fill_from_waitlist(session.id, now=now)
        return session
    if session.series_id is not None and db.session.is_modified(session):
        session.is_modified = True  # (notes alone do not set it: they never come from the series)
    if changes.notes is not None:
        session.notes = changes.notes
    db.session.flush()
    if raised:
        bookings.fill_from_waitlist(session.id, now=now)
    return session


def cancel_session(session: ClassSession, reason: str | None, actor: Principal | None,
                   now: datetime | None = None) -> list[Booking]:
    """Cancel a class: booked and waiting members are released and emailed (the booking service), and the
    cancellation is recorded in the audit log. Returns the released bookings."""
    now = now or utcnow()
    errors = _Errors()
    reason = _text({"reason": reason}, "reason", errors, REASON_MAX)
    errors.raise_if_any()
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleConflict("This class is already cancelled.")
    if session.ends_at <= now:
        raise ScheduleConflict("This class is over; it can no longer be cancelled.")
    released = bookings.cancel_session(session.id, reason, now=now)
    if actor is not None:
        record(AuditAction.SESSION_CANCELLED, actor.label, actor.id if actor.kind == "user" else None,
               target=f"class_session:{session.id}",
               details={"class": session.class_type.name, "starts_at": session.starts_at.isoformat(),
                        "reason": reason or None, "released": len(released)})
    return released


# --- series -----------------------------------------------------------------------------------------------

SERIES_FIELDS = ("class_type_id", "weekdays", "start_time", "duration_minutes", "capacity", "instructor_id",
                 "room_id", "starts_on", "ends_on")


def list_series(include_ended: bool = False, today: date | None = None) -> list[ClassSeries]:
    """Series by weekday and time; those that ended before today only when asked for."""
    query = sa.select(ClassSeries).order_by(ClassSeries.weekdays, ClassSeries.start_time, ClassSeries.id)
    if not include_ended:
        query = query.where(sa.or_(ClassSeries.ends_on.is_(None), ClassSeries.ends_on >= (today or studio_today())))
    return list(db.session.scalars(query))


def get_series(series_id: int) -> ClassSeries:
    """The series with this id, or ScheduleNotFound."""
    return _get(ClassSeries, series_id, "series")


def _weekdays(values: dict, errors: _Errors) -> list[int] | None:
    raw = values.get("weekdays")
    if raw in (None, "", []):
        errors.add("weekdays", "Choose at least one weekday.")
        return None
    if not isinstance(raw, list | tuple):
        errors.add("weekdays", "Give a list of weekdays, 0 = Monday … 6 = Sunday.")
        return None
    days = set()
    for item in raw:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 6:
            errors.add("weekdays", "Weekdays are whole numbers, 0 = Monday … 6 = Sunday.")
            return None
        days.add(item)
    return sorted(days)


def weekday_label(weekdays: list[int]) -> str:
    """ "Mon, Wed, Fri" for [0, 2, 4]."""
    return ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(weekdays))


def create_series(values: dict[str, Any], today: date | None = None, until: date | None = None) -> ClassSeries:
    """A weekly rule (class type, weekdays 0 = Monday, local start time, duration, capacity, optional instructor
    and room, starts_on, optional ends_on), with its sessions generated ahead at once."""
    today = today or studio_today()
    errors = _Errors()
    for name in set(values) - set(SERIES_FIELDS):
        errors.add(name, "Unknown field.")
    class_type = _active_class_type(_optional_id(values, "class_type_id", errors), errors)
    weekdays = _weekdays(values, errors)
    start_time = _time(values, "start_time", errors)
    duration = capacity = None
    if values.get("duration_minutes") not in (None, ""):
        duration = _int(values, "duration_minutes", errors, DURATION_MIN, DURATION_MAX, "The duration (minutes)")
    room = _room(_optional_id(values, "room_id", errors), errors)
    if values.get("capacity") not in (None, ""):
        capacity = _int(values, "capacity", errors, 0, CAPACITY_MAX, "The capacity")
        _check_room_capacity(capacity, room, errors)
    instructor = _instructor(_optional_id(values, "instructor_id", errors), errors)
    starts_on = _date(values, "starts_on", errors, required=False) or today
    ends_on = _date(values, "ends_on", errors, required=False)
    if starts_on < today - timedelta(days=SERIES_PAST_DAYS):
        errors.add("starts_on", f"A series can start at most {SERIES_PAST_DAYS} days in the past.")
    if ends_on is not None and ends_on < starts_on:
        errors.add("ends_on", "The last day is before the first day.")
    errors.raise_if_any()
    if capacity is None:
        capacity = min(class_type.default_capacity, room.capacity) if room else class_type.default_capacity
    series = ClassSeries(class_type=class_type, instructor=instructor, room=room, weekdays=weekdays,
                         start_time=start_time, duration_minutes=duration or class_type.duration_minutes,
                         capacity=capacity, starts_on=starts_on, ends_on=ends_on)
    db.session.add(series)
    db.session.flush()
    generate_series(series, until or horizon(today))
    return series


def horizon(today: date | None = None) -> date:
    """The last local day sessions are generated for: `schedule_weeks_ahead` weeks from today."""
    weeks = setting("schedule_weeks_ahead", 8)
    weeks = weeks if isinstance(weeks, int) and 0 < weeks <= WEEKS_AHEAD_MAX else 8
    return (today or studio_today()) + timedelta(weeks=weeks)


def _occurrence_rows(series: ClassSeries, first: date, last: date, zone: ZoneInfo) -> list[dict]:
    rows = []
    day = first
    created = utcnow()
    while day <= last:
        if day.weekday() in series.weekdays:
            starts_at = to_utc(day, series.start_time, zone)
            rows.append({"class_type_id": series.class_type_id, "instructor_id": series.instructor_id,
                         "room_id": series.room_id, "series_id": series.id, "occurrence_on": day,
                         "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=series.duration_minutes),
                         "capacity": series.capacity, "booked_count": 0, "notes": "", "is_modified": False,
                         "status": SessionStatus.SCHEDULED, "created_at": created})
        day += timedelta(days=1)
    return rows


def _insert_occurrences(series: ClassSeries, first: date, last: date) -> int:
    """Sessions for the series' days in [first, last]; existing occurrences are left alone (ON CONFLICT)."""
    if series.ends_on is not None:
        last = min(last, series.ends_on)
    first = max(first, series.starts_on)
    if last < first:
        return 0
    rows = _occurrence_rows(series, first, last, studio_zone())
    if not rows:
        return 0
    result = db.session.execute(insert(ClassSession).values(rows).on_conflict_do_nothing(
        index_elements=["series_id", "occurrence_on"]))
    return result.rowcount


def _lock_series(series: ClassSeries) -> ClassSeries:
    return db.session.scalars(sa.select(ClassSeries).where(ClassSeries.id == series.id)
                              .with_for_update(of=ClassSeries).execution_options(populate_existing=True)).one()


def generate_series(series: ClassSeries, until: date) -> int:
    """Generate the series' sessions up to the local day `until` (idempotent); returns how many were added."""
    series = _lock_series(series)
    first = series.starts_on if series.generated_until is None else series.generated_until + timedelta(days=1)
    added = _insert_occurrences(series, first, until)
    if series.generated_until is None or until > series.generated_until:
        series.generated_until = until
    db.session.flush()
    return added


def generate_ahead(today: date | None = None) -> int:
    """Generate every current series up to the studio's horizon; returns the number of sessions added."""
    today = today or studio_today()
    until = horizon(today)
    due = db.session.scalars(sa.select(ClassSeries).where(
        sa.or_(ClassSeries.ends_on.is_(None), ClassSeries.generated_until.is_(None),
               ClassSeries.ends_on > ClassSeries.generated_until),
        sa.or_(ClassSeries.generated_until.is_(None), ClassSeries.generated_until < until))
        .order_by(ClassSeries.id))
    return sum(generate_series(series, until) for series in list(due))


def _remove_session(session: ClassSession, now: datetime) -> str:
    """A session that leaves the rule: cancelled (members told) when anyone ever booked it, else deleted."""
    has_bookings = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == session.id))
    if has_bookings:
        bookings.cancel_session(session.id, "This class was taken off the schedule.", now=now)
        return "cancelled"
    db.session.delete(session)
    return "deleted"


def _series_rule(values: dict[str, Any], series: ClassSeries, errors: _Errors) -> dict[str, Any]:
    """Parse a series edit (any of SERIES_FIELDS but starts_on) into model values."""
    rule: dict[str, Any] = {}
    for name in set(values) - set(SERIES_FIELDS) - {"starts_on"}:
        errors.add(name, "Unknown field.")
    if values.get("class_type_id") not in (None, ""):
        type_id = _optional_id(values, "class_type_id", errors)
        rule["class_type"] = series.class_type if type_id == series.class_type_id else \
            _active_class_type(type_id, errors)
    if "weekdays" in values:
        rule["weekdays"] = _weekdays(values, errors)
    if values.get("start_time") not in (None, ""):
        rule["start_time"] = _time(values, "start_time", errors)
    if values.get("duration_minutes") not in (None, ""):
        rule["duration_minutes"] = _int(values, "duration_minutes", errors, DURATION_MIN, DURATION_MAX,
                                        "The duration (minutes)")
    if values.get("capacity") not in (None, ""):
        rule["capacity"] = _int(values, "capacity", errors, 0, CAPACITY_MAX, "The capacity")
    if "instructor_id" in values:
        rule["instructor"] = _instructor(_optional_id(values, "instructor_id", errors), errors,
                                         keep=series.instructor_id)
    if "room_id" in values:
        rule["room"] = _room(_optional_id(values, "room_id", errors), errors)
    if "ends_on" in values:
        rule["ends_on"] = _date(values, "ends_on", errors, required=False)
    room = rule.get("room", series.room) if "room" in rule else series.room
    _check_room_capacity(rule.get("capacity", series.capacity), room, errors)
    return rule


def update_series(series: ClassSeries, values: dict[str, Any], from_day: date | None = None,
                  now: datetime | None = None) -> ClassSeries:
    """Change a series from the local day `from_day` (default today) on; see _change_series. Returns the series
    that carries the rule from that day (a new one when the old one had sessions before it)."""
    now = now or utcnow()
    from_day = from_day or studio_today(now)
    errors = _Errors()
    rule = _series_rule(values, series, errors)
    earliest_end = max(from_day - timedelta(days=1), series.starts_on)
    if rule.get("ends_on") is not None and rule["ends_on"] < earliest_end:
        errors.add("ends_on", f"Choose {earliest_end:%d %b %Y} or later: a series ends on or after its first day, "
                              "and sessions before the day you are changing from stay as they are.")
    errors.raise_if_any()
    return _change_series(series, rule, from_day, now)


def _change_series(series: ClassSeries, rule: dict[str, Any], from_day: date, now: datetime,
                   include: int | None = None) -> ClassSeries:
    """Apply a rule change to the series from `from_day` on.

    Our call for "this and all future sessions": when the series already has sessions before `from_day`,
    it is split: the old series ends the day before and a new series, a copy with the changes, starts
    that day and takes over the later sessions (their ids, bookings and waitlists stay). Each series'
    rule then describes exactly the sessions it generated, so history keeps its real times and a later
    edit "from" an earlier day never rewrites them. Without earlier sessions the rule changes in place.

    Then every later session of the (new) series that has not started and was not edited on its own (or
    is `include`, the one the staff member picked) is rewritten to the rule; sessions on days that leave
    the rule (a removed weekday, past the new end) are cancelled when anyone booked them (members are
    told) and deleted otherwise; days that join the rule get sessions up to `generated_until`. Capacity
    never drops below a session's booked seats (nothing is changed then); raised capacities are filled
    from the waitlist.
    """
    series = _lock_series(series)
    # Only what differs from the rule counts: a form sent back unchanged rewrites nothing and splits nothing.
    rule = {name: value for name, value in rule.items()
            if (sorted(value) != sorted(series.weekdays) if name == "weekdays" else getattr(series, name) != value)}
    if not rule:
        return series
    if rule.get("ends_on") is not None and rule["ends_on"] < from_day:
        rule = {"ends_on": rule["ends_on"]}  # it ends before the changes would apply: only the end matters
    affected = list(db.session.scalars(
        sa.select(ClassSession).where(ClassSession.series_id == series.id, ClassSession.occurrence_on >= from_day,
                                      ClassSession.status == SessionStatus.SCHEDULED, ClassSession.starts_at > now)
        .order_by(ClassSession.starts_at).with_for_update(of=ClassSession)
        .execution_options(populate_existing=True)))
    if "capacity" in rule:
        for session in affected:
            if rule["capacity"] < session.booked_count and (not session.is_modified or session.id == include):
                raise _below_booked(rule["capacity"], session.booked_count)
    earlier = db.session.scalar(sa.select(sa.func.count()).select_from(ClassSession).where(
        ClassSession.series_id == series.id, ClassSession.occurrence_on < from_day))
    if earlier and from_day > series.starts_on and set(rule) - {"ends_on"}:
        old = series
        series = ClassSeries(class_type=old.class_type, instructor=old.instructor, room=old.room,
                             weekdays=list(old.weekdays), start_time=old.start_time,
                             duration_minutes=old.duration_minutes, capacity=old.capacity, starts_on=from_day,
                             ends_on=old.ends_on, generated_until=old.generated_until)
        old.ends_on = from_day - timedelta(days=1)
        db.session.add(series)
        db.session.flush()
        db.session.execute(sa.update(ClassSession).where(
            ClassSession.series_id == old.id, ClassSession.occurrence_on >= from_day).values(series_id=series.id)
            .execution_options(synchronize_session="fetch"))
    elif from_day < series.starts_on:
        from_day = series.starts_on
    for name, value in rule.items():
        setattr(series, name, value)
    db.session.flush()
    zone = studio_zone()
    to_fill = []
    for session in affected:
        day = session.occurrence_on
        if day.weekday() not in series.weekdays or (series.ends_on is not None and day > series.ends_on):
            _remove_session(session, now)
            continue
        if session.is_modified and session.id != include:
            continue
        starts_at = to_utc(day, series.start_time, zone)
        if ("start_time" in rule or "duration_minutes" in rule) and starts_at > now:  # never into the past
            session.starts_at = starts_at
            session.ends_at = starts_at + timedelta(minutes=series.duration_minutes)
        if "capacity" in rule and session.capacity != series.capacity:
            if series.capacity > session.capacity:
                to_fill.append(session.id)
            session.capacity = series.capacity
        if "instructor" in rule:
            session.instructor = series.instructor
        if "room" in rule:
            session.room = series.room
        if "class_type" in rule:
            session.class_type = series.class_type
    db.session.flush()
    if series.generated_until is not None and series.generated_until >= from_day:
        _insert_occurrences(series, from_day, series.generated_until)
    db.session.flush()
    for session_id in to_fill:
        bookings.fill_from_waitlist(session_id, now=now)
    return series


def end_series(series: ClassSeries, last_day: date, now: datetime | None = None) -> ClassSeries:
    """Stop a series after the local day `last_day`: later sessions are cancelled (if booked) or deleted."""
    return update_series(series, {"ends_on": last_day}, from_day=last_day + timedelta(days=1), now=now)


def upcoming_sessions(series: ClassSeries, now: datetime | None = None, limit: int = 10) -> list[ClassSession]:
    """The series' next sessions (scheduled or cancelled), soonest first."""
    return list(db.session.scalars(
        sa.select(ClassSession).where(ClassSession.series_id == series.id, ClassSession.starts_at > (now or utcnow()))
        .order_by(ClassSession.starts_at).limit(limit)))


def waiting_count(session_id: int) -> int:
    """How many members wait for a place in this session."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED))
