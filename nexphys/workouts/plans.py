"""Reads shared by programs, classes and logs: a workout as one member should do it in a given week,
today's workout of an assignment, and the workouts attached to class sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import g

from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from nexphys.tenancy.cache import cached_tenant_value
from nexphys.workouts.models import (
    Assignment,
    ClassWorkout,
    Prescription,
    TrainingMax,
    Workout,
    WorkoutBlock,
)
from nexphys.workouts.progression import Target, target


@dataclass(frozen=True)
class PlannedItem:
    """One prescription and its target for the week."""

    prescription: Prescription
    target: Target


@dataclass(frozen=True)
class PlannedBlock:
    block: WorkoutBlock
    items: list[PlannedItem]


@dataclass(frozen=True)
class PlannedWorkout:
    """A workout with every target computed for one week and one member (their training maxes)."""

    workout: Workout
    week: int
    blocks: list[PlannedBlock]


def training_maxes(member_id: int | None, exercise_ids: set[int]) -> dict[int, Decimal]:
    """{exercise id: kg} of the member's training maxes for these exercises."""
    if member_id is None or not exercise_ids:
        return {}
    rows = db.session.execute(sa.select(TrainingMax.exercise_id, TrainingMax.kg).where(
        TrainingMax.member_id == member_id, TrainingMax.exercise_id.in_(exercise_ids)))
    return dict(rows.all())


def planned(workout: Workout, week: int = 1, member_id: int | None = None) -> PlannedWorkout:
    """The workout's targets in `week`, % loads resolved against `member_id`'s training maxes (if any)."""
    exercise_ids = {p.exercise_id for block in workout.blocks for p in block.prescriptions}
    maxes = training_maxes(member_id, exercise_ids)
    blocks = [PlannedBlock(block, [PlannedItem(p, target(p, week, maxes.get(p.exercise_id)))
                                   for p in block.prescriptions])
              for block in workout.blocks]
    return PlannedWorkout(workout, week, blocks)


@dataclass(frozen=True)
class ProgramDay:
    """Where an assignment stands on a day: its week, and the program's workout that day (None: rest)."""

    assignment: Assignment
    on: date
    week: int
    day_number: int
    workout: Workout | None

    @property
    def finished(self) -> bool:
        return self.week > self.assignment.program.weeks


def program_day(assignment: Assignment, on: date) -> ProgramDay | None:
    """The assignment's week and day on `on` (day 1 is the start's weekday); None before it starts or after
    it ended."""
    if on < assignment.starts_on or (assignment.ended_on is not None and on > assignment.ended_on):
        return None
    elapsed = (on - assignment.starts_on).days
    week, day_number = elapsed // 7 + 1, elapsed % 7 + 1
    workout = None
    if week <= assignment.program.weeks:
        workout = db.session.scalar(sa.select(Workout).where(Workout.program_id == assignment.program_id,
                                                             Workout.day_number == day_number))
    return ProgramDay(assignment, on, week, day_number, workout)


def current_assignments(member_id: int, on: date) -> list[Assignment]:
    """The member's assignments running on `on`, newest start first."""
    return list(db.session.scalars(
        sa.select(Assignment).where(Assignment.member_id == member_id, Assignment.starts_on <= on,
                                    sa.or_(Assignment.ended_on.is_(None), Assignment.ended_on >= on))
        .order_by(Assignment.starts_on.desc(), Assignment.id.desc())))


def class_workouts(session_ids: list[int]) -> dict[int, ClassWorkout]:
    """{session id: its class workout} in one query: the session's own, else its series'."""
    if not session_ids:
        return {}
    own = sa.orm.aliased(ClassWorkout)
    of_series = sa.orm.aliased(ClassWorkout)
    rows = db.session.execute(
        sa.select(ClassSession.id, own, of_series)
        .outerjoin(own, own.session_id == ClassSession.id)
        .outerjoin(of_series, sa.and_(of_series.series_id == ClassSession.series_id,
                                      ClassSession.series_id.is_not(None)))
        .where(ClassSession.id.in_(session_ids), sa.or_(own.id.is_not(None), of_series.id.is_not(None))))
    return {session_id: session_own or series for session_id, session_own, series in rows.all()}


def has_class_workouts() -> bool:
    """Whether any class of the studio carries a workout, kept in process (no query on most class pages and
    timetable views: most studios have none); attaching or taking one off forgets it (program_training)."""
    return cached_tenant_value("class-workouts:any", lambda: db.session.scalar(
        sa.select(sa.exists().where(ClassWorkout.id.is_not(None)))))


def class_workout(session_id: int) -> ClassWorkout | None:
    """One session's class workout for a page, read once per request however many parts of the page ask (the
    card, the workout, the results), and not at all in a studio with none."""
    if not has_class_workouts():
        return None
    seen = g.setdefault("class_workouts", {})
    if session_id not in seen:
        seen[session_id] = class_workouts([session_id]).get(session_id)
    return seen[session_id]


def forget_class_workouts() -> None:
    """Drop this request's reads of class workouts (one was attached or taken off)."""
    g.pop("class_workouts", None)
