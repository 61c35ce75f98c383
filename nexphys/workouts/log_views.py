"""Training log pages: logging a session (prefilled with its targets), history, a log's page, editing and
removing it, personal records and one exercise's progress chart. Staff open the same pages for one member
under /members/<id>/training/… (the same views with a member). Thin views over nexphys.workouts.logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.web.access import current_principal, require_principal, requires
from nexphys.workouts import log_queries, logs, records
from nexphys.workouts.errors import LogInvalid, LogNotAllowed, LogNotFound
from nexphys.workouts.models import Assignment, ClassWorkout, Exercise, Scoring, Workout, WorkoutLog
from nexphys.workouts.plans import class_workout, class_workouts, planned
from nexphys.workouts.progression import Target

bp = Blueprint("training_logs", __name__)
PER_PAGE = 20
SPARE_ROWS = 2  # blank rows for sets beyond the plan when "Add a set" has no JavaScript
FREE_ROWS = 4


def _subject(member_id: int | None) -> tuple[int, User | None]:
    """Whose training the page shows: the viewer's own, or (staff only) the member named in the address."""
    principal = require_principal()
    if member_id is None:
        if principal.person_id is None:
            abort(403)
        return principal.person_id, None
    member = db.session.get(User, member_id)
    if member is None or not logs.is_staff(principal):
        abort(404)
    return member_id, member


def _link(member: User | None):
    """url_for for the page's own kind: the member's pages when a member is shown, else the viewer's own."""
    def link(endpoint: str, **values: Any) -> str:
        if member is not None:
            return url_for(f"training_logs.member_{endpoint}", member_id=member.id, **values)
        return url_for(f"training_logs.{endpoint}", **values)
    return link


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def target_text(target: Target) -> str:
    """ "5 × 5 at 100 kg", "3 × 8 at 70%", "4 × 6 at RPE 8"."""
    amount = str(target.reps) if target.reps else logs.clock(target.duration_seconds) or \
        (f"{target.distance_m} m" if target.distance_m else "")
    text_ = f"{target.sets} × {amount}" if amount else f"{target.sets} sets"
    if target.load_kg is not None:
        text_ += f" at {records.kg(target.load_kg)} kg"
    elif target.percent is not None:
        text_ += f" at {records.kg(target.percent)}%"
    elif target.effort is not None:
        text_ += f" at {target.load_kind.upper()} {records.kg(target.effort)}"
    return text_ + (" (lighter week)" if target.deload else "")


def _shown(value: Any) -> str:
    """A value as the form shows it: nothing for None, kilos without trailing zeros."""
    if value is None:
        return ""
    return value if isinstance(value, str | int) else records.kg(value)


def _row(exercise_id: Any = "", name: str = "", prescription_id: Any = "", target: str = "", reps: Any = "",
         load_kg: Any = "", rpe: Any = "") -> dict[str, Any]:
    return {"exercise_id": exercise_id, "name": name, "prescription_id": prescription_id, "target": target,
            "reps": _shown(reps), "load_kg": _shown(load_kg), "rpe": _shown(rpe)}


def planned_rows(workout: Workout, week: int, member_id: int) -> list[dict[str, Any]]:
    """One row per planned set, in block order, prefilled with the week's targets."""
    rows = []
    for block in planned(workout, week, member_id).blocks:
        for item in block.items:
            p, t = item.prescription, item.target
            for _ in range(max(t.sets, 1)):
                rows.append(_row(p.exercise_id, p.exercise.name, p.id, target_text(t), t.reps, t.load_kg,
                                 t.effort if t.load_kind == "rpe" else None))
    return rows


def posted_rows() -> list[dict[str, Any]]:
    """The form's set rows as posted (blank rows kept, to show the form again)."""
    form = request.form
    columns = [form.getlist(name) for name in ("set_exercise", "set_prescription", "set_reps", "set_load", "set_rpe")]
    names = dict(db.session.execute(sa.select(Exercise.id, Exercise.name).where(Exercise.id.in_(
        [int(v) for v in columns[0] if v.isdigit() and int(v) < 2**31] or [0]))).all())
    rows = []
    for exercise, prescription, reps, load, rpe in zip(*columns, strict=False):
        name = names.get(int(exercise)) if exercise.isdigit() and int(exercise) < 2**31 else None
        rows.append({"exercise_id": exercise, "name": name or "", "prescription_id": prescription, "target": "",
                     "reps": reps.strip(), "load_kg": load.strip(), "rpe": rpe.strip(), "planned": bool(prescription)})
    return rows


