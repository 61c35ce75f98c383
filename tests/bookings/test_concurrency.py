"""Real concurrency against the real database: many clients at once, asserting the booking invariants.

Each client is its own thread with its own test client (and so its own database connection), and all
of them start together on a barrier. The tests assert invariants, never timings:
  - a session's booked_count equals its seat-holding bookings and never exceeds its capacity;
  - a member never holds two live bookings of one session;
  - a freed seat goes to the waitlist, in waitlist order, and no newcomer jumps the queue;
  - every request gets a deliberate answer (201, 200 or 409), never an error.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from nexphys.extensions import db
from tests.bookings.apiclient import book, token_headers
from tests.factories import make_session
from tests.running import in_studio

CLIENTS = 50


@pytest.fixture(scope="module")
def wide_app(app, app_factory):
    """The app with a pool big enough for every client to hold a connection at once."""
    wide = app_factory(DB_POOL_SIZE=CLIENTS + 5, DB_MAX_OVERFLOW=10)
    yield wide
    with wide.app_context():
        db.engine.dispose()


def _members(app, studio, count: int) -> list[tuple[int, dict]]:
    """`count` new active members (one transaction) with their API headers."""
    from nexphys.members.models import User
    from nexphys.roles.models import Role
    from tests.factories import email_for

    with in_studio(app, studio):
        role = db.session.scalar(sa.select(Role).where(Role.key == "member"))
        users = [User(email=email_for("racer"), full_name=f"Racer {i:02d}", role=role) for i in range(count)]
        db.session.add_all(users)
        db.session.commit()
        ids = [user.id for user in users]
    return [(user_id, token_headers(app, studio, user_id)) for user_id in ids]


def _book_directly(app, studio, session_id: int, member_ids: list[int]) -> list[int]:
    """Book members in this order (service calls, one commit each); returns the booking ids."""
    from nexphys.bookings import services

    booking_ids = []
    with in_studio(app, studio):
        for member_id in member_ids:
            booking_ids.append(services.book(session_id, member_id).booking.id)
            db.session.commit()
    return booking_ids


def _race(app, calls: list[Callable]) -> list[tuple[int, dict]]:
    """Run each call(client) in its own thread, all released at once; (status, JSON) in call order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = calls[index](client)
            results[index] = (response.status_code, response.get_json())
        except BaseException as exc:  # noqa: BLE001  (reported by the test below, not lost in a thread)
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert all(result is not None for result in results)
    return results


def _outcome(status: int, body: dict) -> tuple[int, str]:
    """(201, "confirmed" | "waitlisted") or (409, reason)."""
    return status, body["reason"] if status >= 400 else body["status"]


def _bookings(app, studio, session_id: int) -> list[dict]:
    from nexphys.bookings.models import Booking

    with in_studio(app, studio):
        rows = db.session.execute(
            sa.select(Booking.id, Booking.member_id, Booking.status, Booking.promoted)
            .where(Booking.session_id == session_id).order_by(Booking.created_at, Booking.id)).all()
        return [row._asdict() for row in rows]


def _assert_invariants(app, studio, session_id: int) -> list[dict]:
    """The seat count is exact and within capacity, nobody is in twice, and no seat idles while people wait."""
    from nexphys.bookings.models import BookingStatus
    from nexphys.classes.models import ClassSession

    bookings = _bookings(app, studio, session_id)
    with in_studio(app, studio):
        session = db.session.get(ClassSession, session_id)
        booked_count, capacity = session.booked_count, session.capacity
    holders = [b for b in bookings if b["status"] in BookingStatus.HOLDS_SEAT]
    live = Counter(b["member_id"] for b in bookings if b["status"] in BookingStatus.LIVE)
    assert booked_count == len(holders) <= capacity
    assert max(live.values(), default=0) <= 1
    if any(b["status"] == BookingStatus.WAITLISTED for b in bookings):
        assert booked_count == capacity  # a free seat with people waiting would have been filled
    return bookings


