"""The booking service without HTTP: every booking rule, the waitlist, check-in and no-shows."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from nexphys.bookings import services
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.extensions import db
from tests.factories import make_session, now, person, session_state
from tests.running import in_studio
from tests.running import refused as _refused


def _book(app, studio, session_id, member_id, **kwargs):
    with in_studio(app, studio):
        outcome = services.book(session_id, member_id, **kwargs)
        db.session.commit()
        return outcome.booking.id, outcome.booking.status, outcome.waitlist_position


def _cancel(app, studio, booking_id, **kwargs):
    with in_studio(app, studio):
        outcome = services.cancel(booking_id, **kwargs)
        db.session.commit()
        return outcome.booking.status, outcome.promoted.member_id if outcome.promoted else None


def _staff(app, studio):
    from nexphys.members.models import User

    staff_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        return db.session.get(User, staff_id)


def _outbox_kinds(app, studio, email):
    from nexphys.mail.models import OutboxMessage

    with in_studio(app, studio):
        return list(db.session.scalars(sa.select(OutboxMessage.kind).where(OutboxMessage.to_address == email)
                                       .order_by(OutboxMessage.id)))


# --- booking -----------------------------------------------------------------------------

def test_booking_confirms_counts_the_seat_and_emails_the_member(app, studio):
    session_id = make_session(app, studio, capacity=3)
    member_id, email = person(app, studio)
    _, status, position = _book(app, studio, session_id, member_id)
    assert status == BookingStatus.CONFIRMED and position is None
    state = session_state(app, studio, session_id)
    assert state["booked_count"] == 1 and state["bookings"] == {"confirmed": [member_id]}
    assert _outbox_kinds(app, studio, email) == ["booking_confirmed"]


def test_a_member_cannot_hold_two_places_in_one_class(app, studio):
    session_id = make_session(app, studio)
    member_id, _ = person(app, studio)
    _book(app, studio, session_id, member_id)
    error = _refused(app, studio, services.AlreadyBooked, services.book, session_id, member_id)
    assert error.reason == "already_booked"
    assert session_state(app, studio, session_id)["booked_count"] == 1


def test_a_full_class_puts_members_on_the_waitlist_in_order(app, studio):
    session_id = make_session(app, studio, capacity=1)
    first, second, third = (person(app, studio)[0] for _ in range(3))
    assert _book(app, studio, session_id, first)[1] == "confirmed"
    assert _book(app, studio, session_id, second)[1:] == ("waitlisted", 1)
    assert _book(app, studio, session_id, third)[1:] == ("waitlisted", 2)
    state = session_state(app, studio, session_id)
    assert state["booked_count"] == 1 and state["bookings"]["waitlisted"] == [second, third]


def test_full_with_a_full_waitlist_or_none_is_refused(app, studio, rules):
    rules(waitlist_size=1)
    session_id = make_session(app, studio, capacity=1)
    a, b, c = (person(app, studio)[0] for _ in range(3))
    _book(app, studio, session_id, a)
    _book(app, studio, session_id, b)
    assert _refused(app, studio, services.SessionFull, services.book, session_id, c).reason == "full"
    rules(waitlist_size=0)
    other = make_session(app, studio, capacity=1)
    _book(app, studio, other, a)
    error = _refused(app, studio, services.SessionFull, services.book, other, b)
    assert "full" in error.message


def test_the_booking_window_opens_days_before_and_closes_minutes_before(app, studio, rules):
    rules(booking_opens_days_before=3, booking_closes_minutes_before=30)
    member_id, _ = person(app, studio)
    too_early = make_session(app, studio, starts_in=timedelta(days=3, hours=1))
    too_late = make_session(app, studio, starts_in=timedelta(minutes=20))
    just_right = make_session(app, studio, starts_in=timedelta(days=2))
    assert "opens 3 days" in _refused(app, studio, services.OutsideBookingWindow, services.book,
                                      too_early, member_id).message
    assert "closed" in _refused(app, studio, services.OutsideBookingWindow, services.book, too_late, member_id).message
    assert _book(app, studio, just_right, member_id)[1] == "confirmed"


def test_premium_members_book_earlier_and_hold_more(app, studio, rules):
    rules(booking_opens_days_before=2, max_upcoming_bookings=1,
          role_booking_rules={"premium_member": {"booking_opens_days_before": 10, "max_upcoming_bookings": 2}})
    basic, _ = person(app, studio, "member")
    premium, _ = person(app, studio, "premium_member")
    far = make_session(app, studio, starts_in=timedelta(days=5))
    near, near2 = make_session(app, studio), make_session(app, studio)
    _refused(app, studio, services.OutsideBookingWindow, services.book, far, basic)
    assert _book(app, studio, far, premium)[1] == "confirmed"
    assert _book(app, studio, near, basic)[1] == "confirmed"
    error = _refused(app, studio, services.OverBookingLimit, services.book, near2, basic)
    assert error.reason == "over_booking_limit" and "1 upcoming" in error.message
    assert _book(app, studio, near, premium)[1] == "confirmed"


def test_cancelled_or_started_classes_cannot_be_booked(app, studio):
    member_id, _ = person(app, studio)
    started = make_session(app, studio, starts_in=timedelta(minutes=-5))
    assert _refused(app, studio, services.NotBookable, services.book, started, member_id).reason == "not_bookable"
    cancelled = make_session(app, studio)
    with in_studio(app, studio):
        services.cancel_session(cancelled, "Instructor ill")
        db.session.commit()
    _refused(app, studio, services.NotBookable, services.book, cancelled, member_id)


def test_staff_add_someone_past_the_rules_but_never_past_capacity(app, studio, rules):
    rules(booking_opens_days_before=1, max_upcoming_bookings=1)
    member_id, _ = person(app, studio)
    staff = _staff(app, studio)
    far = make_session(app, studio, starts_in=timedelta(days=5), capacity=1)
    _book(app, studio, make_session(app, studio), member_id)  # now at the limit
    with in_studio(app, studio):
        staff = db.session.merge(staff)
        booking = services.book(far, member_id, by_staff=staff).booking
        db.session.commit()
        assert booking.status == "confirmed" and booking.booked_by_id == staff.id
    other, _ = person(app, studio)
    with in_studio(app, studio):
        assert services.book(far, other, by_staff=db.session.merge(staff)).booking.status == "waitlisted"
        db.session.commit()
    assert session_state(app, studio, far)["booked_count"] == 1
    from tests.factories import audit_entries

    entries = audit_entries(app, studio, "booking.added_by_staff")
    assert [e["details"]["member_id"] for e in entries[-2:]] == [member_id, other]


# --- cancelling and the waitlist --------------------------------------------------------------

def test_free_and_late_cancellation_and_none_after_start(app, studio, rules):
    rules(free_cancellation_minutes_before=120)
    member_id, _ = person(app, studio)
    early = make_session(app, studio, starts_in=timedelta(hours=5))
    late = make_session(app, studio, starts_in=timedelta(hours=1))
    early_booking = _book(app, studio, early, member_id)[0]
    late_booking = _book(app, studio, late, member_id)[0]
    assert _cancel(app, studio, early_booking)[0] == "cancelled"
    assert _cancel(app, studio, late_booking)[0] == "late_cancelled"
    assert session_state(app, studio, late)["booked_count"] == 0
    started = make_session(app, studio, starts_in=timedelta(minutes=30))
    booking = _book(app, studio, started, member_id)[0]
    error = _refused(app, studio, services.CannotCancel, services.cancel, booking,
                     now=now() + timedelta(minutes=31))
    assert "started" in error.message
    _refused(app, studio, services.CannotCancel, services.cancel, early_booking)  # already cancelled


def test_a_member_may_book_again_after_cancelling(app, studio):
    session_id = make_session(app, studio)
    member_id, _ = person(app, studio)
    _cancel(app, studio, _book(app, studio, session_id, member_id)[0])
    assert _book(app, studio, session_id, member_id)[1] == "confirmed"


def test_a_freed_seat_goes_to_the_first_waiting_member_in_the_same_transaction(app, studio):
    session_id = make_session(app, studio, capacity=1)
    holder, first, second = (person(app, studio) for _ in range(3))
    booking = _book(app, studio, session_id, holder[0])[0]
    _book(app, studio, session_id, first[0])
    _book(app, studio, session_id, second[0])
    assert _cancel(app, studio, booking) == ("cancelled", first[0])
    state = session_state(app, studio, session_id)
    assert state["booked_count"] == 1 and state["bookings"]["confirmed"] == [first[0]]
    assert state["bookings"]["waitlisted"] == [second[0]]
    assert _outbox_kinds(app, studio, first[1]) == ["waitlisted", "promoted"]
    with in_studio(app, studio):
        waiting = db.session.scalar(sa.select(Booking).where(Booking.session_id == session_id,
                                                             Booking.member_id == second[0]))
        assert services.waitlist_position(waiting) == 1


def test_a_member_at_their_limit_is_skipped_but_keeps_their_place(app, studio, rules):
    rules(max_upcoming_bookings=1)
    session_id = make_session(app, studio, capacity=1)
    holder, busy, free = (person(app, studio)[0] for _ in range(3))
    booking = _book(app, studio, session_id, holder)[0]
    _book(app, studio, session_id, busy)
    _book(app, studio, session_id, free)
    _book(app, studio, make_session(app, studio), busy)  # busy now holds their one allowed seat
    assert _cancel(app, studio, booking)[1] == free
    state = session_state(app, studio, session_id)
    assert state["bookings"]["waitlisted"] == [busy]


def test_after_the_waitlist_closes_a_freed_seat_returns_to_open_booking(app, studio, rules):
    rules(waitlist_closes_minutes_before=60, free_cancellation_minutes_before=0)
    session_id = make_session(app, studio, starts_in=timedelta(minutes=45), capacity=1)
    holder, waiting, walk_in = (person(app, studio)[0] for _ in range(3))
    booking = _book(app, studio, session_id, holder)[0]
    rules(waitlist_closes_minutes_before=30)
    _book(app, studio, session_id, waiting)
    rules(waitlist_closes_minutes_before=60)
    assert _cancel(app, studio, booking)[1] is None
    assert _book(app, studio, session_id, walk_in)[1] == "confirmed"


def test_cancelling_a_waitlist_place_frees_no_seat(app, studio):
    session_id = make_session(app, studio, capacity=1)
    a, b = person(app, studio)[0], person(app, studio)[0]
    _book(app, studio, session_id, a)
    waiting = _book(app, studio, session_id, b)[0]
    assert _cancel(app, studio, waiting) == ("cancelled", None)
    assert session_state(app, studio, session_id)["booked_count"] == 1


def test_cancelling_a_class_releases_everyone_and_tells_them(app, studio):
    session_id = make_session(app, studio, capacity=1)
    (a, email_a), (b, email_b) = person(app, studio), person(app, studio)
    assert email_a != email_b
    _book(app, studio, session_id, a)
    _book(app, studio, session_id, b)
    with in_studio(app, studio):
        released = services.cancel_session(session_id, "Pool closed")
        db.session.commit()
        assert sorted(r.member_id for r in released) == sorted([a, b])
    state = session_state(app, studio, session_id)
    assert state["status"] == "cancelled" and state["booked_count"] == 0
    assert set(state["bookings"]) == {"cancelled"}
    assert _outbox_kinds(app, studio, email_b)[-1] == "session_cancelled"


# --- check-in and no-shows ------------------------------------------------------------------

def test_check_in_and_no_show_marking(app, studio):
    session_id = make_session(app, studio, starts_in=timedelta(minutes=-40), minutes=45)
    soon = make_session(app, studio, starts_in=timedelta(minutes=30))
    came, missed = person(app, studio)[0], person(app, studio)[0]
    staff = _staff(app, studio)
    with in_studio(app, studio):
        staff = db.session.merge(staff)
        came_booking = services.book(session_id, came, by_staff=staff).booking.id
        services.book(session_id, missed, by_staff=staff)
        early = services.book(soon, came).booking.id
        db.session.commit()
        assert services.check_in(came_booking).status == "checked_in"
        assert services.check_in(came_booking).status == "checked_in"  # a second click changes nothing
        assert services.check_in(early).status == "checked_in"  # 30 minutes before is fine
        assert services.mark_no_shows(now() + timedelta(minutes=10)) >= 1
        db.session.commit()
    state = session_state(app, studio, session_id)
    assert state["bookings"] == {"checked_in": [came], "no_show": [missed]} and state["booked_count"] == 2


def test_check_in_is_refused_for_waitlisted_and_far_future_bookings(app, studio):
    session_id = make_session(app, studio, capacity=1, starts_in=timedelta(hours=5))
    a, b = person(app, studio)[0], person(app, studio)[0]
    confirmed = _book(app, studio, session_id, a)[0]
    waiting = _book(app, studio, session_id, b)[0]
    assert "add them" in _refused(app, studio, services.CannotCheckIn, services.check_in, waiting).message
    assert "two hours" in _refused(app, studio, services.CannotCheckIn, services.check_in, confirmed).message


def test_a_rule_change_reaches_another_process_within_a_second(app, app_factory, studio, rules):
    import time

    other = app_factory()
    far = make_session(app, studio, starts_in=timedelta(days=3))
    member_id, _ = person(app, studio)
    with in_studio(other, studio):
        assert services.booking_rules().opens_days_before == 7  # cached in the other process now
    rules(booking_opens_days_before=1)
    with in_studio(app, studio):
        assert services.booking_rules().opens_days_before == 1  # this process: at once
    started = time.monotonic()
    while True:
        with in_studio(other, studio):
            try:
                services.book(far, member_id)
            except services.OutsideBookingWindow:
                break
            finally:
                db.session.rollback()
        assert time.monotonic() - started < 1.5, "the other process still books with the old window"
        time.sleep(0.05)
