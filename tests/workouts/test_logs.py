"""Logging training: validation in plain words, a class needs a check-in, one log per member per class,
members log only their own, and staff log anyone's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_user, principal_for
from tests.running import in_studio, refused, rows, run
from tests.workouts.factories import make_exercise
from tests.workouts.logging import class_with_workout, log_as, squat_set


def _log(values, actor):
    from nexphys.workouts.logs import log_training

    return log_training(values, principal_for(actor))


def test_bad_values_are_refused_in_plain_words(app, studio):
    from nexphys.workouts.errors import LogInvalid

    lift = make_exercise(app, studio)
    member = make_user(app, studio)
    with in_studio(app, studio):
        with pytest.raises(LogInvalid) as caught:
            _log({"performed_on": str(date.today() + timedelta(days=3)), "result_time": "12 minutes",
                  "sets": [{"exercise_id": lift, "reps": "five", "load_kg": "-3", "rpe": "8.3"},
                           {"exercise_id": 999999, "reps": 5}, {"exercise_id": lift}]}, member)
    errors = caught.value.errors
    assert errors["performed_on"] == ["The day you trained can't be in the future."]
    assert errors["result_time"] == ["Enter the time as minutes:seconds, such as 12:34."]
    assert errors["sets"] == ["Set 1: enter the reps as a whole number (up to 1000).",
                              "Set 1: enter the weight in kilos, such as 60 or 62.5.",
                              "Set 1: effort (RPE) is from 1 to 10, in halves such as 8.5.",
                              "Set 2: that exercise is not in the library.",
                              "Set 3: enter the reps, the weight, a time or a distance."]


def test_a_time_is_entered_as_minutes_and_seconds_and_rpe_in_halves(app, studio):
    from nexphys.workouts.models import LogSet, WorkoutLog

    lift = make_exercise(app, studio)
    member = make_user(app, studio)
    log_id, _ = log_as(app, studio, member, result_time="12:34", scaled=True,
                       sets=[squat_set(lift, 5, "62,5", rpe="8.5")])
    log = rows(app, studio, sa.select(WorkoutLog).where(WorkoutLog.id == log_id))[0]
    logged = rows(app, studio, sa.select(LogSet).where(LogSet.log_id == log_id))[0]
    assert (log.result_seconds, log.scaled, log.performed_on, log.title) == (754, True, date.today(), "Training")
    assert (str(logged.load_kg), str(logged.rpe)) == ("62.50", "8.5")


def test_a_class_needs_a_check_in_and_logging_again_changes_the_same_log(app, studio):
    from nexphys.workouts.errors import LogNotAllowed
    from nexphys.workouts.models import WorkoutLog

    lift = make_exercise(app, studio)
    booked, arrived = make_user(app, studio), make_user(app, studio)
    session_id, workout_id = class_with_workout(app, studio, lift, members=((booked, "confirmed"),
                                                                              (arrived, "checked_in")))
    error = refused(app, studio, LogNotAllowed, _log, {"session_id": session_id, "result_time": "5:00"}, booked)
    assert error.message == "Log a class once you are checked in to it."
    first, _ = log_as(app, studio, arrived, session_id=session_id, result_time="5:00")
    again, _ = log_as(app, studio, arrived, session_id=session_id, result_time="4:40", on_leaderboard=True)
    logs = rows(app, studio, sa.select(WorkoutLog).where(WorkoutLog.session_id == session_id))
    assert first == again and len(logs) == 1
    assert (logs[0].result_seconds, logs[0].on_leaderboard, logs[0].workout_id, logs[0].title) == \
        (280, True, workout_id, "Fran-ish")


def test_staff_log_for_anyone_booked_and_members_only_for_themselves(app, studio):
    from nexphys.workouts.errors import LogNotAllowed, LogNotFound
    from nexphys.workouts.logs import delete_log, get_log, update_log

    lift = make_exercise(app, studio)
    coach = make_user(app, studio, "instructor")
    member, other = make_user(app, studio), make_user(app, studio)
    session_id, _ = class_with_workout(app, studio, lift, members=((member, "confirmed"),))
    log_id, _ = log_as(app, studio, coach, member_id=member, session_id=session_id, result_time="6:00")
    refused(app, studio, LogNotAllowed, _log, {"member_id": member, "sets": [squat_set(lift, 5, 50)]}, other)
    refused(app, studio, LogNotAllowed, _log, {"member_id": other, "session_id": session_id}, coach)  # not booked

    def as_other(change):
        actor = principal_for(other)
        with pytest.raises(LogNotFound):
            get_log(log_id, actor)
        from nexphys.extensions import db
        from nexphys.workouts.models import WorkoutLog
        change(db.session.get(WorkoutLog, log_id), actor)

    refused(app, studio, LogNotFound, as_other, lambda log, actor: update_log(log, {"notes": "mine now"}, actor))
    refused(app, studio, LogNotFound, as_other, delete_log)
    run(app, studio, lambda: delete_log(get_log(log_id, principal_for(member)), principal_for(member)))