def test_fifty_clients_racing_for_the_last_five_seats(wide_app, app, studio):
    session_id = make_session(app, studio, capacity=20)
    _book_directly(app, studio, session_id, [member_id for member_id, _ in _members(app, studio, 15)])
    racers = _members(app, studio, CLIENTS)

    results = _race(wide_app, [lambda client, h=headers: book(client, h, session_id) for _, headers in racers])

    outcomes = Counter(_outcome(*result) for result in results)
    # The default rules keep a waitlist of 10: five seats, ten waiting places, the rest told it is full.
    assert outcomes == {(201, "confirmed"): 5, (201, "waitlisted"): 10, (409, "full"): CLIENTS - 15}, outcomes
    # Positions are told in the order the waiting members got the class: each one is new and final.
    positions = sorted(body["waitlist_position"] for status, body in results
                       if status == 201 and body["status"] == "waitlisted")
    assert positions == list(range(1, 11))
    bookings = _assert_invariants(app, studio, session_id)
    assert Counter(b["status"] for b in bookings) == {"confirmed": 20, "waitlisted": 10}


def test_one_member_firing_twenty_bookings_at_once_gets_one(wide_app, app, studio):
    session_id = make_session(app, studio, capacity=5)
    ((member_id, headers),) = _members(app, studio, 1)

    results = _race(wide_app, [lambda client: book(client, headers, session_id) for _ in range(20)])

    outcomes = Counter(_outcome(*result) for result in results)
    assert outcomes == {(201, "confirmed"): 1, (409, "already_booked"): 19}, outcomes
    bookings = _assert_invariants(app, studio, session_id)
    assert [(b["member_id"], b["status"]) for b in bookings] == [(member_id, "confirmed")]


def test_cancellations_racing_new_bookings_fill_every_seat_from_the_waitlist(wide_app, app, studio):
    session_id = make_session(app, studio, capacity=10)
    holders, waiting, newcomers = (_members(app, studio, 10) for _ in range(3))
    held = _book_directly(app, studio, session_id, [member_id for member_id, _ in holders])
    waiting_ids = _book_directly(app, studio, session_id, [member_id for member_id, _ in waiting])

    cancels = [lambda client, h=headers, b=booking_id: client.delete(f"/api/v1/bookings/{b}", headers=h)
               for (_, headers), booking_id in zip(holders, held, strict=True)]
    bookings_ = [lambda client, h=headers: book(client, h, session_id) for _, headers in newcomers]
    results = _race(wide_app, cancels + bookings_)

    cancelled, booked = results[:10], results[10:]
    assert all(status == 200 and body["status"] == "cancelled" for status, body in cancelled), cancelled
    # Each freed seat went to one waiting member, every waiting member got exactly one seat.
    assert sorted(body["promoted_booking_id"] for _, body in cancelled) == sorted(waiting_ids)
    # Newcomers never jump the queue: the waitlist was never empty while a seat was free.
    assert all(_outcome(*result) in ((201, "waitlisted"), (409, "full")) for result in booked), booked
    bookings = _assert_invariants(app, studio, session_id)
    confirmed = [b for b in bookings if b["status"] == "confirmed"]
    assert sorted(b["id"] for b in confirmed) == sorted(waiting_ids) and all(b["promoted"] for b in confirmed)
    # Whoever of the newcomers got a waitlist place still holds it, now at the head of the line.
    newcomer_bookings = {body["id"] for status, body in booked if status == 201}
    assert {b["id"] for b in bookings if b["status"] == "waitlisted"} == newcomer_bookings


def test_partial_cancellations_promote_exactly_the_head_of_the_waitlist(wide_app, app, studio):
    session_id = make_session(app, studio, capacity=10)
    holders, waiting, newcomers = _members(app, studio, 10), _members(app, studio, 10), _members(app, studio, 5)
    held = _book_directly(app, studio, session_id, [member_id for member_id, _ in holders])
    waiting_ids = _book_directly(app, studio, session_id, [member_id for member_id, _ in waiting])

    cancels = [lambda client, h=headers, b=booking_id: client.delete(f"/api/v1/bookings/{b}", headers=h)
               for (_, headers), booking_id in list(zip(holders, held, strict=True))[:4]]
    bookings_ = [lambda client, h=headers: book(client, h, session_id) for _, headers in newcomers]
    results = _race(wide_app, cancels + bookings_)

    assert all(status == 200 for status, _ in results[:4])
    assert all(status in (201, 409) for status, _ in results[4:])
    bookings = _assert_invariants(app, studio, session_id)
    by_id = {b["id"]: b for b in bookings}
    # Four seats freed: the first four in line were promoted, the other six still wait, in their order.
    assert [by_id[i]["status"] for i in waiting_ids] == ["confirmed"] * 4 + ["waitlisted"] * 6
    still_waiting = [b["id"] for b in bookings if b["status"] == "waitlisted"]
    assert still_waiting[:6] == waiting_ids[4:]
