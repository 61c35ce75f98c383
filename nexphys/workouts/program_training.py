"""Training around programs: members' training maxes, assignments of programs to members, and class workouts
(a workout of the day on a session or a whole series). Rules only; functions flush, callers commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.classes.models import ClassSeries, ClassSession
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.tenancy.cache import forget_tenant_values_after_commit
from nexphys.validation import FieldErrors, day, text
from nexphys.web.access import Principal
from nexphys.workouts.errors import ProgramInvalid, ProgramNotFound
from nexphys.workouts.models import Assignment, ClassWorkout, Exercise, Program, TrainingMax, Workout
from nexphys.workouts.plans import forget_class_workouts
from nexphys.workouts.programs import _decimal

ASSIGNED, ENDED, MAX_SET, MAX_REMOVED = ("assignment.created", "assignment.ended", "training_max.set",
                                         "training_max.removed")
CLASS_ATTACHED, CLASS_DETACHED = "class_workout.attached", "class_workout.detached"
CLASS_LEADERBOARD = "class_workout.leaderboard"


def _member(member_id: Any) -> User:
    user = db.session.get(User, member_id) if isinstance(member_id, int) else None
    if user is None:
        raise ProgramNotFound("There is no such member.")
    return user


# --- training maxes ---------------------------------------------------------------------------------------

def member_maxes(member_id: int) -> list[TrainingMax]:
    """The member's training maxes, by exercise name."""
    return list(db.session.scalars(sa.select(TrainingMax).join(Exercise, Exercise.id == TrainingMax.exercise_id)
                                   .where(TrainingMax.member_id == member_id).order_by(sa.func.lower(Exercise.name))))


def set_training_max(member_id: int, exercise_id: Any, kg: Any, on: date, actor: Principal | None = None
                     ) -> TrainingMax | None:
    """Set (or, with no kilograms, remove) the member's training max for an exercise."""
    member = _member(member_id)
    errors = FieldErrors()
    exercise = db.session.get(Exercise, exercise_id) if isinstance(exercise_id, int) else None
    if exercise is None:
        errors.add("exercise_id", "Choose an exercise from the library.")
    value = _decimal(errors, "kg", kg, "Give the training max in kilograms, as a number.")
    if value is not None and not Decimal(0) < value <= Decimal(1000):
        errors.add("kg", "A training max must be more than 0 and at most 1000 kg.")
    errors.raise_if_any(ProgramInvalid)
    row = db.session.scalar(sa.select(TrainingMax).where(TrainingMax.member_id == member.id,
                                                         TrainingMax.exercise_id == exercise.id))
    if value is None:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
            _audit(MAX_REMOVED, actor, f"user:{member.id}", {"exercise": exercise.name})
        return None
    if row is None:
        row = TrainingMax(member_id=member.id, exercise_id=exercise.id, kg=value, set_on=on)
        db.session.add(row)
    else:
        row.kg, row.set_on = value, on
    db.session.flush()
    _audit(MAX_SET, actor, f"user:{member.id}", {"exercise": exercise.name, "kg": str(value)})
    return row


# --- assignments ------------------------------------------------------------------------------------------

def get_assignment(assignment_id: int) -> Assignment:
    found = db.session.get(Assignment, assignment_id)
    if found is None:
        raise ProgramNotFound("There is no such assignment.")
    return found


def member_assignments(member_id: int) -> list[Assignment]:
    """Every assignment of the member, the running and future ones first, then by start."""
    return list(db.session.scalars(sa.select(Assignment).where(Assignment.member_id == member_id)
                                   .order_by(Assignment.ended_on.is_not(None), Assignment.starts_on.desc(),
                                             Assignment.id.desc())))


