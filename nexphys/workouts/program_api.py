"""Programs API: programs with their days → blocks → prescriptions (and ?week=N's computed targets), a day's
whole structure, assignments, members' training maxes and classes' workouts of the day.

The same services as the pages. Members read the programs assigned to them, their own assignments and
training maxes, and any class's workout; staff (workouts:update) read and change everything.
"""

from __future__ import annotations

from flask import Blueprint, url_for

from nexphys.classes.models import ClassSeries, ClassSession
from nexphys.extensions import db
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import Principal, require_principal, requires
from nexphys.web.schemas import Items, Page, api, no_content, respond
from nexphys.workouts import program_queries as queries
from nexphys.workouts import program_training as training
from nexphys.workouts import programs as services
from nexphys.workouts.errors import ProgramNotFound
from nexphys.workouts.models import Assignment as AssignmentRow
from nexphys.workouts.models import ClassWorkout as ClassWorkoutRow
from nexphys.workouts.models import Exercise
from nexphys.workouts.models import Program as ProgramRow
from nexphys.workouts.models import Workout as WorkoutRow
from nexphys.workouts.plans import class_workouts, planned
from nexphys.workouts.program_schemas import (
    Assignment,
    AssignmentChanges,
    AssignmentsQuery,
    ClassWorkout,
    ClassWorkoutBody,
    DayBody,
    NewAssignment,
    NewProgram,
    Program,
    ProgramChanges,
    ProgramCopy,
    ProgramsQuery,
    ProgramSummary,
    TrainingMax,
    TrainingMaxesBody,
    WeekQuery,
    Workout,
)
from nexphys.workouts.program_words import target_text

bp = Blueprint("programs_api", __name__, url_prefix="/api/v1")


def _staff(principal: Principal) -> bool:
    return principal.scope("workouts", "update") == "all"


def _num(value) -> float | None:
    return float(value) if value is not None else None


def workout_json(workout: WorkoutRow, week: int | None = None, member_id: int | None = None) -> dict:
    """A workout with its blocks and prescriptions (and, with a week, each one's target)."""
    targets = {}
    if week is not None:
        plan = planned(workout, week, member_id)
        targets = {item.prescription.id: item.target for block in plan.blocks for item in block.items}
    blocks = []
    for block in workout.blocks:
        items = []
        for p in block.prescriptions:
            item = {"id": p.id, "position": p.position, "exercise_id": p.exercise_id, "exercise_name": p.exercise.name,
                    **{name: getattr(p, name) for name in ("set_type", "sets", "reps", "duration_seconds",
                                                           "distance_m", "load_kind", "rest_seconds", "tempo",
                                                           "notes", "progression", "reps_ceiling",
                                                           "deload_every_weeks")},
                    "load_value": _num(p.load_value), "progression_amount": _num(p.progression_amount),
                    "deload_percent": _num(p.deload_percent)}
            if p.id in targets:
                t = targets[p.id]
                item["target"] = {"week": t.week, "sets": t.sets, "reps": t.reps,
                                  "duration_seconds": t.duration_seconds, "distance_m": t.distance_m,
                                  "load_kg": _num(t.load_kg), "percent": _num(t.percent),
                                  "effort": _num(t.effort), "deload": t.deload, "text": target_text(t)}
            items.append(item)
        blocks.append({"id": block.id, "position": block.position, "prescriptions": items,
                       **{name: getattr(block, name) for name in ("kind", "title", "rounds", "time_cap_seconds",
                                                                  "interval_seconds", "rest_seconds", "notes")}})
    return {"id": workout.id, "program_id": workout.program_id, "day_number": workout.day_number,
            "title": workout.title, "notes": workout.notes, "scoring": workout.scoring, "blocks": blocks}


def summary_json(program: ProgramRow) -> dict:
    return {"id": program.id, "name": program.name, "description": program.description, "weeks": program.weeks,
            "is_template": program.is_template, "copied_from_id": program.copied_from_id,
            "archived": program.archived_at is not None, "created_at": program.created_at.isoformat(),
            "updated_at": program.updated_at.isoformat()}


def program_json(program: ProgramRow, week: int | None = None, member_id: int | None = None) -> dict:
    week = min(week, program.weeks) if week else None
    return {**summary_json(program), "week": week,
            "days": [workout_json(day, week, member_id) for day in services.program_days(program)]}


