"""Weekly series: the rule (weekdays at a local start time), its sessions generated ahead, and edits of the rule
from a day on, including "this and all future sessions" picked from one session.

Functions flush; the caller (request, CLI command, job) commits once. A series keeps a local `start_time` and
every occurrence is local date + local time in the studio's zone, converted to UTC one by one: a 07:00 class
stays at 07:00 on both sides of a daylight-saving change (its UTC hour moves). An occurrence that falls into
the hour skipped when clocks go forward is placed by Python's rule (fold=0: the wall-clock time read with the
offset before the change, e.g. 01:30 in London's gap becomes 02:30 BST).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from nexphys.audit.services import AuditAction, record
from nexphys.bookings import services as bookings
from nexphys.bookings.models import Booking
from nexphys.classes import catalog, sessions
from nexphys.classes.errors import ScheduleInvalid, found
from nexphys.classes.models import ClassSeries, ClassSession, SessionStatus
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.settings.services import setting
from nexphys.tenancy.context import require_tenant
from nexphys.validation import FieldErrors, clock_time, day, digits_to_int, has_value, optional_id, unknown_fields
from nexphys.web.access import Principal

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SERIES_FIELDS = ("class_type_id", "weekdays", "start_time", "duration_minutes", "capacity", "instructor_id",
                 "room_id", "starts_on", "ends_on")
# A series may start a little in the past (e.g. "from this Monday"), never further: generation would
# otherwise fill history with sessions nobody attended.
SERIES_PAST_DAYS = 7
WEEKS_AHEAD_MAX = 52
WEEKS_AHEAD_SETTING = "schedule_weeks_ahead"
DEFAULT_WEEKS_AHEAD = 8
SCOPES = ("one", "future")


# --- reading ------------------------------------------------------------------------------------

def list_series(include_ended: bool = False, today: date | None = None) -> list[ClassSeries]:
    """Series by weekday and time; those that ended before today only when asked for."""
    query = sa.select(ClassSeries).order_by(ClassSeries.weekdays, ClassSeries.start_time, ClassSeries.id)
    if not include_ended:
        today = today or require_tenant().today()
        query = query.where(sa.or_(ClassSeries.ends_on.is_(None), ClassSeries.ends_on >= today))
    return list(db.session.scalars(query))


def get_series(series_id: int) -> ClassSeries:
    """The series with this id, or ScheduleNotFound."""
    return found(db.session.get(ClassSeries, series_id), "series")


def upcoming_sessions(series: ClassSeries, now: datetime | None = None, limit: int = 10) -> list[ClassSession]:
    """The series' next sessions (scheduled or cancelled), soonest first."""
    return list(db.session.scalars(
        sa.select(ClassSession).where(ClassSession.series_id == series.id, ClassSession.starts_at > (now or utcnow()))
        .order_by(ClassSession.starts_at).limit(limit)))


def weekday_label(weekdays: list[int]) -> str:
    """ "Mon, Wed, Fri" for [0, 2, 4]."""
    return ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(weekdays))


# --- creating -----------------------------------------------------------------------------------

def _weekdays(errors: FieldErrors, raw: Any) -> list[int] | None:
    if raw in (None, "", []):
        errors.add("weekdays", "Choose at least one weekday.")
        return None
    if not isinstance(raw, list | tuple):
        errors.add("weekdays", "Give a list of weekdays, 0 = Monday … 6 = Sunday.")
        return None
    days = set()
    for item in map(digits_to_int, raw):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 6:
            errors.add("weekdays", "Weekdays are whole numbers, 0 = Monday … 6 = Sunday.")
            return None
        days.add(item)
    return sorted(days)


