"""The demo training logs: member1's six weeks of squats and deadlifts with rising records, given once, and
results on a past class workout only when one exists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tests.factories import make_user
from tests.running import in_studio, run
from tests.workouts.factories import make_exercise
from tests.workouts.logging import class_with_workout


def seed_member_progress_of(member_id: int, today: date) -> int:
    from nexphys.demo.training import seed_member_progress
    from nexphys.extensions import db
    from nexphys.members.models import User

    return seed_member_progress(db.session.get(User, member_id), today)


def test_member1_s_demo_logs_are_seeded_once_with_rising_records(app, studio):
    from nexphys.demo.training import seed_demo_training
    from nexphys.extensions import db
    from nexphys.workouts.models import Exercise, PersonalRecord, RecordKind

    member = make_user(app, studio, email="member1@gym-abc.example")
    today = date(2026, 12, 1)
    assert run(app, studio, seed_member_progress_of, member, today) == 12
    assert run(app, studio, seed_member_progress_of, member, today) == 0  # given once
    with in_studio(app, studio):
        squat = db.session.scalar(sa.select(Exercise.id).where(Exercise.name == "Back squat"))
        estimates = list(db.session.scalars(sa.select(PersonalRecord.value_kg).where(
            PersonalRecord.member_id == member, PersonalRecord.exercise_id == squat,
            PersonalRecord.kind == RecordKind.E1RM).order_by(PersonalRecord.achieved_on, PersonalRecord.value_kg)))
    assert len(estimates) >= 5 and estimates == sorted(estimates) and estimates[-1] > estimates[0]
    assert run(app, studio, seed_demo_training, "studio-xyz", today) == 0


def test_a_past_class_workout_gets_opted_in_results_and_none_is_fine(app, other_studio):
    from nexphys.demo.training import seed_class_results
    from nexphys.workouts.models import WorkoutLog

    assert run(app, other_studio, seed_class_results, datetime.now(UTC)) == 0  # no class workout: nothing
    lift = make_exercise(app, other_studio)
    members = tuple((make_user(app, other_studio), "checked_in") for _ in range(3))
    session_id, _ = class_with_workout(app, other_studio, lift, members=members)
    assert run(app, other_studio, seed_class_results, datetime.now(UTC)) == 3
    assert run(app, other_studio, seed_class_results, datetime.now(UTC)) == 0
    with in_studio(app, other_studio):
        from nexphys.extensions import db
        shown = db.session.scalars(sa.select(WorkoutLog.on_leaderboard).where(WorkoutLog.session_id == session_id))
        assert list(shown) == [True, True, True]