def _readable(program_id: int) -> ProgramRow:
    """The program, if the caller may read it (a member: only one assigned to them)."""
    program = services.get_program(program_id)
    principal = require_principal()
    if not _staff(principal) and program.id not in queries.assigned_program_ids(principal.person_id or 0):
        raise ProgramNotFound("There is no such program.")
    return program


@bp.get("/workouts")
@requires("workouts", "read")
@api(query=ProgramsQuery, responses={200: Page[ProgramSummary]}, problems=(400, 422))
def list_programs(query: ProgramsQuery):
    """Programs and templates by name (?q=&kind=programs|templates&archived=&page=&per_page=)."""
    principal = require_principal()
    staff = _staff(principal)
    filters = queries.ProgramFilters(query.q or "", query.kind if query.kind in ("programs", "templates") else "",
                                     query.archived and staff,
                                     None if staff else queries.assigned_program_ids(principal.person_id or 0))
    found = queries.search_programs(filters, query.page, query.per_page)
    return respond(Page[ProgramSummary], Page.of(found, [summary_json(p) for p in found.items]))


@bp.post("/workouts")
@requires("workouts", "create", own=False)
@api(body=NewProgram, responses={201: Program}, problems=(422,), check=services.clean_program)
def create_program(body: NewProgram):
    """Start a program {name, description?, weeks (1-52), is_template?}; add its days with PUT …/days/{day}."""
    program = services.create_program(body.model_dump(), require_principal())
    db.session.commit()
    return respond(Program, program_json(program), 201, url_for("programs_api.get_program", id=program.id))


@bp.get("/workouts/<int:id>")
@requires("workouts", "read")
@api(query=WeekQuery, responses={200: Program}, problems=(404,))
def get_program(id: int, query: WeekQuery):
    """A program with its days → blocks → prescriptions; ?week=N adds each one's computed target (a member's
    % loads in kilograms, from their training maxes)."""
    program = _readable(id)
    principal = require_principal()
    member_id = None if _staff(principal) else principal.person_id
    return respond(Program, program_json(program, query.week, member_id))


@bp.patch("/workouts/<int:id>")
@requires("workouts", "update", own=False)
@api(body=ProgramChanges, responses={200: Program}, problems=(404, 422))
def update_program(id: int, body: ProgramChanges):
    """Change a program's name, description, weeks or template flag; "archived": true archives it."""
    program = services.get_program(id)
    values = body.values()
    archived = values.pop("archived", None)
    services.update_program(program, values, require_principal())
    if archived:
        services.archive_program(program, require_principal())
    db.session.commit()
    return respond(Program, program_json(program))


@bp.delete("/workouts/<int:id>")
@requires("workouts", "delete", own=False)
@api(responses={200: Program}, problems=(404,))
def delete_program(id: int):
    """Archive a program (assignments on it carry on; again is harmless)."""
    program = services.get_program(id)
    services.archive_program(program, require_principal())
    db.session.commit()
    return respond(Program, program_json(program))


@bp.post("/workouts/<int:id>/copy")
@requires("workouts", "create", own=False)
@api(body=ProgramCopy, body_optional=True, responses={201: Program}, problems=(404, 422))
def copy_program(id: int, body: ProgramCopy):
    """A new program copied from this one (days, blocks and prescriptions), e.g. from a template."""
    copy = services.copy_program(services.get_program(id), require_principal(), (body.name or "").strip() or None)
    db.session.commit()
    return respond(Program, program_json(copy), 201, url_for("programs_api.get_program", id=copy.id))


@bp.put("/workouts/<int:id>/days/<int:day>")
@requires("workouts", "update", own=False)
@api(body=DayBody, responses={200: Workout}, problems=(404, 422))
def put_day(id: int, day: int, body: DayBody):
    """Day `day` (1-7) of the program, whole: its title, scoring and blocks with their prescriptions."""
    program, day_number, data = services.get_program(id), day, body.model_dump(exclude_unset=True)
    workout = db.session.scalar(db.select(WorkoutRow).where(WorkoutRow.program_id == program.id,
                                                            WorkoutRow.day_number == day_number))
    fields = {"title": data.get("title"), "scoring": data.get("scoring"), "notes": data.get("notes"),
              "day_number": day_number}
    actor = require_principal()
    if workout is None:
        workout = services.add_workout(fields, program, actor)
    else:
        services.update_workout(workout, fields, actor)
    services.replace_blocks(workout, data.get("blocks") or [], actor)
    db.session.commit()
    return respond(Workout, workout_json(workout))


