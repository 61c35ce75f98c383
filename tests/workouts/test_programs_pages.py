"""Programs' pages: staff create, edit and copy programs and write workouts in the editor; members read the
programs assigned to them and their training; the class page and the timetable show a class's workout."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import make_session, make_user, person
from tests.requests import csrf_token_from, host, login
from tests.running import run
from tests.workouts.factories import make_exercise, make_program, make_workout


@pytest.fixture(scope="module")
def coach(app, studio):
    from tests.requests import staff_client
    return staff_client(app, studio, "instructor")[0]


@pytest.fixture(scope="module")
def member_login(app, studio):
    user_id, email = person(app, studio, "member")
    client = app.test_client()
    assert login(client, studio, email).status_code == 302
    return client, user_id


def _get(client, studio, path: str) -> tuple[int, str]:
    response = client.get(path, headers=host(studio))
    return response.status_code, response.get_data(as_text=True)


def _post(client, studio, path: str, data: dict, token_path: str = "/programs"):
    token = csrf_token_from(client, studio, token_path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data})


def test_staff_create_a_program_and_see_plain_messages(app, studio, coach):
    status, page = _get(coach, studio, "/programs?q=zzz-nothing")
    assert status == 200 and "No program matches" in page
    refused = _post(coach, studio, "/programs/new", {"name": "", "weeks": "99"}, "/programs/new")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "This field is required." in page
    assert "A program&#39;s weeks must be between 1 and 52." in page
    made = _post(coach, studio, "/programs/new", {"name": "Pages cycle", "weeks": "6", "description": "Legs"},
                 "/programs/new")
    assert made.status_code == 302
    status, page = _get(coach, studio, made.headers["Location"])
    assert status == 200 and "Pages cycle" in page and "No days yet" in page and "Add a day" in page
    program_id = int(made.headers["Location"].rsplit("/", 1)[1])
    day = _post(coach, studio, f"/programs/{program_id}/days", {"day_number": "1", "title": "Squat day"})
    assert day.status_code == 302 and "/workouts/" in day.headers["Location"]
    status, page = _get(coach, studio, day.headers["Location"])
    assert status == 200 and "Squat day" in page and "Add a block" in page


def test_the_editor_adds_blocks_and_exercises_with_their_rules(app, studio, coach):
    program_id = make_program(app, studio, weeks=6)
    workout_id = make_workout(app, studio, program_id=program_id, day_number=1, title="Day A")
    edit = f"/workouts/{workout_id}/edit"
    refused = _post(coach, studio, f"/workouts/{workout_id}/blocks/new", {"kind": "amrap"}, edit)
    assert refused.status_code == 422 and "This kind of block needs the time (minutes)." in refused.get_data(
        as_text=True)
    added = _post(coach, studio, f"/workouts/{workout_id}/blocks/new", {"kind": "straight", "title": "Main lift"},
                  edit)
    assert added.status_code == 302
    block_id = int(re.search(r"#block-(\d+)", added.headers["Location"]).group(1))
    _post(coach, studio, f"/workouts/{workout_id}/blocks/new", {"kind": "amrap", "time_cap_seconds": "12"}, edit)
    form = f"/workouts/{workout_id}/blocks/{block_id}/exercises/new"
    status, page = _get(coach, studio, form)
    assert status == 200 and '<datalist id="exercise-names">' in page and "Back squat" in page
    refused = _post(coach, studio, form, {"exercise": "Back squat", "sets": "5", "reps": "5", "load_kind": "percent_tm",
                                          "load_value": "70", "progression": "reps_then_load",
                                          "progression_amount": "2.5", "reps_ceiling": "3"}, form)
    assert refused.status_code == 422
    assert "A rule that adds reps needs a rep ceiling at or above the starting reps." in refused.get_data(as_text=True)
    saved = _post(coach, studio, form, {"exercise": "back squat", "set_type": "working", "sets": "5", "reps": "5",
                                        "load_kind": "percent_tm", "load_value": "70", "progression": "add_percent",
                                        "progression_amount": "2.5", "deload_every_weeks": "4"}, form)
    assert saved.status_code == 302
    status, page = _get(coach, studio, edit)
    assert "Back squat" in page and "5 × 5 at 70 % of training max" in page and "AMRAP 12 min" in page
    status, page = _get(coach, studio, f"/programs/{program_id}?week=4")
    assert "Deload week" in page and "5 × 5 at 45 % of training max" in page  # week 3's 75 %, 60 % of it
    status, page = _get(coach, studio, f"/programs/{program_id}?week=3")
    assert "5 × 5 at 75 % of training max" in page and "Week 1 → week 6" in page
    moved = _post(coach, studio, f"/workouts/{workout_id}/blocks/{block_id}/move", {"direction": "down"}, edit)
    assert moved.status_code == 302
    _status, page = _get(coach, studio, edit)
    assert page.index("AMRAP 12 min") < page.index("Main lift")


def test_copy_and_archive_a_program(app, studio, coach):
    lift = make_exercise(app, studio)
    template = make_program(app, studio, name="Template to copy")
    make_workout(app, studio, [dict(exercise_id=lift, reps=5)], program_id=template, day_number=2, title="Day B")
    copied = _post(coach, studio, f"/programs/{template}/copy", {})
    assert copied.status_code == 302
    _status, page = _get(coach, studio, copied.headers["Location"])
    assert "Template to copy (copy)" in page and "Day 2: Day B" in page
    status, page = _get(coach, studio, f"/programs/{template}/archive")
    assert status == 200 and "Archive program" in page
    assert _post(coach, studio, f"/programs/{template}/archive", {}).status_code == 302
    _status, page = _get(coach, studio, "/programs?q=Template+to+copy")
    assert "Template to copy (copy)" in page and f'/programs/{template}"' not in page


def test_members_read_their_program_and_training_and_may_not_edit(app, studio, coach, member_login):
    from nexphys.extensions import db
    from nexphys.tenancy.context import require_tenant
    from nexphys.workouts.models import Assignment, TrainingMax

    client, member_id = member_login
    squat = make_exercise(app, studio)
    program_id = make_program(app, studio, weeks=6, name="Member cycle")
    other_program = make_program(app, studio, name="Not theirs")
    workout_id = make_workout(app, studio, [dict(exercise_id=squat, sets=5, reps=5, load_kind="percent_tm",
                                                 load_value=Decimal(70))], program_id=program_id, day_number=1,
                              title="Heavy day")
    make_workout(app, studio, [dict(exercise_id=squat, reps=3)], program_id=program_id, day_number=3, title="Day C")

    def assign():
        today = require_tenant().today()
        db.session.add(TrainingMax(member_id=member_id, exercise_id=squat, kg=Decimal(100), set_on=today))
        db.session.add(Assignment(program_id=program_id, member_id=member_id, starts_on=today - timedelta(days=7)))
    run(app, studio, assign)
    status, page = _get(client, studio, "/training")
    assert status == 200 and "Week 2 of 6" in page and "Heavy day" in page and "70 kg (70 % of training max)" in page
    assert f"/training/log/new?workout={workout_id}&amp;assignment=" in page and "&amp;week=2" in page
    assert "My programs" in page and f'href="/programs/{program_id}"' in page and "Not theirs" not in page
    assert _get(client, studio, f"/programs/{program_id}")[0] == 200
    assert _get(client, studio, f"/programs/{other_program}")[0] == 404
    for path in ("/programs", "/programs/new", f"/workouts/{workout_id}/edit", f"/programs/{program_id}/edit",
                 f"/members/{member_id}/training"):
        assert _get(client, studio, path)[0] == 403, path
    token = csrf_token_from(client, studio, "/training")
    for path in (f"/programs/{program_id}/copy", f"/workouts/{workout_id}/blocks/new",
                 f"/programs/{program_id}/assign", f"/members/{member_id}/training-maxes"):
        assert client.post(path, headers=host(studio), data={"csrf_token": token}).status_code == 403, path


def test_a_rest_day_says_what_is_next(app, studio):
    from nexphys.extensions import db
    from nexphys.tenancy.context import require_tenant
    from nexphys.workouts.models import Assignment

    member_id, email = person(app, studio, "member")
    client = app.test_client()
    login(client, studio, email)
    program_id = make_program(app, studio, weeks=2)
    make_workout(app, studio, [dict(exercise_id=make_exercise(app, studio), reps=5)], program_id=program_id,
                 day_number=3, title="Day B")
    run(app, studio, lambda: db.session.add(Assignment(program_id=program_id, member_id=member_id,
                                                       starts_on=require_tenant().today())))
    _status, page = _get(client, studio, "/training")
    assert "Rest day" in page and "Day 3 (Day B)" in page and "Week 1 of 2" in page


def test_staff_assign_end_and_set_training_maxes(app, studio, coach):
    member_id = make_user(app, studio)
    program_id = make_program(app, studio, name="Assignable")
    page_path = f"/members/{member_id}/training"
    status, page = _get(coach, studio, page_path)
    assert status == 200 and "No program running today" in page and "Assignable" in page
    assigned = _post(coach, studio, f"/members/{member_id}/assign", {"program_id": str(program_id),
                                                                      "starts_on": "2026-01-05"}, page_path)
    assert assigned.status_code == 302
    _status, page = _get(coach, studio, page_path)
    assert "Assignable" in page and "from 05 Jan 2026" in page
    assignment_id = int(re.search(r"/assignments/(\d+)/end", page).group(1))
    assert _post(coach, studio, f"/assignments/{assignment_id}/end", {}, page_path).status_code == 302
    _status, page = _get(coach, studio, page_path)
    assert "ended" in page
    refused = _post(coach, studio, f"/members/{member_id}/training-maxes", {"exercise": "Nope nope", "kg": "x"},
                    page_path)
    assert refused.status_code == 422 and "Choose an exercise from the library." in refused.get_data(as_text=True)
    saved = _post(coach, studio, f"/members/{member_id}/training-maxes", {"exercise": "Deadlift", "kg": "180"},
                  page_path)
    assert saved.status_code == 302
    _status, page = _get(coach, studio, page_path)
    assert "Deadlift" in page and "180 kg" in page
    _status, page = _get(coach, studio, f"/members/{member_id}")
    assert page_path in page


def test_a_class_workout_shows_on_the_class_page_and_the_timetable(app, studio, coach, member_login):
    client, _member_id = member_login
    session_id = make_session(app, studio, starts_in=timedelta(hours=3), name="WOD pages")
    status, page = _get(coach, studio, f"/classes/{session_id}")
    assert "Add the workout of the day" in page
    assert _get(client, studio, f"/classes/{session_id}/workout")[0] == 403
    _status, timetable = _get(client, studio, "/")  # seen before any class has a workout (kept in process)
    assert "WOD pages" in timetable and "Workout:" not in timetable
    attached = _post(coach, studio, f"/classes/{session_id}/workout", {"title": "Fran", "scoring": "time"},
                     f"/classes/{session_id}/workout")
    assert attached.status_code == 302
    workout_id = int(re.search(r"/workouts/(\d+)/edit", attached.headers["Location"]).group(1))
    edit = f"/workouts/{workout_id}/edit"
    _post(coach, studio, f"/workouts/{workout_id}/blocks/new", {"kind": "for_time", "rounds": "3"}, edit)
    _status, page = _get(coach, studio, edit)
    block_id = re.search(r'id="block-(\d+)"', page).group(1)
    form = f"/workouts/{workout_id}/blocks/{block_id}/exercises/new"
    _post(coach, studio, form, {"exercise": "Thruster", "reps": "21", "load_kind": "kg", "load_value": "42.5"}, form)
    status, page = _get(client, studio, f"/classes/{session_id}")
    assert status == 200 and "Workout: Fran" in page and "1 × 21 at 42.5 kg" in page and "3 rounds for time" in page
    assert "Change the workout" not in page
    _status, timetable = _get(client, studio, "/")
    assert "Workout: Fran" in timetable
    # a changed title shows at once on the timetable (nothing caches the workouts)
    _post(coach, studio, edit, {"title": "Grace", "scoring": "time", "notes": ""}, edit)
    _status, timetable = _get(client, studio, "/")
    assert "Workout: Grace" in timetable and "Workout: Fran" not in timetable
    removed = _post(coach, studio, f"/classes/{session_id}/workout/remove?scope=session", {},
                    f"/classes/{session_id}/workout")
    assert removed.status_code == 302
    _status, timetable = _get(client, studio, "/")
    assert "Workout: Grace" not in timetable


def test_another_studio_s_staff_cannot_open_or_change_these_pages(app, studio, other_studio):
    from tests.requests import staff_client

    program_id = make_program(app, studio, name="A's program")
    workout_id = make_workout(app, studio, program_id=program_id, day_number=1, title="A's day")
    member_id = make_user(app, studio, full_name="Only In Studio A")
    session_id = make_session(app, studio, name="A's class")
    theirs = staff_client(app, other_studio, "manager")[0]
    for path in (f"/programs/{program_id}", f"/workouts/{workout_id}/edit", f"/classes/{session_id}/workout"):
        assert _get(theirs, other_studio, path)[0] == 404, path
    status, page = _get(theirs, other_studio, f"/members/{member_id}/training")  # ids are per studio
    assert status == 404 or "Only In Studio A" not in page
    for path in (f"/programs/{program_id}/copy", f"/programs/{program_id}/archive", f"/workouts/{workout_id}/edit",
                 f"/workouts/{workout_id}/blocks/new", f"/classes/{session_id}/workout"):
        assert _post(theirs, other_studio, path, {"title": "Taken", "kind": "straight"}).status_code == 404, path
    _status, page = _get(theirs, other_studio, "/programs?q=A%27s")
    assert "A&#39;s program" not in page


def test_staff_turn_a_class_s_leaderboard_off_and_on(app, studio, coach):
    import sqlalchemy as sa

    from nexphys.workouts.models import ClassWorkout
    from tests.running import rows

    session_id = make_session(app, studio, name="Leaderboard class")
    added = _post(coach, studio, f"/classes/{session_id}/workout", {"title": "Cindy", "scoring": "rounds_reps"},
                  f"/classes/{session_id}/workout")  # the box left unticked: no leaderboard
    assert added.status_code == 302

    def leaderboard() -> bool:
        return rows(app, studio, sa.select(ClassWorkout.leaderboard).where(ClassWorkout.session_id == session_id))[0]

    assert leaderboard() is False
    assert "Leaderboard off" in _get(coach, studio, f"/classes/{session_id}/workout")[1]
    turned = _post(coach, studio, f"/classes/{session_id}/workout/leaderboard",
                   {"scope": "session", "leaderboard": "1"}, f"/classes/{session_id}/workout")
    assert turned.status_code == 302 and leaderboard() is True
