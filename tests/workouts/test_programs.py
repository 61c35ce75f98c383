"""Programs' rules: programs, blocks and prescriptions validated in plain words, reordering, deep copies,
archiving, assignments, training maxes and class workouts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from nexphys.workouts.errors import ProgramInvalid
from tests.factories import make_session, make_user
from tests.running import in_studio, run
from tests.workouts.factories import make_exercise, make_program, make_workout


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ProgramInvalid) as caught:
        call()
    return caught.value.errors


def test_a_program_needs_a_name_and_1_to_52_weeks(app, studio):
    from nexphys.workouts import programs

    with in_studio(app, studio):
        errors = _errors(lambda: programs.create_program({"name": " ", "weeks": "60", "colour": "red"}))
        assert errors == {"name": ["This field is required."], "weeks": ["A program's weeks must be between 1 and 52."],
                          "colour": ["Unknown field."]}
        program = programs.create_program({"name": "Base", "weeks": "6", "is_template": "y"})
        assert (program.weeks, program.is_template) == (6, True)
        assert programs.update_program(program, {"weeks": 8}) and program.weeks == 8
        assert not programs.update_program(program, {"weeks": 8})


def test_blocks_need_what_their_kind_needs_and_drop_the_rest(app, studio):
    from nexphys.workouts.programs import clean_block

    with in_studio(app, studio):
        assert _errors(lambda: clean_block({"kind": "amrap"})) == {
            "time_cap_seconds": ["This kind of block needs the time (minutes)."]}
        assert set(_errors(lambda: clean_block({"kind": "intervals", "rounds": "0"}))) == {
            "rounds", "interval_seconds", "rest_seconds"}
        assert _errors(lambda: clean_block({"kind": "yoga"})) == {"kind": ["Choose the kind of block from the list."]}
        emom = clean_block({"kind": "emom", "interval_seconds": "60", "time_cap_seconds": 600, "rounds": "5"})
        assert (emom["interval_seconds"], emom["time_cap_seconds"], emom["rounds"]) == (60, 600, None)


def test_prescriptions_are_checked_in_plain_words(app, studio):
    from nexphys.workouts.programs import clean_prescription

    lift = make_exercise(app, studio)
    with in_studio(app, studio):
        errors = _errors(lambda: clean_prescription({"exercise_id": 987654, "sets": "3"}))
        assert errors == {"exercise_id": ["Choose an exercise from the library."],
                          "reps": ["Give the reps, a time or a distance."]}
        errors = _errors(lambda: clean_prescription({"exercise_id": lift, "reps": 5, "load_kind": "rpe",
                                                     "load_value": "11"}))
        assert errors == {"load_value": ["RPE must be between 1 and 10."]}
        errors = _errors(lambda: clean_prescription({"exercise_id": lift, "reps": 5, "load_kind": "percent_tm",
                                                     "load_value": "170"}))
        assert errors == {"load_value": ["A % of training max must be between 1 and 150."]}
        errors = _errors(lambda: clean_prescription({"exercise_id": lift, "reps": 8, "load_kind": "kg",
                                                     "load_value": "40", "progression": "reps_then_load",
                                                     "progression_amount": "2.5", "reps_ceiling": "6"}))
        assert errors == {"reps_ceiling": ["A rule that adds reps needs a rep ceiling at or above the starting reps."]}
        errors = _errors(lambda: clean_prescription({"exercise_id": lift, "reps": 8, "load_kind": "none",
                                                     "progression": "add_kg"}))
        assert set(errors) == {"progression", "progression_amount"}
        good = clean_prescription({"exercise_id": lift, "sets": "5", "reps": "5", "load_kind": "percent_tm",
                                   "load_value": "70,5", "progression": "add_percent", "progression_amount": "2.5",
                                   "reps_ceiling": "9", "deload_every_weeks": "4"})
        assert (good["load_value"], good["progression_amount"], good["reps_ceiling"]) == (
            Decimal("70.50"), Decimal("2.50"), None)  # a ceiling only for the reps rule


def test_blocks_and_exercises_are_added_moved_and_removed(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts import programs
    from nexphys.workouts.models import Workout

    a, b = make_exercise(app, studio), make_exercise(app, studio)
    workout_id = make_workout(app, studio, title="Editor")

    def build():
        workout = db.session.get(Workout, workout_id)
        first = programs.add_block(workout, {"kind": "straight"})
        second = programs.add_block(workout, {"kind": "amrap", "time_cap_seconds": 600})
        programs.add_prescription(workout, first, {"exercise_id": a, "reps": 5})
        programs.add_prescription(workout, first, {"exercise_id": b, "reps": 8})
        assert programs.move_block(workout, second, -1)
        assert not programs.move_block(workout, second, -1)  # already first
        assert programs.move_prescription(workout, first, first.prescriptions[1], -1)
        programs.remove_block(workout, second)
        return [(blk.position, blk.kind, [p.exercise_id for p in blk.prescriptions]) for blk in workout.blocks]

    assert run(app, studio, build) == [(1, "straight", [b, a])]


def test_a_whole_day_is_replaced_only_when_every_block_is_valid(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts import programs
    from nexphys.workouts.models import Workout

    lift = make_exercise(app, studio)
    workout_id = make_workout(app, studio, [dict(exercise_id=lift, reps=3)])
    with in_studio(app, studio):
        workout = db.session.get(Workout, workout_id)
        errors = _errors(lambda: programs.replace_blocks(workout, [
            {"kind": "straight", "prescriptions": [{"exercise_id": lift, "reps": 5}]},
            {"kind": "emom", "prescriptions": [{"exercise_id": lift}]}]))
        assert set(errors) == {"blocks[1].interval_seconds", "blocks[1].time_cap_seconds",
                               "blocks[1].prescriptions[0].reps"}
        assert [p.reps for p in workout.blocks[0].prescriptions] == [3]
        programs.replace_blocks(workout, [{"kind": "circuit", "rounds": 3, "prescriptions": [
            {"exercise_id": lift, "reps": 10}, {"exercise_id": lift, "duration_seconds": 30}]}])
        assert [(blk.kind, len(blk.prescriptions)) for blk in workout.blocks] == [("circuit", 2)]


def test_copying_a_template_copies_every_day_block_and_prescription(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts import programs
    from nexphys.workouts.models import Program

    lift = make_exercise(app, studio)
    template = make_program(app, studio, weeks=3)
    make_workout(app, studio, [dict(exercise_id=lift, reps=5, load_kind="kg", load_value=Decimal(60),
                                    progression="add_kg", progression_amount=Decimal(5))],
                 [dict(exercise_id=lift, reps=10, block=dict(kind="circuit", rounds=3))],
                 program_id=template, day_number=1, title="Day A")
    make_workout(app, studio, [dict(exercise_id=lift, reps=3)], program_id=template, day_number=4, title="Day B")

    def copy():
        source = db.session.get(Program, template)
        made = programs.copy_program(source)
        source_days = programs.program_days(source)
        source_days[0].blocks[0].prescriptions[0].reps = 1  # the copy does not follow later changes
        db.session.flush()
        return made.id, made.copied_from_id, made.is_template, [
            (d.day_number, d.title, [(blk.kind, blk.rounds, [(p.reps, p.load_value, p.progression)
                                                             for p in blk.prescriptions]) for blk in d.blocks])
            for d in programs.program_days(made)]

    made_id, copied_from, is_template, days = run(app, studio, copy)
    assert made_id != template and copied_from == template and not is_template
    assert days == [(1, "Day A", [("straight", None, [(5, Decimal("60.00"), "add_kg")]),
                                  ("circuit", 3, [(10, None, "none")])]),
                    (4, "Day B", [("straight", None, [(3, None, "none")])])]


def test_archiving_hides_a_program_and_stops_new_assignments(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts import program_queries, program_training, programs
    from nexphys.workouts.models import Program

    program_id = make_program(app, studio, name="Old cycle zz")
    member = make_user(app, studio)
    with in_studio(app, studio):
        program = db.session.get(Program, program_id)
        assert programs.archive_program(program) and not programs.archive_program(program)
        listed = program_queries.search_programs(program_queries.ProgramFilters(search="Old cycle zz")).items
        archived = program_queries.search_programs(program_queries.ProgramFilters(search="Old cycle zz",
                                                                                  archived=True)).items
        assert listed == [] and [p.id for p in archived] == [program_id]
        errors = _errors(lambda: program_training.assign_program(program, member, "2026-03-02"))
        assert list(errors) == ["program_id"]


def test_assignments_training_maxes_and_ends(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts import program_training as training
    from nexphys.workouts.models import Program

    program_id, lift, member = make_program(app, studio), make_exercise(app, studio), make_user(app, studio)
    with in_studio(app, studio):
        program = db.session.get(Program, program_id)
        errors = _errors(lambda: training.assign_program(program, 987654, "next week"))
        assert errors == {"member_id": ["Choose an active member."], "starts_on": ["Use a date such as 2026-01-07."]}
        assignment = training.assign_program(program, member, "2026-03-02")
        assert training.end_assignment(assignment, date(2026, 3, 1)) and assignment.ended_on == date(2026, 3, 2)
        assert not training.end_assignment(assignment, date(2026, 4, 1))
        assert _errors(lambda: training.set_training_max(member, lift, "-5", date(2026, 3, 1))) == {
            "kg": ["A training max must be more than 0 and at most 1000 kg."]}
        training.set_training_max(member, lift, "100", date(2026, 3, 1))
        training.set_training_max(member, lift, "102.5", date(2026, 3, 8))
        assert [(m.kg, m.set_on) for m in training.member_maxes(member)] == [(Decimal("102.50"), date(2026, 3, 8))]
        assert training.set_training_max(member, lift, "", date(2026, 3, 9)) is None
        assert training.member_maxes(member) == []


def test_a_class_workout_is_attached_replaced_and_detached(app, studio):
    from nexphys.classes.models import ClassSession
    from nexphys.extensions import db
    from nexphys.workouts import program_training as training
    from nexphys.workouts import programs
    from nexphys.workouts.models import Workout
    from nexphys.workouts.plans import class_workouts

    session_id = make_session(app, studio, name="WOD")
    with in_studio(app, studio):
        session = db.session.get(ClassSession, session_id)
        first = programs.add_workout({"title": "Fran", "scoring": "time"})
        training.attach_class_workout(first, session=session)
        second = programs.add_workout({"title": "Cindy", "scoring": "rounds_reps"})
        training.attach_class_workout(second, session=session)
        assert class_workouts([session_id])[session_id].workout.title == "Cindy"
        assert db.session.get(Workout, first.id) is None  # the replaced one was used nowhere else
        assert training.detach_class_workout(session=session) and class_workouts([session_id]) == {}
        assert not training.detach_class_workout(session=session)


def test_the_timetable_reads_each_class_s_workout_or_its_series_in_one_query(app, studio):
    from datetime import time as clock

    from nexphys.classes.models import ClassSeries, ClassSession
    from nexphys.classes.queries import slots_between
    from nexphys.extensions import db
    from nexphys.workouts import program_training as training
    from nexphys.workouts import programs
    from nexphys.workouts.program_queries import timetable_workouts
    from tests.running import count_statements

    first, second, bare = (make_session(app, studio, name="Series WOD class") for _ in range(3))
    with in_studio(app, studio):
        session = db.session.get(ClassSession, first)
        series = ClassSeries(class_type_id=session.class_type_id, weekdays=[0], start_time=clock(7),
                             duration_minutes=60, capacity=10, starts_on=date(2026, 1, 5))
        db.session.add(series)
        db.session.flush()
        for session_id in (first, second):
            db.session.get(ClassSession, session_id).series_id = series.id
        training.attach_class_workout(programs.add_workout({"title": "Helen"}), series=series)
        training.attach_class_workout(programs.add_workout({"title": "Grace"}),
                                      session=db.session.get(ClassSession, second))
        db.session.commit()
        starts = [db.session.get(ClassSession, i).starts_at for i in (first, second, bare)]
        slots = [s for s in slots_between(min(starts), max(starts) + timedelta(seconds=1))
                 if s.id in (first, second, bare)]
    assert {s.id: s.series_id is not None for s in slots} == {first: True, second: True, bare: False}
    found: dict = {}
    statements = count_statements(app, lambda: found.update(run(app, studio, lambda: timetable_workouts(slots))))
    assert found == {first: "Helen", second: "Grace"} and statements <= 3  # (binding the studio, then one read)
