"""Request and response shapes of the exercises API (the OpenAPI document's source).

Bodies declare types; the library's services own the rules and their messages (checked together with the
schema's findings through `clean_exercise`, so one 422 names every bad field).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nexphys.web.schemas import Body, Instant, PageQuery, Shape, Text
from nexphys.workouts.services import DESCRIPTION_MAX, EQUIPMENT_MAX, NAME_MAX, VIDEO_URL_MAX
from nexphys.workouts.vocabulary import CATEGORIES, MUSCLES

_CATEGORY = {"enum": list(CATEGORIES)}
_CATEGORY_OR_NULL = {"enum": [*CATEGORIES, None]}
_MUSCLES = {"items": {"enum": list(MUSCLES)}}


def _limited(limit: int, default: Any = None, description: str | None = None) -> Any:
    """A text whose limit the service checks (and the document states)."""
    return Field(default, description=description, json_schema_extra={"maxLength": limit})


class ExercisesQuery(PageQuery):
    q: str | None = Field(None, description="Text in the exercise's name")
    category: str | None = Field(None, description="A category key", json_schema_extra=_CATEGORY_OR_NULL)
    muscle: str | None = Field(None, description="A muscle group key, main or other",
                               json_schema_extra={"enum": [*MUSCLES, None]})
    equipment: str | None = Field(None, description="Exercises needing this piece of equipment (any case)")
    archived: bool = Field(False, description="true: the archived exercises instead of the library in use")


class Exercise(Shape):
    """One exercise of the studio's library."""

    id: int
    name: str
    description: str
    category: str = Field(json_schema_extra=_CATEGORY)
    category_label: str
    primary_muscles: list[str] = Field(json_schema_extra=_MUSCLES)
    secondary_muscles: list[str] = Field(json_schema_extra=_MUSCLES)
    equipment: list[str] = Field(description="Names of the equipment it needs")
    image_url: str | None = Field(description="Its picture (an absolute address), or null")
    video_url: str | None
    archived: bool
    archived_at: Instant | None
    created_at: Instant
    updated_at: Instant


class NewExercise(Body):
    """A new exercise: a name (unique whatever its case) and a category; the rest is optional."""

    name: Text = _limited(NAME_MAX, ...)
    category: str = Field(json_schema_extra=_CATEGORY)
    description: str | None = _limited(DESCRIPTION_MAX)
    primary_muscles: list[str] | None = Field(None, json_schema_extra=_MUSCLES)
    secondary_muscles: list[str] | None = Field(None, json_schema_extra=_MUSCLES)
    equipment: list[str] | None = Field(None, json_schema_extra={"maxItems": EQUIPMENT_MAX})
    video_url: str | None = _limited(VIDEO_URL_MAX, description="An http(s) address of a video")


class ExerciseChanges(Body):
    """The fields to change; read-only ones sent back as they were read are ignored."""

    ignored = frozenset({"id", "category_label", "image_url", "archived_at", "created_at", "updated_at"})

    name: str | None = _limited(NAME_MAX)
    category: str | None = Field(None, json_schema_extra=_CATEGORY_OR_NULL)
    description: str | None = _limited(DESCRIPTION_MAX)
    primary_muscles: list[str] | None = Field(None, json_schema_extra=_MUSCLES)
    secondary_muscles: list[str] | None = Field(None, json_schema_extra=_MUSCLES)
    equipment: list[str] | None = Field(None, json_schema_extra={"maxItems": EQUIPMENT_MAX})
    video_url: str | None = _limited(VIDEO_URL_MAX, description="An http(s) address of a video, or null for none")
    archived: bool | None = Field(None, description="true archives the exercise, false brings it back")
