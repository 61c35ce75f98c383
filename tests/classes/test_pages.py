"""The staff schedule pages: rendering, form errors re-rendered, edits of one or future sessions, cancelling."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from nexphys.classes.models import ClassSession, ClassType, Room
from nexphys.extensions import db
from tests.classes.factories import make_room, make_type
from tests.factories import person, session_state, unique
from tests.requests import csrf_token_from, host, staff_client
from tests.running import in_studio


@pytest.fixture(scope="module")
def manager(app, studio):
    return staff_client(app, studio, "manager")[0]


def _post(client, studio, path, data, token_path=None):
    token = csrf_token_from(client, studio, token_path or path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data})


def _monday(weeks: int = 2) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def test_the_schedule_page_renders_with_empty_states_and_nav_link(app, manager, make_tenant):
    tenant = make_tenant(time_zone="Europe/London")
    client = staff_client(app, tenant, "manager")[0]
    page = client.get("/schedule", headers=host(tenant))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No classes this week" in html and "No class types yet" in html and "No rooms yet" in html
    assert 'href="/schedule"' in html and ">Schedule<" in html  # header link
    assert 'href="/schedule/sessions/new"' in html and 'href="/schedule/series/new"' in html


def test_members_cannot_open_the_schedule_and_instructors_only_read_it(app, studio):
    member = staff_client(app, studio, "member")[0]
    assert member.get("/schedule", headers=host(studio)).status_code == 403
    assert "/schedule" not in re.findall(r'href="([^"]+)"', member.get("/", headers=host(studio))
                                         .get_data(as_text=True))
    assert app.test_client().get("/schedule", headers=host(studio)).status_code == 302

    make_type(app, studio, name=unique("Readable"))
    instructor = staff_client(app, studio, "instructor")[0]
    page = instructor.get("/schedule", headers=host(studio))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Readable" in html
    links = re.findall(r'href="([^"]+)"', html)
    assert "/schedule" in links  # in the header's Schedule menu
    assert not any(link.startswith(("/schedule/sessions/new", "/schedule/series/new", "/schedule/class-types/",
                                    "/schedule/rooms/")) for link in links)
    assert instructor.get("/schedule/sessions/new", headers=host(studio)).status_code == 403


def test_add_a_class_type_errors_re_render_then_success(app, studio, manager):
    bad = _post(manager, studio, "/schedule/class-types/new",
                {"name": "", "duration_minutes": "abc", "default_capacity": "900", "color": "#123456", "level": "all"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "This field is required." in html and "Not a valid integer value." in html
    assert "between 0 and 500" in html and 'aria-invalid="true"' in html
    name = unique("Kettlebells")
    good = _post(manager, studio, "/schedule/class-types/new",
                 {"name": name, "duration_minutes": "45", "default_capacity": "12", "color": "#b91c1c",
                  "level": "beginner", "description": "Swing"})
    assert good.status_code == 302 and good.headers["Location"].endswith("/schedule#class-types")
    index = manager.get("/schedule", headers=host(studio)).get_data(as_text=True)
    assert name in index and f"Class type “{name}” added." in index
    with in_studio(app, studio):
        assert db.session.scalar(sa.select(ClassType.level).where(ClassType.name == name)) == "beginner"


def test_csrf_is_required(app, studio, manager):
    response = manager.post("/schedule/class-types/new", headers=host(studio),
                            data={"name": unique("NoToken"), "duration_minutes": "45", "default_capacity": "5"})
    assert response.status_code in (400, 422)
    with in_studio(app, studio):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClassType)
                                 .where(ClassType.name.like("NoToken%"))) == 0


def test_rooms_and_deleting_a_type(app, studio, manager):
    name = unique("Studio")
    assert _post(manager, studio, "/schedule/rooms/new", {"name": name, "capacity": "0"}).status_code == 422
    assert _post(manager, studio, "/schedule/rooms/new", {"name": name, "capacity": "14"}).status_code == 302
    with in_studio(app, studio):
        room_id = db.session.scalar(sa.select(Room.id).where(Room.name == name))
    edited = _post(manager, studio, f"/schedule/rooms/{room_id}/edit", {"name": name, "capacity": "16"})
    assert edited.status_code == 302
    type_id = make_type(app, studio)
    confirm = manager.get(f"/schedule/class-types/{type_id}/delete", headers=host(studio))
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    done = _post(manager, studio, f"/schedule/class-types/{type_id}/delete", {})
    assert done.status_code == 302
    assert manager.get(f"/schedule/class-types/{type_id}/edit", headers=host(studio)).status_code == 404


def test_a_one_off_class_and_a_dst_gap_message(app, studio, manager):
    type_id = make_type(app, studio)
    gap = _post(manager, studio, "/schedule/sessions/new",
                {"class_type_id": str(type_id), "date": "2027-03-28", "time": "01:30"})
    assert gap.status_code == 422 and "does not exist" in gap.get_data(as_text=True)
    ok = _post(manager, studio, "/schedule/sessions/new",
               {"class_type_id": str(type_id), "date": "2027-07-05", "time": "18:30", "notes": "Outside"})
    assert ok.status_code == 302 and "week=2027-07-05" in ok.headers["Location"]
    week = manager.get(ok.headers["Location"], headers=host(studio)).get_data(as_text=True)
    assert "18:30" in week and "One-off" in week
    with in_studio(app, studio):
        starts_at = db.session.scalar(sa.select(ClassSession.starts_at).where(ClassSession.class_type_id == type_id))
    assert starts_at == datetime(2027, 7, 5, 17, 30, tzinfo=UTC)


def _series_sessions(app, studio, type_id) -> list[tuple[int, datetime, bool, int | None]]:
    with in_studio(app, studio):
        return [(s.id, s.starts_at, s.is_modified, s.series_id) for s in db.session.scalars(
            sa.select(ClassSession).where(ClassSession.class_type_id == type_id).order_by(ClassSession.starts_at))]


def test_a_series_then_edit_this_only_and_all_future(app, studio, manager):
    type_id = make_type(app, studio)
    room_id = make_room(app, studio, capacity=15)
    bad = _post(manager, studio, "/schedule/series/new", {"class_type_id": str(type_id), "start_time": "07:00"})
    assert bad.status_code == 422 and "Choose at least one weekday." in bad.get_data(as_text=True)
    created = _post(manager, studio, "/schedule/series/new", {
        "class_type_id": str(type_id), "weekdays": ["0", "2"], "start_time": "07:00", "capacity": "10",
        "room_id": str(room_id), "starts_on": _monday().isoformat()})
    assert created.status_code == 302
    sessions = _series_sessions(app, studio, type_id)
    assert len(sessions) >= 4
    first, second = sessions[0][0], sessions[1][0]
    edit_page = manager.get(f"/schedule/sessions/{first}/edit", headers=host(studio)).get_data(as_text=True)
    assert "This session only" in edit_page and "This and all future sessions" in edit_page
    form = {"date": sessions[0][1].date().isoformat(), "time": "08:00", "duration_minutes": "60", "capacity": "10",
            "room_id": str(room_id), "instructor_id": "", "notes": ""}
    one = _post(manager, studio, f"/schedule/sessions/{first}/edit", {**form, "scope": "one"})
    assert one.status_code == 302
    after = {s[0]: s for s in _series_sessions(app, studio, type_id)}
    assert after[first][2] and not after[second][2]
    too_big = _post(manager, studio, f"/schedule/sessions/{second}/edit",
                    {**form, "date": sessions[1][1].date().isoformat(), "capacity": "20", "scope": "future"})
    assert too_big.status_code == 422 and "holds 15" in too_big.get_data(as_text=True)
    future = _post(manager, studio, f"/schedule/sessions/{second}/edit",
                   {**form, "date": sessions[1][1].date().isoformat(), "time": "06:45", "scope": "future"})
    assert future.status_code == 302
    after = _series_sessions(app, studio, type_id)
    times = {s[0]: s[1] for s in after}
    assert times[first] == sessions[0][1] + timedelta(hours=1)  # edited on its own, before: untouched
    for sid, old, _m, _s in sessions[1:]:
        assert times[sid] == old - timedelta(minutes=15)
    series_id = after[-1][3]
    series_page = manager.get(f"/schedule/series/{series_id}/edit", headers=host(studio))
    assert series_page.status_code == 200 and "06:45" in series_page.get_data(as_text=True)


def test_capacity_below_bookings_is_explained_on_the_page(app, studio, manager):
    type_id = make_type(app, studio, default_capacity=3)
    from tests.classes.test_schedule import _book

    ok = _post(manager, studio, "/schedule/sessions/new", {
        "class_type_id": str(type_id), "date": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
        "time": "12:00"})
    assert ok.status_code == 302
    session_id = _series_sessions(app, studio, type_id)[0][0]
    for _ in range(2):
        _book(app, studio, session_id, person(app, studio)[0])
    page = manager.get(f"/schedule/sessions/{session_id}/edit", headers=host(studio)).get_data(as_text=True)
    assert "At least 2" in page
    refused = _post(manager, studio, f"/schedule/sessions/{session_id}/edit", {"capacity": "1", "time": "12:00"})
    assert refused.status_code == 409 and "2 places are already booked" in refused.get_data(as_text=True)


def test_cancel_a_class_with_a_reason_after_confirmation(app, studio, manager):
    from tests.classes.test_schedule import _book
    from tests.factories import outbox_for

    type_id = make_type(app, studio)
    _post(manager, studio, "/schedule/sessions/new", {
        "class_type_id": str(type_id), "date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat(),
        "time": "10:00"})
    session_id = _series_sessions(app, studio, type_id)[0][0]
    member_id, email = person(app, studio)
    _book(app, studio, session_id, member_id)
    confirm = manager.get(f"/schedule/sessions/{session_id}/cancel", headers=host(studio)).get_data(as_text=True)
    assert "1 booked member is released" in confirm and "Yes, cancel this class" in confirm
    done = _post(manager, studio, f"/schedule/sessions/{session_id}/cancel", {"reason": "Heating broken"})
    assert done.status_code == 302
    assert session_state(app, studio, session_id)["status"] == "cancelled"
    assert outbox_for(app, studio, email)[-1]["kind"] == "session_cancelled"
    week = manager.get(done.headers["Location"], headers=host(studio)).get_data(as_text=True)
    assert "is cancelled; 1 member told." in week
    again = manager.get(f"/schedule/sessions/{session_id}/cancel", headers=host(studio)).get_data(as_text=True)
    assert "already cancelled" in again


def test_the_tenant_migration_lets_existing_instructors_read_the_schedule(app, make_tenant, raw_engine):
    from tests.factories import granted_by_migrating

    holders = granted_by_migrating(raw_engine, make_tenant(), "schedule", "read", "0005_allowed_networks")
    assert holders == ["instructor", "manager", "owner"]


def test_schedule_creations_and_edits_are_audited(app, studio, manager):
    from tests.factories import audit_entries

    type_id = make_type(app, studio, name=unique("Audited"))
    day = _monday(weeks=5)
    made = _post(manager, studio, "/schedule/sessions/new",
                 {"class_type_id": str(type_id), "date": day.isoformat(), "time": "06:45"})
    assert made.status_code == 302
    with in_studio(app, studio):
        session_id = db.session.scalar(sa.select(ClassSession.id).where(ClassSession.class_type_id == type_id))
    created = audit_entries(app, studio, "class.created", f"class_session:{session_id}")
    assert created and created[-1]["actor"].startswith("manager") and created[-1]["details"]["class"].startswith(
        "Audited")
    edited = _post(manager, studio, f"/schedule/sessions/{session_id}/edit",
                   {"date": day.isoformat(), "time": "07:00", "scope": "one"})
    assert edited.status_code == 302
    updated = audit_entries(app, studio, "class.updated", f"class_session:{session_id}")[-1]
    assert updated["details"]["scope"] == "one" and "time" in updated["details"]["fields"]
    series_made = _post(manager, studio, "/schedule/series/new",
                        {"class_type_id": str(type_id), "weekdays": "4", "start_time": "12:00",
                         "starts_on": day.isoformat()})
    assert series_made.status_code == 302
    assert audit_entries(app, studio, "series.created")[-1]["details"]["weekdays"]


def test_the_audit_log_names_what_an_entry_touched_and_links_to_it(app, studio, manager):
    from tests.factories import person as make_person
    from tests.requests import login

    type_id = make_type(app, studio, name=unique("Linked"))
    day = _monday(weeks=6)
    _post(manager, studio, "/schedule/sessions/new", {"class_type_id": str(type_id), "date": day.isoformat(),
                                                     "time": "09:30"})
    with in_studio(app, studio):
        session_id = db.session.scalar(sa.select(ClassSession.id).where(ClassSession.class_type_id == type_id))
    owner = app.test_client()
    assert login(owner, studio, make_person(app, studio, "owner")[1]).status_code == 302
    log = owner.get("/audit?action=class.created", headers=host(studio)).get_data(as_text=True)
    assert re.search(rf'<a href="/classes/{session_id}">Linked[^<]*, \w{{3}} \d\d \w{{3}} \d{{4}}, 09:30</a>', log)
    assert f"class_session:{session_id}" not in log