def clean_series(values: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """Check a new series (every bad field at once, ScheduleInvalid); returns its ClassSeries fields."""
    today = today or require_tenant().today()
    errors = FieldErrors()
    unknown_fields(errors, values, SERIES_FIELDS)
    class_type = catalog.active_class_type(errors, optional_id(errors, "class_type_id", values.get("class_type_id")))
    weekdays = _weekdays(errors, values.get("weekdays"))
    start_time = clock_time(errors, "start_time", values.get("start_time"))
    duration = capacity = None
    if has_value(values, "duration_minutes"):
        duration = catalog.duration(errors, values["duration_minutes"])
    room = catalog.chosen_room(errors, optional_id(errors, "room_id", values.get("room_id")))
    if has_value(values, "capacity"):
        capacity = catalog.capacity(errors, values["capacity"])
        catalog.check_room_capacity(errors, capacity, room)
    instructor = catalog.chosen_instructor(errors, optional_id(errors, "instructor_id", values.get("instructor_id")))
    starts_on = day(errors, "starts_on", values.get("starts_on"), required=False) or today
    ends_on = day(errors, "ends_on", values.get("ends_on"), required=False)
    if starts_on < today - timedelta(days=SERIES_PAST_DAYS):
        errors.add("starts_on", f"A series can start at most {SERIES_PAST_DAYS} days in the past.")
    if ends_on is not None and ends_on < starts_on:
        errors.add("ends_on", "The last day is before the first day.")
    errors.raise_if_any(ScheduleInvalid)
    return {"class_type": class_type, "instructor": instructor, "room": room, "weekdays": weekdays,
            "start_time": start_time, "duration_minutes": duration or class_type.duration_minutes,
            "capacity": catalog.default_capacity(class_type, room) if capacity is None else capacity,
            "starts_on": starts_on, "ends_on": ends_on}


def create_series(values: dict[str, Any], today: date | None = None, until: date | None = None,
                  actor: Principal | None = None) -> ClassSeries:
    """A weekly rule (class type, weekdays 0 = Monday, local start time, duration, capacity, optional instructor
    and room, starts_on, optional ends_on), with its sessions generated ahead at once. Audited under `actor`."""
    today = today or require_tenant().today()
    series = ClassSeries(**clean_series(values, today))
    db.session.add(series)
    db.session.flush()
    generate_series(series, until or horizon(today))
    _record_series(AuditAction.SERIES_CREATED, actor, series, starts_on=series.starts_on.isoformat())
    return series


def _record_series(action: str, actor: Principal | None, series: ClassSeries, **details: Any) -> None:
    if actor is None:
        return
    record(action, actor.label, actor.id if actor.kind == "user" else None, target=f"class_series:{series.id}",
           details={"class": series.class_type.name, "weekdays": weekday_label(series.weekdays),
                    "start_time": series.start_time.strftime("%H:%M"), **details})


# --- generating ahead ---------------------------------------------------------------------------

def weeks_ahead() -> int:
    """How many weeks ahead the studio's series are turned into sessions (its setting, if sensible)."""
    weeks = setting(WEEKS_AHEAD_SETTING, DEFAULT_WEEKS_AHEAD)
    return weeks if isinstance(weeks, int) and 0 < weeks <= WEEKS_AHEAD_MAX else DEFAULT_WEEKS_AHEAD


def horizon(today: date | None = None) -> date:
    """The last local day sessions are generated for: `schedule_weeks_ahead` weeks from today."""
    return (today or require_tenant().today()) + timedelta(weeks=weeks_ahead())


def _occurrence_rows(series: ClassSeries, first: date, last: date) -> list[dict]:
    zone = require_tenant().zone
    rows = []
    created = utcnow()
    for offset in range((last - first).days + 1):
        occurrence_on = first + timedelta(days=offset)
        if occurrence_on.weekday() in series.weekdays:
            starts_at = sessions.to_utc(occurrence_on, series.start_time, zone)
            rows.append({"class_type_id": series.class_type_id, "instructor_id": series.instructor_id,
                         "room_id": series.room_id, "series_id": series.id, "occurrence_on": occurrence_on,
                         "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=series.duration_minutes),
                         "capacity": series.capacity, "booked_count": 0, "notes": "", "is_modified": False,
                         "status": SessionStatus.SCHEDULED, "created_at": created})
    return rows


def _insert_occurrences(series: ClassSeries, first: date, last: date) -> int:
    """Sessions for the series' days in [first, last]; existing occurrences are left alone (ON CONFLICT)."""
    if series.ends_on is not None:
        last = min(last, series.ends_on)
    first = max(first, series.starts_on)
    if last < first:
        return 0
    rows = _occurrence_rows(series, first, last)
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
    until = horizon(today)
    due = db.session.scalars(sa.select(ClassSeries).where(
        sa.or_(ClassSeries.ends_on.is_(None), ClassSeries.generated_until.is_(None),
               ClassSeries.ends_on > ClassSeries.generated_until),
        sa.or_(ClassSeries.generated_until.is_(None), ClassSeries.generated_until < until))
        .order_by(ClassSeries.id))
    return sum(generate_series(series, until) for series in list(due))


# --- changing the rule --------------------------------------------------------------------------

def _series_rule(errors: FieldErrors, values: dict[str, Any], series: ClassSeries) -> dict[str, Any]:
    """Parse a series edit into model values; starts_on is ignored (a later first day is a `from_day`)."""
    rule: dict[str, Any] = {}
    unknown_fields(errors, values, SERIES_FIELDS)
    if has_value(values, "class_type_id"):
        type_id = optional_id(errors, "class_type_id", values["class_type_id"])
        rule["class_type"] = series.class_type if type_id == series.class_type_id else \
            catalog.active_class_type(errors, type_id)
    if "weekdays" in values:
        rule["weekdays"] = _weekdays(errors, values["weekdays"])
    if has_value(values, "start_time"):
        rule["start_time"] = clock_time(errors, "start_time", values["start_time"])
    if has_value(values, "duration_minutes"):
        rule["duration_minutes"] = catalog.duration(errors, values["duration_minutes"])
    if has_value(values, "capacity"):
        rule["capacity"] = catalog.capacity(errors, values["capacity"])
    if "instructor_id" in values:
        rule["instructor"] = catalog.chosen_instructor(
            errors, optional_id(errors, "instructor_id", values["instructor_id"]), keep=series.instructor_id)
    if "room_id" in values:
        rule["room"] = catalog.chosen_room(errors, optional_id(errors, "room_id", values["room_id"]))
    if "ends_on" in values:
        rule["ends_on"] = day(errors, "ends_on", values["ends_on"], required=False)
    catalog.check_room_capacity(errors, rule.get("capacity", series.capacity), rule.get("room", series.room))
    return rule


def update_series(series: ClassSeries, values: dict[str, Any], from_day: date | None = None,
                  now: datetime | None = None, actor: Principal | None = None) -> ClassSeries:
    """Change a series from the local day `from_day` (default today) on; see _change_series. Returns the series
    that carries the rule from that day (a new one when the old one had sessions before it)."""
    now = now or utcnow()
    from_day = from_day or require_tenant().today(now)
    errors = FieldErrors()
    rule = _series_rule(errors, values, series)
    earliest_end = max(from_day - timedelta(days=1), series.starts_on)
    if rule.get("ends_on") is not None and rule["ends_on"] < earliest_end:
        errors.add("ends_on", f"Choose {earliest_end:%d %b %Y} or later: a series ends on or after its first day, "
                              "and sessions before the day you are changing from stay as they are.")
    errors.raise_if_any(ScheduleInvalid)
    changed = _change_series(series, rule, from_day, now)
    _record_series(AuditAction.SERIES_UPDATED, actor, changed, changes_from=from_day.isoformat())
    return changed


def end_series(series: ClassSeries, last_day: date, now: datetime | None = None) -> ClassSeries:
    """Stop a series after the local day `last_day`: later sessions are cancelled (if booked) or deleted."""
    return update_series(series, {"ends_on": last_day}, from_day=last_day + timedelta(days=1), now=now)


def _changed_only(series: ClassSeries, rule: dict[str, Any], from_day: date) -> dict[str, Any]:
    # Only what differs from the rule counts: a form sent back unchanged rewrites nothing and splits nothing.
    rule = {name: value for name, value in rule.items()
            if (sorted(value) != sorted(series.weekdays) if name == "weekdays" else getattr(series, name) != value)}
    if rule.get("ends_on") is not None and rule["ends_on"] < from_day:
        return {"ends_on": rule["ends_on"]}  # it ends before the changes would apply: only the end matters
    return rule


def _split_off(old: ClassSeries, from_day: date) -> ClassSeries:
    """End `old` the day before `from_day`; a copy starting that day takes over its later sessions."""
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
    return series


def _remove_session(session: ClassSession, now: datetime) -> None:
    """A session that leaves the rule: cancelled (members told) when anyone ever booked it, else deleted."""
    has_bookings = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == session.id))
    if has_bookings:
        bookings.cancel_session(session.id, "This class was taken off the schedule.", now=now)
    else:
        db.session.delete(session)


