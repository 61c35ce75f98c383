"""Training logs API: logs (a member's own; staff everyone's), personal records, and a class's leaderboard.

The same services as the log pages (nexphys.workouts.logs); refusals are problem+json (404 for another
member's log, 403 for logging for someone else, 422 with plain-word field messages).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, url_for

from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from nexphys.web.access import Principal, require_principal, requires
from nexphys.web.schemas import Items, Page, api, no_content, respond
from nexphys.workouts import log_queries, logs
from nexphys.workouts.log_schemas import (
    Leaderboard,
    LogChanges,
    LogsQuery,
    NewLog,
    Record,
    RecordsQuery,
    WorkoutLog,
)
from nexphys.workouts.models import Exercise, LogSet, PersonalRecord
from nexphys.workouts.models import WorkoutLog as LogRow
from nexphys.workouts.plans import class_workouts

bp = Blueprint("training_logs_api", __name__, url_prefix="/api/v1")


def _number(value) -> float | None:
    return None if value is None else float(value)


def record_json(record: PersonalRecord, names: dict[int, str], log_of: dict[int, int]) -> dict:
    """A personal record as JSON."""
    return {"id": record.id, "member_id": record.member_id, "exercise_id": record.exercise_id,
            "exercise_name": names.get(record.exercise_id, ""), "kind": record.kind, "reps": record.reps,
            "value_kg": float(record.value_kg), "previous_kg": _number(record.previous_kg),
            "achieved_on": record.achieved_on.isoformat(), "log_id": log_of.get(record.log_set_id)}


def records_json(records: list[PersonalRecord]) -> list[dict]:
    """Records as JSON, their exercises' names and logs read in two queries."""
    names = dict(db.session.execute(sa.select(Exercise.id, Exercise.name).where(
        Exercise.id.in_({r.exercise_id for r in records} or {0}))).all())
    log_of = dict(db.session.execute(sa.select(LogSet.id, LogSet.log_id).where(
        LogSet.id.in_({r.log_set_id for r in records} or {0}))).all())
    return [record_json(r, names, log_of) for r in records]


def log_json(log: LogRow, sets: list[LogSet], saved: logs.Saved | None = None) -> dict:
    """A log as JSON (with the records a save set, when given)."""
    data = {"id": log.id, "member_id": log.member_id, "member_name": log_queries.member_name(log.member_id),
            "workout_id": log.workout_id, "assignment_id": log.assignment_id, "program_week": log.program_week,
            "session_id": log.session_id, "performed_on": log.performed_on.isoformat(), "title": log.title,
            "result_seconds": log.result_seconds, "result_time": logs.clock(log.result_seconds) or None,
            "result_rounds": log.result_rounds, "result_reps": log.result_reps,
            "result_load_kg": _number(log.result_load_kg), "scaled": log.scaled, "notes": log.notes,
            "on_leaderboard": log.on_leaderboard, "logged_by_id": log.logged_by_id,
            "sets": [{"id": s.id, "position": s.position, "exercise_id": s.exercise_id,
                      "exercise_name": s.exercise.name, "prescription_id": s.prescription_id, "reps": s.reps,
                      "load_kg": _number(s.load_kg), "rpe": _number(s.rpe), "duration_seconds": s.duration_seconds,
                      "distance_m": s.distance_m} for s in sets],
            "created_at": log.created_at.isoformat(), "updated_at": log.updated_at.isoformat()}
    if saved is not None:
        data["records"] = records_json(saved.records)
        data["new_records_message"] = saved.message or None
    return data


def _whose(principal: Principal, member_id: int | None) -> int | None:
    """The member whose data is asked for: staff any (None: everyone), members only themselves."""
    if logs.is_staff(principal):
        return member_id
    if principal.person_id is None:
        abort(403, description="Training logs belong to people: sign in as one.")
    return principal.person_id


