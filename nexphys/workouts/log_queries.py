"""Reads of training logs for pages and the API: history, best lifts, one exercise's progress, and a class's
results ranked for its leaderboard. Nothing here changes data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.workouts.models import Exercise, LogSet, PersonalRecord, RecordKind, Scoring, WorkoutLog
from nexphys.workouts.records import MAX_REPS, epley

RECORD_REPS = (1, 2, 3, 5, 8, 10, 12)  # the columns of the records page (every N is kept; these are shown)


@dataclass(frozen=True)
class LogFilters:
    member_id: int | None = None
    on_or_after: date | None = None
    on_or_before: date | None = None
    exercise_id: int | None = None


def logs_statement(filters: LogFilters) -> sa.Select:
    """Logs newest first, filtered."""
    query = sa.select(WorkoutLog)
    if filters.member_id is not None:
        query = query.where(WorkoutLog.member_id == filters.member_id)
    if filters.on_or_after is not None:
        query = query.where(WorkoutLog.performed_on >= filters.on_or_after)
    if filters.on_or_before is not None:
        query = query.where(WorkoutLog.performed_on <= filters.on_or_before)
    if filters.exercise_id is not None:
        query = query.where(WorkoutLog.id.in_(sa.select(LogSet.log_id).where(
            LogSet.exercise_id == filters.exercise_id)))
    return query.order_by(WorkoutLog.performed_on.desc(), WorkoutLog.id.desc())


def search_logs(filters: LogFilters, page: int = 1, per_page: int = 20):
    """One page of logs (a Flask-SQLAlchemy pagination)."""
    return db.paginate(logs_statement(filters), page=page, per_page=per_page, error_out=False)


def sets_of(log_ids: list[int]) -> dict[int, list[LogSet]]:
    """{log id: its sets in order} in one query."""
    found: dict[int, list[LogSet]] = defaultdict(list)
    if log_ids:
        for item in db.session.scalars(sa.select(LogSet).where(LogSet.log_id.in_(log_ids))
                                       .order_by(LogSet.log_id, LogSet.position)):
            found[item.log_id].append(item)
    return found


def records_of_logs(log_ids: list[int]) -> dict[int, int]:
    """{log id: how many records its sets hold now}."""
    if not log_ids:
        return {}
    return dict(db.session.execute(
        sa.select(LogSet.log_id, sa.func.count(PersonalRecord.id)).join(PersonalRecord,
                                                                         PersonalRecord.log_set_id == LogSet.id)
        .where(LogSet.log_id.in_(log_ids)).group_by(LogSet.log_id)).all())


def member_name(member_id: int) -> str:
    return db.session.scalar(sa.select(User.full_name).where(User.id == member_id)) or ""


@dataclass(frozen=True)
class Best:
    value_kg: Decimal
    achieved_on: date
    log_id: int | None


@dataclass(frozen=True)
class ExerciseBests:
    """A member's current bests for one exercise: at N reps and the estimated 1RM."""

    exercise_id: int
    name: str
    at_reps: dict[int, Best]
    e1rm: Best | None


def current_records(member_id: int) -> list[PersonalRecord]:
    """The member's standing records (the newest row of each exercise, kind and reps)."""
    order = sa.func.row_number().over(partition_by=(PersonalRecord.exercise_id, PersonalRecord.kind,
                                                    PersonalRecord.reps),
                                      order_by=(PersonalRecord.value_kg.desc(), PersonalRecord.id.desc()))
    ranked = sa.select(PersonalRecord.id, order.label("n")).where(PersonalRecord.member_id == member_id).subquery()
    newest = sa.select(ranked.c.id).where(ranked.c.n == 1)
    return list(db.session.scalars(sa.select(PersonalRecord).where(PersonalRecord.id.in_(newest))
                                   .order_by(PersonalRecord.exercise_id, PersonalRecord.kind,
                                             PersonalRecord.reps)))


def bests(member_id: int) -> list[ExerciseBests]:
    """The member's bests per exercise, by exercise name."""
    rows = current_records(member_id)
    log_of = dict(db.session.execute(sa.select(LogSet.id, LogSet.log_id).where(
        LogSet.id.in_({r.log_set_id for r in rows if r.log_set_id} or {0}))).all())
    names = dict(db.session.execute(sa.select(Exercise.id, Exercise.name).where(
        Exercise.id.in_({r.exercise_id for r in rows} or {0}))).all())
    by_exercise: dict[int, dict] = {}
    for r in rows:
        entry = by_exercise.setdefault(r.exercise_id, {"at_reps": {}, "e1rm": None})
        best = Best(r.value_kg, r.achieved_on, log_of.get(r.log_set_id))
        if r.kind == RecordKind.E1RM:
            entry["e1rm"] = best
        else:
            entry["at_reps"][r.reps] = best
    found = [ExerciseBests(exercise_id, names[exercise_id], entry["at_reps"], entry["e1rm"])
             for exercise_id, entry in by_exercise.items()]
    return sorted(found, key=lambda b: b.name.lower())


