"""The workout editor (any workout: a program's day or a class's workout of the day) and attaching workouts to
classes. Staff only (workouts:update); plain forms that work without JavaScript."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from nexphys.web.access import require_principal, requires
from nexphys.workouts import program_queries as queries
from nexphys.workouts import program_training as training
from nexphys.workouts import programs as services
from nexphys.workouts.errors import ProgramInvalid, ProgramNotFound
from nexphys.workouts.models import ClassWorkout, Prescription, Workout, WorkoutBlock
from nexphys.workouts.plans import planned
from nexphys.workouts.program_words import BLOCK_KINDS, LOAD_KINDS, RULES, SCORINGS, SET_TYPES, number

bp = Blueprint("program_editor", __name__)
# The form gives a block's lengths in minutes (what coaches say); the service keeps seconds.
MINUTE_FIELDS = ("time_cap_seconds",)


def _workout(workout_id: int) -> Workout:
    try:
        return services.get_workout(workout_id)
    except ProgramNotFound:
        abort(404)


def _back(workout: Workout) -> tuple[str, str]:
    """Where the editor leads back to: the program's page, or the class the workout is on."""
    if workout.program_id is not None:
        return url_for("programs.detail", program_id=workout.program_id), "Back to the program"
    session_id = db.session.scalar(
        sa.select(sa.func.coalesce(ClassWorkout.session_id, sa.select(ClassSession.id).where(
            ClassSession.series_id == ClassWorkout.series_id).order_by(ClassSession.starts_at.desc()).limit(1)
            .scalar_subquery())).where(ClassWorkout.workout_id == workout.id).limit(1))
    if session_id is not None:
        return url_for("bookings.class_detail", session_id=session_id), "Back to the class"
    return url_for("programs.index"), "Back to programs"


def _editor(workout: Workout, status: int = 200, **context: Any):
    back_url, back_label = _back(workout)
    return render_template("workouts/programs/editor.html", workout=workout, plan=planned(workout, 1),
                           back_url=back_url, back_label=back_label, scorings=SCORINGS,
                           errors=context.pop("errors", {}), values=context.pop("values", None), **context), status


@bp.route("/workouts/<int:workout_id>/edit", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def edit(workout_id: int):
    """The editor: the workout's title and scoring, and its blocks and exercises in order."""
    workout = _workout(workout_id)
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in ("title", "scoring", "notes")}
        try:
            services.update_workout(workout, values, require_principal())
        except ProgramInvalid as exc:
            db.session.rollback()
            return _editor(_workout(workout_id), 422, errors=exc.errors, values=values)
        db.session.commit()
        flash("Workout saved.", "success")
        return redirect(url_for("program_editor.edit", workout_id=workout_id))
    return _editor(workout)


def _block_values() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.form.get(name, "").strip() for name in services.BLOCK_FIELDS}
    for name in MINUTE_FIELDS:
        raw = values[name]
        values[name] = int(raw) * 60 if raw.isdigit() and len(raw) < 5 else raw
    return values


def _block_form(workout: Workout, block: WorkoutBlock | None, values: dict, errors: dict, status: int = 200):
    return render_template("workouts/programs/block_form.html", workout=workout, block=block, values=values,
                           errors=errors, kinds=BLOCK_KINDS, kind_fields=services.KIND_FIELDS), status


def _shown(block: WorkoutBlock | None) -> dict[str, Any]:
    if block is None:
        return {"kind": "straight"}
    values = {name: getattr(block, name) for name in services.BLOCK_FIELDS}
    if block.time_cap_seconds:
        values["time_cap_seconds"] = block.time_cap_seconds // 60 or 1
    return values


