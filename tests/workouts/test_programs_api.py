"""The programs API: programs with their nested days and computed weeks, a day's whole structure, copies,
assignments, training maxes and class workouts; who may do what; and one studio never reaching another's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_session
from tests.requests import bearer, person_headers
from tests.workouts.factories import make_exercise

_token = person_headers


@pytest.fixture(scope="module")
def coach(app, studio):
    return _token(app, studio, "instructor")[0]


@pytest.fixture(scope="module")
def member(app, studio):
    return _token(app, studio, "member")


def _day(lift: int) -> dict:
    return {"title": "Squat day", "scoring": "none", "blocks": [
        {"kind": "straight", "title": "Main", "prescriptions": [
            {"exercise_id": lift, "sets": 5, "reps": 5, "load_kind": "percent_tm", "load_value": 70,
             "progression": "add_percent", "progression_amount": 2.5, "deload_every_weeks": 4}]},
        {"kind": "amrap", "time_cap_seconds": 600, "prescriptions": [{"exercise_id": lift, "reps": 10}]}]}


def test_staff_build_a_program_and_read_any_week(app, client, studio, coach):
    lift = make_exercise(app, studio)
    refused = client.post("/api/v1/workouts", headers=coach, json={"name": "", "weeks": 60})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"name", "weeks"}
    made = client.post("/api/v1/workouts", headers=coach, json={"name": "API cycle", "weeks": 6})
    assert made.status_code == 201 and made.headers["Location"].endswith(f"/api/v1/workouts/{made.get_json()['id']}")
    program_id = made.get_json()["id"]
    bad = _day(lift)
    bad["blocks"][1]["time_cap_seconds"] = None
    bad["blocks"][0]["prescriptions"][0]["load_value"] = 170
    refused = client.put(f"/api/v1/workouts/{program_id}/days/1", headers=coach, json=bad)
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"blocks[1].time_cap_seconds", "blocks[0].prescriptions[0].load_value"}
    assert client.put(f"/api/v1/workouts/{program_id}/days/9", headers=coach, json=_day(lift)).status_code == 422
    saved = client.put(f"/api/v1/workouts/{program_id}/days/1", headers=coach, json=_day(lift))
    assert saved.status_code == 200 and [b["kind"] for b in saved.get_json()["blocks"]] == ["straight", "amrap"]
    week4 = client.get(f"/api/v1/workouts/{program_id}?week=4", headers=coach).get_json()
    target = week4["days"][0]["blocks"][0]["prescriptions"][0]["target"]
    assert week4["week"] == 4 and target["deload"] and target["percent"] == 45.0
    assert target["text"] == "5 × 5 at 45 % of training max"
    assert "target" not in client.get(f"/api/v1/workouts/{program_id}", headers=coach).get_json()[
        "days"][0]["blocks"][0]["prescriptions"][0]
    patched = client.patch(f"/api/v1/workouts/{program_id}", headers=coach, json={"is_template": True, "colour": 1})
    assert patched.status_code == 422 and patched.get_json()["errors"] == {"colour": ["Unknown field."]}
    assert client.patch(f"/api/v1/workouts/{program_id}", headers=coach,
                        json={"is_template": True}).get_json()["is_template"]
    copy = client.post(f"/api/v1/workouts/{program_id}/copy", headers=coach, json={"name": "From the template"})
    assert copy.status_code == 201 and copy.get_json()["copied_from_id"] == program_id
    assert copy.get_json()["days"][0]["blocks"][0]["prescriptions"][0]["exercise_id"] == lift
    listed = client.get("/api/v1/workouts?kind=templates&q=API+cycle", headers=coach).get_json()
    assert [p["id"] for p in listed["items"]] == [program_id]
    assert client.delete(f"/api/v1/workouts/{program_id}", headers=coach).get_json()["archived"]
    assert client.get("/api/v1/workouts?q=API+cycle", headers=coach).get_json()["total"] == 0
    assert client.get("/api/v1/workouts/987654", headers=coach).status_code == 404


def test_members_read_what_is_assigned_to_them_only(app, client, studio, coach, member):
    member_headers, member_id = member
    lift = make_exercise(app, studio)
    mine = client.post("/api/v1/workouts", headers=coach, json={"name": "Theirs", "weeks": 4}).get_json()["id"]
    other = client.post("/api/v1/workouts", headers=coach, json={"name": "Not theirs", "weeks": 4}).get_json()["id"]
    client.put(f"/api/v1/workouts/{mine}/days/1", headers=coach, json=_day(lift))
    assert client.get(f"/api/v1/workouts/{mine}", headers=member_headers).status_code == 404
    refused = client.post("/api/v1/assignments", headers=coach, json={"program_id": mine, "member_id": member_id,
                                                                        "starts_on": "soon"})
    assert refused.status_code == 422
    made = client.post("/api/v1/assignments", headers=coach, json={"program_id": mine, "member_id": member_id,
                                                                     "starts_on": "2026-01-05"})
    assert made.status_code == 201 and made.get_json()["program_name"] == "Theirs"
    put = client.put(f"/api/v1/members/{member_id}/training-maxes", headers=coach,
                     json={"items": [{"exercise_id": lift, "kg": 100}]})
    assert put.status_code == 200 and put.get_json()["items"][0]["kg"] == 100.0
    week2 = client.get(f"/api/v1/workouts/{mine}?week=2", headers=member_headers)
    assert week2.status_code == 200
    assert week2.get_json()["days"][0]["blocks"][0]["prescriptions"][0]["target"]["load_kg"] == 72.5
    assert client.get(f"/api/v1/workouts/{other}", headers=member_headers).status_code == 404
    assert [p["id"] for p in client.get("/api/v1/workouts", headers=member_headers).get_json()["items"]] == [mine]
    assert client.get("/api/v1/assignments", headers=member_headers).get_json()["total"] == 1
    assert client.get(f"/api/v1/members/{member_id}/training-maxes", headers=member_headers).get_json()["total"] == 1
    _other_headers, other_member = _token(app, studio, "member")
    assert client.get(f"/api/v1/members/{other_member}/training-maxes", headers=member_headers).status_code == 404
    for method, path, body in (("post", "/api/v1/workouts", {"name": "x"}),
                               ("put", f"/api/v1/workouts/{mine}/days/2", _day(lift)),
                               ("post", "/api/v1/assignments", {"program_id": mine, "member_id": member_id,
                                                                "starts_on": "2026-01-05"}),
                               ("put", f"/api/v1/members/{member_id}/training-maxes", {"items": []})):
        assert getattr(client, method)(path, headers=member_headers, json=body).status_code == 403, path
    ended = client.patch(f"/api/v1/assignments/{made.get_json()['id']}", headers=coach, json={"ended": True})
    assert ended.status_code == 200 and ended.get_json()["ended_on"] is not None


def test_a_class_carries_a_workout_of_the_day(app, client, studio, coach, member):
    member_headers, _member_id = member
    lift = make_exercise(app, studio)
    session_id = make_session(app, studio, starts_in=timedelta(days=2), name="API WOD")
    assert client.get(f"/api/v1/classes/{session_id}/workout", headers=member_headers).status_code == 404
    body = {"title": "Fran", "scoring": "time", "blocks": [
        {"kind": "for_time", "rounds": 3, "prescriptions": [{"exercise_id": lift, "reps": 21}]}]}
    assert client.put(f"/api/v1/classes/{session_id}/workout", headers=member_headers, json=body).status_code == 403
    put = client.put(f"/api/v1/classes/{session_id}/workout", headers=coach, json=body)
    assert put.status_code == 200 and put.get_json()["attached_to"] == "session"
    read = client.get(f"/api/v1/classes/{session_id}/workout", headers=member_headers).get_json()
    assert read["workout"]["title"] == "Fran" and read["workout"]["blocks"][0]["rounds"] == 3
    assert read["leaderboard"] is True
    grace = client.put(f"/api/v1/classes/{session_id}/workout", headers=coach,
                       json={**body, "title": "Grace", "leaderboard": False}).get_json()
    assert grace["workout"]["title"] == "Grace" and grace["leaderboard"] is False
    assert client.delete(f"/api/v1/classes/{session_id}/workout", headers=coach).status_code == 204
    assert client.delete(f"/api/v1/classes/{session_id}/workout", headers=coach).status_code == 404
    assert client.get("/api/v1/class-series/987654/workout", headers=coach).status_code == 404


def test_another_studio_cannot_read_or_change_these(app, client, studio, other_studio, coach, member):
    from nexphys.workouts.models import Assignment, ClassWorkout, Program, TrainingMax
    from tests.running import rows

    _member_headers, member_id = member
    lift = make_exercise(app, studio)
    program_id = client.post("/api/v1/workouts", headers=coach, json={"name": "Private", "weeks": 2}).get_json()["id"]
    assignment = client.post("/api/v1/assignments", headers=coach, json={
        "program_id": program_id, "member_id": member_id, "starts_on": "2026-01-05"}).get_json()["id"]
    client.put(f"/api/v1/members/{member_id}/training-maxes", headers=coach,
               json={"items": [{"exercise_id": lift, "kg": 90}]})
    session_id = make_session(app, studio, name="Isolated WOD")
    client.put(f"/api/v1/classes/{session_id}/workout", headers=coach, json={"title": "Secret", "blocks": []})
    their_coach = _token(app, other_studio, "manager")[0]
    for method, path, body in (
            ("get", f"/api/v1/workouts/{program_id}", None),
            ("patch", f"/api/v1/workouts/{program_id}", {"name": "Taken"}),
            ("put", f"/api/v1/workouts/{program_id}/days/1", {"title": "x", "blocks": []}),
            ("post", f"/api/v1/workouts/{program_id}/copy", {}),
            ("patch", f"/api/v1/assignments/{assignment}", {"ended": True}),
            ("get", f"/api/v1/members/{member_id}/training-maxes", None),
            ("get", f"/api/v1/classes/{session_id}/workout", None),
            ("delete", f"/api/v1/classes/{session_id}/workout", None)):
        kwargs = {"json": body} if body is not None else {}
        assert getattr(client, method)(path, headers=their_coach, **kwargs).status_code == 404, path
    assert all(p["name"] != "Private" for p in client.get("/api/v1/workouts?q=Private",
                                                           headers=their_coach).get_json()["items"])
    assert client.get(f"/api/v1/assignments?member_id={member_id}", headers=their_coach).get_json()["total"] == 0
    # their token on our studio is refused outright
    their_token = their_coach["Authorization"].split(" ", 1)[1]
    assert client.get(f"/api/v1/workouts/{program_id}", headers=bearer(studio, their_token)).status_code == 401
    # and nothing changed here
    assert [p.name for p in rows(app, studio, sa.select(Program).where(Program.id == program_id))] == ["Private"]
    assert rows(app, studio, sa.select(Assignment).where(Assignment.id == assignment))[0].ended_on is None
    assert len(rows(app, studio, sa.select(TrainingMax).where(TrainingMax.member_id == member_id,
                                                              TrainingMax.exercise_id == lift))) == 1
    assert len(rows(app, studio, sa.select(ClassWorkout).where(ClassWorkout.session_id == session_id))) == 1
