"""Request and response shapes of the training logs API: logs with their sets and result, personal records,
and a class's leaderboard (the OpenAPI document's source). The rules and their messages are the logging
service's (nexphys.workouts.logs), checked together with the schema's findings through `clean_log`."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from nexphys.web.schemas import Body, Day, Id, Instant, PageQuery, Query, Shape
from nexphys.workouts.logs import NOTES_MAX, SETS_MAX, TITLE_MAX
from nexphys.workouts.models import RecordKind, Scoring

_TIME = Field(None, description="The time as minutes:seconds (\"12:34\", \"1:02:03\") or whole seconds")


class LogSetIn(Body):
    """One set: its exercise and what was done (reps, kilos, effort, a time or a distance)."""

    exercise_id: Id
    prescription_id: Id | None = Field(None, description="The planned set it answers, if any")
    reps: int | None = Field(None, ge=0)
    load_kg: float | None = Field(None, ge=0, description="Kilos, to the hundredth")
    rpe: float | None = Field(None, description="Effort 1-10 in halves", json_schema_extra={"minimum": 1,
                                                                                              "maximum": 10})
    duration_seconds: int | str | None = _TIME
    distance_m: int | None = Field(None, ge=0)


class _LogFields(Body):
    performed_on: Day | None = Field(None, description="The day trained (default today; not in the future)")
    title: str | None = Field(None, json_schema_extra={"maxLength": TITLE_MAX})
    sets: list[LogSetIn] | None = Field(None, json_schema_extra={"maxItems": SETS_MAX})
    result_time: int | str | None = _TIME
    result_rounds: int | None = Field(None, ge=0)
    result_reps: int | None = Field(None, ge=0)
    result_load_kg: float | None = Field(None, ge=0)
    scaled: bool | None = Field(None, description="Not done as prescribed")
    notes: str | None = Field(None, json_schema_extra={"maxLength": NOTES_MAX})
    on_leaderboard: bool | None = Field(None, description="Show the result on the class's leaderboard")


class NewLog(_LogFields):
    """A training log: one's own (staff: `member_id` of anyone); a class's needs its `session_id` and a check-in."""

    member_id: Id | None = Field(None, description="Staff only: whose training (default: the caller)")
    workout_id: Id | None = None
    assignment_id: Id | None = Field(None, description="The program assignment it belongs to")
    program_week: int | None = Field(None, ge=1, le=52)
    session_id: Id | None = Field(None, description="The class session (one log per member and class)")


class LogChanges(_LogFields):
    """The fields to change; `sets` given replace the log's sets."""

    ignored = frozenset({"id", "member_id", "member_name", "workout_id", "assignment_id", "program_week",
                         "session_id", "result_seconds", "logged_by_id", "records", "created_at", "updated_at",
                         "new_records_message"})


class LogSetOut(Shape):
    id: int
    position: int
    exercise_id: int
    exercise_name: str
    prescription_id: int | None
    reps: int | None
    load_kg: float | None
    rpe: float | None
    duration_seconds: int | None
    distance_m: int | None


class Record(Shape):
    """A personal record: a best the member set (each new best is one)."""

    id: int
    member_id: int
    exercise_id: int
    exercise_name: str
    kind: str = Field(json_schema_extra={"enum": list(RecordKind.ALL)},
                      description="load_at_reps: heaviest at `reps` reps; e1rm: estimated 1RM (Epley)")
    reps: int
    value_kg: float
    previous_kg: float | None
    achieved_on: Day
    log_id: int | None


class WorkoutLog(Shape):
    """A training log with its sets, its result and (after a save) the records it set."""

    id: int
    member_id: int
    member_name: str
    workout_id: int | None
    assignment_id: int | None
    program_week: int | None
    session_id: int | None
    performed_on: Day
    title: str
    result_seconds: int | None
    result_time: str | None
    result_rounds: int | None
    result_reps: int | None
    result_load_kg: float | None
    scaled: bool
    notes: str
    on_leaderboard: bool
    logged_by_id: int | None
    sets: list[LogSetOut]
    records: list[Record] | None = Field(None, description="After a save: the records this save set")
    new_records_message: str | None = None
    created_at: Instant
    updated_at: Instant


class LogsQuery(PageQuery):
    member_id: int | None = Field(None, description="Staff: one member's logs")
    from_: date | None = Field(None, alias="from", description="Trained on or after this day")
    to: date | None = Field(None, description="Trained on or before this day")
    exercise_id: int | None = Field(None, description="Logs with a set of this exercise")


class RecordsQuery(Query):
    member_id: int | None = Field(None, description="Staff: this member's records (default: the caller's)")


class LeaderboardEntry(Shape):
    rank: int
    name: str = Field(description="First name and last initial (staff: the full name)")
    member_id: int | None = Field(None, description="Staff only")
    result_seconds: int | None
    result_time: str | None
    result_rounds: int | None
    result_reps: int | None
    result_load_kg: float | None
    scaled: bool
    mine: bool


class Leaderboard(Shape):
    """A class workout's ranked results: members who opted in (staff: everyone's)."""

    session_id: int
    workout_id: int
    title: str
    scoring: str = Field(json_schema_extra={"enum": list(Scoring.ALL)})
    leaderboard: bool = Field(description="Whether the class shows a leaderboard to its members")
    items: list[LeaderboardEntry]
