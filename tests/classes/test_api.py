"""The schedule API: class types, one-off classes, edits (one or future), cancelling and series."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import person, unique
from tests.requests import api_token, bearer, host, person_headers


@pytest.fixture(scope="module")
def manager(app, studio):
    return person_headers(app, studio, "manager")[0]


@pytest.fixture(scope="module")
def member(app, studio):
    member_id, email = person(app, studio, "member")
    return member_id, bearer(studio, api_token(app.test_client(), studio, email)["access_token"])


def _type(client, headers, **fields) -> dict:
    body = {"name": unique("Flow"), "duration_minutes": 50, "default_capacity": 8, **fields}
    response = client.post("/api/v1/class-types", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _monday(weeks: int = 2) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def test_class_types_crud_with_status_codes(client, studio, manager, member):
    created = client.post("/api/v1/class-types", headers=manager,
                          json={"name": unique("Yin"), "duration_minutes": 75, "default_capacity": 12,
                                "color": "#4338CA", "level": "beginner"})
    assert created.status_code == 201 and created.headers["Location"].endswith(f"/class-types/{created.json['id']}")
    assert created.json["color"] == "#4338ca" and created.json["archived"] is False
    type_id = created.json["id"]
    listed = client.get("/api/v1/class-types", headers=member[1]).get_json()["items"]
    assert type_id in [t["id"] for t in listed]
    patched = client.patch(f"/api/v1/class-types/{type_id}", headers=manager, json={**created.json, "level": "all"})
    assert patched.status_code == 200 and patched.json["level"] == "all"
    bad = client.patch(f"/api/v1/class-types/{type_id}", headers=manager, json={"duration_minutes": 1000})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "duration_minutes" in bad.json["errors"]
    assert client.post("/api/v1/class-types", headers=member[1], json={"name": "x"}).status_code == 403
    assert client.get("/api/v1/class-types", headers=host(studio)).status_code == 401
    assert client.get("/api/v1/class-types/987654", headers=manager).status_code == 404
    assert client.delete(f"/api/v1/class-types/{type_id}", headers=manager).status_code == 204
    assert client.get(f"/api/v1/class-types/{type_id}", headers=manager).status_code == 404


def test_a_type_in_use_is_archived_not_deleted(client, manager):
    class_type = _type(client, manager)
    starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    assert client.post("/api/v1/classes", headers=manager,
                       json={"class_type_id": class_type["id"], "starts_at": starts_at}).status_code == 201
    response = client.delete(f"/api/v1/class-types/{class_type['id']}", headers=manager)
    assert response.status_code == 200 and response.json["archived"] is True
    names = [t["id"] for t in client.get("/api/v1/class-types?include_archived=true", headers=manager).json["items"]]
    assert class_type["id"] in names


def test_a_one_off_class_by_local_date_and_time(client, studio, manager, member):
    class_type = _type(client, manager)
    response = client.post("/api/v1/classes", headers=manager, json={
        "class_type_id": class_type["id"], "date": "2027-07-05", "time": "18:30", "notes": "Outdoor"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["starts_at"] == "2027-07-05T18:30:00+01:00" and body["ends_at"] == "2027-07-05T19:20:00+01:00"
    assert body["capacity"] == 8 and body["spots_left"] == 8 and body["notes"] == "Outdoor"
    assert response.headers["Location"].endswith(f"/api/v1/classes/{body['id']}")
    # anyone may read it, like the timetable
    public = client.get(f"/api/v1/classes/{body['id']}", headers=host(studio))
    assert public.status_code == 200 and public.json["name"] == class_type["name"]
    assert client.get("/api/v1/classes/987654", headers=host(studio)).status_code == 404


def test_class_creation_errors(client, manager, member):
    class_type = _type(client, manager)
    gap = client.post("/api/v1/classes", headers=manager,
                      json={"class_type_id": class_type["id"], "date": "2027-03-28", "time": "01:30"})
    assert gap.status_code == 422 and "does not exist" in gap.json["errors"]["time"][0]
    missing = client.post("/api/v1/classes", headers=manager, json={"capacity": "lots"})
    assert missing.status_code == 422 and {"class_type_id", "starts_at", "capacity"} <= set(missing.json["errors"])
    denied = client.post("/api/v1/classes", headers=member[1],
                         json={"class_type_id": class_type["id"], "date": "2027-07-05", "time": "10:00"})
    assert denied.status_code == 403
    assert client.post("/api/v1/classes", headers=manager, data="x", content_type="text/plain").status_code == 415


def test_patch_capacity_below_bookings_is_409_and_raising_it_fills_the_waitlist(app, client, studio, manager):
    from tests.classes.test_schedule import _book
    from tests.factories import session_state

    class_type = _type(client, manager, default_capacity=1)
    starts_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    session_id = client.post("/api/v1/classes", headers=manager,
                             json={"class_type_id": class_type["id"], "starts_at": starts_at}).json["id"]
    first, second = person(app, studio)[0], person(app, studio)[0]
    assert _book(app, studio, session_id, first) == "confirmed"
    assert _book(app, studio, session_id, second) == "waitlisted"
    below = client.patch(f"/api/v1/classes/{session_id}", headers=manager, json={"capacity": 0})
    assert below.status_code == 409 and "1 place is already booked" in below.json["detail"]
    assert below.mimetype == "application/problem+json"
    raised = client.patch(f"/api/v1/classes/{session_id}", headers=manager, json={"capacity": 2})
    assert raised.status_code == 200 and raised.json["booked"] == 2 and raised.json["waitlisted"] == 0
    assert session_state(app, studio, session_id)["bookings"] == {"confirmed": [first, second]}


def test_series_then_edit_future_through_the_api(client, manager):
    class_type = _type(client, manager)
    created = client.post("/api/v1/class-series", headers=manager, json={
        "class_type_id": class_type["id"], "weekdays": [1, 3], "start_time": "06:30",
        "starts_on": _monday().isoformat()})
    assert created.status_code == 201, created.json
    series = created.json
    assert series["weekday_names"] == ["Tuesday", "Thursday"] and series["generated_until"]
    assert client.get(f"/api/v1/class-series/{series['id']}", headers=manager).json["start_time"] == "06:30"
    first_day = _monday() + timedelta(days=1)
    day = client.get(f"/api/v1/classes?date={first_day.isoformat()}", headers=manager).json["items"]
    session_id = next(item["id"] for item in day if item["name"] == class_type["name"])
    one = client.patch(f"/api/v1/classes/{session_id}", headers=manager, json={"time": "07:00"})
    assert one.status_code == 200 and one.json["local_time"] == "07:00" and one.json["is_modified"]
    bad_scope = client.patch(f"/api/v1/classes/{session_id}", headers=manager, json={"scope": "all"})
    assert bad_scope.status_code == 422 and "scope" in bad_scope.json["errors"]
    future = client.patch(f"/api/v1/classes/{session_id}", headers=manager,
                          json={"scope": "future", "time": "19:00", "capacity": 6})
    assert future.status_code == 200 and future.json["local_time"] == "19:00"
    week_later = client.get(f"/api/v1/classes?date={(first_day + timedelta(days=7)).isoformat()}",
                            headers=manager).json["items"]
    item = next(i for i in week_later if i["name"] == class_type["name"])
    assert item["starts_at"][11:16] == "19:00" and item["capacity"] == 6
    ended = client.patch(f"/api/v1/class-series/{series['id']}", headers=manager,
                         json={"ends_on": (first_day + timedelta(days=14)).isoformat()})
    assert ended.status_code == 200 and ended.json["ends_on"] == (first_day + timedelta(days=14)).isoformat()
    assert client.patch(f"/api/v1/class-series/{series['id']}", headers=manager,
                        json={"from": "soon"}).status_code == 422


def test_cancel_a_class(client, studio, manager, member):
    class_type = _type(client, manager)
    starts_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    session_id = client.post("/api/v1/classes", headers=manager,
                             json={"class_type_id": class_type["id"], "starts_at": starts_at}).json["id"]
    assert client.post(f"/api/v1/classes/{session_id}/cancel", headers=member[1], json={}).status_code == 403
    assert client.post(f"/api/v1/classes/{session_id}/cancel", headers=host(studio), json={}).status_code == 401
    unknown = client.post(f"/api/v1/classes/{session_id}/cancel", headers=manager, json={"email": 12})
    assert unknown.status_code == 422 and "email" in unknown.json["errors"]
    response = client.post(f"/api/v1/classes/{session_id}/cancel", headers=manager, json={"reason": "Storm"})
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert response.json["cancel_reason"] == "Storm" and response.json["released"] == 0
    again = client.post(f"/api/v1/classes/{session_id}/cancel", headers=manager)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert client.post("/api/v1/classes/987654/cancel", headers=manager, json={}).status_code == 404
    assert client.patch(f"/api/v1/classes/{session_id}", headers=manager, json={"capacity": 3}).status_code == 409


def test_a_single_class_needs_sign_in_when_the_studio_says_so(app, client, studio, manager, member):
    from tests.factories import set_settings

    class_type = _type(client, manager)
    session_id = client.post("/api/v1/classes", headers=manager, json={
        "class_type_id": class_type["id"], "date": "2027-07-06", "time": "09:00"}).json["id"]
    set_settings(app, studio, timetable_requires_sign_in=True)
    try:
        assert client.get(f"/api/v1/classes/{session_id}", headers=host(studio)).status_code == 401
        assert client.get(f"/api/v1/classes/{session_id}", headers=member[1]).status_code == 200
    finally:
        set_settings(app, studio, timetable_requires_sign_in=False)


def test_rooms_through_the_api_and_a_class_held_in_one(client, studio, manager, member):
    created = client.post("/api/v1/rooms", headers=manager, json={"name": unique("Studio"), "capacity": 12})
    assert created.status_code == 201 and created.headers["Location"].endswith(f"/rooms/{created.json['id']}")
    room_id = created.json["id"]
    assert room_id in [r["id"] for r in client.get("/api/v1/rooms", headers=member[1]).json["items"]]
    assert client.post("/api/v1/rooms", headers=member[1], json={"name": "x", "capacity": 5}).status_code == 403
    assert client.get("/api/v1/rooms", headers=host(studio)).status_code == 401
    bad = client.post("/api/v1/rooms", headers=manager, json={"name": created.json["name"].upper(), "capacity": 0})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"name", "capacity"}
    assert client.get("/api/v1/rooms/987654", headers=manager).status_code == 404
    held = client.post("/api/v1/classes", headers=manager, json={
        "class_type_id": _type(client, manager)["id"], "room_id": room_id, "capacity": 10,
        "date": (_monday() + timedelta(days=1)).isoformat(), "time": "09:00"})
    assert held.status_code == 201, held.get_json()
    shrink = client.patch(f"/api/v1/rooms/{room_id}", headers=manager, json={"capacity": 8})
    assert shrink.status_code == 422 and "capacity" in shrink.json["errors"]  # a class there has 10 places
    renamed = client.patch(f"/api/v1/rooms/{room_id}", headers=manager, json={"name": "Big studio", "capacity": 20})
    assert renamed.status_code == 200 and renamed.json == {"id": room_id, "name": "Big studio", "capacity": 20}
