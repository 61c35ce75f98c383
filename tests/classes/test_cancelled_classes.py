"""Cancelled classes: shown struck through on the public timetable for a while, then gone from it; one nobody
booked can be deleted (audited), one with bookings stays as history."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.classes.models import ClassSession, SessionStatus
from nexphys.extensions import db
from tests.factories import audit_entries, make_session, person
from tests.requests import csrf_token_from, host, staff_client
from tests.running import in_studio, run


@pytest.fixture(scope="module")
def manager(app, studio):
    return staff_client(app, studio, "manager")[0]


def _post(client, studio, path, data=None):
    token = csrf_token_from(client, studio, path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **(data or {})})


def _cancel(app, studio, session_id: int, hours_ago: float = 0) -> None:
    with in_studio(app, studio):
        db.session.execute(sa.update(ClassSession).where(ClassSession.id == session_id).values(
            status=SessionStatus.CANCELLED, cancelled_at=sa.func.now() - timedelta(hours=hours_ago)))
        db.session.commit()


def _starts(app, studio, session_id: int):
    with in_studio(app, studio):
        return db.session.get(ClassSession, session_id).starts_at


def test_a_cancelled_class_leaves_the_timetable_after_a_while(app, studio, manager):
    recent = make_session(app, studio, starts_in=timedelta(days=3), name="Recently Cancelled Rumba")
    old = make_session(app, studio, starts_in=timedelta(days=3, hours=1), name="Long Cancelled Lindy")
    _cancel(app, studio, recent, hours_ago=1)
    _cancel(app, studio, old, hours_ago=72)
    day = _starts(app, studio, recent).date().isoformat()
    page = app.test_client().get(f"/timetable?view=day&date={day}", headers=host(studio)).get_data(as_text=True)
    assert "Recently Cancelled Rumba" in page and "Long Cancelled Lindy" not in page
    # Staff still see both on their schedule.
    week = manager.get(f"/schedule?week={day}", headers=host(studio)).get_data(as_text=True)
    assert "Long Cancelled Lindy" in week and "Recently Cancelled Rumba" in week


def test_a_cancelled_class_nobody_booked_is_deleted_after_confirmation(app, studio, manager):
    session_id = make_session(app, studio, starts_in=timedelta(days=4), name="Empty Evening Salsa")
    _cancel(app, studio, session_id)
    path = f"/schedule/sessions/{session_id}/delete"
    confirm = manager.get(path, headers=host(studio))
    assert confirm.status_code == 200 and "Yes, delete it" in confirm.get_data(as_text=True)
    done = _post(manager, studio, path)
    assert done.status_code == 302
    with in_studio(app, studio):
        assert db.session.get(ClassSession, session_id) is None
    entry = audit_entries(app, studio, "class.deleted")[-1]
    assert entry["target"] == f"class_session:{session_id}" and entry["details"]["class"] == "Empty Evening Salsa"


def test_a_class_with_bookings_or_still_on_cannot_be_deleted(app, studio, manager):
    from nexphys.bookings.services import book

    booked = make_session(app, studio, starts_in=timedelta(days=5), name="Booked Bachata")
    member_id = person(app, studio, "member")[0]
    run(app, studio, lambda: book(booked, member_id))
    _cancel(app, studio, booked)
    on = make_session(app, studio, starts_in=timedelta(days=5, hours=2), name="Still On Swing")
    for session_id in (booked, on):
        path = f"/schedule/sessions/{session_id}/delete"
        page = manager.get(path, headers=host(studio)).get_data(as_text=True)
        assert "Yes, delete it" not in page and "Only a cancelled class that nobody booked" in page
        refused = _post(manager, studio, path)
        assert refused.status_code == 302
        with in_studio(app, studio):
            assert db.session.get(ClassSession, session_id) is not None


def test_instructors_and_members_cannot_delete_classes(app, studio):
    session_id = make_session(app, studio, starts_in=timedelta(days=6))
    _cancel(app, studio, session_id)
    for role in ("instructor", "member"):
        client = staff_client(app, studio, role)[0]
        assert client.get(f"/schedule/sessions/{session_id}/delete", headers=host(studio)).status_code == 403