@bp.delete("/workouts/<int:id>/days/<int:day>")
@requires("workouts", "update", own=False)
@api(responses={204: None}, problems=(404,))
def delete_day(id: int, day: int):
    """Remove a day of the program (204; a day that is not there is a 404)."""
    program = services.get_program(id)
    workout = db.session.scalar(db.select(WorkoutRow).where(WorkoutRow.program_id == program.id,
                                                            WorkoutRow.day_number == day))
    if workout is None:
        raise ProgramNotFound("The program has no such day.")
    services.remove_workout(workout, require_principal())
    db.session.commit()
    return no_content()


# --- assignments ------------------------------------------------------------------------------------------

def assignment_json(row: AssignmentRow) -> dict:
    return {"id": row.id, "program_id": row.program_id, "program_name": row.program.name, "member_id": row.member_id,
            "member_name": row.member.full_name, "starts_on": row.starts_on.isoformat(),
            "ended_on": row.ended_on.isoformat() if row.ended_on else None, "notes": row.notes,
            "ended": row.ended_on is not None and row.ended_on <= require_tenant().today()}


@bp.get("/assignments")
@requires("workouts", "read")
@api(query=AssignmentsQuery, responses={200: Page[Assignment]}, problems=(400, 422))
def list_assignments(query: AssignmentsQuery):
    """Programs given to members (?member_id=&program_id=&current=); a member sees their own only."""
    principal = require_principal()
    statement = db.select(AssignmentRow).order_by(AssignmentRow.starts_on.desc(), AssignmentRow.id.desc())
    member_id = query.member_id if _staff(principal) else (principal.person_id or 0)
    if member_id is not None:
        statement = statement.where(AssignmentRow.member_id == member_id)
    if query.program_id is not None:
        statement = statement.where(AssignmentRow.program_id == query.program_id)
    if query.current:
        statement = statement.where(AssignmentRow.ended_on.is_(None))
    found = db.paginate(statement, page=query.page, per_page=query.per_page, error_out=False)
    return respond(Page[Assignment], Page.of(found, [assignment_json(a) for a in found.items]))


@bp.post("/assignments")
@requires("workouts", "update", own=False)
@api(body=NewAssignment, responses={201: Assignment}, problems=(404, 422))
def create_assignment(body: NewAssignment):
    """Give a program to a member {program_id, member_id, starts_on, notes?}: week 1 starts that day."""
    program = services.get_program(body.program_id)
    row = training.assign_program(program, body.member_id, body.starts_on, require_principal(), body.notes or "")
    db.session.commit()
    return respond(Assignment, assignment_json(row), 201)


@bp.patch("/assignments/<int:id>")
@requires("workouts", "update", own=False)
@api(body=AssignmentChanges, responses={200: Assignment}, problems=(404, 422))
def update_assignment(id: int, body: AssignmentChanges):
    """{"ended": true} ends the assignment today (again is harmless)."""
    row = training.get_assignment(id)
    if body.ended:
        training.end_assignment(row, require_tenant().today(), require_principal())
    db.session.commit()
    return respond(Assignment, assignment_json(row))


# --- training maxes ---------------------------------------------------------------------------------------

def _maxes(member_id: int) -> dict:
    rows = training.member_maxes(member_id)
    return {"items": [{"exercise_id": r.exercise_id, "exercise_name": db.session.get(Exercise, r.exercise_id).name,
                       "kg": float(r.kg), "set_on": r.set_on.isoformat()} for r in rows], "total": len(rows)}


@bp.get("/members/<int:id>/training-maxes")
@requires("workouts", "read")
@api(responses={200: Items[TrainingMax]}, problems=(404,))
def get_training_maxes(id: int):
    """A member's training maxes (a member: their own only)."""
    principal = require_principal()
    if not _staff(principal) and principal.person_id != id:
        raise ProgramNotFound("There is no such member.")
    training._member(id)
    return respond(Items[TrainingMax], _maxes(id))


