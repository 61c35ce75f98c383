"""Helpers of the training log tests: logging through the service as a person, and a class with a workout."""

from __future__ import annotations

from datetime import timedelta

from tests.bookings.history import insert_booking
from tests.factories import make_session, principal_for
from tests.running import run
from tests.workouts.factories import make_workout


def log_as(app, tenant, actor_id: int, **values):
    """Log training through the service as `actor_id`; returns (log id, message)."""
    from nexphys.workouts.logs import log_training

    def save():
        saved = log_training(values, principal_for(actor_id))
        return saved.log.id, saved.message

    return run(app, tenant, save)


def squat_set(exercise_id: int, reps: int, kg, **more) -> dict:
    return {"exercise_id": exercise_id, "reps": reps, "load_kg": str(kg), **more}


def class_with_workout(app, tenant, exercise_id: int, scoring: str = "time", leaderboard: bool = True,
                       members: tuple[tuple[int, str], ...] = ()) -> tuple[int, int]:
    """A class (started an hour ago) with a scored workout attached, and bookings; returns (session, workout)."""
    from nexphys.extensions import db
    from nexphys.workouts.models import ClassWorkout

    session_id = make_session(app, tenant, starts_in=timedelta(hours=-1), name="WOD")
    workout_id = make_workout(app, tenant, [dict(exercise_id=exercise_id, sets=2, reps=5)], title="Fran-ish",
                              scoring=scoring)
    run(app, tenant, lambda: db.session.add(ClassWorkout(workout_id=workout_id, session_id=session_id,
                                                         leaderboard=leaderboard)))
    for member_id, status in members:
        insert_booking(app, tenant, session_id, member_id, status)
    return session_id, workout_id
