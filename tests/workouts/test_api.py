"""The exercises API: list with search, filters and pages; create, read, change, archive; who may do what."""

from __future__ import annotations

import pytest

from nexphys.workouts.starter import STARTER
from tests.factories import unique
from tests.requests import host, person_headers


def _token(app, tenant, role: str) -> dict:
    return person_headers(app, tenant, role)[0]


@pytest.fixture(scope="module")
def coach(app, studio):
    return _token(app, studio, "instructor")


@pytest.fixture(scope="module")
def member(app, studio):
    return _token(app, studio, "member")


def test_the_list_pages_through_the_starter_library(client, studio, member):
    first = client.get("/api/v1/exercises?per_page=10", headers=member)
    assert first.status_code == 200
    body = first.get_json()
    assert body["total"] >= len(STARTER) and body["per_page"] == 10 and len(body["items"]) == 10
    assert body["pages"] == -(-body["total"] // 10)
    second = client.get("/api/v1/exercises?per_page=10&page=2", headers=member).get_json()
    assert not {e["id"] for e in body["items"]} & {e["id"] for e in second["items"]}
    assert client.get("/api/v1/exercises?per_page=500", headers=member).get_json()["per_page"] == 100
    assert client.get("/api/v1/exercises?page=x", headers=member).status_code == 400


def test_search_and_filters_by_query(client, studio, member):
    def names(query: str) -> set[str]:
        response = client.get(f"/api/v1/exercises?per_page=100&{query}", headers=member)
        assert response.status_code == 200, response.get_json()
        return {e["name"] for e in response.get_json()["items"]}

    assert {"Back squat", "Front squat"} <= names("q=squat") and "Deadlift" not in names("q=squat")
    assert names("category=yoga") >= {"Downward dog"} and "Row" not in names("category=yoga")
    assert "Pull-up" in names("muscle=lats") and "Plank" not in names("muscle=lats")
    assert "Row" in names("equipment=rower") and names("equipment=rower") <= {"Row"} | names("equipment=Rower")
    bad = client.get("/api/v1/exercises?category=dance&muscle=wings", headers=member)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert set(bad.get_json()["errors"]) == {"category", "muscle"}


def test_staff_create_read_change_and_archive(client, studio, coach):
    name = unique("Zercher squat")
    created = client.post("/api/v1/exercises", headers=coach, json={
        "name": name, "category": "strength", "primary_muscles": ["quadriceps", "glutes"],
        "secondary_muscles": ["abs"], "equipment": ["Barbell"], "video_url": "https://videos.example.com/zercher",
        "description": "Bar in the crook of the elbows."})
    assert created.status_code == 201, created.get_json()
    exercise = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/exercises/{exercise['id']}")
    assert exercise["category_label"] == "Strength" and exercise["archived"] is False and exercise["image_url"] is None
    path = f"/api/v1/exercises/{exercise['id']}"
    assert client.get(path, headers=coach).get_json() == exercise
    changed = client.patch(path, headers=coach, json={**exercise, "equipment": ["Barbell", "Squat rack"]})
    assert changed.status_code == 200 and changed.get_json()["equipment"] == ["Barbell", "Squat rack"]
    archived = client.delete(path, headers=coach)
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    listed = client.get(f"/api/v1/exercises?q={name}", headers=coach).get_json()
    assert listed["total"] == 0
    assert client.get(f"/api/v1/exercises?q={name}&archived=true", headers=coach).get_json()["total"] == 1
    restored = client.patch(path, headers=coach, json={"archived": False})
    assert restored.status_code == 200 and restored.get_json()["archived"] is False


def test_bad_bodies_are_4xx_problems_never_500(client, studio, coach):
    refused = client.post("/api/v1/exercises", headers=coach,
                          json={"name": "Back squat", "category": "dance", "video_url": "nope", "colour": "red"})
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"colour": ["Unknown field."]}
    refused = client.post("/api/v1/exercises", headers=coach,
                          json={"name": "back squat", "category": "dance", "video_url": "nope", "primary_muscles": 3})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"name", "category", "video_url", "primary_muscles"}
    assert client.post("/api/v1/exercises", headers=coach, data="{", content_type="application/json"
                       ).status_code == 400
    assert client.post("/api/v1/exercises", headers=coach, data="x", content_type="text/plain").status_code == 415
    assert client.patch("/api/v1/exercises/987654", headers=coach, json={"name": "x"}).status_code == 404


def test_a_member_reads_but_cannot_write(client, studio, member):
    exercise = client.get("/api/v1/exercises?per_page=1", headers=member).get_json()["items"][0]
    path = f"/api/v1/exercises/{exercise['id']}"
    assert client.get(path, headers=member).status_code == 200
    assert client.post("/api/v1/exercises", headers=member, json={"name": unique("M"), "category": "core"}
                       ).status_code == 403
    assert client.patch(path, headers=member, json={"name": "Mine now"}).status_code == 403
    assert client.delete(path, headers=member).status_code == 403
    assert client.get("/api/v1/exercises", headers=host(studio)).status_code == 401


def test_another_studio_can_neither_read_nor_change_them(app, client, studio, other_studio, coach):
    made = client.post("/api/v1/exercises", headers=coach, json={"name": unique("Only here"), "category": "core"})
    exercise_id = made.get_json()["id"]
    other = _token(app, other_studio, "manager")
    path = f"/api/v1/exercises/{exercise_id}"
    found = client.get(f"/api/v1/exercises?q={made.get_json()['name']}", headers=other).get_json()
    assert found["total"] == 0
    # the other studio has only its starter library: no row of its own has this id
    assert client.get(path, headers=other).status_code == 404
    assert client.patch(path, headers=other, json={"description": "Changed by the other studio"}).status_code == 404
    assert client.delete(path, headers=other).status_code == 404
    mine = client.get(path, headers=coach).get_json()
    assert mine["description"] == "" and mine["archived"] is False
    # a token of one studio is refused by the other
    assert client.get("/api/v1/exercises", headers={**coach, **host(other_studio)}).status_code == 401