@dataclass(frozen=True)
class Day:
    """One day of an exercise's progress: the heaviest set, the best estimated 1RM, and whether a record fell."""

    on: date
    heaviest_kg: Decimal | None
    heaviest_reps: int | None
    e1rm_kg: Decimal | None
    record: bool


def progress(member_id: int, exercise_id: int) -> list[Day]:
    """The member's days with this exercise, oldest first."""
    rows = db.session.execute(
        sa.select(WorkoutLog.performed_on, LogSet.reps, LogSet.load_kg)
        .join(WorkoutLog, WorkoutLog.id == LogSet.log_id)
        .where(WorkoutLog.member_id == member_id, LogSet.exercise_id == exercise_id, LogSet.load_kg > 0)
        .order_by(WorkoutLog.performed_on)).all()
    record_days = set(db.session.scalars(sa.select(PersonalRecord.achieved_on).where(
        PersonalRecord.member_id == member_id, PersonalRecord.exercise_id == exercise_id)))
    days: dict[date, dict] = {}
    for on, reps, load in rows:
        day = days.setdefault(on, {"heaviest": None, "reps": None, "e1rm": None})
        if day["heaviest"] is None or load > day["heaviest"]:
            day["heaviest"], day["reps"] = load, reps
        if reps and 1 <= reps <= MAX_REPS:
            estimate = epley(load, reps)
            day["e1rm"] = max(day["e1rm"] or estimate, estimate)
    return [Day(on, d["heaviest"], d["reps"], d["e1rm"], on in record_days) for on, d in days.items()]


def logged_exercises(member_id: int) -> list[tuple[int, str]]:
    """(id, name) of the exercises the member has logged, by name."""
    return list(db.session.execute(
        sa.select(Exercise.id, Exercise.name).where(Exercise.id.in_(
            sa.select(LogSet.exercise_id).join(WorkoutLog, WorkoutLog.id == LogSet.log_id)
            .where(WorkoutLog.member_id == member_id))).order_by(sa.func.lower(Exercise.name))).all())


# --- a class's results --------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    rank: int
    log: WorkoutLog
    name: str
    mine: bool


def short_name(full_name: str) -> str:
    """First name and last initial: "Ada L."."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    return f"{parts[0]} {parts[-1][0]}."


def has_result(log: WorkoutLog, scoring: str) -> bool:
    return {Scoring.TIME: log.result_seconds is not None,
            Scoring.ROUNDS_REPS: log.result_rounds is not None or log.result_reps is not None,
            Scoring.LOAD: log.result_load_kg is not None,
            Scoring.REPS: log.result_reps is not None}.get(scoring, False)


def rank_key(log: WorkoutLog, scoring: str) -> tuple:
    """As prescribed before scaled; then time ascending, or rounds then reps, load or reps descending."""
    if scoring == Scoring.TIME:
        score: tuple = (log.result_seconds,)
    elif scoring == Scoring.ROUNDS_REPS:
        score = (-(log.result_rounds or 0), -(log.result_reps or 0))
    elif scoring == Scoring.LOAD:
        score = (-(log.result_load_kg or 0),)
    else:
        score = (-(log.result_reps or 0),)
    return (log.scaled, *score, log.id)


def class_results(session_id: int, scoring: str, everyone: bool, viewer_id: int | None) -> list[Result]:
    """A class's logged results, ranked: those who opted in (staff, `everyone`: all of them)."""
    query = sa.select(WorkoutLog, User.full_name).join(User, User.id == WorkoutLog.member_id) \
        .where(WorkoutLog.session_id == session_id)
    if not everyone:
        query = query.where(WorkoutLog.on_leaderboard.is_(True))
    rows = [(log, name) for log, name in db.session.execute(query).all() if has_result(log, scoring)]
    rows.sort(key=lambda row: rank_key(row[0], scoring))
    return [Result(n, log, name if everyone else short_name(name), log.member_id == viewer_id)
            for n, (log, name) in enumerate(rows, start=1)]
