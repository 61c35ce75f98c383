"""Booking events: each change writes exactly its event in its own transaction, the database keeps them
immutable, bulk changes write one per booking in one statement, and a roster can be read as it stood."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.bookings import services
from nexphys.bookings.models import BookingEvent, BookingStatus, EventKind
from nexphys.extensions import db
from tests.bookings.history import insert_booking
from tests.factories import make_session, now, person
from tests.running import in_studio

RACERS = 25


def _events(app, studio, session_id: int) -> list[tuple]:
    """(booking_id, member_id, kind, status, actor, by_user_id, waitlist_position) in the order written."""
    with in_studio(app, studio):
        return [tuple(row) for row in db.session.execute(
            sa.select(BookingEvent.booking_id, BookingEvent.member_id, BookingEvent.kind, BookingEvent.status,
                      BookingEvent.actor, BookingEvent.by_user_id, BookingEvent.waitlist_position)
            .where(BookingEvent.session_id == session_id).order_by(BookingEvent.id))]


def _kinds(app, studio, session_id: int) -> list[tuple[int, str]]:
    return [(member_id, kind) for _b, member_id, kind, *_rest in _events(app, studio, session_id)]


def _run(app, studio, fn, *args, **kwargs):
    with in_studio(app, studio):
        result = fn(*args, **kwargs)
        db.session.commit()
        return result


def _book(app, studio, session_id: int, member_id: int, **kwargs) -> int:
    with in_studio(app, studio):
        booking_id = services.book(session_id, member_id, **kwargs).booking.id
        db.session.commit()
        return booking_id


@pytest.fixture(scope="module")
def racing_app(app_factory):
    """The app with a pool big enough for every racer to hold a connection at once."""
    wide = app_factory(DB_POOL_SIZE=RACERS + 5, DB_MAX_OVERFLOW=10)
    yield wide
    with wide.app_context():
        db.engine.dispose()


def _staff(app, studio):
    from nexphys.members.models import User

    staff_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        return db.session.get(User, staff_id)


def test_booking_waitlisting_cancelling_and_promotion_each_write_their_event(app, studio):
    session_id = make_session(app, studio, capacity=1)
    first, second = person(app, studio)[0], person(app, studio)[0]
    seat = _book(app, studio, session_id, first)
    wait = _book(app, studio, session_id, second)
    assert _events(app, studio, session_id) == [
        (seat, first, "booked", "confirmed", "member", first, None),
        (wait, second, "waitlisted", "waitlisted", "member", second, 1)]
    _run(app, studio, services.cancel, seat)
    assert _events(app, studio, session_id)[2:] == [
        (seat, first, "cancelled", "cancelled", "member", first, None),
        (wait, second, "promoted", "confirmed", "system", None, None)]


def test_a_late_cancel_and_a_staff_removal_are_told_apart(app, studio, rules):
    rules(free_cancellation_minutes_before=48 * 60)
    session_id = make_session(app, studio, capacity=5)
    late, removed = person(app, studio)[0], person(app, studio)[0]
    staff = _staff(app, studio)
    late_id = _book(app, studio, session_id, late)
    removed_id = _book(app, studio, session_id, removed)
    _run(app, studio, services.cancel, late_id)
    _run(app, studio, services.cancel, removed_id, by_staff=staff)
    assert _events(app, studio, session_id)[2:] == [
        (late_id, late, "late_cancelled", "late_cancelled", "member", late, None),
        (removed_id, removed, "removed", "cancelled", "staff", staff.id, None)]


def test_check_in_and_its_undo_are_events_by_whoever_did_them(app, studio):
    session_id = make_session(app, studio, starts_in=timedelta(minutes=30))
    member = person(app, studio)[0]
    staff = _staff(app, studio)
    booking_id = _book(app, studio, session_id, member)
    _run(app, studio, services.check_in, booking_id, actor=staff.email, actor_id=staff.id)
    _run(app, studio, services.check_in, booking_id, actor=staff.email, actor_id=staff.id)  # no change: no event
    _run(app, studio, services.undo_check_in, booking_id, actor=staff.email, actor_id=staff.id)
    assert _events(app, studio, session_id)[1:] == [
        (booking_id, member, "checked_in", "checked_in", "staff", staff.id, None),
        (booking_id, member, "check_in_undone", "confirmed", "staff", staff.id, None)]


def test_a_rolled_back_booking_leaves_no_event(app, studio):
    session_id = make_session(app, studio)
    member = person(app, studio)[0]
    with in_studio(app, studio):
        services.book(session_id, member)
        assert len(db.session.execute(sa.select(BookingEvent.id).where(
            BookingEvent.session_id == session_id)).all()) == 1  # written in the booking's transaction
        db.session.rollback()
    assert _events(app, studio, session_id) == []


def test_a_refused_booking_writes_nothing(app, studio):
    session_id = make_session(app, studio)
    member = person(app, studio)[0]
    _book(app, studio, session_id, member)
    with in_studio(app, studio), pytest.raises(services.AlreadyBooked):
        services.book(session_id, member)
    assert len(_events(app, studio, session_id)) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE booking_events SET kind = 'cancelled'", "DELETE FROM booking_events", "TRUNCATE booking_events"])
def test_the_database_refuses_to_change_or_remove_an_event(app, studio, raw_engine, statement):
    session_id = make_session(app, studio)
    _book(app, studio, session_id, person(app, studio)[0])
    with raw_engine.connect() as conn:
        conn.exec_driver_sql(f'SET search_path TO "{studio.schema_name}"')
        with pytest.raises(sa.exc.DBAPIError, match="booking events are immutable"):
            conn.exec_driver_sql(statement)
        conn.rollback()
    assert len(_events(app, studio, session_id)) == 1


def test_no_shows_write_one_event_per_booking_in_one_go(app, studio):
    session_id = make_session(app, studio, starts_in=timedelta(hours=-3))  # ended two hours ago
    members = [person(app, studio)[0] for _ in range(3)]
    booked = [insert_booking(app, studio, session_id, m, booked_ago=timedelta(days=2)) for m in members]
    came = insert_booking(app, studio, session_id, person(app, studio)[0], status=BookingStatus.CHECKED_IN)
    marked = _run(app, studio, services.mark_no_shows)
    assert marked >= 3
    events = _events(app, studio, session_id)
    assert sorted(e[0] for e in events) == booked and came not in [e[0] for e in events]
    assert {(e[2], e[3], e[4]) for e in events} == {("no_show", "no_show", "system")}
    _run(app, studio, services.mark_no_shows)  # nothing left to mark here: nothing more written
    assert len(_events(app, studio, session_id)) == 3


def test_a_cancelled_class_writes_one_event_per_released_booking(app, studio):
    from nexphys.classes import sessions
    from nexphys.classes.models import ClassSession
    from tests.factories import principal_for

    session_id = make_session(app, studio, capacity=2)
    members = [person(app, studio)[0] for _ in range(3)]
    for member in members:
        _book(app, studio, session_id, member)
    staff = _staff(app, studio)
    with in_studio(app, studio):
        sessions.cancel_session(db.session.get(ClassSession, session_id), "Coach is ill",
                                principal_for(staff.id))
        db.session.commit()
    released = [e for e in _events(app, studio, session_id) if e[2] == EventKind.CLASS_CANCELLED]
    assert sorted(e[1] for e in released) == sorted(members)
    assert {(e[3], e[4], e[5]) for e in released} == {("cancelled", "staff", staff.id)}


def test_the_events_of_a_session_replay_to_its_rows(app, studio):
    """Whatever happened, each booking's last event says its current status."""
    session_id = make_session(app, studio, capacity=4, starts_in=timedelta(minutes=30))
    members = [person(app, studio)[0] for _ in range(4)]
    ids = [_book(app, studio, session_id, m) for m in members]
    _run(app, studio, services.cancel, ids[0])
    _run(app, studio, services.check_in, ids[1], actor="desk")
    _run(app, studio, services.cancel, ids[3])
    last = {}
    for booking_id, _m, _kind, status, *_rest in _events(app, studio, session_id):
        last[booking_id] = status
    with in_studio(app, studio):
        from nexphys.bookings.models import Booking

        rows = dict(db.session.execute(sa.select(Booking.id, Booking.status).where(
            Booking.session_id == session_id)).all())
    assert last == rows == {ids[0]: "late_cancelled", ids[1]: "checked_in", ids[2]: "confirmed",
                            ids[3]: "late_cancelled"}


