"""Workouts (tenant schema): the exercise library, programs and their workouts, assignments, class workouts,
training logs and personal records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.classes.models import ClassSeries, ClassSession
from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class Exercise(TenantModel):
    """One movement a studio programs: what it is, what it works and what it needs."""

    __tablename__ = "exercises"
    __table_args__ = (
        # Names are unique whatever their case: "Back squat" and "back squat" are one exercise.
        sa.Index("uq_exercises_name_lower", sa.func.lower(sa.column("name")), unique=True),
        sa.Index("ix_exercises_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    category: Mapped[str] = mapped_column(sa.String(30))  # a key of vocabulary.CATEGORIES
    primary_muscles: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), default=list, server_default="{}")
    secondary_muscles: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), default=list, server_default="{}")
    # Names of the studio's equipment categories; plain text until the equipment domain links them.
    equipment: Mapped[list[str]] = mapped_column(ARRAY(sa.String(80)), default=list, server_default="{}")
    image_key: Mapped[str | None] = mapped_column(sa.String(200))  # a picture in storage (nexphys.storage)
    video_url: Mapped[str | None] = mapped_column(sa.String(500))
    archived_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)


# ---------------------------------------------------------------------------------------------------------
# Programs: a program has a number of weeks and its days; a day is a workout of blocks of prescriptions.
# Weeks are not stored one by one: week N's targets are computed from week 1's and each prescription's
# progression rule (nexphys.workouts.progression), so a coach writes week 1 and the rule writes the rest.
# A class's workout of the day is the same kind of workout, standing on its own (no program).
# ---------------------------------------------------------------------------------------------------------

class BlockKind:
    STRAIGHT = "straight"  # sets of one exercise after another
    SUPERSET = "superset"  # two or three exercises back to back, then rest
    CIRCUIT = "circuit"  # rounds through every exercise
    AMRAP = "amrap"  # as many rounds as possible in the time
    EMOM = "emom"  # every minute (or interval) on the minute
    FOR_TIME = "for_time"  # the work as fast as possible, with a time cap
    INTERVALS = "intervals"  # work and rest intervals
    ALL = (STRAIGHT, SUPERSET, CIRCUIT, AMRAP, EMOM, FOR_TIME, INTERVALS)


class LoadKind:
    NONE = "none"  # bodyweight, or as the athlete chooses
    KG = "kg"
    PERCENT_TM = "percent_tm"  # per cent of the athlete's training max for the exercise
    RPE = "rpe"  # rate of perceived exertion, 1-10
    RIR = "rir"  # reps in reserve
    ALL = (NONE, KG, PERCENT_TM, RPE, RIR)


class SetType:
    WORKING = "working"
    WARMUP = "warmup"
    DROP = "drop"
    AMRAP = "amrap"  # as many reps as possible in the last set
    ALL = (WORKING, WARMUP, DROP, AMRAP)


class Progression:
    NONE = "none"
    ADD_KG = "add_kg"  # + amount kg each week
    ADD_PERCENT = "add_percent"  # + amount per cent of the load (or of the training max share) each week
    REPS_THEN_LOAD = "reps_then_load"  # + 1 rep a week up to reps_ceiling, then + amount kg and back to reps
    ALL = (NONE, ADD_KG, ADD_PERCENT, REPS_THEN_LOAD)


class Scoring:
    """How a workout's result is written down (and ranked on a class leaderboard)."""
    NONE = "none"  # sets only
    TIME = "time"  # lower is better
    ROUNDS_REPS = "rounds_reps"  # higher is better
    LOAD = "load"  # heaviest, higher is better
    REPS = "reps"  # total reps, higher is better
    ALL = (NONE, TIME, ROUNDS_REPS, LOAD, REPS)


def _known(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.column(column).in_(values), name=f"{column}_known")


class Program(TenantModel):
    """A training program (or a template to copy): its weeks and its days."""

    __tablename__ = "programs"
    __table_args__ = (sa.CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    weeks: Mapped[int] = mapped_column(sa.SmallInteger, default=4)
    is_template: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)


class Workout(TenantModel):
    """A session's work: day `day_number` (1-7, counted from the assignment's start day) of a program's
    week, or on its own (a class's workout of the day)."""

    __tablename__ = "workouts"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "day_number"),
        sa.CheckConstraint("(program_id IS NULL) = (day_number IS NULL)", name="day_of_program"),
        sa.CheckConstraint("day_number IS NULL OR day_number BETWEEN 1 AND 7", name="day_in_week"),
        _known("scoring", Scoring.ALL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Program.id, ondelete="CASCADE"))
    day_number: Mapped[int | None] = mapped_column(sa.SmallInteger)  # 1.. within the program's week
    title: Mapped[str] = mapped_column(sa.String(120))
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    scoring: Mapped[str] = mapped_column(sa.String(20), default=Scoring.NONE, server_default=Scoring.NONE)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)

    blocks: Mapped[list[WorkoutBlock]] = relationship(order_by="WorkoutBlock.position", lazy="selectin",
                                                      cascade="all, delete-orphan")


