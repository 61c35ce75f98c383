"""The exercise library's pages: the list with search and filters, an exercise's page, and for staff adding,
editing, archiving and restoring exercises and their pictures. Thin views over nexphys.workouts.services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.extensions import db
from nexphys.storage.forms import PictureForm
from nexphys.storage.images import ImageRefused
from nexphys.storage.services import uploaded
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors
from nexphys.workouts import queries, services
from nexphys.workouts.errors import ExerciseInvalid
from nexphys.workouts.forms import ConfirmForm, ExerciseForm
from nexphys.workouts.models import Exercise
from nexphys.workouts.vocabulary import CATEGORIES, MUSCLES, category_label, muscle_names

bp = Blueprint("workouts", __name__)
PER_PAGE = 24


def _may() -> dict[str, bool]:
    """What the viewer may change in the library (members read it only)."""
    principal = require_principal()
    return {"may_" + action: principal.scope("workouts", action) == "all" for action in ("create", "update", "delete")}


def _page(template: str, status: int = 200, **context: Any):
    return render_template(template, categories=CATEGORIES, muscles=MUSCLES, category_label=category_label,
                           muscle_names=muscle_names, **_may(), **context), status


def _filters() -> queries.ExerciseFilters:
    """The list's filters from the query string; values that are not the library's words are dropped."""
    args = request.args
    category = args.get("category", "").strip()
    muscle = args.get("muscle", "").strip()
    archived = args.get("archived") == "1" and require_principal().scope("workouts", "update") == "all"
    return queries.ExerciseFilters(search=args.get("q", "").strip()[:queries.SEARCH_MAX],
                                   category=category if category in CATEGORIES else "",
                                   muscle=muscle if muscle in MUSCLES else "",
                                   equipment=args.get("equipment", "").strip()[:80], archived=archived)


@bp.get("/exercises")
@requires("workouts", "read")
def index():
    """The exercise library: search by name, filter by category, muscle and equipment, page through."""
    filters = _filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = queries.search_exercises(filters, page=min(page, 2**31), per_page=PER_PAGE)
    return _page("workouts/index.html", exercises=found, filters=filters, equipment_names=queries.equipment_names())


def _visible(exercise_id: int) -> Exercise:
    """The exercise; an archived one only for those who may restore it (to others it is gone)."""
    exercise = services.get_exercise(exercise_id)
    if exercise.archived_at is not None and require_principal().scope("workouts", "update") != "all":
        abort(404)
    return exercise


@bp.get("/exercises/<int:exercise_id>")
@requires("workouts", "read")
def detail(exercise_id: int):
    """One exercise: its description, muscles, equipment, picture and video link."""
    return _page("workouts/detail.html", exercise=_visible(exercise_id), confirm=ConfirmForm())


def _values(form: ExerciseForm) -> dict[str, Any]:
    values = {name: form[name].data for name in services.FIELDS}
    ticked = request.form.getlist("kit")  # equipment ticked from a list another domain offers (page_parts)
    if ticked:
        typed = values["equipment"] if isinstance(values["equipment"], list) else [values["equipment"] or ""]
        values["equipment"] = ", ".join([*ticked, *typed])  # one line of names, as the service splits it
    return values


def _saved_form(form: ExerciseForm, exercise: Exercise | None):
    """Run the service on a posted form: a redirect once saved, else the form again with the messages (422)."""
    try:
        if exercise is None:
            exercise = services.create_exercise(_values(form), require_principal())
            message = f"“{exercise.name}” added to the library."
        else:
            changed = services.update_exercise(exercise, _values(form), require_principal())
            message = f"“{exercise.name}” saved." if changed else "Nothing to save: no changes."
    except ExerciseInvalid as exc:
        db.session.rollback()
        for text in attach_errors(form, exc.errors):
            flash(text, "error")
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("workouts.detail", exercise_id=exercise.id))


@bp.route("/exercises/new", methods=["GET", "POST"])
@requires("workouts", "create", own=False)
def new():
    """Add an exercise to the library."""
    form = ExerciseForm()
    if form.is_submitted():
        if not form.validate():
            return _page("workouts/form.html", 422, form=form, exercise=None)
        return _saved_form(form, None) or _page("workouts/form.html", 422, form=form, exercise=None)
    return _page("workouts/form.html", form=form, exercise=None)


@bp.route("/exercises/<int:exercise_id>/edit", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def edit(exercise_id: int):
    """Change an exercise, and its picture."""
    exercise = services.get_exercise(exercise_id)
    form = ExerciseForm(obj=exercise)
    context = {"exercise": exercise, "picture": PictureForm(formdata=None)}
    if form.is_submitted():
        if not form.validate():
            return _page("workouts/form.html", 422, form=form, **context)
        return _saved_form(form, exercise) or _page("workouts/form.html", 422, form=form,
                                                     **{**context, "exercise": services.get_exercise(exercise_id)})
    return _page("workouts/form.html", form=form, **context)


@bp.post("/exercises/<int:exercise_id>/archive")
@requires("workouts", "delete", own=False)
def archive(exercise_id: int):
    """Archive an exercise: it leaves the library's list and can be restored."""
    exercise = services.get_exercise(exercise_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired: please try again.", "error")
    elif services.archive_exercise(exercise, require_principal()):
        db.session.commit()
        flash(f"“{exercise.name}” archived: find it under Archived to bring it back.", "success")
    return redirect(url_for("workouts.detail", exercise_id=exercise_id))


@bp.post("/exercises/<int:exercise_id>/restore")
@requires("workouts", "update", own=False)
def restore(exercise_id: int):
    """Bring an archived exercise back into the library."""
    exercise = services.get_exercise(exercise_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired: please try again.", "error")
    elif services.restore_exercise(exercise, require_principal()):
        db.session.commit()
        flash(f"“{exercise.name}” is back in the library.", "success")
    return redirect(url_for("workouts.detail", exercise_id=exercise_id))


@bp.post("/exercises/<int:exercise_id>/picture")
@requires("workouts", "update", own=False)
def picture(exercise_id: int):
    """A picture for the exercise (PNG, JPEG or WebP), shown on its page and in the list."""
    exercise = services.get_exercise(exercise_id)
    try:
        services.set_exercise_picture(exercise, uploaded("image") or b"", require_principal())
    except ImageRefused as exc:
        db.session.rollback()
        exercise = services.get_exercise(exercise_id)
        picture_form = PictureForm()
        picture_form.image.errors = [exc.message]
        return _page("workouts/form.html", 422, form=ExerciseForm(formdata=None, obj=exercise), exercise=exercise,
                     picture=picture_form)
    db.session.commit()
    flash(f"Picture saved for “{exercise.name}”.", "success")
    return redirect(url_for("workouts.edit", exercise_id=exercise_id))


@bp.post("/exercises/<int:exercise_id>/picture/remove")
@requires("workouts", "update", own=False)
def remove_picture(exercise_id: int):
    """Remove the exercise's picture."""
    exercise = services.get_exercise(exercise_id)
    removed = services.set_exercise_picture(exercise, None, require_principal())
    db.session.commit()
    flash("Picture removed." if removed else "There was no picture to remove.", "success" if removed else "info")
    return redirect(url_for("workouts.edit", exercise_id=exercise_id))
