"""Training logs' rules: a member logs their own session (sets, a scored result, notes), staff log anyone's.

A class session's log needs the member checked in (staff may log for anyone booked) and is one per member and
session: logging again changes it. Personal records are recomputed in the same transaction (nexphys.workouts
.records). Values come from the log form (text) or the API (JSON values): one set of rules and messages.
Functions flush; the caller commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.tenancy.context import require_tenant
from nexphys.validation import FieldErrors, text, unknown_fields
from nexphys.web.access import Principal
from nexphys.workouts import records
from nexphys.workouts.errors import LogInvalid, LogNotAllowed, LogNotFound
from nexphys.workouts.models import (
    Assignment,
    Exercise,
    LogSet,
    PersonalRecord,
    Prescription,
    Workout,
    WorkoutLog,
)
from nexphys.workouts.plans import class_workouts

TITLE_MAX, NOTES_MAX, SETS_MAX = 120, 2000, 100
LOAD_MAX, REPS_MAX, ROUNDS_MAX = Decimal(1000), 1000, 1000
SET_FIELDS = ("exercise_id", "prescription_id", "reps", "load_kg", "rpe", "duration_seconds", "distance_m")
RESULT_FIELDS = ("result_time", "result_rounds", "result_reps", "result_load_kg", "scaled")
FIXED = ("member_id", "workout_id", "assignment_id", "program_week", "session_id")  # set when the log is made
FIELDS = (*FIXED, "performed_on", "title", "sets", *RESULT_FIELDS, "notes", "on_leaderboard")
_CLOCK = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\s*$")  # mm:ss or h:mm:ss


@dataclass(frozen=True)
class Saved:
    """A saved log, the records it set (the last of each kind) and the confirmation's words."""

    log: WorkoutLog
    records: list[PersonalRecord]
    created: bool
    message: str


def is_staff(principal: Principal, action: str = "update") -> bool:
    """Whether the principal may do `action` to anyone's training logs (not only their own)."""
    return principal.scope("workouts", action) == "all"


# --- reading ------------------------------------------------------------------------------------

def get_log(log_id: int, principal: Principal) -> WorkoutLog:
    """The log, if the principal may see it (their own; staff any), else LogNotFound."""
    log = db.session.get(WorkoutLog, log_id)
    if log is None or not (is_staff(principal) or log.member_id == principal.person_id):
        raise LogNotFound("There is no such training log.")
    return log


def log_sets(log_id: int) -> list[LogSet]:
    """The log's sets in order."""
    return list(db.session.scalars(sa.select(LogSet).where(LogSet.log_id == log_id).order_by(LogSet.position)))


# --- parsing values -----------------------------------------------------------------------------

def parse_decimal(errors: FieldErrors, field: str, value: Any, high: Decimal, message: str) -> Decimal | None:
    """A number of kilos (or RPE): "102.5", "102,5", 102.5; None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.add(field, message)
        return None
    try:
        number = Decimal(value.strip().replace(",", ".")) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        errors.add(field, message)
        return None
    if not number.is_finite() or number < 0 or number > high or number != number.quantize(Decimal("0.01")):
        errors.add(field, message)
        return None
    return number


def parse_count(errors: FieldErrors, field: str, value: Any, high: int, message: str) -> int | None:
    """A whole number from 0 to `high` (digits in text too); None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        errors.add(field, message)
        return None
    return value


def parse_clock(errors: FieldErrors, field: str, value: Any, message: str) -> int | None:
    """A time as seconds: "12:34" (minutes:seconds), "1:02:03", or a whole number of seconds; None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (match := _CLOCK.match(value)):
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    else:
        errors.add(field, message)
        return None
    if not 0 < seconds <= 24 * 3600:
        errors.add(field, message)
        return None
    return seconds


def clock(seconds: int | None) -> str:
    """Seconds as "12:34" (or "1:02:03")."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _id(errors: FieldErrors, field: str, value: Any, message: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        errors.add(field, message)
        return None
    return value