class WorkoutBlock(TenantModel):
    """A part of a workout done one way: straight sets, a superset, an AMRAP, an EMOM…"""

    __tablename__ = "workout_blocks"
    __table_args__ = (
        _known("kind", BlockKind.ALL),
        sa.CheckConstraint("rounds IS NULL OR rounds > 0", name="rounds_positive"),
        sa.CheckConstraint("time_cap_seconds IS NULL OR time_cap_seconds > 0", name="time_cap_positive"),
        sa.CheckConstraint("interval_seconds IS NULL OR interval_seconds > 0", name="interval_positive"),
        sa.CheckConstraint("rest_seconds IS NULL OR rest_seconds >= 0", name="rest_not_negative"),
        sa.Index("ix_workout_blocks_workout_position", "workout_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workout_id: Mapped[int] = mapped_column(sa.ForeignKey(Workout.id, ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    kind: Mapped[str] = mapped_column(sa.String(20), default=BlockKind.STRAIGHT)
    title: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    rounds: Mapped[int | None] = mapped_column(sa.SmallInteger)  # circuit, superset, for time
    time_cap_seconds: Mapped[int | None]  # AMRAP length, EMOM length, for-time cap
    interval_seconds: Mapped[int | None]  # EMOM: every N seconds; intervals: work
    rest_seconds: Mapped[int | None]  # intervals: rest; supersets and circuits: between rounds
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    prescriptions: Mapped[list[Prescription]] = relationship(order_by="Prescription.position", lazy="selectin",
                                                             cascade="all, delete-orphan")


class Prescription(TenantModel):
    """What to do of one exercise in a block (week 1), and how it progresses week by week."""

    __tablename__ = "prescriptions"
    __table_args__ = (
        _known("set_type", SetType.ALL),
        _known("load_kind", LoadKind.ALL),
        _known("progression", Progression.ALL),
        sa.CheckConstraint("sets > 0", name="sets_positive"),
        sa.CheckConstraint("reps IS NULL OR reps > 0", name="reps_positive"),
        sa.CheckConstraint("duration_seconds IS NULL OR duration_seconds > 0", name="duration_positive"),
        sa.CheckConstraint("distance_m IS NULL OR distance_m > 0", name="distance_positive"),
        sa.CheckConstraint("load_value IS NULL OR load_value >= 0", name="load_not_negative"),
        sa.CheckConstraint("rest_seconds IS NULL OR rest_seconds >= 0", name="rest_not_negative"),
        sa.CheckConstraint("reps_ceiling IS NULL OR reps_ceiling > 0", name="ceiling_positive"),
        sa.CheckConstraint("deload_every_weeks IS NULL OR deload_every_weeks > 1", name="deload_after_a_week"),
        sa.CheckConstraint("deload_percent IS NULL OR deload_percent BETWEEN 1 AND 100", name="deload_share"),
        sa.Index("ix_prescriptions_block_position", "block_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(sa.ForeignKey(WorkoutBlock.id, ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    exercise_id: Mapped[int] = mapped_column(sa.ForeignKey(Exercise.id), index=True)
    set_type: Mapped[str] = mapped_column(sa.String(20), default=SetType.WORKING)
    sets: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    reps: Mapped[int | None] = mapped_column(sa.SmallInteger)
    duration_seconds: Mapped[int | None]
    distance_m: Mapped[int | None]
    load_kind: Mapped[str] = mapped_column(sa.String(20), default=LoadKind.NONE)
    load_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))  # kg, %, RPE or RIR per load_kind
    rest_seconds: Mapped[int | None]
    tempo: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")  # e.g. "3-1-1-0"
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    progression: Mapped[str] = mapped_column(sa.String(20), default=Progression.NONE)
    progression_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))  # kg or % per week
    reps_ceiling: Mapped[int | None] = mapped_column(sa.SmallInteger)  # reps_then_load: reps to reach
    deload_every_weeks: Mapped[int | None] = mapped_column(sa.SmallInteger)  # every Nth week is lighter
    deload_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))  # share of the load then

    exercise: Mapped[Exercise] = relationship(lazy="joined")