@bp.put("/members/<int:id>/training-maxes")
@requires("workouts", "update", own=False)
@api(body=TrainingMaxesBody, responses={200: Items[TrainingMax]}, problems=(404, 422))
def put_training_maxes(id: int, body: TrainingMaxesBody):
    """Set training maxes {items: [{exercise_id, kg}]} (kg null removes one); answers them all."""
    today = require_tenant().today()
    for item in body.items:
        training.set_training_max(id, item.exercise_id, item.kg, today, require_principal())
    db.session.commit()
    return respond(Items[TrainingMax], _maxes(id))


# --- class workouts ---------------------------------------------------------------------------------------

def _class_json(row: ClassWorkoutRow) -> dict:
    return {"attached_to": "session" if row.session_id else "series", "session_id": row.session_id,
            "series_id": row.series_id, "leaderboard": row.leaderboard, "workout": workout_json(row.workout)}


def _target(kind: str, id: int) -> tuple[ClassSession | None, ClassSeries | None]:
    row = db.session.get(ClassSession if kind == "session" else ClassSeries, id)
    if row is None:
        raise ProgramNotFound("There is no such class." if kind == "session" else "There is no such series.")
    return (row, None) if kind == "session" else (None, row)


def _get_class_workout(kind: str, id: int):
    session, series = _target(kind, id)
    found = queries_class_workout(session.id) if session is not None else training.class_workout_of(series=series)
    if found is None:
        raise ProgramNotFound("This class has no workout.")
    return respond(ClassWorkout, _class_json(found))


def queries_class_workout(session_id: int) -> ClassWorkoutRow | None:
    return class_workouts([session_id]).get(session_id)


def _put_class_workout(kind: str, id: int, body: ClassWorkoutBody):
    session, series = _target(kind, id)
    data = body.model_dump(exclude_unset=True)
    actor = require_principal()
    current = training.class_workout_of(session, series)
    fields = {"title": data.get("title"), "scoring": data.get("scoring"), "notes": data.get("notes")}
    if current is None:
        workout = services.add_workout(fields, None, actor)
        services.replace_blocks(workout, data.get("blocks") or [], actor)
        current = training.attach_class_workout(workout, session, series, actor)
    else:
        services.update_workout(current.workout, fields, actor)
        services.replace_blocks(current.workout, data.get("blocks") or [], actor)
    if data.get("leaderboard") is not None:
        training.set_class_leaderboard(current, data["leaderboard"], actor)
    db.session.commit()
    return respond(ClassWorkout, _class_json(current))


def _delete_class_workout(kind: str, id: int):
    session, series = _target(kind, id)
    if not training.detach_class_workout(session, series, require_principal()):
        raise ProgramNotFound("This class has no workout of its own.")
    db.session.commit()
    return no_content()


@bp.get("/classes/<int:id>/workout")
@requires("workouts", "read")
@api(responses={200: ClassWorkout}, problems=(404,))
def get_session_workout(id: int):
    """The class's workout of the day: its own, else its series'."""
    return _get_class_workout("session", id)


@bp.put("/classes/<int:id>/workout")
@requires("workouts", "update", own=False)
@api(body=ClassWorkoutBody, responses={200: ClassWorkout}, problems=(404, 422))
def put_session_workout(id: int, body: ClassWorkoutBody):
    """This class only: its workout of the day, whole {title, scoring?, notes?, blocks}."""
    return _put_class_workout("session", id, body)


@bp.delete("/classes/<int:id>/workout")
@requires("workouts", "update", own=False)
@api(responses={204: None}, problems=(404,))
def delete_session_workout(id: int):
    """Take this class's own workout off (its series' workout, if any, shows again)."""
    return _delete_class_workout("session", id)


@bp.get("/class-series/<int:id>/workout")
@requires("workouts", "read")
@api(responses={200: ClassWorkout}, problems=(404,))
def get_series_workout(id: int):
    """The workout every class of the series carries (unless a class has its own)."""
    return _get_class_workout("series", id)


@bp.put("/class-series/<int:id>/workout")
@requires("workouts", "update", own=False)
@api(body=ClassWorkoutBody, responses={200: ClassWorkout}, problems=(404, 422))
def put_series_workout(id: int, body: ClassWorkoutBody):
    """Every class of the series: its workout of the day, whole."""
    return _put_class_workout("series", id, body)


@bp.delete("/class-series/<int:id>/workout")
@requires("workouts", "update", own=False)
@api(responses={204: None}, problems=(404,))
def delete_series_workout(id: int):
    """Take the series' workout off."""
    return _delete_class_workout("series", id)