@bp.route("/workouts/<int:workout_id>/blocks/new", methods=["GET", "POST"])
@bp.route("/workouts/<int:workout_id>/blocks/<int:block_id>/edit", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def block(workout_id: int, block_id: int | None = None):
    """Add or change a block: its kind and the numbers that kind needs."""
    workout = _workout(workout_id)
    found = _or_404(lambda: services.get_block(block_id, workout)) if block_id else None
    if request.method == "POST":
        values = _block_values()
        try:
            if found is None:
                found = services.add_block(workout, values, require_principal())
            else:
                services.update_block(workout, found, values, require_principal())
        except ProgramInvalid as exc:
            db.session.rollback()
            shown = {**values, "time_cap_seconds": request.form.get("time_cap_seconds", "")}
            return _block_form(_workout(workout_id), found, shown, exc.errors, 422)
        db.session.commit()
        flash("Block saved." + (" Now add its exercises." if not found.prescriptions else ""), "success")
        return redirect(url_for("program_editor.edit", workout_id=workout_id) + f"#block-{found.id}")
    return _block_form(workout, found, _shown(found), {})


def _or_404(get):
    try:
        return get()
    except ProgramNotFound:
        abort(404)


@bp.post("/workouts/<int:workout_id>/blocks/<int:block_id>/move")
@requires("workouts", "update", own=False)
def move_block(workout_id: int, block_id: int):
    """Move a block up or down."""
    workout = _workout(workout_id)
    found = _or_404(lambda: services.get_block(block_id, workout))
    services.move_block(workout, found, -1 if request.form.get("direction") == "up" else 1, require_principal())
    db.session.commit()
    return redirect(url_for("program_editor.edit", workout_id=workout_id) + f"#block-{block_id}")


@bp.post("/workouts/<int:workout_id>/blocks/<int:block_id>/remove")
@requires("workouts", "update", own=False)
def remove_block(workout_id: int, block_id: int):
    """Remove a block and its exercises (the page asks first)."""
    workout = _workout(workout_id)
    found = _or_404(lambda: services.get_block(block_id, workout))
    services.remove_block(workout, found, require_principal())
    db.session.commit()
    flash("Block removed.", "success")
    return redirect(url_for("program_editor.edit", workout_id=workout_id))


PRESCRIPTION_FORM_FIELDS = tuple(name for name in services.PRESCRIPTION_FIELDS if name != "exercise_id")


def _prescription_values() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.form.get(name, "").strip() for name in PRESCRIPTION_FORM_FIELDS}
    name = request.form.get("exercise", "")
    values["exercise_id"] = request.form.get("exercise_id", type=int) or queries.exercise_by_name(name)
    return values


def _prescription_form(workout: Workout, block: WorkoutBlock, prescription: Prescription | None, values: dict,
                       errors: dict, status: int = 200):
    return render_template("workouts/programs/prescription_form.html", workout=workout, block=block,
                           prescription=prescription, values=values, errors=errors,
                           exercises=queries.exercise_choices(), set_types=SET_TYPES, load_kinds=LOAD_KINDS,
                           rules=RULES), status