def assign_program(program: Program, member_id: Any, starts_on: Any, actor: Principal | None = None,
                   notes: Any = "") -> Assignment:
    """Give the program to an active member from a day (week 1 starts then)."""
    errors = FieldErrors()
    member = db.session.get(User, member_id) if isinstance(member_id, int) else None
    if member is None or member.status != UserStatus.ACTIVE:
        errors.add("member_id", "Choose an active member.")
    start = day(errors, "starts_on", starts_on)
    cleaned_notes = text(errors, "notes", notes, 1000) or ""
    if program.archived_at is not None:
        errors.add("program_id", "This program is archived: copy it or bring it back before assigning it.")
    errors.raise_if_any(ProgramInvalid)
    assignment = Assignment(program_id=program.id, member_id=member.id, starts_on=start, notes=cleaned_notes,
                            assigned_by_id=actor.person_id if actor else None)
    db.session.add(assignment)
    db.session.flush()
    _audit(ASSIGNED, actor, f"program:{program.id}", {"member": member.id, "starts_on": start.isoformat()})
    return assignment


def end_assignment(assignment: Assignment, on: date, actor: Principal | None = None) -> bool:
    """Stop the assignment on `on` (or on its start, if it had not begun); whether it was running."""
    if assignment.ended_on is not None:
        return False
    assignment.ended_on = max(on, assignment.starts_on)
    db.session.flush()
    _audit(ENDED, actor, f"program:{assignment.program_id}", {"member": assignment.member_id})
    return True


# --- class workouts ---------------------------------------------------------------------------------------

def class_workout_of(session: ClassSession | None = None, series: ClassSeries | None = None) -> ClassWorkout | None:
    """The class workout attached right on this session, or on this series."""
    where = ClassWorkout.session_id == session.id if session is not None else ClassWorkout.series_id == series.id
    return db.session.scalar(sa.select(ClassWorkout).where(where))


def attach_class_workout(workout: Workout, session: ClassSession | None = None, series: ClassSeries | None = None,
                         actor: Principal | None = None) -> ClassWorkout:
    """The workout on this session only, or on every session of the series (replacing the one there)."""
    if workout.program_id is not None:
        raise ProgramInvalid({"workout_id": ["A program's day cannot be a class's workout: copy it instead."]})
    current = class_workout_of(session, series)
    if current is not None:
        if current.workout_id == workout.id:
            return current
        old = current.workout
        db.session.delete(current)
        db.session.flush()
        _drop_if_unused(old)
    attached = ClassWorkout(workout_id=workout.id, session_id=session.id if session else None,
                            series_id=series.id if series else None)
    db.session.add(attached)
    db.session.flush()
    forget_tenant_values_after_commit()  # the studio's "any class workouts?" (plans.has_class_workouts)
    forget_class_workouts()
    target = f"session:{session.id}" if session else f"series:{series.id}"
    _audit(CLASS_ATTACHED, actor, target, {"workout": workout.id, "title": workout.title})
    return attached


def detach_class_workout(session: ClassSession | None = None, series: ClassSeries | None = None,
                         actor: Principal | None = None) -> bool:
    """Take the workout off the session (or series); whether there was one. A workout left unused goes."""
    current = class_workout_of(session, series)
    if current is None:
        return False
    workout = current.workout
    db.session.delete(current)
    db.session.flush()
    forget_tenant_values_after_commit()
    forget_class_workouts()
    _drop_if_unused(workout)
    _audit(CLASS_DETACHED, actor, f"session:{session.id}" if session else f"series:{series.id}",
           {"title": workout.title})
    return True


def set_class_leaderboard(attached: ClassWorkout, on: bool, actor: Principal | None = None) -> None:
    """Whether the class shows a leaderboard of the results members choose to show."""
    if attached.leaderboard == on:
        return
    attached.leaderboard = on
    db.session.flush()
    target = f"session:{attached.session_id}" if attached.session_id else f"series:{attached.series_id}"
    _audit(CLASS_LEADERBOARD, actor, target, {"leaderboard": on})


def _drop_if_unused(workout: Workout) -> None:
    """A standalone workout no class uses any more is removed (logs keep their own title)."""
    used = db.session.scalar(sa.select(ClassWorkout.id).where(ClassWorkout.workout_id == workout.id).limit(1))
    if used is None and workout.program_id is None:
        db.session.delete(workout)
        db.session.flush()


def _audit(action: str, actor: Principal | None, target: str, details: dict) -> None:
    if actor is not None:
        record(action, actor.label, actor.person_id, target=target, details=details)