def _sets(errors: FieldErrors, value: Any) -> list[dict[str, Any]]:
    """The sets: a list of {exercise_id, reps?, load_kg?, rpe?, duration_seconds?, distance_m?, prescription_id?}."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors.add("sets", "List the sets, each with its exercise.")
        return []
    if len(value) > SETS_MAX:
        errors.add("sets", f"Log at most {SETS_MAX} sets.")
        return []
    exercise_ids = {int(i) if isinstance(i, str) and i.strip().isdigit() else i
                    for i in (v.get("exercise_id") for v in value)}
    known = set(db.session.scalars(sa.select(Exercise.id).where(
        Exercise.id.in_([i for i in exercise_ids if isinstance(i, int) and not isinstance(i, bool)
                         and 0 < i < 2**31] or [0]))))
    cleaned = []
    for n, raw in enumerate(value, start=1):
        where = f"Set {n}"
        found = FieldErrors()
        unknown_fields(found, raw, SET_FIELDS, f"{where}: this is not something a set records.")
        exercise_id = _id(found, "sets", raw.get("exercise_id"), f"{where}: choose the exercise.")
        if exercise_id is None and not found:
            found.add("sets", f"{where}: choose the exercise.")
        elif exercise_id is not None and exercise_id not in known:  # (ids are checked in one query above)
            found.add("sets", f"{where}: that exercise is not in the library.")
        item = {
            "exercise_id": exercise_id,
            "prescription_id": _id(found, "sets", raw.get("prescription_id"), f"{where}: not a planned set."),
            "reps": parse_count(found, "sets", raw.get("reps"), REPS_MAX,
                                f"{where}: enter the reps as a whole number (up to {REPS_MAX})."),
            "load_kg": parse_decimal(found, "sets", raw.get("load_kg"), LOAD_MAX,
                                     f"{where}: enter the weight in kilos, such as 60 or 62.5."),
            "rpe": parse_decimal(found, "sets", raw.get("rpe"), Decimal(10),
                                 f"{where}: effort (RPE) is from 1 to 10, in halves such as 8.5."),
            "duration_seconds": parse_clock(found, "sets", raw.get("duration_seconds"),
                                            f"{where}: enter the time as minutes:seconds, such as 1:30."),
            "distance_m": parse_count(found, "sets", raw.get("distance_m"), 100_000,
                                      f"{where}: enter the distance in whole metres."),
        }
        rpe = item["rpe"]
        if rpe is not None and (rpe < 1 or rpe * 2 != int(rpe * 2)):
            found.add("sets", f"{where}: effort (RPE) is from 1 to 10, in halves such as 8.5.")
        if not found and all(item[k] is None for k in ("reps", "load_kg", "duration_seconds", "distance_m")):
            found.add("sets", f"{where}: enter the reps, the weight, a time or a distance.")
        for field, messages in found.items():
            for text_ in messages:
                errors.add(field, text_)
        cleaned.append(item)
    return cleaned


def _performed_on(errors: FieldErrors, value: Any, default: date) -> date | None:
    if value in (None, ""):
        return default
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.add("performed_on", "Enter the day you trained, such as 2026-01-07.")
            return None
    if not isinstance(value, date):
        errors.add("performed_on", "Enter the day you trained, such as 2026-01-07.")
        return None
    if value > require_tenant().today():
        errors.add("performed_on", "The day you trained can't be in the future.")
        return None
    return value


def _flag(errors: FieldErrors, field: str, value: Any) -> bool:
    if value in (None, "", False, "0", "off", "false"):
        return False
    if value in (True, "1", "on", "true", "y", "yes"):
        return True
    errors.add(field, "Must be yes or no.")
    return False


def clean_log(values: dict[str, Any], current: WorkoutLog | None = None) -> dict[str, Any]:
    """Check a log's fields (with `current`, only those given: a partial change); LogInvalid says what is wrong."""
    errors = FieldErrors()
    unknown_fields(errors, values, FIELDS if current is None else FIELDS[len(FIXED):])
    given = set(values) if current is not None else set(FIELDS)
    cleaned: dict[str, Any] = {}
    if current is None:
        cleaned["member_id"] = _id(errors, "member_id", values.get("member_id"), "Choose a member.")
        cleaned["workout_id"] = _id(errors, "workout_id", values.get("workout_id"), "Choose a workout.")
        cleaned["assignment_id"] = _id(errors, "assignment_id", values.get("assignment_id"), "Not a program.")
        cleaned["session_id"] = _id(errors, "session_id", values.get("session_id"), "Choose a class.")
        week = values.get("program_week")
        cleaned["program_week"] = None if week in (None, "") else parse_count(
            errors, "program_week", week, 52, "The program week is from 1 to 52.") or None
    if "performed_on" in given:
        cleaned["performed_on"] = _performed_on(errors, values.get("performed_on"), require_tenant().today())
    if "title" in given:
        cleaned["title"] = text(errors, "title", values.get("title"), TITLE_MAX, collapse=True)
    if "sets" in given:
        cleaned["sets"] = _sets(errors, values.get("sets"))
    if "result_time" in given:
        cleaned["result_seconds"] = parse_clock(errors, "result_time", values.get("result_time"),
                                                "Enter the time as minutes:seconds, such as 12:34.")
    if "result_rounds" in given:
        cleaned["result_rounds"] = parse_count(errors, "result_rounds", values.get("result_rounds"), ROUNDS_MAX,
                                               "Enter the rounds as a whole number.")
    if "result_reps" in given:
        cleaned["result_reps"] = parse_count(errors, "result_reps", values.get("result_reps"), 10_000,
                                             "Enter the reps as a whole number.")
    if "result_load_kg" in given:
        cleaned["result_load_kg"] = parse_decimal(errors, "result_load_kg", values.get("result_load_kg"), LOAD_MAX,
                                                  "Enter the weight in kilos, such as 60 or 62.5.")
    for flag in ("scaled", "on_leaderboard"):
        if flag in given:
            cleaned[flag] = _flag(errors, flag, values.get(flag))
    if "notes" in given:
        cleaned["notes"] = text(errors, "notes", values.get("notes"), NOTES_MAX)
    errors.raise_if_any(LogInvalid)
    return cleaned


