"""Personal records: Epley's estimate, the heaviest load at N reps, and records recomputed when logs change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import make_user, principal_for
from tests.running import in_studio, rows, run
from tests.workouts.factories import make_exercise
from tests.workouts.logging import log_as, squat_set


def test_epley_estimates_a_one_rep_max_and_a_single_is_its_own_load():
    from nexphys.workouts.records import epley, kg

    assert epley(Decimal(100), 5) == Decimal("116.67")
    assert kg(epley(Decimal(100), 5), 1) == "116.7"
    assert epley(Decimal("142.5"), 1) == Decimal("142.50")
    assert epley(Decimal(80), 10) == Decimal("106.67")


def test_only_sets_of_one_to_twelve_reps_with_a_load_are_records_and_ties_are_not():
    from nexphys.workouts.records import Lift, new_bests

    on = date(2026, 1, 5)
    lifts = [Lift(1, 7, 5, Decimal(100), on), Lift(2, 7, 5, Decimal(100), on), Lift(3, 7, 15, Decimal(90), on),
             Lift(4, 7, 5, Decimal(0), on), Lift(5, 7, 3, Decimal(105), on)]
    found = [(b.kind, b.reps, b.value_kg, b.previous_kg, b.lift.set_id) for b in new_bests(lifts)]
    assert found == [("load_at_reps", 5, Decimal("100.00"), None, 1), ("e1rm", 1, Decimal("116.67"), None, 1),
                     ("load_at_reps", 3, Decimal("105.00"), None, 5)]  # 3 × 105 is 115.5: not a better 1RM


def _standing(app, studio, member):
    from nexphys.workouts.log_queries import current_records

    with in_studio(app, studio):
        return {(r.kind, r.reps): r.value_kg for r in current_records(member)}


def test_a_new_best_is_a_record_with_the_previous_best_and_the_message_says_so(app, studio):
    from nexphys.workouts.models import PersonalRecord

    squat = make_exercise(app, studio, name="Back squat record test")
    member = make_user(app, studio)
    today = date.today()
    _, first = log_as(app, studio, member, performed_on=str(today - timedelta(days=7)),
                      sets=[squat_set(squat, 5, 95)])
    _, second = log_as(app, studio, member, performed_on=str(today - timedelta(days=1)),
                       sets=[squat_set(squat, 5, 100), squat_set(squat, 5, 90)])
    assert first == "New record: Back squat record test 5 × 95 kg (estimated 1RM 110.8 kg)"
    assert second == "New record: Back squat record test 5 × 100 kg (estimated 1RM 116.7 kg)"
    latest = rows(app, studio, sa.select(PersonalRecord).where(PersonalRecord.member_id == member,
                                                              PersonalRecord.kind == "load_at_reps")
                  .order_by(PersonalRecord.value_kg.desc()))[0]
    assert (latest.value_kg, latest.previous_kg, latest.reps) == (Decimal(100), Decimal(95), 5)
    _, again = log_as(app, studio, member, sets=[squat_set(squat, 5, 100)])
    assert again == ""  # a tie is no record


def test_deleting_the_log_that_set_a_record_falls_back_to_the_previous_best(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts.logs import delete_log, get_log, update_log

    deadlift = make_exercise(app, studio, name="Deadlift record test")
    member = make_user(app, studio)
    today = date.today()
    log_as(app, studio, member, performed_on=str(today - timedelta(days=3)), sets=[squat_set(deadlift, 3, 140)])
    best_id, _ = log_as(app, studio, member, performed_on=str(today - timedelta(days=1)),
                        sets=[squat_set(deadlift, 3, 150)])
    assert _standing(app, studio, member)[("load_at_reps", 3)] == Decimal(150)

    def edit():
        actor = principal_for(member)
        return update_log(get_log(best_id, actor), {"sets": [squat_set(deadlift, 3, 130)]}, actor).message

    assert run(app, studio, edit) == ""
    assert _standing(app, studio, member)[("load_at_reps", 3)] == Decimal(140)

    def back_up_then_delete():
        actor = principal_for(member)
        update_log(get_log(best_id, actor), {"sets": [squat_set(deadlift, 3, 155)]}, actor)
        db.session.flush()
        delete_log(get_log(best_id, actor), actor)

    run(app, studio, back_up_then_delete)
    standing = _standing(app, studio, member)
    assert standing[("load_at_reps", 3)] == Decimal(140)
    assert standing[("e1rm", 1)] == Decimal("154.00")


def test_a_log_dated_before_a_heavier_one_is_a_record_only_when_it_beat_what_came_before(app, studio):
    from nexphys.workouts.models import PersonalRecord

    press = make_exercise(app, studio, name="Press record order test")
    member = make_user(app, studio)
    today = date.today()
    log_as(app, studio, member, performed_on=str(today - timedelta(days=10)), sets=[squat_set(press, 5, 50)])
    log_as(app, studio, member, performed_on=str(today), sets=[squat_set(press, 5, 60)])
    _, message = log_as(app, studio, member, performed_on=str(today - timedelta(days=5)),
                        sets=[squat_set(press, 5, 55)])
    assert message.startswith("New record: Press record order test 5 × 55 kg")
    history = rows(app, studio, sa.select(PersonalRecord).where(
        PersonalRecord.member_id == member, PersonalRecord.kind == "load_at_reps").order_by(PersonalRecord.achieved_on))
    assert [(r.value_kg, r.previous_kg) for r in history] == [(50, None), (55, 50), (60, 55)]
