"""Exercises API: the studio's exercise library, searched and filtered, and changed by staff.

The same services as the library's pages (nexphys.workouts.services). DELETE archives (programs and logs will
refer to exercises, so they are never deleted); PATCH {"archived": false} brings one back.
"""

from __future__ import annotations

from flask import Blueprint, url_for

from nexphys.extensions import db
from nexphys.storage.services import file_url
from nexphys.web.access import require_principal, requires
from nexphys.web.api import ValidationFailed
from nexphys.web.schemas import Page, api, respond
from nexphys.workouts import queries, services
from nexphys.workouts.models import Exercise as ExerciseRow
from nexphys.workouts.schemas import Exercise, ExerciseChanges, ExercisesQuery, NewExercise
from nexphys.workouts.vocabulary import CATEGORIES, MUSCLES, category_label

bp = Blueprint("workouts_api", __name__, url_prefix="/api/v1")


def exercise_json(exercise: ExerciseRow) -> dict:
    """An exercise as JSON."""
    return {"id": exercise.id, "name": exercise.name, "description": exercise.description,
            "category": exercise.category, "category_label": category_label(exercise.category),
            "primary_muscles": list(exercise.primary_muscles), "secondary_muscles": list(exercise.secondary_muscles),
            "equipment": list(exercise.equipment), "image_url": file_url(exercise.image_key, external=True),
            "video_url": exercise.video_url, "archived": exercise.archived_at is not None,
            "archived_at": exercise.archived_at.isoformat() if exercise.archived_at else None,
            "created_at": exercise.created_at.isoformat(), "updated_at": exercise.updated_at.isoformat()}


@bp.get("/exercises")
@requires("workouts", "read")
@api(query=ExercisesQuery, responses={200: Page[Exercise]}, problems=(400, 422))
def list_exercises(query: ExercisesQuery):
    """The exercise library by name (?q=&category=&muscle=&equipment=&archived=&page=&per_page=)."""
    asked = (("category", query.category, CATEGORIES), ("muscle", query.muscle, MUSCLES))
    unknown = {name: ["Not one of the library's words."] for name, value, known in asked
               if value and value not in known}
    if unknown:
        raise ValidationFailed(unknown)
    filters = queries.ExerciseFilters(query.q or "", query.category or "", query.muscle or "",
                                      query.equipment or "", query.archived)
    found = queries.search_exercises(filters, query.page, query.per_page)
    return respond(Page[Exercise], Page.of(found, [exercise_json(e) for e in found.items]))


@bp.post("/exercises")
@requires("workouts", "create", own=False)
@api(body=NewExercise, responses={201: Exercise}, problems=(422,), check=services.clean_exercise)
def create_exercise(body: NewExercise):
    """Add an exercise {name, category, description?, primary_muscles?, secondary_muscles?, equipment?, video_url?}."""
    exercise = services.create_exercise(body.values(), require_principal())
    db.session.commit()
    return respond(Exercise, exercise_json(exercise), 201, url_for("workouts_api.get_exercise", id=exercise.id))


@bp.get("/exercises/<int:id>")
@requires("workouts", "read")
@api(responses={200: Exercise}, problems=(404,))
def get_exercise(id: int):
    """One exercise (archived ones too)."""
    return respond(Exercise, exercise_json(services.get_exercise(id)))


@bp.patch("/exercises/<int:id>")
@requires("workouts", "update", own=False)
@api(body=ExerciseChanges, responses={200: Exercise}, problems=(404, 422))
def update_exercise(id: int, body: ExerciseChanges):
    """Change an exercise's fields (only those sent); "archived": true or false archives or restores it."""
    exercise = services.get_exercise(id)
    values, actor = body.values(), require_principal()
    archived = values.pop("archived", None)
    services.update_exercise(exercise, values, actor)
    if archived is True:
        services.archive_exercise(exercise, actor)
    elif archived is False:
        services.restore_exercise(exercise, actor)
    db.session.commit()
    return respond(Exercise, exercise_json(exercise))


@bp.delete("/exercises/<int:id>")
@requires("workouts", "delete", own=False)
@api(responses={200: Exercise}, problems=(404,))
def delete_exercise(id: int):
    """Archive an exercise: it leaves the library's list but is kept (200 with it; again is harmless)."""
    exercise = services.get_exercise(id)
    services.archive_exercise(exercise, require_principal())
    db.session.commit()
    return respond(Exercise, exercise_json(exercise))
