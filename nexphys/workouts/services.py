"""The exercise library's rules: adding, changing, archiving and restoring exercises, and their pictures.

Values may come from the forms (Python objects) or the API (JSON values), so both share one set of rules and
messages. Functions flush; the caller (request, CLI command, job) commits once.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.storage.services import discard, store_image
from nexphys.validation import FieldErrors, text, unknown_fields
from nexphys.web.access import Principal
from nexphys.workouts.errors import ExerciseInvalid, ExerciseNotFound
from nexphys.workouts.models import Exercise
from nexphys.workouts.vocabulary import CATEGORIES, MUSCLES

NAME_MAX = 100
DESCRIPTION_MAX = 4000
EQUIPMENT_NAME_MAX = 80
EQUIPMENT_MAX = 12
VIDEO_URL_MAX = 500
FIELDS = ("name", "description", "category", "primary_muscles", "secondary_muscles", "equipment", "video_url")
CREATED, CHANGED, ARCHIVED, RESTORED = ("exercise.created", "exercise.changed", "exercise.archived",
                                        "exercise.restored")
PICTURE_CHANGED, PICTURE_REMOVED = "exercise.picture_changed", "exercise.picture_removed"


def get_exercise(exercise_id: int) -> Exercise:
    """The exercise with this id (archived ones too), or ExerciseNotFound."""
    exercise = db.session.get(Exercise, exercise_id)
    if exercise is None:
        raise ExerciseNotFound("There is no such exercise.")
    return exercise


def _name_taken(name: str, exclude_id: int | None) -> bool:
    query = sa.select(Exercise.id).where(sa.func.lower(Exercise.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Exercise.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _keys(errors: FieldErrors, field: str, value: Any, known: dict[str, str], what: str) -> list[str]:
    """A list of known keys (duplicates dropped, order kept); None or "" is an empty list."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add(field, f"Choose {what} from the list.")
        return []
    unknown = [item for item in value if item not in known]
    if unknown:
        errors.add(field, f"Choose {what} from the list (not “{unknown[0]}”).")
        return []
    return list(dict.fromkeys(value))


def _equipment(errors: FieldErrors, value: Any) -> list[str]:
    """Equipment names: a list, or one text with a name per comma or line (blank names dropped)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[,\n]", value)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add("equipment", "List the equipment by name.")
        return []
    names: dict[str, str] = {}
    for raw in value:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > EQUIPMENT_NAME_MAX:
            errors.add("equipment", f"Keep each piece of equipment under {EQUIPMENT_NAME_MAX} characters.")
            return []
        names.setdefault(name.lower(), name)  # "Barbell" and "barbell" are one piece of kit
    if len(names) > EQUIPMENT_MAX:
        errors.add("equipment", f"List at most {EQUIPMENT_MAX} pieces of equipment.")
        return []
    return list(names.values())


def _video_url(errors: FieldErrors, value: Any) -> str | None:
    """An http(s) address of a video, or None for none."""
    raw = text(errors, "video_url", value, VIDEO_URL_MAX)
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme.lower() not in ("http", "https") or "." not in host or " " in raw \
            or parts.username or parts.password:
        errors.add("video_url", "Enter the video's web address, starting with https://.")
        return None
    return raw


def clean_exercise(values: dict[str, Any], current: Exercise | None = None) -> dict[str, Any]:
    """Validate exercise fields; with `current`, only the fields given are checked (a partial update)."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    given = set(values) if current is not None else set(FIELDS)
    unknown_fields(errors, values, FIELDS)
    if "name" in given:
        name = text(errors, "name", values.get("name"), NAME_MAX, required=True, collapse=True)
        if name and _name_taken(name, current.id if current else None):
            errors.add("name", f"There is already an exercise called “{name}”.")
        cleaned["name"] = name
    if "description" in given:
        cleaned["description"] = text(errors, "description", values.get("description"), DESCRIPTION_MAX)
    if "category" in given:
        category = values.get("category")
        if category not in CATEGORIES:
            errors.add("category", "Choose a category.")
        cleaned["category"] = category
    if "primary_muscles" in given:
        cleaned["primary_muscles"] = _keys(errors, "primary_muscles", values.get("primary_muscles"), MUSCLES,
                                           "the main muscles")
    if "secondary_muscles" in given:
        cleaned["secondary_muscles"] = _keys(errors, "secondary_muscles", values.get("secondary_muscles"), MUSCLES,
                                             "the other muscles")
    if "equipment" in given:
        cleaned["equipment"] = _equipment(errors, values.get("equipment"))
    if "video_url" in given:
        cleaned["video_url"] = _video_url(errors, values.get("video_url"))
    errors.raise_if_any(ExerciseInvalid)
    # A muscle is listed once: as a main one when it is given as both.
    primary = cleaned.get("primary_muscles", current.primary_muscles if current else [])
    if "secondary_muscles" in cleaned or "primary_muscles" in cleaned:
        secondary = cleaned.get("secondary_muscles", current.secondary_muscles if current else [])
        cleaned["secondary_muscles"] = [m for m in secondary if m not in primary]
    return cleaned


def create_exercise(values: dict[str, Any], actor: Principal | None = None) -> Exercise:
    """A new exercise in the library (name unique whatever its case)."""
    exercise = Exercise(**clean_exercise(values))
    db.session.add(exercise)
    db.session.flush()
    _audit(CREATED, actor, exercise)
    return exercise


def update_exercise(exercise: Exercise, values: dict[str, Any], actor: Principal | None = None) -> bool:
    """Change the fields given; returns whether anything changed."""
    changed = []
    for name, value in clean_exercise(values, current=exercise).items():
        if getattr(exercise, name) != value:
            setattr(exercise, name, value)
            changed.append(name)
    db.session.flush()
    if changed:
        _audit(CHANGED, actor, exercise, {"fields": changed})
    return bool(changed)


def archive_exercise(exercise: Exercise, actor: Principal | None = None) -> bool:
    """Take an exercise out of the library's list (kept for history); returns whether it was listed."""
    if exercise.archived_at is not None:
        return False
    exercise.archived_at = utcnow()
    db.session.flush()
    _audit(ARCHIVED, actor, exercise)
    return True


def restore_exercise(exercise: Exercise, actor: Principal | None = None) -> bool:
    """Bring an archived exercise back into the library; returns whether it was archived."""
    if exercise.archived_at is None:
        return False
    exercise.archived_at = None
    db.session.flush()
    _audit(RESTORED, actor, exercise)
    return True


def set_exercise_picture(exercise: Exercise, data: bytes | None, actor: Principal) -> bool:
    """A new picture (`data`) or none (None); the old one is deleted. ImageRefused says why not."""
    old = exercise.image_key
    if data is None and old is None:
        return False
    exercise.image_key = store_image(data, "exercise_image", actor, f"exercise:{exercise.id}").key \
        if data is not None else None
    discard(old)
    db.session.flush()
    _audit(PICTURE_CHANGED if data is not None else PICTURE_REMOVED, actor, exercise, {"key": exercise.image_key})
    return True


def _audit(action: str, actor: Principal | None, exercise: Exercise, details: dict | None = None) -> None:
    if actor is None:
        return  # seeds, demo data and tests that act as nobody
    record(action, actor.label, actor.person_id, target=f"exercise:{exercise.id}",
           details={"name": exercise.name, **(details or {})})
