"""Reads for programs' pages and API: the list with search and filters, the exercise picker, and a member's
training (today's workout of each running assignment, this week's days)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from nexphys.extensions import db
from nexphys.tenancy.binding import read_rows
from nexphys.workouts.models import Assignment, ClassWorkout, Exercise, Program, Workout
from nexphys.workouts.plans import (
    PlannedWorkout,
    ProgramDay,
    class_workout,
    current_assignments,
    has_class_workouts,
    planned,
    program_day,
)

SEARCH_MAX = 100
KINDS = {"": "Programs and templates", "programs": "Programs", "templates": "Templates"}


@dataclass(frozen=True)
class ProgramFilters:
    search: str = ""
    kind: str = ""  # "" | programs | templates
    archived: bool = False
    only_ids: frozenset[int] | None = None  # a member sees the programs assigned to them only

    @property
    def active(self) -> dict[str, str]:
        given = {"q": self.search, "kind": self.kind, "archived": "1" if self.archived else ""}
        return {name: value for name, value in given.items() if value}


def programs_statement(filters: ProgramFilters) -> sa.Select:
    query = sa.select(Program).where(Program.archived_at.is_not(None) if filters.archived
                                     else Program.archived_at.is_(None))
    if filters.search:
        query = query.where(Program.name.icontains(filters.search[:SEARCH_MAX], autoescape=True))
    if filters.kind == "programs":
        query = query.where(Program.is_template.is_(False))
    elif filters.kind == "templates":
        query = query.where(Program.is_template.is_(True))
    if filters.only_ids is not None:
        query = query.where(Program.id.in_(filters.only_ids or {0}))
    return query.order_by(sa.func.lower(Program.name), Program.id)


def search_programs(filters: ProgramFilters, page: int = 1, per_page: int = 20):
    return db.paginate(programs_statement(filters), page=page, per_page=per_page, error_out=False)


def assigned_program_ids(member_id: int) -> frozenset[int]:
    """The programs ever assigned to the member (what a member may read)."""
    return frozenset(db.session.scalars(sa.select(Assignment.program_id).where(Assignment.member_id == member_id)))


def day_counts(program_ids: list[int]) -> dict[int, int]:
    if not program_ids:
        return {}
    rows = db.session.execute(sa.select(Workout.program_id, sa.func.count()).where(Workout.program_id.in_(program_ids))
                              .group_by(Workout.program_id))
    return dict(rows.all())


def exercise_choices() -> list[tuple[int, str]]:
    """The library in use, (id, name) by name: the editor's exercise picker."""
    return list(db.session.execute(sa.select(Exercise.id, Exercise.name).where(Exercise.archived_at.is_(None))
                                   .order_by(sa.func.lower(Exercise.name))).all())


def exercise_by_name(name: str) -> int | None:
    """The id of the exercise with this name (any case), for a picker's typed name."""
    return db.session.scalar(sa.select(Exercise.id).where(sa.func.lower(Exercise.name) == name.strip().lower()))


def exercise_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Exercise.id, Exercise.name).where(Exercise.id.in_(ids))).all())


def used_in_classes(workout_ids: list[int]) -> set[int]:
    if not workout_ids:
        return set()
    return set(db.session.scalars(sa.select(ClassWorkout.workout_id).where(ClassWorkout.workout_id.in_(workout_ids))))


@dataclass
class TrainingToday:
    """One running assignment as its member sees it on a day."""

    day: ProgramDay
    plan: PlannedWorkout | None  # today's workout with targets; None: a rest day (or the program is over)
    next_day: ProgramDay | None  # the next day with a workout, on a rest day
    week_days: list[tuple[date, Workout | None]] = field(default_factory=list)  # this program week's 7 days


def training_on(member_id: int, on: date) -> list[TrainingToday]:
    """Today's workout (with computed targets) of each of the member's running assignments."""
    found: list[TrainingToday] = []
    for assignment in current_assignments(member_id, on):
        today = program_day(assignment, on)
        if today is None:
            continue
        days = {w.day_number: w for w in db.session.scalars(
            sa.select(Workout).where(Workout.program_id == assignment.program_id))}
        plan = planned(today.workout, today.week, member_id) if today.workout is not None else None
        next_day = None
        if plan is None and not today.finished:
            for ahead in range(1, 8):
                candidate = on + timedelta(days=ahead)
                number = (candidate - assignment.starts_on).days % 7 + 1
                week = (candidate - assignment.starts_on).days // 7 + 1
                if number in days and week <= assignment.program.weeks and (
                        assignment.ended_on is None or candidate <= assignment.ended_on):
                    next_day = ProgramDay(assignment, candidate, week, number, days[number])
                    break
        week_start = on - timedelta(days=today.day_number - 1)
        week_days = [(week_start + timedelta(days=n), days.get(n + 1)) for n in range(7)]
        found.append(TrainingToday(today, plan, next_day, week_days))
    return found


def class_plan(session_id: int, principal=None) -> PlannedWorkout | None:
    """The class's workout of the day with its targets (a signed-in member's % loads in kilograms)."""
    attached = class_workout(session_id)
    if attached is None:
        return None
    member_id = principal.person_id if principal is not None and principal.kind == "user" else None
    return planned(attached.workout, 1, member_id)


# The timetable's workouts of the day: a constant statement read with read_rows (W1's hot path: one round trip
# on a pooled connection, its SQL rendered once per schema), the ids passed as arrays.
_TIMETABLE_WORKOUTS = (
    sa.select(ClassWorkout.session_id, ClassWorkout.series_id, Workout.title)
    .join(Workout, Workout.id == ClassWorkout.workout_id)
    .where(sa.or_(ClassWorkout.session_id == sa.any_(sa.bindparam("sessions", type_=ARRAY(sa.Integer))),
                  ClassWorkout.series_id == sa.any_(sa.bindparam("series", type_=ARRAY(sa.Integer))))))


def timetable_workouts(slots: list) -> dict[int, str]:
    """{session id: its workout of the day's title} for the timetable's sessions (Slots, with their series), in
    one round trip that does not read the sessions again: the session's own workout, else its series'."""
    if not slots or not has_class_workouts():
        return {}
    series_ids = sorted({s.series_id for s in slots if s.series_id is not None})
    rows = read_rows(_TIMETABLE_WORKOUTS, {"sessions": [s.id for s in slots], "series": series_ids})
    if not rows:
        return {}
    own = {session_id: title for session_id, _series, title in rows if session_id is not None}
    of_series = {series_id: title for _session, series_id, title in rows if series_id is not None}
    found = {}
    for s in slots:
        title = own.get(s.id) or (of_series.get(s.series_id) if s.series_id is not None else None)
        if title:
            found[s.id] = title
    return found
