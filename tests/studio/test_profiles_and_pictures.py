"""Instructors' profiles and class pictures: who edits them, where they show, and that the timetable stays as fast."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.classes.models import ClassSession, ClassType
from nexphys.extensions import db
from tests.factories import audit_entries, create_tenant, drop_tenant, make_session, person
from tests.pictures import picture, size_of
from tests.requests import csrf_token_from, login
from tests.running import host, in_studio


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Faces of Flow Yoga")
    yield info
    drop_tenant(app, info.slug)


def _client(app, studio, user_email: str):
    client = app.test_client()
    assert login(client, studio, user_email).status_code == 302
    return client


def _teach(app, studio, session_id: int, instructor_id: int) -> None:
    with in_studio(app, studio):
        db.session.get(ClassSession, session_id).instructor_id = instructor_id
        db.session.commit()


def _edit(client, studio, instructor_id: int, data: dict):
    path = f"/instructors/{instructor_id}/edit"
    token = csrf_token_from(client, studio, path)
    return client.post(path, headers=host(studio), content_type="multipart/form-data",
                       data={"csrf_token": token, **data})


def test_an_instructor_writes_their_own_profile_and_it_shows_on_the_class_page_and_studio_page(app, studio):
    instructor_id, email = person(app, studio, "instructor", full_name="Priya Patel")
    session_id = make_session(app, studio, starts_in=timedelta(days=2), name="Sunrise Vinyasa")
    _teach(app, studio, session_id, instructor_id)
    coach = _client(app, studio, email)
    response = _edit(coach, studio, instructor_id, {"bio": "Teaching since 2012.\n\nLoves slow flows.",
                                                    "photo": (io.BytesIO(picture(1600, 1600, "JPEG")), "me.jpg")})
    assert response.status_code == 302, response.get_data(as_text=True)

    visitor = app.test_client()
    profile = visitor.get(f"/instructors/{instructor_id}", headers=host(studio)).get_data(as_text=True)
    assert "Priya Patel" in profile and "Loves slow flows." in profile and "Sunrise Vinyasa" in profile
    photo = re.search(r'src="(/files/instructor_photo/[0-9a-f]{32}\.jpg)"', profile).group(1)
    assert visitor.get(photo, headers=host(studio)).mimetype == "image/jpeg"
    class_page = visitor.get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    assert f'href="/instructors/{instructor_id}">Priya Patel</a>' in class_page
    about = visitor.get("/about", headers=host(studio)).get_data(as_text=True)
    assert "Our instructors" in about and f'href="/instructors/{instructor_id}"' in about and photo in about
    assert audit_entries(app, studio, "profile.updated")


def test_instructors_edit_only_their_own_profile_and_managers_anyones(app, studio):
    mine, my_email = person(app, studio, "instructor")
    theirs, _ = person(app, studio, "instructor", full_name="Sam Other")
    coach = _client(app, studio, my_email)
    assert coach.get(f"/instructors/{theirs}/edit", headers=host(studio)).status_code == 403
    assert coach.get(f"/instructors/{mine}/edit", headers=host(studio)).status_code == 200
    manager = _client(app, studio, person(app, studio, "manager")[1])
    assert _edit(manager, studio, theirs, {"bio": "Written by the manager."}).status_code == 302
    assert "Written by the manager." in app.test_client().get(f"/instructors/{theirs}", headers=host(studio)).get_data(
        as_text=True)
    member_id, member_email = person(app, studio, "member")
    member = _client(app, studio, member_email)
    assert member.get(f"/instructors/{theirs}/edit", headers=host(studio)).status_code == 403
    # members have no public page at all
    assert app.test_client().get(f"/instructors/{member_id}", headers=host(studio)).status_code == 404


def test_a_bad_photo_is_explained_and_the_bio_typed_is_kept(app, studio):
    instructor_id, email = person(app, studio, "instructor")
    response = _edit(_client(app, studio, email), studio, instructor_id,
                     {"bio": "My unsaved words", "photo": (io.BytesIO(b"%PDF-1.7 not a photo"), "cv.pdf")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "not a picture we can read" in page and "My unsaved words" in page
    too_long = _edit(_client(app, studio, email), studio, instructor_id, {"bio": "x" * 3001})
    assert too_long.status_code == 422 and "Use at most 3000 characters." in too_long.get_data(as_text=True)


def test_a_class_picture_shows_on_its_class_page_and_timetable_card(app, studio):
    session_id = make_session(app, studio, starts_in=timedelta(hours=30), name="Pictured Pilates")
    with in_studio(app, studio):
        type_id = db.session.get(ClassSession, session_id).class_type_id
    owner = _client(app, studio, person(app, studio, "owner")[1])
    edit = f"/schedule/class-types/{type_id}/edit"
    token = csrf_token_from(owner, studio, edit)
    refused = owner.post(f"/schedule/class-types/{type_id}/picture", headers=host(studio),
                         content_type="multipart/form-data",
                         data={"csrf_token": token, "image": (io.BytesIO(b"<svg></svg>"), "x.svg")})
    assert refused.status_code == 422 and "SVG pictures cannot be used" in refused.get_data(as_text=True)
    saved = owner.post(f"/schedule/class-types/{type_id}/picture", headers=host(studio),
                       content_type="multipart/form-data",
                       data={"csrf_token": token, "image": (io.BytesIO(picture(2400, 1200, "WEBP")), "p.webp")})
    assert saved.status_code == 302
    with in_studio(app, studio):
        key = db.session.get(ClassType, type_id).image_key
    name = key.split("/")[-1]
    class_page = app.test_client().get(f"/classes/{session_id}", headers=host(studio)).get_data(as_text=True)
    assert f'class="class-picture" src="/files/class_type_image/{name}"' in class_page
    # the timetable's card shows the small variant stored beside it
    small = name.replace(".webp", "-thumb.webp")
    assert f'class="chip-picture" src="/files/class_type_image/{small}"' in app.test_client().get(
        "/", headers=host(studio)).get_data(as_text=True)
    assert max(size_of(app.test_client().get(f"/files/class_type_image/{small}", headers=host(studio)).data)) == 480
    assert audit_entries(app, studio, "class_type.picture_changed")
    removed = owner.post(f"/schedule/class-types/{type_id}/picture/remove", headers=host(studio),
                         data={"csrf_token": token})
    assert removed.status_code == 302
    assert "class-picture" not in app.test_client().get(f"/classes/{session_id}", headers=host(studio)).get_data(
        as_text=True)
    assert app.test_client().get(f"/files/class_type_image/{name}", headers=host(studio)).status_code == 404


def test_pictures_logo_and_details_cost_the_timetable_no_query(app, studio):
    """The timetable's query count is the same with every class pictured, a logo and the details filled in."""
    from nexphys.storage.services import store_image
    from nexphys.studio import branding

    for hour in range(6):
        make_session(app, studio, starts_in=timedelta(days=1, hours=hour), name=f"Timed Class {hour}")
    client = app.test_client()

    def count() -> tuple[int, str, list[str]]:
        client.get("/", headers=host(studio))  # warm the caches
        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            page = client.get("/", headers=host(studio)).get_data(as_text=True)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements), page, statements

    plain, _page, _ = count()
    with in_studio(app, studio):
        for class_type in db.session.scalars(sa.select(ClassType)):
            class_type.image_key = store_image(picture(), "class_type_image", None).key
        branding.save_settings({branding.LOGO_SETTING: store_image(picture(), "logo", None).key,
                                branding.DETAILS_SETTING: {"address_line1": "1 Count Street", "city": "Querytown"}})
        db.session.commit()
    pictured, page, statements = count()
    assert "chip-picture" in page and "brand-logo" in page and "1 Count Street" in page
    # (the warm-up keeps the cached settings fresh; an expired entry can only add a read to the plain page)
    assert pictured <= plain and sum("class_sessions" in s for s in statements) == 1


