"""The exercise library's pages: the list with search, filters and pages, an exercise's page, and staff editing."""

from __future__ import annotations

import io
import re

import pytest

from tests.factories import unique
from tests.pictures import picture
from tests.requests import csrf_token_from, host, staff_client
from tests.workouts.factories import make_exercise


@pytest.fixture(scope="module")
def coach(app, studio):
    return staff_client(app, studio, "instructor")[0]


@pytest.fixture(scope="module")
def member(app, studio):
    return staff_client(app, studio, "member")[0]


def _get(client, studio, path: str) -> tuple[int, str]:
    response = client.get(path, headers=host(studio))
    return response.status_code, response.get_data(as_text=True)


def _post(client, studio, path: str, data: dict, token_path: str, **kwargs):
    token = csrf_token_from(client, studio, token_path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data}, **kwargs)


def test_the_list_searches_filters_and_pages(studio, member):
    status, page = _get(member, studio, "/exercises")
    assert status == 200 and "Back squat" in page and 'href="/exercises?page=2"' in page
    assert "Add an exercise" not in page and "Show archived" not in page
    assert 'href="/exercises"' in page  # the header's link for members
    _status, page = _get(member, studio, "/exercises?q=squat&category=strength")
    assert "Back squat" in page and "Deadlift" not in page and "match your search" in page
    _status, page = _get(member, studio, "/exercises?muscle=lats&equipment=pull-up%20bar")
    assert "Pull-up" in page and "Bench press" not in page
    _status, page = _get(member, studio, "/exercises?category=yoga&page=2")
    assert "Page" not in page or "Downward dog" not in page  # past the last page: nothing, no error
    _status, page = _get(member, studio, "/exercises?q=zzzz-none&category=dance&page=x")
    assert "No exercise matches" in page and "Clear the search" in page


def test_an_exercise_page_shows_what_it_needs(studio, member):
    status, page = _get(member, studio, "/exercises?q=Kettlebell%20swing")
    exercise_id = re.search(r'href="/exercises/(\d+)">Kettlebell swing', page).group(1)
    status, page = _get(member, studio, f"/exercises/{exercise_id}")
    assert status == 200 and "Kettlebell swing" in page and "Glutes, Hamstrings" in page and "Kettlebell" in page
    assert "Edit" not in page and "Archive" not in page
    assert _get(member, studio, "/exercises/987654")[0] == 404


def test_a_member_cannot_open_or_post_the_staff_pages(app, studio, member):
    exercise_id = make_exercise(app, studio)
    assert _get(member, studio, "/exercises/new")[0] == 403
    assert _get(member, studio, f"/exercises/{exercise_id}/edit")[0] == 403
    response = _post(member, studio, f"/exercises/{exercise_id}/archive", {}, "/exercises")
    assert response.status_code == 403


def test_staff_add_an_exercise_and_see_plain_messages_when_wrong(app, studio, coach):
    refused = _post(coach, studio, "/exercises/new", {"name": "Back squat", "category": "", "video_url": "not a link"},
                    "/exercises/new")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "There is already an exercise called “Back squat”." in page and "Choose a category." in page
    assert "Enter the video&#39;s web address, starting with https://." in page
    name = unique("Landmine press")
    added = _post(coach, studio, "/exercises/new", {"name": name, "category": "strength", "primary_muscles": [
        "shoulders", "chest"], "equipment": "Barbell, Landmine", "video_url": "https://videos.example.com/lp"},
        "/exercises/new")
    assert added.status_code == 302
    _status, page = _get(coach, studio, added.headers["Location"])
    assert name in page and "Shoulders, Chest" in page and "Barbell, Landmine" in page and "Watch a video" in page


def test_staff_edit_archive_and_restore(app, studio, coach, member):
    name = unique("Pendlay row")
    exercise_id = make_exercise(app, studio, name=name)
    edit = f"/exercises/{exercise_id}/edit"
    assert _post(coach, studio, edit, {"name": name, "category": "strength", "description": "From the floor each rep"},
                 edit).status_code == 302
    assert "From the floor each rep" in _get(member, studio, f"/exercises/{exercise_id}")[1]
    assert _post(coach, studio, edit, {"name": "", "category": "strength"}, edit).status_code == 422
    assert _post(coach, studio, f"/exercises/{exercise_id}/archive", {}, edit).status_code == 302
    listed = f'">{name}</a></h2>'
    assert listed not in _get(coach, studio, f"/exercises?q={name}")[1]
    assert listed in _get(coach, studio, f"/exercises?q={name}&archived=1")[1]
    assert listed not in _get(member, studio, f"/exercises?q={name}&archived=1")[1]  # members never see the archive
    assert _get(member, studio, f"/exercises/{exercise_id}")[0] == 404
    assert _post(coach, studio, f"/exercises/{exercise_id}/restore", {}, edit).status_code == 302
    assert _get(member, studio, f"/exercises/{exercise_id}")[0] == 200


def test_a_picture_is_stored_shown_and_removed(app, studio, coach):
    exercise_id = make_exercise(app, studio)
    edit = f"/exercises/{exercise_id}/edit"
    svg = {"image": (io.BytesIO(b"<svg></svg>"), "a.svg")}
    refused = _post(coach, studio, f"/exercises/{exercise_id}/picture", svg, edit, content_type="multipart/form-data")
    assert refused.status_code == 422 and "SVG pictures cannot be used" in refused.get_data(as_text=True)
    saved = _post(coach, studio, f"/exercises/{exercise_id}/picture", {"image": (io.BytesIO(picture()), "p.png")}, edit,
                  content_type="multipart/form-data")
    assert saved.status_code == 302
    page = _get(coach, studio, f"/exercises/{exercise_id}")[1]
    src = re.search(r'src="(/files/exercise_image/[^"]+)"', page).group(1)
    assert coach.get(src, headers=host(studio)).status_code == 200
    assert _post(coach, studio, f"/exercises/{exercise_id}/picture/remove", {}, edit).status_code == 302
    assert "/files/exercise_image/" not in _get(coach, studio, f"/exercises/{exercise_id}")[1]


def test_another_studio_s_pages_never_show_or_change_them(app, studio, other_studio):
    name = unique("Only in the first studio")
    exercise_id = make_exercise(app, studio, name=name)
    other = staff_client(app, other_studio, "manager")[0]
    page = _get(other, other_studio, f"/exercises?q={name}")[1]
    assert f'">{name}</a></h2>' not in page and "No exercise matches" in page
    assert _get(other, other_studio, f"/exercises/{exercise_id}")[0] == 404
    assert _post(other, other_studio, f"/exercises/{exercise_id}/archive", {}, "/exercises").status_code == 404
    assert _post(other, other_studio, f"/exercises/{exercise_id}/edit", {"name": "Taken", "category": "core"},
                 "/exercises").status_code == 404