@bp.route("/workouts/<int:workout_id>/blocks/<int:block_id>/exercises/new", methods=["GET", "POST"])
@bp.route("/workouts/<int:workout_id>/exercises/<int:prescription_id>/edit", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def prescription(workout_id: int, block_id: int | None = None, prescription_id: int | None = None):
    """Add or change an exercise of a block: sets, reps or time, load, rest, tempo and its progression rule."""
    workout = _workout(workout_id)
    if prescription_id is not None:
        found_block, found = _or_404(lambda: services.get_prescription(prescription_id, workout))
    else:
        found_block, found = _or_404(lambda: services.get_block(block_id, workout)), None
    if request.method == "POST":
        values = _prescription_values()
        try:
            if found is None:
                services.add_prescription(workout, found_block, values, require_principal())
            else:
                services.update_prescription(workout, found, values, require_principal())
        except ProgramInvalid as exc:
            db.session.rollback()
            workout = _workout(workout_id)
            block_again = services.get_block(found_block.id, workout)
            shown = {**values, "exercise": request.form.get("exercise", "")}
            return _prescription_form(workout, block_again, found, shown, exc.errors, 422)
        db.session.commit()
        flash("Exercise saved.", "success")
        return redirect(url_for("program_editor.edit", workout_id=workout_id) + f"#block-{found_block.id}")
    values = {"sets": 3, "reps": 10, "set_type": "working", "load_kind": "none", "progression": "none"}
    if found is not None:
        values = {name: getattr(found, name) for name in services.PRESCRIPTION_FIELDS}
        values.update({name: number(values[name]) for name in ("load_value", "progression_amount", "deload_percent")
                       if values[name] is not None}, exercise=found.exercise.name)
    return _prescription_form(workout, found_block, found, values, {})


@bp.post("/workouts/<int:workout_id>/exercises/<int:prescription_id>/move")
@requires("workouts", "update", own=False)
def move_prescription(workout_id: int, prescription_id: int):
    """Move an exercise up or down within its block."""
    workout = _workout(workout_id)
    found_block, found = _or_404(lambda: services.get_prescription(prescription_id, workout))
    services.move_prescription(workout, found_block, found, -1 if request.form.get("direction") == "up" else 1,
                               require_principal())
    db.session.commit()
    return redirect(url_for("program_editor.edit", workout_id=workout_id) + f"#block-{found_block.id}")


@bp.post("/workouts/<int:workout_id>/exercises/<int:prescription_id>/remove")
@requires("workouts", "update", own=False)
def remove_prescription(workout_id: int, prescription_id: int):
    """Remove an exercise from its block."""
    workout = _workout(workout_id)
    found_block, found = _or_404(lambda: services.get_prescription(prescription_id, workout))
    services.remove_prescription(workout, found_block, found, require_principal())
    db.session.commit()
    flash("Exercise removed.", "success")
    return redirect(url_for("program_editor.edit", workout_id=workout_id) + f"#block-{found_block.id}")


@bp.route("/workouts/<int:workout_id>/remove", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def remove_day(workout_id: int):
    """Remove a program's day (after a confirmation)."""
    workout = _workout(workout_id)
    if workout.program_id is None:
        abort(404)
    back = url_for("programs.detail", program_id=workout.program_id)
    if request.method == "POST":
        services.remove_workout(workout, require_principal())
        db.session.commit()
        flash(f"Day {workout.day_number} removed.", "success")
        return redirect(back)
    return render_template("workouts/programs/confirm.html",
                           title=f"Remove day {workout.day_number}, “{workout.title}”?",
                           text="Its blocks and exercises go with it; logs already written are kept.",
                           action=url_for("program_editor.remove_day", workout_id=workout.id),
                           button="Remove the day", back=back)


# --- a class's workout of the day -------------------------------------------------------------------------

def _session(session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/classes/<int:session_id>/workout", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def class_workout(session_id: int):
    """Add the workout of the day to this class only, or to every class of its series; then the editor."""
    session = _session(session_id)
    values = {"title": "", "scoring": "time", "scope": "session", "leaderboard": True}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in ("title", "scoring", "scope")}
        values["leaderboard"] = request.form.get("leaderboard") == "1"
        series = session.series if values["scope"] == "series" and session.series_id else None
        try:
            workout = services.add_workout({"title": values["title"], "scoring": values["scoring"]}, None,
                                           require_principal())
            attached = training.attach_class_workout(workout, session=None if series else session, series=series,
                                                     actor=require_principal())
            training.set_class_leaderboard(attached, values["leaderboard"], require_principal())
        except ProgramInvalid as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(f"“{workout.title}” added to {'every class of the series' if series else 'this class'}: "
                  "now its blocks and exercises.", "success")
            return redirect(url_for("program_editor.edit", workout_id=workout.id))
    own = training.class_workout_of(session=session)
    of_series = training.class_workout_of(series=session.series) if session.series_id else None
    return render_template("workouts/programs/class_workout.html", session=session, values=values, errors=errors,
                           own=own, of_series=of_series, scorings=SCORINGS), 422 if errors else 200


@bp.post("/classes/<int:session_id>/workout/leaderboard")
@requires("workouts", "update", own=False)
def class_leaderboard(session_id: int):
    """Turn the class's leaderboard on or off (?scope=series: the series' workout)."""
    session = _session(session_id)
    scope = request.form.get("scope", "session")
    attached = training.class_workout_of(series=session.series) if scope == "series" and session.series_id \
        else training.class_workout_of(session=session)
    if attached is None:
        abort(404)
    on = request.form.get("leaderboard") == "1"
    training.set_class_leaderboard(attached, on, require_principal())
    db.session.commit()
    flash("The leaderboard is on: members who choose to can show their result." if on
          else "The leaderboard is off.", "success")
    return redirect(url_for("program_editor.class_workout", session_id=session_id))


@bp.route("/classes/<int:session_id>/workout/remove", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def remove_class_workout(session_id: int):
    """Take the workout off this class (?scope=series: off the whole series), after a confirmation."""
    session = _session(session_id)
    scope = request.values.get("scope", "session")
    series = session.series if scope == "series" and session.series_id else None
    back = url_for("program_editor.class_workout", session_id=session_id)
    if request.method == "POST":
        if training.detach_class_workout(session=None if series else session, series=series,
                                         actor=require_principal()):
            db.session.commit()
            flash("Workout taken off " + ("every class of the series." if series else "this class."), "success")
        return redirect(back)
    return render_template("workouts/programs/confirm.html",
                           title="Take the workout off " + ("every class of this series?" if series else
                                                            "this class?"),
                           text="Members will no longer see it on the class page and the timetable.",
                           action=url_for("program_editor.remove_class_workout", session_id=session_id,
                                          scope="series" if series else "session"),
                           button="Take it off", back=back)
