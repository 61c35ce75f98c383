"""The training logs API: a member reads and writes their own logs, staff everyone's; records; a class's
leaderboard; plain-word 422s; and another studio's token or staff never reach a log."""

from __future__ import annotations

from tests.requests import person_headers
from tests.running import host
from tests.workouts.factories import make_exercise
from tests.workouts.logging import class_with_workout, log_as, squat_set

_auth = person_headers


def test_a_member_logs_and_reads_their_own_and_gets_the_records_set(app, client, studio):
    squat = make_exercise(app, studio, name="API squat")
    me, _ = _auth(app, studio)
    answer = client.post("/api/v1/workout-logs", headers=me, json={
        "performed_on": "2026-02-02", "sets": [{"exercise_id": squat, "reps": 5, "load_kg": 100, "rpe": 8}],
        "notes": "Felt strong"})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["new_records_message"] == "New record: API squat 5 × 100 kg (estimated 1RM 116.7 kg)"
    assert {(r["kind"], r["reps"], r["value_kg"]) for r in body["records"]} == {("load_at_reps", 5, 100.0),
                                                                                  ("e1rm", 1, 116.67)}
    log_id = body["id"]
    listed = client.get("/api/v1/workout-logs", headers=me).get_json()
    assert [item["id"] for item in listed["items"]] == [log_id] and listed["total"] == 1
    changed = client.patch(f"/api/v1/workout-logs/{log_id}", headers=me,
                           json={"sets": [{"exercise_id": squat, "reps": 5, "load_kg": 105}]}).get_json()
    assert changed["sets"][0]["load_kg"] == 105.0
    records = client.get("/api/v1/records", headers=me).get_json()
    assert {r["value_kg"] for r in records["items"] if r["kind"] == "load_at_reps"} == {105.0}
    assert client.delete(f"/api/v1/workout-logs/{log_id}", headers=me).status_code == 204
    assert client.get("/api/v1/records", headers=me).get_json()["items"] == []


def test_a_member_cannot_read_or_write_another_member_s_logs(app, client, studio):
    lift = make_exercise(app, studio)
    me, _ = _auth(app, studio)
    _, other = _auth(app, studio)
    log_id, _ = log_as(app, studio, other, sets=[squat_set(lift, 5, 60)])
    assert client.get(f"/api/v1/workout-logs/{log_id}", headers=me).status_code == 404
    assert client.patch(f"/api/v1/workout-logs/{log_id}", headers=me, json={"notes": "x"}).status_code == 404
    assert client.delete(f"/api/v1/workout-logs/{log_id}", headers=me).status_code == 404
    refused = client.post("/api/v1/workout-logs", headers=me,
                          json={"member_id": other, "sets": [{"exercise_id": lift, "reps": 5}]})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/workout-logs?member_id={other}", headers=me).get_json()["items"] == []
    assert client.get(f"/api/v1/records?member_id={other}", headers=me).get_json()["items"] == []


def test_staff_see_and_filter_everyone_s_logs_and_log_for_a_member(app, client, studio):
    lift = make_exercise(app, studio)
    coach, _ = _auth(app, studio, "instructor")
    _, member = _auth(app, studio)
    log_as(app, studio, member, performed_on="2026-01-01", sets=[squat_set(lift, 5, 60)])
    made = client.post("/api/v1/workout-logs", headers=coach, json={
        "member_id": member, "performed_on": "2026-01-08", "sets": [{"exercise_id": lift, "reps": 5, "load_kg": 65}]})
    assert made.status_code == 201 and made.get_json()["member_id"] == member
    found = client.get(f"/api/v1/workout-logs?member_id={member}&from=2026-01-05&exercise_id={lift}",
                       headers=coach).get_json()
    assert [i["performed_on"] for i in found["items"]] == ["2026-01-08"]
    assert client.get(f"/api/v1/records?member_id={member}", headers=coach).get_json()["total"] == 2


def test_bad_bodies_are_422_in_plain_words(app, client, studio):
    lift = make_exercise(app, studio)
    me, _ = _auth(app, studio)
    answer = client.post("/api/v1/workout-logs", headers=me, json={"sets": [{"exercise_id": lift, "reps": 5}],
                                                                  "mood": "great"})
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"mood": ["Unknown field."]}
    answer = client.post("/api/v1/workout-logs", headers=me, json={
        "result_time": "soon", "sets": [{"exercise_id": lift, "rpe": 11, "reps": 3}]})
    errors = answer.get_json()["errors"]
    assert answer.status_code == 422
    assert errors["result_time"] == ["Enter the time as minutes:seconds, such as 12:34."]
    assert "Set 1: effort (RPE) is from 1 to 10, in halves such as 8.5." in errors["sets"]


def test_the_leaderboard_shows_members_who_opted_in_and_staff_everyone(app, client, studio):
    lift = make_exercise(app, studio)
    me, member = _auth(app, studio, full_name="Grace Hopper")
    _, shy = _auth(app, studio, full_name="Shy Person")
    _, scaled = _auth(app, studio, full_name="Alan Turing")
    coach, _ = _auth(app, studio, "instructor")
    session_id, _ = class_with_workout(app, studio, lift, scoring="rounds_reps", members=(
        (member, "checked_in"), (shy, "checked_in"), (scaled, "checked_in")))
    log_as(app, studio, shy, session_id=session_id, result_rounds=9)
    log_as(app, studio, scaled, session_id=session_id, result_rounds=12, scaled=True, on_leaderboard=True)
    logged = client.post("/api/v1/workout-logs", headers=me, json={"session_id": session_id, "result_rounds": 7,
                                                                  "result_reps": 3, "on_leaderboard": True})
    assert logged.status_code == 201, logged.get_json()
    board = client.get(f"/api/v1/classes/{session_id}/leaderboard", headers=me).get_json()
    assert [(i["rank"], i["name"], i["mine"]) for i in board["items"]] == [(1, "Grace H.", True),
                                                                          (2, "Alan T.", False)]
    everyone = client.get(f"/api/v1/classes/{session_id}/leaderboard", headers=coach).get_json()["items"]
    assert [i["name"] for i in everyone] == ["Shy Person", "Grace Hopper", "Alan Turing"]
    again = client.post("/api/v1/workout-logs", headers=me, json={"session_id": session_id, "result_rounds": 8})
    assert again.status_code == 200 and again.get_json()["id"] == logged.get_json()["id"]


def test_another_studio_never_reads_or_changes_a_log(app, client, studio, other_studio):
    lift = make_exercise(app, studio)
    _, member = _auth(app, studio)
    log_id, _ = log_as(app, studio, member, sets=[squat_set(lift, 5, 60)])
    outsider, _ = _auth(app, other_studio, "owner")
    assert client.get(f"/api/v1/workout-logs/{log_id}", headers=outsider).status_code == 404
    assert client.patch(f"/api/v1/workout-logs/{log_id}", headers=outsider, json={"notes": "x"}).status_code == 404
    assert client.delete(f"/api/v1/workout-logs/{log_id}", headers=outsider).status_code == 404
    assert client.get("/api/v1/workout-logs", headers=outsider).get_json()["total"] == 0
    assert client.get(f"/api/v1/records?member_id={member}", headers=outsider).get_json()["items"] == []
    wrong_host = {**outsider, **host(studio)}  # B's token on A's host
    assert client.get(f"/api/v1/workout-logs/{log_id}", headers=wrong_host).status_code == 401