class TrainingMax(TenantModel):
    """A member's current training max for an exercise: what % prescriptions are taken of."""

    __tablename__ = "training_maxes"
    __table_args__ = (sa.UniqueConstraint("member_id", "exercise_id"),
                      sa.CheckConstraint("kg > 0", name="kg_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(sa.ForeignKey(Exercise.id, ondelete="CASCADE"))
    kg: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    set_on: Mapped[date] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)


class Assignment(TenantModel):
    """A program given to a member from a start date (week 1 begins that day); ended when stopped."""

    __tablename__ = "program_assignments"
    __table_args__ = (sa.CheckConstraint("ended_on IS NULL OR ended_on >= starts_on", name="ends_after_start"),
                      sa.Index("ix_program_assignments_member", "member_id", "starts_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey(Program.id), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    program: Mapped[Program] = relationship(lazy="joined")
    member: Mapped[User] = relationship(foreign_keys=[member_id], lazy="joined")


class ClassWorkout(TenantModel):
    """A workout attached to a class: to one session, or to a series (every session of it, unless the
    session has its own)."""

    __tablename__ = "class_workouts"
    __table_args__ = (sa.CheckConstraint("(series_id IS NULL) <> (session_id IS NULL)", name="series_or_session"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workout_id: Mapped[int] = mapped_column(sa.ForeignKey(Workout.id, ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey(ClassSeries.id, ondelete="CASCADE"), unique=True)
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey(ClassSession.id, ondelete="CASCADE"),
                                                   unique=True)
    leaderboard: Mapped[bool] = mapped_column(default=True, server_default=sa.true())  # members still opt in
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    workout: Mapped[Workout] = relationship(lazy="joined")


# ---------------------------------------------------------------------------------------------------------
# Logs: what a member did. A log stands for one workout done on one day: of an assignment (with the
# program week), of a class (the session), or free. Sets hold reps, load and RPE; a scored workout's
# result is time, rounds + reps, load or reps. Personal records are rows written when a log beats the best.
# ---------------------------------------------------------------------------------------------------------

class RecordKind:
    LOAD_AT_REPS = "load_at_reps"  # heaviest load lifted for `reps` reps
    E1RM = "e1rm"  # estimated one-rep max, Epley: load × (1 + reps / 30)
    ALL = (LOAD_AT_REPS, E1RM)


class WorkoutLog(TenantModel):
    __tablename__ = "workout_logs"
    __table_args__ = (
        sa.Index("ix_workout_logs_member_day", "member_id", "performed_on"),
        # One log per member per class session: logging again changes it.
        sa.Index("uq_workout_logs_member_session", "member_id", "session_id", unique=True,
                 postgresql_where=sa.text("session_id IS NOT NULL")),
        sa.CheckConstraint("result_seconds IS NULL OR result_seconds > 0", name="time_positive"),
        sa.CheckConstraint("result_rounds IS NULL OR result_rounds >= 0", name="rounds_not_negative"),
        sa.CheckConstraint("result_reps IS NULL OR result_reps >= 0", name="reps_not_negative"),
        sa.CheckConstraint("result_load_kg IS NULL OR result_load_kg >= 0", name="load_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"))
    workout_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Workout.id, ondelete="SET NULL"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Assignment.id, ondelete="SET NULL"))
    program_week: Mapped[int | None] = mapped_column(sa.SmallInteger)
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey(ClassSession.id, ondelete="SET NULL"),
                                                   index=True)
    performed_on: Mapped[date] = mapped_column(sa.Date)
    title: Mapped[str] = mapped_column(sa.String(120))  # kept, so history reads after a workout is gone
    result_seconds: Mapped[int | None]
    result_rounds: Mapped[int | None] = mapped_column(sa.SmallInteger)
    result_reps: Mapped[int | None] = mapped_column(sa.SmallInteger)
    result_load_kg: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    scaled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # not as prescribed
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    on_leaderboard: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # member's choice
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)


class LogSet(TenantModel):
    __tablename__ = "log_sets"
    __table_args__ = (
        sa.Index("ix_log_sets_log_position", "log_id", "position"),
        sa.CheckConstraint("reps IS NULL OR reps >= 0", name="reps_not_negative"),
        sa.CheckConstraint("load_kg IS NULL OR load_kg >= 0", name="load_not_negative"),
        sa.CheckConstraint("rpe IS NULL OR rpe BETWEEN 1 AND 10", name="rpe_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(sa.ForeignKey(WorkoutLog.id, ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(sa.ForeignKey(Exercise.id), index=True)
    prescription_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Prescription.id, ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    reps: Mapped[int | None] = mapped_column(sa.SmallInteger)
    load_kg: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    rpe: Mapped[Decimal | None] = mapped_column(sa.Numeric(3, 1))
    duration_seconds: Mapped[int | None]
    distance_m: Mapped[int | None]

    exercise: Mapped[Exercise] = relationship(lazy="joined")


class PersonalRecord(TenantModel):
    """A best a member set: each new best is a row (so the history of records can be drawn)."""

    __tablename__ = "personal_records"
    __table_args__ = (
        _known("kind", RecordKind.ALL),
        sa.Index("ix_personal_records_member_exercise", "member_id", "exercise_id", "kind", "reps"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(sa.ForeignKey(Exercise.id, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    reps: Mapped[int] = mapped_column(sa.SmallInteger)  # the rep count (1 for an estimated 1RM)
    value_kg: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    previous_kg: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    log_set_id: Mapped[int | None] = mapped_column(sa.ForeignKey(LogSet.id, ondelete="CASCADE"))
    achieved_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
