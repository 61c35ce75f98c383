"""Schedule clashes: adding or editing a class or a series warns when its instructor or room is already taken at
that time, lists the clashes, changes nothing until staff choose to go ahead, and then keeps both."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from nexphys.classes.models import ClassSession
from nexphys.extensions import db
from tests.classes.factories import make_room, make_type
from tests.factories import person, unique
from tests.requests import csrf_token_from, host, staff_client
from tests.running import in_studio, rows


@pytest.fixture(scope="module")
def manager(app, studio):
    return staff_client(app, studio, "manager")[0]


@pytest.fixture(scope="module")
def coach(app, studio) -> int:
    return person(app, studio, "instructor", full_name="Coach Clash")[0]


def _post(client, studio, path, data, token_path=None):
    token = csrf_token_from(client, studio, token_path or path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data})


def _day(weeks: int = 3, weekday: int = 2) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks, days=weekday)


def _sessions_of(app, studio, type_id: int) -> list[ClassSession]:
    return rows(app, studio, sa.select(ClassSession).where(ClassSession.class_type_id == type_id)
                .order_by(ClassSession.starts_at))


def _one_off(client, studio, type_id: int, day: date, time: str, **extra):
    return _post(client, studio, "/schedule/sessions/new",
                 {"class_type_id": str(type_id), "date": day.isoformat(), "time": time, **extra})


def test_a_class_with_a_taken_instructor_is_held_back_until_staff_go_ahead(app, studio, manager, coach):
    first, second = make_type(app, studio, name=unique("Row")), make_type(app, studio, name=unique("Ride"))
    day = _day()
    assert _one_off(manager, studio, first, day, "18:00", instructor_id=str(coach)).status_code == 302

    clash = _one_off(manager, studio, second, day, "18:30", instructor_id=str(coach))
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "This clashes with 1 other class" in page and "Coach Clash is teaching it" in page
    assert 'name="allow_clashes"' in page
    assert _sessions_of(app, studio, second) == []  # nothing was scheduled

    kept = _one_off(manager, studio, second, day, "18:30", instructor_id=str(coach), allow_clashes="y")
    assert kept.status_code == 302 and len(_sessions_of(app, studio, second)) == 1
    note = manager.get(kept.headers["Location"], headers=host(studio)).get_data(as_text=True)
    assert "It overlaps 1 other class (kept as you chose)." in note


def test_a_taken_room_clashes_and_a_free_room_and_instructor_do_not(app, studio, manager):
    room, other_room = make_room(app, studio), make_room(app, studio)
    first, second = make_type(app, studio), make_type(app, studio)
    day = _day(weeks=4)
    assert _one_off(manager, studio, first, day, "07:00", room_id=str(room)).status_code == 302
    taken = _one_off(manager, studio, second, day, "07:30", room_id=str(room))
    assert taken.status_code == 409 and "it is in Room" in taken.get_data(as_text=True)
    free = _one_off(manager, studio, second, day, "07:30", room_id=str(other_room))
    assert free.status_code == 302  # no warning where nothing is shared
    after = _one_off(manager, studio, second, day, "08:00", room_id=str(room))  # starts as the other ends
    assert after.status_code == 302


def test_a_cancelled_class_does_not_clash(app, studio, manager, coach):
    from nexphys.classes.models import SessionStatus

    first, second = make_type(app, studio), make_type(app, studio)
    day = _day(weeks=5)
    assert _one_off(manager, studio, first, day, "12:00", instructor_id=str(coach)).status_code == 302
    with in_studio(app, studio):
        db.session.execute(sa.update(ClassSession).where(ClassSession.class_type_id == first)
                           .values(status=SessionStatus.CANCELLED))
        db.session.commit()
    assert _one_off(manager, studio, second, day, "12:00", instructor_id=str(coach)).status_code == 302


def test_a_series_lists_the_weeks_that_clash(app, studio, manager, coach):
    one_off, weekly = make_type(app, studio), make_type(app, studio)
    day = _day(weeks=2, weekday=0)  # a Monday two weeks ahead
    assert _one_off(manager, studio, one_off, day, "19:00", instructor_id=str(coach)).status_code == 302
    data = {"class_type_id": str(weekly), "weekdays": "0", "start_time": "19:15",
            "starts_on": (day - timedelta(weeks=1)).isoformat(), "instructor_id": str(coach)}
    clash = _post(manager, studio, "/schedule/series/new", data)
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409 and "This clashes with 1 other class" in page
    assert day.strftime("%a %d %b") in page
    assert _sessions_of(app, studio, weekly) == []
    assert _post(manager, studio, "/schedule/series/new", {**data, "allow_clashes": "y"}).status_code == 302
    assert len(_sessions_of(app, studio, weekly)) >= 2


def test_moving_a_class_into_a_clash_is_held_back_and_leaves_it_where_it_was(app, studio, manager, coach):
    first, second = make_type(app, studio), make_type(app, studio)
    day = _day(weeks=6)
    assert _one_off(manager, studio, first, day, "10:00", instructor_id=str(coach)).status_code == 302
    assert _one_off(manager, studio, second, day, "14:00", instructor_id=str(coach)).status_code == 302
    moving = _sessions_of(app, studio, second)[0]
    path = f"/schedule/sessions/{moving.id}/edit"
    clash = _post(manager, studio, path, {"date": day.isoformat(), "time": "10:30", "instructor_id": str(coach),
                                          "scope": "one"})
    assert clash.status_code == 409 and "This clashes with 1 other class" in clash.get_data(as_text=True)
    assert _sessions_of(app, studio, second)[0].starts_at == moving.starts_at  # not moved