# --- who and which class ------------------------------------------------------------------------

def _member(cleaned: dict[str, Any], actor: Principal) -> int:
    """Whose log: the actor's own; staff may name anyone of the studio."""
    member_id = cleaned.get("member_id") or actor.person_id
    if member_id is None:
        raise LogInvalid({"member_id": ["Choose whose training this is."]})
    if member_id != actor.person_id and not is_staff(actor, "create"):
        raise LogNotAllowed("You can only log your own training.")
    if db.session.get(User, member_id) is None:
        raise LogInvalid({"member_id": ["There is no such member."]})
    return member_id


def _check_session(session_id: int, member_id: int, actor: Principal) -> ClassSession:
    """The class, if the member was checked in to it (staff: booked in it); else LogNotAllowed."""
    session = db.session.get(ClassSession, session_id)
    if session is None:
        raise LogInvalid({"session_id": ["There is no such class."]})
    statuses = (BookingStatus.CHECKED_IN,) if member_id == actor.person_id and not is_staff(actor, "create") \
        else BookingStatus.HOLDS_SEAT
    booked = db.session.scalar(sa.select(Booking.id).where(
        Booking.session_id == session_id, Booking.member_id == member_id, Booking.status.in_(statuses)).limit(1))
    if booked is None:
        raise LogNotAllowed("Log a class once you are checked in to it." if statuses == (BookingStatus.CHECKED_IN,)
                            else "That member is not booked in this class.")
    return session


def _write_sets(log: WorkoutLog, sets: list[dict[str, Any]]) -> None:
    db.session.execute(sa.delete(LogSet).where(LogSet.log_id == log.id))
    prescriptions = set(db.session.scalars(sa.select(Prescription.id).where(
        Prescription.id.in_([s["prescription_id"] for s in sets if s["prescription_id"]] or [0]))))
    db.session.add_all([LogSet(log_id=log.id, position=n, **{**item, "prescription_id": item["prescription_id"]
                                                             if item["prescription_id"] in prescriptions else None})
                        for n, item in enumerate(sets, start=1)])
    db.session.flush()


def _set_exercises(log_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(LogSet.exercise_id).where(LogSet.log_id == log_id)))