@bp.get("/workout-logs")
@requires("workouts", "read")
@api(query=LogsQuery, responses={200: Page[WorkoutLog]}, problems=(400, 422))
def list_logs(query: LogsQuery):
    """Training logs, newest first: a member's own; staff everyone's (?member_id=&from=&to=&exercise_id=)."""
    filters = log_queries.LogFilters(_whose(require_principal(), query.member_id), query.from_, query.to,
                                     query.exercise_id)
    found = log_queries.search_logs(filters, query.page, query.per_page)
    sets = log_queries.sets_of([log.id for log in found.items])
    return respond(Page[WorkoutLog], Page.of(found, [log_json(log, sets.get(log.id, [])) for log in found.items]))


@bp.post("/workout-logs")
@requires("workouts", "create")
@api(body=NewLog, responses={201: WorkoutLog, 200: WorkoutLog}, problems=(403, 422), check=logs.clean_log)
def create_log(body: NewLog):
    """Log training {sets, result_*, notes, …}; a class's again changes its log (200). Answers the records set."""
    saved = logs.log_training(body.values(), require_principal())
    db.session.commit()
    return respond(WorkoutLog, log_json(saved.log, logs.log_sets(saved.log.id), saved), 201 if saved.created else 200,
                   url_for("training_logs_api.get_log", id=saved.log.id))


@bp.get("/workout-logs/<int:id>")
@requires("workouts", "read")
@api(responses={200: WorkoutLog}, problems=(404,))
def get_log(id: int):
    """One training log (another member's is 404 to a member)."""
    log = logs.get_log(id, require_principal())
    return respond(WorkoutLog, log_json(log, logs.log_sets(log.id)))


@bp.patch("/workout-logs/<int:id>")
@requires("workouts", "update")
@api(body=LogChanges, responses={200: WorkoutLog}, problems=(404, 422))
def update_log(id: int, body: LogChanges):
    """Change a log's fields (only those sent; `sets` replace its sets); records are recomputed."""
    principal = require_principal()
    saved = logs.update_log(logs.get_log(id, principal), body.values(), principal)
    db.session.commit()
    return respond(WorkoutLog, log_json(saved.log, logs.log_sets(saved.log.id), saved))


@bp.delete("/workout-logs/<int:id>")
@requires("workouts", "delete")
@api(responses={204: None}, problems=(404,))
def delete_log(id: int):
    """Remove a log; the records it set fall back to the best before them."""
    principal = require_principal()
    logs.delete_log(logs.get_log(id, principal), principal)
    db.session.commit()
    return no_content()


@bp.get("/records")
@requires("workouts", "read")
@api(query=RecordsQuery, responses={200: Items[Record]}, problems=(403,))
def list_records(query: RecordsQuery):
    """A member's standing personal records (the caller's; staff ?member_id=)."""
    principal = require_principal()
    member_id = _whose(principal, query.member_id) or principal.person_id
    if member_id is None:
        abort(422, description="Say whose records: ?member_id=.")
    found = log_queries.current_records(member_id)
    return respond(Items[Record], {"items": records_json(found), "total": len(found)})


@bp.get("/classes/<int:id>/leaderboard")
@requires("workouts", "read")
@api(responses={200: Leaderboard}, problems=(404,))
def leaderboard(id: int):
    """A class workout's ranked results: those who opted in (staff: everyone's, full names)."""
    if db.session.get(ClassSession, id) is None:
        abort(404, description="There is no such class.")
    attached = class_workouts([id]).get(id)
    if attached is None:
        abort(404, description="This class has no workout.")
    principal = require_principal()
    staff = logs.is_staff(principal)
    results = log_queries.class_results(id, attached.workout.scoring, staff, principal.person_id) \
        if staff or attached.leaderboard else []
    items = [{"rank": r.rank, "name": r.name, "member_id": r.log.member_id if staff else None,
              "result_seconds": r.log.result_seconds, "result_time": logs.clock(r.log.result_seconds) or None,
              "result_rounds": r.log.result_rounds, "result_reps": r.log.result_reps,
              "result_load_kg": _number(r.log.result_load_kg), "scaled": r.log.scaled, "mine": r.mine}
             for r in results]
    return respond(Leaderboard, {"session_id": id, "workout_id": attached.workout_id,
                                 "title": attached.workout.title, "scoring": attached.workout.scoring,
                                 "leaderboard": attached.leaderboard, "items": items})