def test_the_api_gives_class_pictures_and_the_instructors_profile(app, studio):
    from nexphys.storage.services import store_image
    from tests.requests import api_token, bearer

    instructor_id, email = person(app, studio, "instructor", full_name="Api Annie")
    session_id = make_session(app, studio, starts_in=timedelta(days=3), name="Api Pictured Flow")
    _teach(app, studio, session_id, instructor_id)
    with in_studio(app, studio):
        session = db.session.get(ClassSession, session_id)
        session.class_type.image_key = store_image(picture(), "class_type_image", None).key
        session.class_type.description = "Slow and strong."
        session.instructor.bio = "Annie teaches flow."
        session.instructor.photo_key = store_image(picture(), "instructor_photo", None).key
        db.session.commit()
        type_id, day = session.class_type_id, session.starts_at.date().isoformat()
    client = app.test_client()
    headers = bearer(studio, api_token(client, studio, email)["access_token"])
    shown = client.get(f"/api/v1/classes/{session_id}", headers=headers).json
    assert shown["class_type"]["description"] == "Slow and strong."
    assert re.fullmatch(r"http://[^/]+/files/class_type_image/[0-9a-f]{32}\.png", shown["class_type"]["image_url"])
    assert shown["instructor"]["bio"] == "Annie teaches flow."
    assert shown["instructor"]["photo_url"].endswith(".png")
    assert shown["instructor"]["profile_url"].endswith(f"/instructors/{instructor_id}")
    assert client.get(f"/api/v1/class-types/{type_id}", headers=headers).json["image_url"] == \
        shown["class_type"]["image_url"]
    timetable = client.get(f"/api/v1/classes?date={day}", headers=host(studio)).json["items"]
    assert next(e for e in timetable if e["id"] == session_id)["image_url"] == shown["class_type"]["image_url"]
