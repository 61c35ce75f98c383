"""Booking events seen from outside: the roster page and API "as it stood", another studio's view of them,
and the migration that rebuilds events for bookings made before events existed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.bookings import services
from nexphys.extensions import db
from tests.factories import create_tenant, drop_tenant, make_session, now, person
from tests.requests import host, person_headers, staff_client
from tests.running import in_studio


def _book(app, studio, session_id: int, member_id: int, **kwargs) -> int:
    with in_studio(app, studio):
        booking_id = services.book(session_id, member_id, **kwargs).booking.id
        db.session.commit()
        return booking_id


@pytest.fixture(scope="module")
def history(app, studio):
    """A class two days ahead (capacity 1): Ada booked 5 h ago, Bo waitlisted 4 h ago, Ada cancelled 3 h ago."""
    session_id = make_session(app, studio, capacity=1, starts_in=timedelta(days=2))
    ada = person(app, studio, full_name="Ada Early")[0]
    bo = person(app, studio, full_name="Bo Later")[0]
    t0 = now() - timedelta(hours=5)
    first = _book(app, studio, session_id, ada, now=t0)
    _book(app, studio, session_id, bo, now=t0 + timedelta(hours=1))
    with in_studio(app, studio):
        services.cancel(first, now=t0 + timedelta(hours=2))
        db.session.commit()
    return session_id, t0


@pytest.fixture(scope="module")
def other_studio(app):
    info = create_tenant(app, name="Another Studio")
    yield info
    drop_tenant(app, info.slug)


def _local(studio, moment) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(studio.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_the_roster_page_shows_the_class_as_it_stood(app, studio, history):
    session_id, t0 = history
    client, _ = staff_client(app, studio)
    page = client.get(f"/classes/{session_id}/roster", headers=host(studio)).get_data(as_text=True)
    assert 'type="datetime-local"' in page and "See the roster as it stood at" in page
    when = _local(studio, t0 + timedelta(hours=1, minutes=30))
    page = client.get(f"/classes/{session_id}/roster?as_of={when}", headers=host(studio)).get_data(as_text=True)
    assert ": 1 booked, 1 waiting" in page and "As it stood on " in page
    assert "Ada Early" in page and "Number 1 in line" in page
    assert f'value="{when}"' in page and "Check in" not in page  # the past is read only
    later = client.get(f"/classes/{session_id}/roster?as_of={_local(studio, now())}", headers=host(studio))
    assert ": 1 booked, 0 waiting, 1 cancelled" in later.get_data(as_text=True)


def test_a_moment_before_anyone_booked_says_so(app, studio, history):
    session_id, t0 = history
    client, _ = staff_client(app, studio)
    when = _local(studio, t0 - timedelta(days=1))
    page = client.get(f"/classes/{session_id}/roster?as_of={when}", headers=host(studio)).get_data(as_text=True)
    assert "0 booked, 0 waiting" in page and "No one had booked this class yet." in page


def test_a_bad_moment_is_a_message_not_an_error(app, studio, history):
    session_id, _ = history
    client, _ = staff_client(app, studio)
    response = client.get(f"/classes/{session_id}/roster?as_of=next+tuesday", headers=host(studio))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a date and a time" in page and 'aria-invalid="true"' in page
    assert "Bo Later" in page  # the roster as it is now is still shown


def test_the_api_roster_as_of(app, studio, history):
    session_id, t0 = history
    headers, _ = person_headers(app, studio, "manager")
    client = app.test_client()
    moment = (t0 + timedelta(hours=1, minutes=30)).isoformat()
    body = client.get(f"/api/v1/classes/{session_id}/roster", query_string={"as_of": moment},
                      headers=headers).get_json()
    assert body["as_of"] is not None and body["counts"]["confirmed"] == 1 and body["counts"]["waitlisted"] == 1
    assert body["session"]["booked"] == 1 and body["session"]["spots_left"] == 0
    assert body["groups"]["waitlisted"][0]["waitlist_position"] == 1
    now_body = client.get(f"/api/v1/classes/{session_id}/roster", headers=headers).get_json()
    assert now_body["as_of"] is None and now_body["counts"]["cancelled"] == 1
    bad = client.get(f"/api/v1/classes/{session_id}/roster?as_of=soon", headers=headers)
    assert bad.status_code == 422 and bad.content_type.startswith("application/problem+json")


def test_members_cannot_see_a_past_roster(app, studio, history):
    session_id, t0 = history
    headers, _ = person_headers(app, studio, "member")
    response = app.test_client().get(f"/api/v1/classes/{session_id}/roster", query_string={"as_of": t0.isoformat()},
                                     headers=headers)
    assert response.status_code == 403


def test_another_studio_cannot_read_this_studio_s_events(app, studio, other_studio, history):
    session_id, t0 = history
    when = _local(studio, t0 + timedelta(hours=1))
    client, _ = staff_client(app, other_studio, "owner")
    page = client.get(f"/classes/{session_id}/roster?as_of={when}", headers=host(other_studio))
    assert page.status_code == 404 and "Ada Early" not in page.get_data(as_text=True)
    headers, _ = person_headers(app, other_studio, "owner")
    api = app.test_client().get(f"/api/v1/classes/{session_id}/roster", query_string={"as_of": t0.isoformat()},
                                headers=headers)
    assert api.status_code == 404
    with in_studio(app, other_studio):
        from nexphys.bookings.models import BookingEvent

        assert db.session.scalar(sa.select(sa.func.count()).select_from(BookingEvent)) == 0


def test_the_migration_rebuilds_events_for_existing_bookings_once(app, make_tenant, raw_engine):
    from nexphys.bookings.models import Booking
    from nexphys.classes.models import ClassSession
    from nexphys.tenancy.migrations import head_revision, migrate_one

    studio = make_tenant()
    schema = studio.schema_name
    with raw_engine.begin() as conn:  # a studio from before events: no table, no trigger
        conn.exec_driver_sql(f'DROP TABLE "{schema}".booking_events')
        conn.exec_driver_sql(f'DROP FUNCTION "{schema}".booking_events_refuse_change()')
        conn.exec_driver_sql(f"UPDATE \"{schema}\".alembic_version SET version_num = '0013_equipment_schedule'")
    past = make_session(app, studio, starts_in=timedelta(days=-1), capacity=5)
    ahead = make_session(app, studio, starts_in=timedelta(days=1), capacity=1)
    called_off = make_session(app, studio, starts_in=timedelta(days=2), capacity=5)
    members = [person(app, studio)[0] for _ in range(8)]
    staff = person(app, studio, "manager")[0]
    t = now() - timedelta(days=3)
    with in_studio(app, studio):
        off = db.session.get(ClassSession, called_off)
        off.status, off.cancelled_at = "cancelled", t + timedelta(hours=5)
        starts = db.session.get(ClassSession, past).starts_at
        rows = {
            "came": Booking(session_id=past, member_id=members[0], status="checked_in", created_at=t,
                            confirmed_at=t, checked_in_at=starts - timedelta(minutes=5)),
            "stayed_away": Booking(session_id=past, member_id=members[1], status="no_show", created_at=t,
                                   confirmed_at=t),
            "late": Booking(session_id=past, member_id=members[2], status="late_cancelled", created_at=t,
                            confirmed_at=t, cancelled_at=starts - timedelta(minutes=30)),
            "added": Booking(session_id=ahead, member_id=members[3], status="confirmed", created_at=t,
                             confirmed_at=t, booked_by_id=staff),
            "waiting": Booking(session_id=ahead, member_id=members[4], status="waitlisted",
                               created_at=t + timedelta(hours=1)),
            "moved_up": Booking(session_id=ahead, member_id=members[5], status="cancelled", promoted=True,
                                created_at=t + timedelta(minutes=30), confirmed_at=t + timedelta(hours=2),
                                cancelled_at=t + timedelta(hours=3)),
            "released": Booking(session_id=called_off, member_id=members[6], status="cancelled", created_at=t,
                                confirmed_at=t, cancelled_at=t + timedelta(hours=5)),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {key: booking.id for key, booking in rows.items()}

    def rebuilt() -> dict[str, list[tuple]]:
        with raw_engine.connect() as conn:
            found = conn.execute(sa.text(
                f'SELECT booking_id, kind, actor, by_user_id FROM "{schema}".booking_events ORDER BY id')).all()
        by_booking: dict[str, list[tuple]] = {}
        names = {v: k for k, v in ids.items()}
        for booking_id, kind, actor, by_user_id in found:
            by_booking.setdefault(names[booking_id], []).append((kind, actor, by_user_id))
        return by_booking

    _id, revision, error = migrate_one(studio.id, schema, raw_engine)
    assert error is None and revision == head_revision()
    expected = {
        "came": [("booked", "member", members[0]), ("checked_in", "staff", None)],
        "stayed_away": [("booked", "member", members[1]), ("no_show", "system", None)],
        "late": [("booked", "member", members[2]), ("late_cancelled", "member", members[2])],
        "added": [("booked", "staff", staff)],
        "waiting": [("waitlisted", "member", members[4])],
        "moved_up": [("waitlisted", "member", members[5]), ("promoted", "system", None),
                     ("cancelled", "member", members[5])],
        "released": [("booked", "member", members[6]), ("class_cancelled", "staff", None)],
    }
    assert rebuilt() == expected
    with raw_engine.begin() as conn:  # replayed: nothing is written twice
        conn.exec_driver_sql(f"UPDATE \"{schema}\".alembic_version SET version_num = '0013_equipment_schedule'")
    assert migrate_one(studio.id, schema, raw_engine)[2] is None
    assert rebuilt() == expected
    with raw_engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="immutable"):
        conn.exec_driver_sql(f'DELETE FROM "{schema}".booking_events')