def values_from_form(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The service's values from the posted form (blank set rows left out)."""
    form = request.form
    minutes, seconds = form.get("result_minutes", "").strip(), form.get("result_seconds", "").strip()
    result_time = f"{minutes or 0}:{int(seconds):02d}" if seconds.isdigit() and int(seconds) < 60 else \
        (f"{minutes}:{seconds}" if minutes or seconds else "")
    sets = [{"exercise_id": r["exercise_id"], "prescription_id": r["prescription_id"] or None, "reps": r["reps"],
             "load_kg": r["load_kg"], "rpe": r["rpe"]}
            for r in rows if r["reps"] or r["load_kg"] or r["rpe"]]
    return {"performed_on": form.get("performed_on", ""), "title": form.get("title", ""), "sets": sets,
            "result_time": result_time, "result_rounds": form.get("result_rounds", "").strip(),
            "result_reps": form.get("result_reps", "").strip(),
            "result_load_kg": form.get("result_load_kg", "").strip(),
            "scaled": form.get("scaled") == "1", "notes": form.get("notes", ""),
            "on_leaderboard": form.get("on_leaderboard") == "1"}


def _library() -> list[tuple[int, str]]:
    return list(db.session.execute(sa.select(Exercise.id, Exercise.name).where(Exercise.archived_at.is_(None))
                                   .order_by(sa.func.lower(Exercise.name))).all())


def _form_page(status: int = 200, **context: Any):
    context.setdefault("errors", {})
    return render_template("workouts/logs/form.html", library=_library(), today=date.today(), Scoring=Scoring,
                           **context), status


def _context_for_new() -> dict[str, Any]:
    """What the new log form is for: a workout (of an assignment's week, or of a class), or free."""
    principal = require_principal()
    member_id = principal.person_id
    if member_id is None:
        abort(403)
    workout_id, assignment_id, session_id = _int_arg("workout"), _int_arg("assignment"), _int_arg("session")
    week = min(_int_arg("week") or 1, 52)
    attached: ClassWorkout | None = class_workouts([session_id]).get(session_id) if session_id else None
    workout = attached.workout if attached is not None else (db.session.get(Workout, workout_id) if workout_id
                                                              else None)
    if workout_id and workout is None:
        abort(404)
    assignment = db.session.get(Assignment, assignment_id) if assignment_id else None
    if assignment is not None and assignment.member_id != member_id:
        assignment = None
    existing = None
    if session_id:
        existing = db.session.scalar(sa.select(WorkoutLog).where(WorkoutLog.member_id == member_id,
                                                                 WorkoutLog.session_id == session_id))
    return {"workout": workout, "week": week if assignment else None, "assignment": assignment,
            "session_id": session_id, "class_workout": attached, "existing": existing, "member_id": member_id}


@bp.route("/training/log/new", methods=["GET", "POST"])
@requires("workouts", "create")
def new():
    """Log a session: a workout's planned sets prefilled with the week's targets, a class's result, or free."""
    context = _context_for_new()
    if context["existing"] is not None and request.method == "GET":
        return redirect(url_for("training_logs.edit", log_id=context["existing"].id))
    workout = context["workout"]
    if request.method == "GET":
        rows = planned_rows(workout, context["week"] or 1, context["member_id"]) if workout else []
        return _form_page(rows=rows, spare=SPARE_ROWS if rows else FREE_ROWS, values={}, log=None, **context)
    rows = posted_rows()
    values = values_from_form(rows)
    values.update(workout_id=workout.id if workout else None, session_id=context["session_id"],
                  assignment_id=context["assignment"].id if context["assignment"] else None,
                  program_week=context["week"])
    try:
        saved = logs.log_training(values, require_principal())
    except (LogInvalid, LogNotAllowed) as exc:
        db.session.rollback()
        errors = exc.errors if isinstance(exc, LogInvalid) else {"form": [exc.message]}
        return _form_page(422, rows=rows, spare=0, values=request.form, log=None, errors=errors, **context)
    db.session.commit()
    flash(saved.message or "Training logged.", "success")
    if saved.log.session_id:
        return redirect(url_for("bookings.class_detail", session_id=saved.log.session_id))
    return redirect(url_for("training_logs.detail", log_id=saved.log.id))


def _editable(log_id: int, action: str) -> WorkoutLog:
    principal = require_principal()
    try:
        log = logs.get_log(log_id, principal)
    except LogNotFound:
        abort(404)
    if log.member_id != principal.person_id and not logs.is_staff(principal, action):
        abort(404)
    return log


def _log_context(log: WorkoutLog) -> dict[str, Any]:
    workout = db.session.get(Workout, log.workout_id) if log.workout_id else None
    attached = class_workouts([log.session_id]).get(log.session_id) if log.session_id else None
    return {"workout": workout, "week": log.program_week, "assignment": None, "session_id": log.session_id,
            "class_workout": attached, "existing": log, "member_id": log.member_id}


@bp.route("/training/logs/<int:log_id>/edit", methods=["GET", "POST"])
@requires("workouts", "update")
def edit(log_id: int):
    """Change a log: its sets, result and notes (records are recomputed)."""
    log = _editable(log_id, "update")
    context = _log_context(log)
    if request.method == "GET":
        rows = [_row(s.exercise_id, s.exercise.name, s.prescription_id or "", "", s.reps, s.load_kg,
                     records.kg(s.rpe, 1) if s.rpe is not None else None) for s in logs.log_sets(log.id)]
        minutes, seconds = divmod(log.result_seconds, 60) if log.result_seconds else ("", "")
        values = {"performed_on": log.performed_on.isoformat(), "title": log.title, "notes": log.notes,
                  "result_minutes": minutes, "result_seconds": f"{seconds:02d}" if seconds != "" else "",
                  "result_rounds": log.result_rounds, "result_reps": log.result_reps,
                  "result_load_kg": records.kg(log.result_load_kg), "scaled": "1" if log.scaled else "",
                  "on_leaderboard": "1" if log.on_leaderboard else ""}
        return _form_page(rows=rows, spare=SPARE_ROWS, values=values, log=log, **context)
    rows = posted_rows()
    try:
        saved = logs.update_log(log, values_from_form(rows), require_principal())
    except LogInvalid as exc:
        db.session.rollback()
        return _form_page(422, rows=rows, spare=0, values=request.form, log=_editable(log_id, "update"),
                          errors=exc.errors, **_log_context(_editable(log_id, "update")))
    db.session.commit()
    flash(saved.message or "Log saved.", "success")
    return redirect(url_for("training_logs.detail", log_id=log_id))


@bp.route("/training/logs/<int:log_id>/delete", methods=["GET", "POST"])
@requires("workouts", "delete")
def delete(log_id: int):
    """Remove a log, after asking (its records fall back to the best before them)."""
    log = _editable(log_id, "delete")
    if request.method == "GET":
        return render_template("workouts/logs/delete.html", log=log)
    own = log.member_id == require_principal().person_id
    member_id = log.member_id
    logs.delete_log(log, require_principal())
    db.session.commit()
    flash("Log removed.", "success")
    return redirect(url_for("training_logs.history") if own else
                    url_for("training_logs.member_history", member_id=member_id))


@bp.get("/training/logs/<int:log_id>")
@requires("workouts", "read")
def detail(log_id: int):
    """One log: its sets, result, notes and the records it holds."""
    principal = require_principal()
    try:
        log = logs.get_log(log_id, principal)
    except LogNotFound:
        abort(404)
    own = log.member_id == principal.person_id
    member = None if own else db.session.get(User, log.member_id)
    sets = logs.log_sets(log.id)
    held = {r.log_set_id for r in db.session.scalars(sa.select(records.PersonalRecord).where(
        records.PersonalRecord.log_set_id.in_([s.id for s in sets] or [0])))}
    scoring = db.session.scalar(sa.select(Workout.scoring).where(Workout.id == log.workout_id)) or Scoring.NONE
    return render_template("workouts/logs/detail.html", log=log, sets=sets, held=held, member=member,
                           link=_link(member), clock=logs.clock, kg=records.kg, epley=records.epley, scoring=scoring,
                           may_update=own or logs.is_staff(principal, "update"),
                           may_delete=own or logs.is_staff(principal, "delete"))


@bp.get("/training/history")
@bp.get("/members/<int:member_id>/training/logs", endpoint="member_history")
@requires("workouts", "read")
def history(member_id: int | None = None):
    """Logs newest first (own; staff: one member's), filtered by exercise, a page at a time."""
    subject, member = _subject(member_id)
    exercise_id = _int_arg("exercise")
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 2**31)
    found = log_queries.search_logs(log_queries.LogFilters(subject, exercise_id=exercise_id), page, PER_PAGE)
    ids = [log.id for log in found.items]
    return render_template("workouts/logs/history.html", logs=found, sets=log_queries.sets_of(ids),
                           record_counts=log_queries.records_of_logs(ids), member=member, link=_link(member),
                           exercises=log_queries.logged_exercises(subject), exercise_id=exercise_id,
                           page_args={**({"member_id": member_id} if member else {}),
                                      **({"exercise": exercise_id} if exercise_id else {})},
                           clock=logs.clock, kg=records.kg)