def _saved(log: WorkoutLog, before: set[int], created: bool) -> Saved:
    """Recompute the member's records for the exercises touched; the log's own new records and their words."""
    after = _set_exercises(log.id)
    rows = records.recompute(log.member_id, before | after)
    set_ids = set(db.session.scalars(sa.select(LogSet.id).where(LogSet.log_id == log.id)))
    mine = records.of_log(rows, set_ids)
    return Saved(log, mine, created, records.message(mine))


# --- writing ------------------------------------------------------------------------------------

def log_training(values: dict[str, Any], actor: Principal) -> Saved:
    """Log a session: the actor's own, or (staff) anyone's. A class's log made again changes the first."""
    cleaned = clean_log(values)
    member_id = _member(cleaned, actor)
    workout = None
    if cleaned["workout_id"] is not None:
        workout = db.session.get(Workout, cleaned["workout_id"])
        if workout is None:
            raise LogInvalid({"workout_id": ["There is no such workout."]})
    if cleaned["assignment_id"] is not None:
        assignment = db.session.get(Assignment, cleaned["assignment_id"])
        if assignment is None or assignment.member_id != member_id:
            raise LogInvalid({"assignment_id": ["That program is not assigned to this member."]})
    session = None
    if cleaned["session_id"] is not None:
        session = _check_session(cleaned["session_id"], member_id, actor)
        if workout is None and (attached := class_workouts([session.id]).get(session.id)) is not None:
            workout = attached.workout
        if not values.get("performed_on"):
            cleaned["performed_on"] = require_tenant().local(session.starts_at).date()
        existing = db.session.scalar(sa.select(WorkoutLog).where(WorkoutLog.member_id == member_id,
                                                                 WorkoutLog.session_id == session.id))
        if existing is not None:  # one log per member and class: logging again changes it
            changes = {k: v for k, v in values.items() if k not in FIXED}
            return update_log(existing, changes, actor)
    title = cleaned["title"] or (workout.title if workout else session.class_type.name if session else "Training")
    log = WorkoutLog(member_id=member_id, workout_id=workout.id if workout else None,
                     assignment_id=cleaned["assignment_id"], program_week=cleaned["program_week"],
                     session_id=session.id if session else None, performed_on=cleaned["performed_on"], title=title,
                     result_seconds=cleaned["result_seconds"], result_rounds=cleaned["result_rounds"],
                     result_reps=cleaned["result_reps"], result_load_kg=cleaned["result_load_kg"],
                     scaled=cleaned["scaled"], notes=cleaned["notes"] or "", on_leaderboard=cleaned["on_leaderboard"],
                     logged_by_id=actor.person_id)
    db.session.add(log)
    db.session.flush()
    _write_sets(log, cleaned["sets"])
    return _saved(log, set(), True)


def _may_change(log: WorkoutLog, actor: Principal, action: str) -> None:
    if log.member_id != actor.person_id and not is_staff(actor, action):
        raise LogNotFound("There is no such training log.")  # another member's log is not there for them


def update_log(log: WorkoutLog, values: dict[str, Any], actor: Principal) -> Saved:
    """Change the fields given (sets given replace the log's sets); records are recomputed."""
    _may_change(log, actor, "update")
    cleaned = clean_log(values, current=log)
    before = _set_exercises(log.id)
    sets = cleaned.pop("sets", None)
    if "title" in cleaned and not cleaned["title"]:
        cleaned.pop("title")  # a log keeps a title
    for name, value in cleaned.items():
        setattr(log, name, value)
    db.session.flush()
    if sets is not None:
        _write_sets(log, sets)
    return _saved(log, before, False)


def delete_log(log: WorkoutLog, actor: Principal) -> None:
    """Remove a log and its sets; the records it set fall back to the best before them."""
    _may_change(log, actor, "delete")
    member_id, exercises = log.member_id, _set_exercises(log.id)
    db.session.execute(sa.delete(PersonalRecord).where(PersonalRecord.log_set_id.in_(
        sa.select(LogSet.id).where(LogSet.log_id == log.id))))
    db.session.delete(log)
    db.session.flush()
    records.recompute(member_id, exercises)