def _follow_rule(session: ClassSession, series: ClassSeries, rule: dict[str, Any], now: datetime) -> bool:
    """Rewrite one session to the series' (changed) rule; returns whether its capacity went up."""
    starts_at = sessions.to_utc(session.occurrence_on, series.start_time, require_tenant().zone)
    if ("start_time" in rule or "duration_minutes" in rule) and starts_at > now:  # never into the past
        session.starts_at = starts_at
        session.ends_at = starts_at + timedelta(minutes=series.duration_minutes)
    raised = False
    if "capacity" in rule and session.capacity != series.capacity:
        raised = series.capacity > session.capacity
        session.capacity = series.capacity
    for name in ("instructor", "room", "class_type"):
        if name in rule:
            setattr(session, name, getattr(series, name))
    return raised


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
    rule = _changed_only(series, rule, from_day)
    if not rule:
        return series
    affected = list(db.session.scalars(
        sa.select(ClassSession).where(ClassSession.series_id == series.id, ClassSession.occurrence_on >= from_day,
                                      ClassSession.status == SessionStatus.SCHEDULED, ClassSession.starts_at > now)
        .order_by(ClassSession.starts_at).with_for_update(of=ClassSession)
        .execution_options(populate_existing=True)))
    if "capacity" in rule:
        for session in affected:
            if rule["capacity"] < session.booked_count and (not session.is_modified or session.id == include):
                raise sessions.below_booked(rule["capacity"], session.booked_count)
    earlier = db.session.scalar(sa.select(sa.func.count()).select_from(ClassSession).where(
        ClassSession.series_id == series.id, ClassSession.occurrence_on < from_day))
    if earlier and from_day > series.starts_on and set(rule) - {"ends_on"}:
        series = _split_off(series, from_day)
    elif from_day < series.starts_on:
        from_day = series.starts_on
    for name, value in rule.items():
        setattr(series, name, value)
    db.session.flush()
    to_fill = []
    for session in affected:
        if session.occurrence_on.weekday() not in series.weekdays or (
                series.ends_on is not None and session.occurrence_on > series.ends_on):
            _remove_session(session, now)
        elif (not session.is_modified or session.id == include) and _follow_rule(session, series, rule, now):
            to_fill.append(session.id)
    db.session.flush()
    if series.generated_until is not None and series.generated_until >= from_day:
        _insert_occurrences(series, from_day, series.generated_until)
    db.session.flush()
    for session_id in to_fill:
        bookings.fill_from_waitlist(session_id, now=now)
    return series