@bp.get("/training/records", endpoint="records")
@bp.get("/members/<int:member_id>/training/records", endpoint="member_records")
@requires("workouts", "read")
def records_page(member_id: int | None = None):
    """Bests per exercise: heaviest at 1, 3, 5… reps and the estimated 1RM, with the day; the formula stated."""
    subject, member = _subject(member_id)
    return render_template("workouts/logs/records.html", bests=log_queries.bests(subject), member=member,
                           link=_link(member), record_reps=log_queries.RECORD_REPS, formula=records.FORMULA,
                           kg=records.kg)


@bp.get("/training/exercises/<int:exercise_id>")
@bp.get("/members/<int:member_id>/training/exercises/<int:exercise_id>", endpoint="member_progress")
@requires("workouts", "read")
def progress(exercise_id: int, member_id: int | None = None):
    """One exercise's progress: estimated 1RM and heaviest set per day (a chart and its table), records marked."""
    subject, member = _subject(member_id)
    exercise = db.session.get(Exercise, exercise_id)
    if exercise is None:
        abort(404)
    days = log_queries.progress(subject, exercise_id)
    chart = {"type": "line", "labels": [d.on.strftime("%-d %b %Y") for d in days], "y_label": "kg",
             "datasets": [{"label": "Estimated 1RM (kg)", "data": [float(d.e1rm_kg) if d.e1rm_kg else None
                                                                    for d in days],
                           "marks": [d.record for d in days]},
                          {"label": "Heaviest set (kg)", "data": [float(d.heaviest_kg) if d.heaviest_kg else None
                                                                  for d in days]}]}
    return render_template("workouts/logs/progress.html", exercise=exercise, days=days, member=member,
                           link=_link(member), chart=chart, formula=records.FORMULA,
                           kg=records.kg)