def test_the_roster_as_it_stood_at_each_moment(app, studio):
    """A sequence of changes at known times; the roster at each instant is what it was then."""
    from nexphys.bookings import queries

    session_id = make_session(app, studio, capacity=2, starts_in=timedelta(days=2))
    a, b, c = (person(app, studio, full_name=name)[0] for name in ("Ada", "Bo", "Cy"))
    t0 = now() - timedelta(hours=5)
    ids = {}
    ids["a"] = _book(app, studio, session_id, a, now=t0)
    ids["b"] = _book(app, studio, session_id, b, now=t0 + timedelta(hours=1))
    ids["c"] = _book(app, studio, session_id, c, now=t0 + timedelta(hours=2))  # waits
    _run(app, studio, services.cancel, ids["a"], now=t0 + timedelta(hours=3))  # c is promoted

    def stood(hours: float) -> dict[str, list[int]]:
        with in_studio(app, studio):
            roster = queries.roster_as_of(session_id, t0 + timedelta(hours=hours))
        return {status: [e.member_id for e in entries] for status, entries in roster.groups.items() if entries}

    assert stood(-1) == {}
    assert stood(0) == {"confirmed": [a]}  # an event at the very instant counts
    assert stood(1.5) == {"confirmed": [a, b]}
    assert stood(2.5) == {"confirmed": [a, b], "waitlisted": [c]}
    assert stood(3) == {"confirmed": [b, c], "cancelled": [a]}
    with in_studio(app, studio):
        then = queries.roster_as_of(session_id, t0 + timedelta(hours=2.5))
        later = queries.roster_as_of(session_id, t0 + timedelta(hours=4))
    assert then.groups["waitlisted"][0].position == 1 and not then.groups["confirmed"][0].promoted
    assert [e.promoted for e in later.groups["confirmed"] if e.member_id == c] == [True]
    assert later.groups["cancelled"][0].cancelled_at == t0 + timedelta(hours=3)


def test_members_racing_for_the_last_seats_leave_exactly_their_events(racing_app, app, studio):
    from tests.bookings.apiclient import book
    from tests.bookings.test_concurrency import _bookings, _members, _race

    session_id = make_session(app, studio, capacity=5)
    racers = _members(app, studio, RACERS)
    results = _race(racing_app, [lambda client, h=headers: book(client, h, session_id) for _, headers in racers])
    assert Counter(status for status, _ in results)[201] == 15
    rows = Counter(row["status"] for row in _bookings(app, studio, session_id))
    events = Counter(kind for _m, kind in _kinds(app, studio, session_id))
    assert rows == {"confirmed": 5, "waitlisted": 10}
    assert events == {"booked": 5, "waitlisted": 10}
    positions = sorted(e[6] for e in _events(app, studio, session_id) if e[2] == "waitlisted")
    assert positions == list(range(1, 11))

