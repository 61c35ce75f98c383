"""Request and response shapes of the classes API: the timetable, class types, rooms, classes, series.

Bodies declare types; the schedule's services own the rules and their messages (a type the schema
refuses is reported together with the services' own findings, through their `clean_*` checks).
Times in answers are ISO 8601 in the studio's zone, with its offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from nexphys.classes.catalog import CAPACITY_MAX, DESCRIPTION_MAX, LEVELS, NAME_MAX
from nexphys.classes.models import SessionStatus
from nexphys.classes.series import SCOPES
from nexphys.classes.sessions import NOTES_MAX, REASON_MAX
from nexphys.web.schemas import Body, Day, Id, Instant, Query, Shape, Text

LOCAL_TIME = r"^\d{1,2}:\d{2}$"


def _limited(limit: int, default: Any = None) -> Any:
    """A field whose limit the service checks (and the document states)."""
    return Field(default, json_schema_extra={"maxLength": limit})


def _one_of(values: tuple[str, ...]) -> Any:
    return Field(None, json_schema_extra={"enum": [*values, None]})


def _clock(default: Any = None) -> Any:
    """A studio-local wall-clock time, HH:MM (the service reads it)."""
    return Field(default, description="HH:MM on the studio's wall clock", json_schema_extra={"pattern": LOCAL_TIME})


def _whole(low: int, high: int, description: str | None = None) -> Any:
    return Field(None, description=description, json_schema_extra={"minimum": low, "maximum": high})


# --- the timetable (W1) ----------------------------------------------------------------------

class TimetableQuery(Query):
    date: dt.date | None = Field(None, description="One studio-local day (default: today)")
    from_: dt.date | None = Field(None, alias="from", description="The first day of a range (with to)")
    to: dt.date | None = Field(None, description="The last day of a range, at most 62 days after from")


class TimetableEntry(Shape):
    id: int
    name: str
    instructor: str | None
    starts_at: Instant
    ends_at: Instant
    capacity: int
    booked: int
    spots_left: int
    color: str
    image_url: str | None = Field(description="The class type's picture (an absolute address), or null")


class Timetable(Shape):
    """The scheduled classes of the days asked for, in start order."""

    items: list[TimetableEntry]
    time_zone: str
    from_: Day = Field(alias="from")
    to: Day

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class Flags(Query):
    include_archived: bool = False
    include_ended: bool = False


# --- class types and rooms -------------------------------------------------------------------

class ClassType(Shape):
    id: int
    name: str
    description: str
    duration_minutes: int
    default_capacity: int
    color: str
    level: str
    archived: bool
    archived_at: Instant | None
    image_url: str | None = Field(description="Its picture (an absolute address; uploaded on the class type's page), "
                                              "or null")


class NewClassType(Body):
    name: Text = _limited(NAME_MAX, ...)
    description: str | None = _limited(DESCRIPTION_MAX)
    duration_minutes: int = Field(json_schema_extra={"minimum": 5, "maximum": 600})
    default_capacity: int = Field(json_schema_extra={"minimum": 0, "maximum": CAPACITY_MAX})
    color: str | None = Field(None, description="#rrggbb (default #2563eb)")
    level: str | None = _one_of(LEVELS)


class ClassTypeChanges(Body):
    ignored = frozenset({"id", "archived", "archived_at", "image_url"})

    name: str | None = _limited(NAME_MAX)
    description: str | None = _limited(DESCRIPTION_MAX)
    duration_minutes: int | None = _whole(5, 600)
    default_capacity: int | None = _whole(0, CAPACITY_MAX)
    color: str | None = Field(None, description="#rrggbb")
    level: str | None = _one_of(LEVELS)


class Room(Shape):
    id: int
    name: str
    capacity: int


class NewRoom(Body):
    name: Text = _limited(NAME_MAX, ...)
    capacity: int = Field(json_schema_extra={"minimum": 1, "maximum": CAPACITY_MAX})


class RoomChanges(Body):
    ignored = frozenset({"id"})

    name: str | None = _limited(NAME_MAX)
    capacity: int | None = _whole(1, CAPACITY_MAX)


# --- class sessions --------------------------------------------------------------------------

class ClassTypeBrief(Shape):
    id: int
    name: str
    color: str
    level: str
    description: str
    image_url: str | None = Field(description="The class type's picture (an absolute address), or null")


class PersonBrief(Shape):
    id: int
    full_name: str


class InstructorBrief(PersonBrief):
    """The instructor as members see them: their public profile."""

    bio: str = Field(description="A few paragraphs they wrote (blank lines between paragraphs), or empty")
    photo_url: str | None = Field(description="Their photo (an absolute address), or null")
    profile_url: str = Field(description="Their profile page on the studio's site")


class Class(Shape):
    """One class session; `waitlisted` counts the members waiting for a place."""

    id: int
    name: str
    class_type: ClassTypeBrief
    starts_at: Instant
    ends_at: Instant
    local_date: Day
    local_time: str = Field(description="HH:MM on the studio's wall clock")
    duration_minutes: int
    capacity: int
    booked: int
    spots_left: int
    waitlisted: int
    instructor: InstructorBrief | None
    room: Room | None
    series_id: int | None
    occurrence_on: Day | None
    is_modified: bool
    notes: str
    status: Literal[SessionStatus.SCHEDULED, SessionStatus.CANCELLED]
    cancelled_at: Instant | None
    cancel_reason: str | None


class CancelledClass(Class):
    released: int = Field(description="How many booked and waiting members were released (and emailed)")


class _Planning(Body):
    duration_minutes: int | None = _whole(5, 600, "Default: the class type's")
    instructor_id: int | None = Field(None, description="null: no instructor")
    room_id: int | None = Field(None, description="null: no room")
    capacity: int | None = _whole(0, CAPACITY_MAX, "Default: the class type's, at most the room's")


class NewClass(_Planning):
    """A one-off class: `starts_at` with an offset, or the studio-local `date` and `time`."""

    class_type_id: Id
    starts_at: AwareDatetime | None = None
    date: dt.date | None = None
    time: str | None = _clock()
    notes: str | None = _limited(NOTES_MAX)


class ClassChanges(_Planning):
    """Changes to a class; with `"scope": "future"` also to the later ones of its series."""

    ignored = frozenset({"id", "class_type", "name", "ends_at", "local_date", "local_time", "booked", "spots_left",
                         "waitlisted", "instructor", "room", "series_id", "occurrence_on", "is_modified", "status",
                         "cancelled_at", "cancel_reason"})

    starts_at: AwareDatetime | None = None
    date: dt.date | None = None
    time: str | None = _clock()
    notes: str | None = _limited(NOTES_MAX)
    class_type_id: Id | None = None
    scope: str | None = _one_of(SCOPES)


class Cancellation(Body):
    reason: str | None = _limited(REASON_MAX)


# --- weekly series -----------------------------------------------------------------------------

class ClassTypeName(Shape):
    id: int
    name: str


class Series(Shape):
    """A weekly rule: weekdays (0 = Monday) at a studio-local start time; sessions are generated ahead."""

    id: int
    class_type: ClassTypeName
    weekdays: list[int]
    weekday_names: list[str]
    start_time: str
    duration_minutes: int
    capacity: int
    instructor: PersonBrief | None
    room: Room | None
    starts_on: Day
    ends_on: Day | None
    generated_until: Day | None


Weekdays = Field(None, description="0 = Monday … 6 = Sunday", json_schema_extra={"minItems": 1})


class NewSeries(_Planning):
    class_type_id: Id
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday", json_schema_extra={"minItems": 1})
    start_time: str = _clock(...)
    starts_on: dt.date | None = Field(None, description="Default: today")
    ends_on: dt.date | None = None


class SeriesChanges(_Planning):
    """Changes to the rule from the studio-local day `from` (default today)."""

    ignored = frozenset({"id", "class_type", "weekday_names", "instructor", "room", "generated_until",
                         "starts_on"})

    class_type_id: Id | None = None
    weekdays: list[int] | None = Weekdays
    start_time: str | None = _clock()
    ends_on: dt.date | None = None
    from_: dt.date | None = Field(None, alias="from", description="Default: today")
