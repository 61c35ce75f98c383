"""The training log pages: logging a class result from the form (prefilled, "New record"), plain-word errors,
history, records with the formula, the progress chart's data and table, staff views of a member, removal,
and another studio never reaching a log."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from tests.factories import person
from tests.requests import csrf_token_from, login
from tests.running import host, rows
from tests.workouts.factories import make_exercise
from tests.workouts.logging import class_with_workout, log_as, squat_set


def _client(app, tenant, role="member"):
    user_id, email = person(app, tenant, role)
    client = app.test_client()
    assert login(client, tenant, email).status_code == 302
    return client, user_id


def test_a_checked_in_member_logs_a_class_result_and_sees_the_record_and_the_leaderboard(app, studio):
    from nexphys.workouts.models import WorkoutLog

    squat = make_exercise(app, studio, name="Page squat")
    client, member = _client(app, studio)
    rival, _ = person(app, studio, full_name="Ada Lovelace")
    session_id, _ = class_with_workout(app, studio, squat, members=((member, "checked_in"), (rival, "checked_in")))
    log_as(app, studio, rival, session_id=session_id, result_time="4:00", on_leaderboard=True)
    form_path = f"/training/log/new?session={session_id}"
    page = client.get(form_path, headers=host(studio)).get_data(as_text=True)
    assert page.count('name="set_reps"') == 2 + 2 + 1  # two planned sets, two spare rows, the row template
    assert "Page squat" in page and "target 2 × 5" in page and 'inputmode="decimal"' in page
    assert "Show my result on the class leaderboard" in page
    token = csrf_token_from(client, studio, form_path)
    answer = client.post(form_path, headers=host(studio), data={
        "csrf_token": token, "result_minutes": "3", "result_seconds": "41", "on_leaderboard": "1",
        "set_exercise": [str(squat)] * 2 + [""], "set_prescription": ["", "", ""], "set_reps": ["5", "5", ""],
        "set_load": ["100", "90", ""], "set_rpe": ["8.5", "", ""]})
    assert answer.status_code == 302, re.findall(r'<li><a href="#[^"]*">([^<]*)', answer.get_data(as_text=True))
    assert answer.location.endswith(f"/classes/{session_id}")
    class_page = client.get(answer.location, headers=host(studio)).get_data(as_text=True)
    assert "New record: Page squat 5 × 100 kg (estimated 1RM 116.7 kg)" in class_page
    board = re.search(r'<ol class="leaderboard".*?</ol>', class_page, re.S).group(0)
    assert board.index("3:41") < board.index("Ada L.") and "leaderboard-mine" in board
    assert "Change your result" in class_page
    saved = rows(app, studio, sa.select(WorkoutLog).where(WorkoutLog.member_id == member))[0]
    assert (saved.result_seconds, saved.on_leaderboard) == (221, True)


def test_bad_values_come_back_in_plain_words(app, studio):
    squat = make_exercise(app, studio)
    client, _ = _client(app, studio)
    token = csrf_token_from(client, studio, "/training/log/new")
    answer = client.post("/training/log/new", headers=host(studio), data={
        "csrf_token": token, "performed_on": "2999-01-01", "set_exercise": [str(squat)], "set_prescription": [""],
        "set_reps": ["lots"], "set_load": ["80"], "set_rpe": [""]})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "The day you trained can&#39;t be in the future." in page
    assert "Set 1: enter the reps as a whole number (up to 1000)." in page
    assert 'value="lots"' in page  # what was typed is kept


def test_history_records_and_progress_show_a_member_s_own_training(app, studio):
    deadlift = make_exercise(app, studio, name="Page deadlift")
    client, member = _client(app, studio)
    assert "No training logged yet" in client.get("/training/history", headers=host(studio)).get_data(as_text=True)
    log_as(app, studio, member, performed_on="2026-01-05", sets=[squat_set(deadlift, 5, 140)])
    log_as(app, studio, member, performed_on="2026-01-12", sets=[squat_set(deadlift, 3, 150)])
    history = client.get("/training/history", headers=host(studio)).get_data(as_text=True)
    assert history.index("12 Jan 2026") < history.index("05 Jan 2026") and history.count("2 records") == 2
    records = client.get("/training/records", headers=host(studio)).get_data(as_text=True)
    # 3 × 150 (165) beat 5 × 140 (163.3) as the estimated 1RM
    assert "load × (1 + reps ÷ 30)" in records and "165 kg" in records and "140 kg" in records
    progress = client.get(f"/training/exercises/{deadlift}", headers=host(studio)).get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="progress-data">(.*?)</script>',
                                progress, re.S).group(1))
    assert data["labels"] == ["5 Jan 2026", "12 Jan 2026"]
    assert data["datasets"][0]["data"] == [163.33, 165.0] and data["datasets"][0]["marks"] == [True, True]
    assert "Show as a table" in progress and "vendor/chart.js/chart.umd.min.js" in progress
    assert "<script>" not in progress  # the CSP allows no inline script


def test_staff_open_a_member_s_training_and_members_cannot(app, studio):
    lift = make_exercise(app, studio, name="Coach view lift")
    member, _ = person(app, studio)
    other_client, _ = _client(app, studio)
    coach_client, _ = _client(app, studio, "instructor")
    log_id, _ = log_as(app, studio, member, sets=[squat_set(lift, 5, 60)])
    for path in (f"/members/{member}/training/logs", f"/members/{member}/training/records",
                 f"/members/{member}/training/exercises/{lift}", f"/training/logs/{log_id}"):
        assert coach_client.get(path, headers=host(studio)).status_code == 200, path
        assert other_client.get(path, headers=host(studio)).status_code == 404, path
    assert "Coach view lift" in coach_client.get(f"/members/{member}/training/logs",
                                                 headers=host(studio)).get_data(as_text=True)
    assert f"/members/{member}/training/logs" in coach_client.get(f"/members/{member}",
                                                                  headers=host(studio)).get_data(as_text=True)
    assert other_client.get(f"/training/logs/{log_id}/delete", headers=host(studio)).status_code == 404


def test_a_member_removes_a_log_after_confirming(app, studio):
    from nexphys.workouts.models import WorkoutLog

    lift = make_exercise(app, studio)
    client, member = _client(app, studio)
    log_id, _ = log_as(app, studio, member, sets=[squat_set(lift, 5, 60)])
    path = f"/training/logs/{log_id}/delete"
    assert "Remove this log?" in client.get(path, headers=host(studio)).get_data(as_text=True)
    answer = client.post(path, headers=host(studio), data={"csrf_token": csrf_token_from(client, studio, path)})
    assert answer.status_code == 302
    assert rows(app, studio, sa.select(WorkoutLog).where(WorkoutLog.id == log_id)) == []


def test_another_studio_never_reaches_a_log(app, studio, other_studio):
    lift = make_exercise(app, studio)
    _, member = _client(app, studio)
    log_id, _ = log_as(app, studio, member, sets=[squat_set(lift, 5, 60)])
    outsider, _ = _client(app, other_studio, "owner")
    for path in (f"/training/logs/{log_id}", f"/training/logs/{log_id}/edit", f"/members/{member}/training/logs"):
        assert outsider.get(path, headers=host(other_studio)).status_code == 404, path
    path = f"/training/logs/{log_id}/delete"
    token = csrf_token_from(outsider, other_studio, "/training/log/new")
    assert outsider.post(path, headers=host(other_studio), data={"csrf_token": token}).status_code == 404
    from nexphys.workouts.models import WorkoutLog

    assert len(rows(app, studio, sa.select(WorkoutLog).where(WorkoutLog.id == log_id))) == 1


def test_editing_a_log_on_its_page_changes_its_sets_and_its_records(app, studio):
    lift = make_exercise(app, studio, name="Edit page lift")
    client, member = _client(app, studio)
    log_id, _ = log_as(app, studio, member, sets=[squat_set(lift, 5, 60, rpe="8")])
    path = f"/training/logs/{log_id}/edit"
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert 'value="60"' in page and 'value="8"' in page and "Edit page lift" in page
    answer = client.post(path, headers=host(studio), data={
        "csrf_token": csrf_token_from(client, studio, path), "performed_on": "2026-01-05", "notes": "Better",
        "set_exercise": [str(lift), ""], "set_prescription": ["", ""], "set_reps": ["5", ""],
        "set_load": ["62.5", ""], "set_rpe": ["9", ""]})
    assert answer.status_code == 302
    detail = client.get(answer.location, headers=host(studio)).get_data(as_text=True)
    assert "5 × 62.5 kg" in detail and "Better" in detail and "Record" in detail
    records = client.get("/training/records", headers=host(studio)).get_data(as_text=True)
    assert "62.5 kg" in records and "60 kg" not in records


def test_a_program_day_s_form_is_prefilled_with_that_week_s_targets_and_saved_with_its_week(app, studio):
    from datetime import date

    from nexphys.extensions import db
    from nexphys.workouts.models import Assignment, WorkoutLog
    from tests.running import run
    from tests.workouts.factories import make_program, make_workout

    lift = make_exercise(app, studio, name="Program press")
    client, member = _client(app, studio)
    program = make_program(app, studio, weeks=4)
    workout = make_workout(app, studio, [dict(exercise_id=lift, sets=3, reps=5, load_kind="kg", load_value=40,
                                              progression="add_kg", progression_amount=2.5)],
                           program_id=program, day_number=1, title="Press day")

    def assign() -> int:
        assignment = Assignment(program_id=program, member_id=member, starts_on=date(2026, 1, 5))
        db.session.add(assignment)
        db.session.flush()
        return assignment.id

    assignment = run(app, studio, assign)
    path = f"/training/log/new?workout={workout}&assignment={assignment}&week=3"
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert page.count('autocomplete="off" value="45"') == 3 and "target 3 × 5 at 45 kg" in page and "Week 3" in page
    answer = client.post(path, headers=host(studio), data={
        "csrf_token": csrf_token_from(client, studio, path), "set_exercise": [str(lift)],
        "set_prescription": [""], "set_reps": ["5"], "set_load": ["45"], "set_rpe": [""]})
    assert answer.status_code == 302
    saved = rows(app, studio, sa.select(WorkoutLog).where(WorkoutLog.member_id == member))[0]
    assert (saved.workout_id, saved.assignment_id, saved.program_week, saved.title) == (workout, assignment, 3,
                                                                                        "Press day")
