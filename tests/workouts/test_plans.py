"""Workouts as a member should do them: computed weeks with training maxes, today's day of an assignment,
and the workout attached to a class (the session's own, else its series')."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from nexphys.workouts.models import LoadKind, Progression
from tests.factories import make_session, make_user
from tests.running import in_studio, run
from tests.workouts.factories import make_exercise, make_program, make_workout


def test_a_workout_is_planned_for_a_week_with_the_member_s_training_max(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts.models import TrainingMax, Workout
    from nexphys.workouts.plans import planned

    squat = make_exercise(app, studio)
    member = make_user(app, studio, email="tm@example.com")
    workout_id = make_workout(app, studio, [dict(exercise_id=squat, sets=5, reps=5, load_kind=LoadKind.PERCENT_TM,
                                                 load_value=Decimal(70), progression=Progression.ADD_PERCENT,
                                                 progression_amount=Decimal("2.5"))])
    run(app, studio, lambda: db.session.add(TrainingMax(member_id=member, exercise_id=squat, kg=Decimal(120),
                                                        set_on=date(2026, 1, 1))))
    with in_studio(app, studio):
        plan = planned(db.session.get(Workout, workout_id), week=3, member_id=member)
        target = plan.blocks[0].items[0].target
        anyone = planned(db.session.get(Workout, workout_id), week=3).blocks[0].items[0].target
    assert (target.percent, target.load_kg, target.sets, target.reps) == (Decimal("75.0"), Decimal(90), 5, 5)
    assert (anyone.percent, anyone.load_kg) == (Decimal("75.0"), None)


def test_an_assignment_s_day_counts_weeks_from_its_start(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts.models import Assignment
    from nexphys.workouts.plans import current_assignments, program_day

    lift = make_exercise(app, studio)
    member = make_user(app, studio, email="days@example.com")
    program = make_program(app, studio, weeks=2)
    day_one = make_workout(app, studio, [dict(exercise_id=lift)], program_id=program, day_number=1, title="Day A")
    make_workout(app, studio, [dict(exercise_id=lift)], program_id=program, day_number=3, title="Day B")
    start = date(2026, 3, 2)
    run(app, studio, lambda: db.session.add(Assignment(program_id=program, member_id=member, starts_on=start)))
    with in_studio(app, studio):
        assignment = current_assignments(member, start + timedelta(days=8))[0]
        on_start, second_day = program_day(assignment, start), program_day(assignment, start + timedelta(days=1))
        week_two_b = program_day(assignment, start + timedelta(days=9))
        after = program_day(assignment, start + timedelta(days=14))
        assert program_day(assignment, start - timedelta(days=1)) is None
        assert (on_start.week, on_start.day_number, on_start.workout.id) == (1, 1, day_one)
        assert second_day.workout is None  # a rest day
        assert (week_two_b.week, week_two_b.workout.title) == (2, "Day B")
        assert after.finished and after.workout is None
        assert current_assignments(member, start - timedelta(days=1)) == []


def test_a_session_s_own_workout_wins_over_its_series(app, studio):
    from nexphys.classes.models import ClassSeries, ClassSession
    from nexphys.extensions import db
    from nexphys.workouts.models import ClassWorkout
    from nexphys.workouts.plans import class_workouts

    lift = make_exercise(app, studio)
    of_series = make_workout(app, studio, [dict(exercise_id=lift)], title="Series WOD")
    of_session = make_workout(app, studio, [dict(exercise_id=lift)], title="Special")
    first, second, bare = (make_session(app, studio, name="WOD class") for _ in range(3))

    def attach():
        session = db.session.get(ClassSession, first)
        series = ClassSeries(class_type_id=session.class_type_id, weekdays=[0], start_time=time(7),
                             duration_minutes=60, capacity=10, starts_on=date(2026, 1, 5))
        db.session.add(series)
        db.session.flush()
        for session_id in (first, second):
            db.session.get(ClassSession, session_id).series_id = series.id
        db.session.add_all([ClassWorkout(workout_id=of_series, series_id=series.id),
                            ClassWorkout(workout_id=of_session, session_id=second)])

    run(app, studio, attach)
    with in_studio(app, studio):
        found = {sid: cw.workout.title for sid, cw in class_workouts([first, second, bare]).items()}
    assert found == {first: "Series WOD", second: "Special"}
