"""The demo studios' training logs: member1@gym-abc.example has six weeks of back squats and deadlifts (logged
through the logging service, so records are computed and the progress chart rises with its records), and members
checked in to a past class with a workout have results on its leaderboard when such a class exists. Given once:
a member with logs keeps their own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from nexphys.auth.principals import user_principal
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.workouts.logs import log_training
from nexphys.workouts.models import Exercise, Scoring, WorkoutLog
from nexphys.workouts.plans import class_workouts

WEEKS = 6
# (exercise, sets, reps, first week's kilos, kilos added a week); week 4 repeats week 3 (a stall, like real life)
LIFTS = (("Back squat", 5, 5, Decimal(80), Decimal("2.5")), ("Deadlift", 3, 5, Decimal(110), Decimal(5)))


def _exercise_id(name: str) -> int | None:
    return db.session.scalar(sa.select(Exercise.id).where(sa.func.lower(Exercise.name) == name.lower()))


def seed_member_progress(member: User, today: date) -> int:
    """Two sessions a week for six weeks: squats rising, deadlifts rising, a top single now and then."""
    if db.session.scalar(sa.select(WorkoutLog.id).where(WorkoutLog.member_id == member.id).limit(1)):
        return 0
    actor = user_principal(member)
    made = 0
    for week in range(WEEKS):
        step = week if week < 3 else week - 1  # week 4 repeats week 3
        for day, (name, sets, reps, first, weekly) in zip((0, 3), LIFTS, strict=True):
            exercise_id = _exercise_id(name)
            if exercise_id is None:
                continue
            on = today - timedelta(days=7 * (WEEKS - week) - day)
            load = first + weekly * step
            rows = [{"exercise_id": exercise_id, "reps": reps, "load_kg": str(load), "rpe": "8"}
                    for _ in range(sets)]
            if week % 2 == 1:  # a heavy triple after the work sets: the estimated 1RM jumps
                rows.append({"exercise_id": exercise_id, "reps": 3, "load_kg": str(load + weekly * 3), "rpe": "9"})
            log_training({"performed_on": on.isoformat(), "title": f"{name} day", "sets": rows,
                          "notes": "Demo log"}, actor)
            made += 1
    return made


def seed_class_results(now: datetime) -> int:
    """Results of members checked in to the latest past class with a scored workout and check-ins (opted in),
    if there is one."""
    checked_in = sa.select(Booking.id).where(Booking.session_id == ClassSession.id,
                                             Booking.status == BookingStatus.CHECKED_IN).exists()
    past = list(db.session.scalars(sa.select(ClassSession.id).where(ClassSession.starts_at < now, checked_in)
                                   .order_by(ClassSession.starts_at.desc()).limit(200)))
    attached = class_workouts(past)
    session_id = next((s for s in past if s in attached and attached[s].workout.scoring != Scoring.NONE), None)
    if session_id is None:
        return 0  # no class workout in the demo (yet): nothing to show
    scoring = attached[session_id].workout.scoring
    bookings = db.session.scalars(sa.select(Booking).where(Booking.session_id == session_id,
                                                           Booking.status == BookingStatus.CHECKED_IN)
                                  .order_by(Booking.id).limit(4)).all()
    made = 0
    for n, booking in enumerate(bookings):
        if db.session.scalar(sa.select(WorkoutLog.id).where(WorkoutLog.session_id == session_id,
                                                            WorkoutLog.member_id == booking.member_id)):
            continue
        result = {Scoring.TIME: {"result_time": f"{7 + n}:{(13 * n) % 60:02d}"},
                  Scoring.ROUNDS_REPS: {"result_rounds": 12 - n, "result_reps": 3 * n},
                  Scoring.LOAD: {"result_load_kg": str(100 - 5 * n)},
                  Scoring.REPS: {"result_reps": 150 - 10 * n}}[scoring]
        log_training({"session_id": session_id, "on_leaderboard": True, "scaled": n == 2, **result},
                     user_principal(booking.member))
        made += 1
    return made


def seed_demo_training(slug: str, today: date, now: datetime | None = None) -> int:
    """The studio's demo training logs (gym-abc only), once; returns how many logs were added."""
    if slug != "gym-abc":
        return 0
    member = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == f"member1@{slug}.example"))
    made = seed_member_progress(member, today) if member is not None else 0
    return made + seed_class_results(now or datetime.now(UTC))