# --- a class's results on its page and its roster (a template value: the bookings views stay untouched) ------

@dataclass(frozen=True)
class ClassTraining:
    """What a class page shows of its workout: the viewer's log and link, and the ranked results."""

    session_id: int
    class_workout: ClassWorkout
    may_log: bool
    my_log: WorkoutLog | None
    staff: bool
    results: list[log_queries.Result]
    show_results: bool


def class_training(session_id: int) -> ClassTraining | None:
    """The class's workout results for the viewer, or None (no workout, or nobody signed in)."""
    principal = current_principal()
    if principal is None or not principal.can("workouts", "read"):
        return None
    attached = class_workout(session_id)
    if attached is None:
        return None
    staff = logs.is_staff(principal)
    me = principal.person_id
    checked_in = me is not None and db.session.scalar(sa.select(Booking.id).where(
        Booking.session_id == session_id, Booking.member_id == me,
        Booking.status == BookingStatus.CHECKED_IN).limit(1)) is not None
    mine = db.session.scalar(sa.select(WorkoutLog).where(WorkoutLog.session_id == session_id,
                                                         WorkoutLog.member_id == me)) if me else None
    show = staff or attached.leaderboard
    results = log_queries.class_results(session_id, attached.workout.scoring, staff, me) if show else []
    return ClassTraining(session_id, attached, checked_in and principal.can("workouts", "create"), mine, staff,
                         results, show)


def template_values() -> dict[str, Any]:
    """`class_training(session_id)` for the class page and the roster (workouts/logs/_class_results.html)."""
    return {"class_training": class_training, "training_clock": logs.clock, "training_kg": records.kg}