# --- editing from one session -------------------------------------------------------------------

def _rule_from(changes: sessions.SessionChanges) -> dict[str, Any]:
    """A session edit as a change of its series' rule."""
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
    return rule


def update_following(session: ClassSession, values: dict[str, Any], now: datetime | None = None) -> ClassSession:
    """Edit a session and every later not-yet-started, not individually modified session of its series (see
    _change_series): the chosen session takes the values as given, even where they already match the rule."""
    now = now or utcnow()
    if session.series_id is None:
        raise ScheduleInvalid({"scope": ["This class is not part of a series: only \"one\" applies."]})
    _lock_series(session.series)  # series before session, the order series-wide edits take them in
    session, changes = sessions.prepare_edit(session, values, "future", now)
    raised = sessions.apply_changes(session, changes)
    if changes.notes is not None:
        session.notes = changes.notes  # notes always belong to this one session
    db.session.flush()
    _change_series(session.series, _rule_from(changes), session.occurrence_on, now, include=session.id)
    db.session.flush()
    db.session.refresh(session)
    if raised:
        bookings.fill_from_waitlist(session.id, now=now)
    return session


def edit_session(session: ClassSession, values: dict[str, Any], scope: str = "one",
                 now: datetime | None = None, actor: Principal | None = None) -> ClassSession:
    """Edit a class as staff choose: `scope="one"` this occurrence only (sessions.update_session), `"future"`
    this and all later ones of its series (update_following). Audited under `actor`."""
    if scope not in SCOPES:
        raise ScheduleInvalid({"scope": ["Use \"one\" (this session) or \"future\" (this and all future sessions)."]})
    if scope == "future":
        edited = update_following(session, values, now)
    else:
        edited = sessions.update_session(session, values, now)
    sessions.record_change(AuditAction.SESSION_UPDATED, actor, edited, scope=scope,
                           fields=sorted(name for name in values if values[name] not in (None, "")))
    return edited
