"""Read-only booking queries: lists, a member's upcoming and past bookings, statuses, rosters, attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nexphys.bookings import queries, services
from nexphys.bookings.models import BookingStatus
from nexphys.extensions import db
from tests.factories import make_session, now, person
from tests.running import in_studio


def _book(app, studio, session_id, member_id, **kwargs) -> int:
    with in_studio(app, studio):
        booking = services.book(session_id, member_id, **kwargs).booking
        db.session.commit()
        return booking.id


def _cancel(app, studio, booking_id) -> None:
    with in_studio(app, studio):
        services.cancel(booking_id)
        db.session.commit()


@pytest.fixture(scope="module")
def full_class(app, studio):
    """A class of two seats with two confirmed and three waiting members."""
    session_id = make_session(app, studio, capacity=2, starts_in=timedelta(days=2))
    members = [person(app, studio)[0] for _ in range(5)]
    bookings = [_book(app, studio, session_id, member) for member in members]
    return session_id, members, bookings


def test_member_upcoming_bookings_show_waitlist_positions_and_cancel_flags(app, studio, full_class):
    session_id, members, _ = full_class
    soon = make_session(app, studio, starts_in=timedelta(minutes=60), name="Soon class")  # inside the late cut-off
    _book(app, studio, soon, members[3])
    with in_studio(app, studio):
        page = queries.member_bookings(members[3], upcoming=True)
        assert page.total == 2
        first, second = page.items
        assert (first.session_id, first.status, first.position) == (soon, BookingStatus.CONFIRMED, None)
        assert first.can_cancel and first.cancel_is_late and first.class_name == "Soon class"
        assert (second.session_id, second.status, second.position) == (session_id, BookingStatus.WAITLISTED, 2)
        assert second.can_cancel and not second.cancel_is_late
        assert queries.member_bookings(members[4], upcoming=True).items[0].position == 3
        assert queries.member_bookings(members[0], upcoming=True).items[0].position is None


def test_past_bookings_hold_cancelled_and_finished_classes_newest_first(app, studio):
    member, _ = person(app, studio)
    cancelled = _book(app, studio, make_session(app, studio, starts_in=timedelta(days=3)), member)
    _cancel(app, studio, cancelled)
    finished = _book(app, studio, make_session(app, studio, starts_in=timedelta(hours=-3)), member,
                     now=now() - timedelta(hours=4))
    with in_studio(app, studio):
        assert queries.member_bookings(member, upcoming=True).total == 0
        past = queries.member_bookings(member, upcoming=False).items
        assert [row.id for row in past] == [cancelled, finished]
        assert past[0].status == BookingStatus.CANCELLED and not past[0].can_cancel
        assert not past[1].can_cancel


def test_statuses_for_gives_the_viewers_own_live_booking_per_session(app, studio, full_class):
    session_id, members, bookings = full_class
    other = make_session(app, studio, starts_in=timedelta(days=1))
    with in_studio(app, studio):
        assert queries.statuses_for(members[2], [session_id, other]) == {
            session_id: {"booking_id": bookings[2], "status": BookingStatus.WAITLISTED, "position": 1}}
        assert queries.statuses_for(members[0], [session_id])[session_id]["status"] == BookingStatus.CONFIRMED
        assert queries.statuses_for(members[0], []) == {}


def test_roster_groups_by_status_with_the_waitlist_in_line_order(app, studio, full_class):
    session_id, members, _ = full_class
    with in_studio(app, studio):
        roster = queries.roster(session_id)
        assert list(roster.groups) == list(queries.ROSTER_GROUPS)
        assert {e.member_id for e in roster.groups["confirmed"]} == set(members[:2])
        assert [(e.member_id, e.position) for e in roster.groups["waitlisted"]] == [
            (members[2], 1), (members[3], 2), (members[4], 3)]
        assert roster.seat_holders == 2 == roster.session.booked_count
        with pytest.raises(services.NotFound):
            queries.roster(10**9)


def test_list_bookings_filters_and_paginates(app, studio, full_class):
    session_id, members, bookings = full_class
    with in_studio(app, studio):
        everything = queries.list_bookings(session_id=session_id, per_page=2)
        assert everything.total == 5 and everything.pages == 3 and len(everything.items) == 2
        assert [row.id for row in everything.items] == bookings[:2]  # one class: booking order
        waiting = queries.list_bookings(session_id=session_id, status="waitlisted")
        assert [(row.member_id, row.position) for row in waiting.items] == [
            (members[2], 1), (members[3], 2), (members[4], 3)]
        assert [row.id for row in queries.list_bookings(member_id=members[4], status="waitlisted").items] == [
            bookings[4]]
        assert queries.list_bookings(member_id=members[4], status="waitlisted").items[0].position == 3
        assert queries.list_bookings(session_id=session_id, start=now() + timedelta(days=3)).total == 0
        assert queries.list_bookings(session_id=session_id, end=now() + timedelta(days=3)).total == 5


def test_attendance_history_counts_per_status(app, studio):
    member, _ = person(app, studio)
    sessions = [make_session(app, studio, starts_in=timedelta(hours=-5 - i)) for i in range(3)]
    ids = [_book(app, studio, s, member, now=now() - timedelta(hours=9)) for s in sessions]
    with in_studio(app, studio):
        services.check_in(ids[0], now=now() - timedelta(hours=5))
        db.session.commit()
    with in_studio(app, studio):
        services.mark_no_shows()
        db.session.commit()
    late = _book(app, studio, make_session(app, studio, starts_in=timedelta(minutes=30)), member)
    _cancel(app, studio, late)
    with in_studio(app, studio):
        history = queries.attendance_history(member)
        assert history.counts == {"checked_in": 1, "no_show": 2, "late_cancelled": 1, "confirmed": 0}
        assert history.page.total == 4
        assert history.page.items[0].id == late  # the late-cancelled class starts last
