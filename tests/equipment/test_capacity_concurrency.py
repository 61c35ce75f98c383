"""Shrinking a class while members book it, for real: threads with their own connections, released together.

Invariants, never timings: every request gets a deliberate answer (no 500); the class ends at the capacity its
equipment allows; booked_count equals the seat-holding bookings and never exceeds the capacity (the database's own
check holds); members who lost a place were told, and nobody else was.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.extensions import db
from tests.bookings.apiclient import book, token_headers
from tests.equipment.schedule_setup import bikes_and_classes
from tests.factories import outbox_for, person
from tests.requests import csrf_token_from, host, login
from tests.running import in_studio, run

BOOKERS = 12


@pytest.fixture(scope="module")
def wide_app(app, app_factory):
    """The app with a pool big enough for every thread to hold a connection at once."""
    wide = app_factory(DB_POOL_SIZE=BOOKERS + 5, DB_MAX_OVERFLOW=5)
    yield wide
    with wide.app_context():
        db.engine.dispose()


def test_shrinking_a_class_while_members_book_it_never_overfills_it(wide_app, studio):
    from nexphys.bookings.models import Booking, BookingStatus
    from nexphys.bookings.services import book as book_directly
    from nexphys.classes.models import ClassSession
    from nexphys.equipment.services import change_status, get_asset

    app = wide_app
    setup = bikes_and_classes(app, studio, bikes=10, quantity=1, per_member=True, capacity=10,
                              starts_in=[timedelta(days=3)])
    session_id = setup.session_ids[0]
    early = [person(app, studio, "member") for _ in range(6)]
    for member_id, _ in early:
        run(app, studio, book_directly, session_id, member_id)
    for asset_id in setup.asset_ids[:6]:  # four bikes left: the class must end at four places
        run(app, studio, lambda a=asset_id: change_status(get_asset(a), "out_of_service", "Recalled", None))
    bookers = [person(app, studio, "member") for _ in range(BOOKERS)]
    headers = [token_headers(app, studio, member_id) for member_id, _ in bookers]
    staff_id, staff_email = person(app, studio, "manager")
    staff = app.test_client()
    assert login(staff, studio, staff_email).status_code == 302
    path = f"/equipment/{setup.asset_ids[0]}/reduce-capacity"
    token = csrf_token_from(staff, studio, path)

    barrier = threading.Barrier(BOOKERS + 1)
    answers: list[int] = []
    failures: list[BaseException] = []

    def shrink() -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(staff.post(path, headers=host(studio),
                                      data={"csrf_token": token, "session_id": str(session_id)}).status_code)
        except BaseException as exc:  # noqa: BLE001  (reported below, not lost in a thread)
            failures.append(exc)

    def member(index: int) -> None:
        try:
            client = app.test_client()
            barrier.wait(timeout=30)
            answers.append(book(client, headers[index], session_id).status_code)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=shrink)] + [threading.Thread(target=member, args=(i,)) for i in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures and len(answers) == BOOKERS + 1
    assert all(status < 500 for status in answers), answers
    with in_studio(app, studio):
        session = db.session.get(ClassSession, session_id)
        holding = db.session.scalar(sa.select(sa.func.count()).where(
            Booking.session_id == session_id, Booking.status.in_(BookingStatus.HOLDS_SEAT)))
        cancelled = set(db.session.scalars(sa.select(Booking.member_id).where(
            Booking.session_id == session_id, Booking.status == BookingStatus.CANCELLED)))
        assert session.capacity == 4  # the shrink ran (before or after the bookings, it always ends here)
        assert session.booked_count == holding <= session.capacity
    everyone = early + bookers
    for member_id, email in everyone:
        told = [m for m in outbox_for(app, studio, email) if m["kind"] == "booking_removed_equipment"]
        assert len(told) == (1 if member_id in cancelled else 0), (member_id, told)
    assert cancelled, "some bookings had to go"
    assert staff_id not in cancelled
