"""The demo studios' training: gym-abc's six-week "Squat cycle" (days 1, 3 and 5; back squat at a % of the
training max, +2.5 % a week, a deload in week 4, and accessories) assigned to member1 from this week's Monday
with training maxes, and a workout of the day on every Metcon class; studio-xyz's short morning flow. Given
once: a studio that has the program keeps its own (a reseed changes nothing)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from nexphys.classes.models import ClassSeries, ClassType
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.workouts import program_training, programs
from nexphys.workouts.models import Exercise, Program


def _ids(*names: str) -> dict[str, int]:
    rows = db.session.execute(sa.select(Exercise.name, Exercise.id).where(Exercise.name.in_(names)))
    return dict(rows.all())


def _lift(exercise_id: int, sets: int, reps: int, **more) -> dict:
    return {"exercise_id": exercise_id, "sets": sets, "reps": reps, **more}


def _squat_cycle(x: dict[str, int]) -> list[tuple[int, str, list[dict]]]:
    squat = _lift(x["Back squat"], 5, 5, load_kind="percent_tm", load_value=70, progression="add_percent",
                  progression_amount=2.5, deload_every_weeks=4, rest_seconds=180, tempo="3-1-1-0")
    return [
        (1, "Day A: squat and press", [
            {"kind": "straight", "title": "Main lift", "prescriptions": [squat]},
            {"kind": "superset", "rounds": 3, "rest_seconds": 90, "prescriptions": [
                _lift(x["Strict press"], 3, 8, load_kind="rpe", load_value=7),
                _lift(x["Pull-up"], 3, 6, notes="Band if needed.")]}]),
        (3, "Day B: squat and hinge", [
            {"kind": "straight", "title": "Main lift", "prescriptions": [dict(squat, sets=3)]},
            {"kind": "straight", "prescriptions": [
                _lift(x["Romanian deadlift"], 3, 8, load_kind="kg", load_value=60, progression="reps_then_load",
                      progression_amount=5, reps_ceiling=12, rest_seconds=120)]}]),
        (5, "Day C: squat and conditioning", [
            {"kind": "straight", "title": "Main lift", "prescriptions": [squat]},
            {"kind": "emom", "interval_seconds": 60, "time_cap_seconds": 600, "prescriptions": [
                _lift(x["Kettlebell swing"], 1, 15, load_kind="kg", load_value=24)]}]),
    ]


def _flow(x: dict[str, int]) -> list[tuple[int, str, list[dict]]]:
    hold = lambda name, seconds: {"exercise_id": x[name], "sets": 1, "duration_seconds": seconds}  # noqa: E731
    return [(1, "Morning flow", [{"kind": "circuit", "rounds": 3, "rest_seconds": 0, "prescriptions": [
        hold("Cat-cow", 60), hold("Downward dog", 45), hold("Warrior II", 45), hold("Child's pose", 60)]}])]


def seed_demo_programs(slug: str, today: date) -> int:
    """The studio's demo programs, once; returns how many were added."""
    name = {"gym-abc": "Squat cycle", "studio-xyz": "Morning flow"}.get(slug)
    if name is None or db.session.scalar(sa.select(Program.id).where(Program.name == name)) is not None:
        return 0
    x = _ids("Back squat", "Strict press", "Pull-up", "Romanian deadlift", "Kettlebell swing", "Thruster",
             "Cat-cow", "Downward dog", "Warrior II", "Child's pose", "Bench press", "Deadlift")
    days = _squat_cycle(x) if slug == "gym-abc" else _flow(x)
    program = programs.create_program({"name": name, "weeks": 6 if slug == "gym-abc" else 2, "description": (
        "Six weeks of squatting three times a week from your training max, with a lighter fourth week."
        if slug == "gym-abc" else "A short daily flow to wake up the spine and hips.")})
    for number, title, blocks in days:
        workout = programs.add_workout({"title": title, "day_number": number}, program)
        programs.replace_blocks(workout, blocks)
    member = db.session.scalar(sa.select(User).where(User.email == f"member1@{slug}.example"))
    if member is not None:
        monday = today - timedelta(days=today.weekday())
        program_training.assign_program(program, member.id, monday.isoformat())
        if slug == "gym-abc":
            for lift, kg in (("Back squat", "120"), ("Bench press", "80"), ("Deadlift", "150")):
                program_training.set_training_max(member.id, x[lift], kg, monday)
    if slug == "gym-abc":
        _metcon_wod(x)
    return 1


def _metcon_wod(x: dict[str, int]) -> None:
    """Every Metcon class carries "Fran" (21-15-9 thrusters and pull-ups, for time)."""
    series = db.session.scalars(sa.select(ClassSeries).join(ClassType, ClassType.id == ClassSeries.class_type_id)
                                .where(ClassType.name == "Metcon")).all()
    if not series:
        return
    wod = programs.add_workout({"title": "Fran", "scoring": "time",
                                "notes": "21-15-9 reps of each, as fast as possible."})
    programs.replace_blocks(wod, [{"kind": "for_time", "time_cap_seconds": 600, "prescriptions": [
        _lift(x["Thruster"], 3, 15, load_kind="kg", load_value=42.5, notes="21, 15 then 9 reps; 30 kg scaled."),
        _lift(x["Pull-up"], 3, 15, notes="21, 15 then 9 reps; ring rows scaled.")]}])
    for one in series:
        program_training.attach_class_workout(wod, series=one)
