"""Request and response shapes of the programs API: programs with their days → blocks → prescriptions (and the
week's computed targets), assignments, training maxes and class workouts. Bodies declare types; the rules and
their messages are nexphys.workouts.programs' and program_training's."""

from __future__ import annotations

from pydantic import Field

from nexphys.web.schemas import Body, Day, Id, Instant, PageQuery, Query, Shape, Text
from nexphys.workouts.models import BlockKind, LoadKind, Progression, Scoring, SetType

Number = float | int  # kilograms and per cents travel as JSON numbers (72.5)


def _enum(values: tuple[str, ...], nullable: bool = False) -> dict:
    return {"enum": [*values, *([None] if nullable else [])]}


class ProgramsQuery(PageQuery):
    q: str | None = Field(None, description="Text in the program's name")
    kind: str | None = Field(None, description="programs or templates (default: both)",
                             json_schema_extra=_enum(("programs", "templates"), True))
    archived: bool = Field(False, description="true: the archived programs instead")


class WeekQuery(Query):
    week: int | None = Field(None, description="Add every prescription's computed target for this week (1..weeks)",
                             json_schema_extra={"minimum": 1, "maximum": 52})


class Target(Shape):
    """A prescription's target in the asked week (computed, never stored)."""

    week: int
    sets: int
    reps: int | None
    duration_seconds: int | None
    distance_m: int | None
    load_kg: float | None = Field(description="The weight to lift (a % load needs the member's training max)")
    percent: float | None = Field(description="Of the training max, for % prescriptions")
    effort: float | None = Field(description="RPE or reps in reserve")
    deload: bool
    text: str = Field(description="The target in words, e.g. “5 × 5 at 70 % of training max”")


class Prescription(Shape):
    id: int
    position: int
    exercise_id: int
    exercise_name: str
    set_type: str = Field(json_schema_extra=_enum(SetType.ALL))
    sets: int
    reps: int | None
    duration_seconds: int | None
    distance_m: int | None
    load_kind: str = Field(json_schema_extra=_enum(LoadKind.ALL))
    load_value: float | None
    rest_seconds: int | None
    tempo: str
    notes: str
    progression: str = Field(json_schema_extra=_enum(Progression.ALL))
    progression_amount: float | None
    reps_ceiling: int | None
    deload_every_weeks: int | None
    deload_percent: float | None
    target: Target | None = None


class Block(Shape):
    id: int
    position: int
    kind: str = Field(json_schema_extra=_enum(BlockKind.ALL))
    title: str
    rounds: int | None
    time_cap_seconds: int | None
    interval_seconds: int | None
    rest_seconds: int | None
    notes: str
    prescriptions: list[Prescription]


class Workout(Shape):
    """A program's day (day_number 1-7 from an assignment's start day) or a workout on its own."""

    id: int
    program_id: int | None
    day_number: int | None
    title: str
    notes: str
    scoring: str = Field(json_schema_extra=_enum(Scoring.ALL))
    blocks: list[Block]


class ProgramSummary(Shape):
    id: int
    name: str
    description: str
    weeks: int
    is_template: bool
    copied_from_id: int | None
    archived: bool
    created_at: Instant
    updated_at: Instant


class Program(ProgramSummary):
    """A program with its days; with ?week=N every prescription carries its target for that week."""

    week: int | None = None
    days: list[Workout]


class NewProgram(Body):
    name: Text
    description: str | None = None
    weeks: int = Field(4, json_schema_extra={"minimum": 1, "maximum": 52})
    is_template: bool = False


class ProgramChanges(Body):
    ignored = frozenset({"id", "copied_from_id", "created_at", "updated_at", "days", "week"})

    name: str | None = None
    description: str | None = None
    weeks: int | None = Field(None, json_schema_extra={"minimum": 1, "maximum": 52})
    is_template: bool | None = None
    archived: bool | None = Field(None, description="true archives the program")


class ProgramCopy(Body):
    name: str | None = Field(None, description="The new program's name (default: “<name> (copy)”)")


class NewPrescription(Body):
    exercise_id: Id
    set_type: str | None = Field(None, json_schema_extra=_enum(SetType.ALL, True))
    sets: int = 1
    reps: int | None = None
    duration_seconds: int | None = None
    distance_m: int | None = None
    load_kind: str | None = Field(None, json_schema_extra=_enum(LoadKind.ALL, True))
    load_value: Number | None = None
    rest_seconds: int | None = None
    tempo: str | None = None
    notes: str | None = None
    progression: str | None = Field(None, json_schema_extra=_enum(Progression.ALL, True))
    progression_amount: Number | None = None
    reps_ceiling: int | None = None
    deload_every_weeks: int | None = None
    deload_percent: Number | None = None


class NewBlock(Body):
    kind: str = Field(BlockKind.STRAIGHT, json_schema_extra=_enum(BlockKind.ALL))
    title: str | None = None
    rounds: int | None = None
    time_cap_seconds: int | None = None
    interval_seconds: int | None = None
    rest_seconds: int | None = None
    notes: str | None = None
    prescriptions: list[NewPrescription] = Field(default_factory=list)


class DayBody(Body):
    """A whole workout: its title and scoring and every block (what was there is replaced)."""

    title: Text
    scoring: str | None = Field(None, json_schema_extra=_enum(Scoring.ALL, True))
    notes: str | None = None
    blocks: list[NewBlock] = Field(default_factory=list)


class ClassWorkoutBody(DayBody):
    """A class's whole workout of the day, and whether the class shows a leaderboard (on unless said)."""

    leaderboard: bool | None = None


class AssignmentsQuery(PageQuery):
    member_id: int | None = Field(None, description="One member's (staff); members always get their own")
    program_id: int | None = None
    current: bool = Field(False, description="true: only the ones not ended")


class Assignment(Shape):
    id: int
    program_id: int
    program_name: str
    member_id: int
    member_name: str
    starts_on: Day
    ended_on: Day | None
    notes: str
    ended: bool


class NewAssignment(Body):
    program_id: Id
    member_id: Id
    starts_on: Day = Field(description="Week 1 starts that day (YYYY-MM-DD)")
    notes: str | None = None


class AssignmentChanges(Body):
    ended: bool = Field(description="true ends the assignment today")


class TrainingMax(Shape):
    exercise_id: int
    exercise_name: str
    kg: float
    set_on: Day


class TrainingMaxValue(Body):
    exercise_id: Id
    kg: Number | None = Field(description="Kilograms, or null to remove it")


class TrainingMaxesBody(Body):
    """The training maxes to set (others are left as they are); kg null removes one."""

    items: list[TrainingMaxValue]


class ClassWorkout(Shape):
    attached_to: str = Field(json_schema_extra=_enum(("session", "series")),
                             description="Where it is attached: the class itself, or its whole series")
    session_id: int | None
    series_id: int | None
    leaderboard: bool = Field(description="Whether the class shows a leaderboard of the results members choose "
                                          "to show")
    workout: Workout
