"""Equipment meets the schedule, as rules: requirements, shortfalls, uses, use-based maintenance, shrinking classes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.equipment.schedule_setup import bikes_and_classes
from tests.factories import audit_entries, now, outbox_for, person, principal_for
from tests.running import count_statements, in_studio, refused, run


def _out(app, studio, asset_id: int, status: str = "out_of_service") -> None:
    from nexphys.equipment.services import change_status, get_asset

    run(app, studio, lambda: change_status(get_asset(asset_id), status, "Belt snapped", None))


def _short(app, studio, session_ids) -> dict:
    from nexphys.equipment.requirements import shortfalls_for

    return run(app, studio, shortfalls_for, session_ids)


def test_requirements_are_checked_in_plain_words_and_a_session_overrides_its_type(app, studio):
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.equipment.errors import EquipmentInvalid
    from nexphys.equipment.requirements import set_requirements
    from nexphys.extensions import db

    setup = bikes_and_classes(app, studio, bikes=3, quantity=3)
    with in_studio(app, studio):
        kind = db.session.get(ClassType, setup.type_id)
        with pytest.raises(EquipmentInvalid) as caught:
            set_requirements([{"category": "Mats", "quantity": 0}, {"category": "mats", "quantity": "x"},
                              {"category": "", "quantity": 2}], None, class_type=kind)
        db.session.rollback()
    errors = caught.value.errors
    assert set(errors) == {"0.quantity", "1.quantity", "1.category", "2.category"}
    assert "listed twice" in errors["1.category"][0]
    assert not _short(app, studio, setup.session_ids)
    _out(app, studio, setup.asset_ids[0])
    assert _short(app, studio, setup.session_ids)[setup.session_ids[0]][0].missing == 1
    with in_studio(app, studio):  # this one class needs only two: the type's three no longer apply to it
        set_requirements([{"category": setup.category, "quantity": 2}, {"category": "", "quantity": ""}], None,
                         session=db.session.get(ClassSession, setup.session_ids[0]))
        db.session.commit()
    assert not _short(app, studio, setup.session_ids)
    assert audit_entries(app, studio, "equipment.requirements_changed", f"class_session:{setup.session_ids[0]}")


def test_needs_attention_still_counts_and_one_per_place_follows_the_capacity(app, studio):
    setup = bikes_and_classes(app, studio, bikes=3, quantity=1, per_member=True, capacity=3)
    _out(app, studio, setup.asset_ids[0], "needs_attention")
    assert not _short(app, studio, setup.session_ids)
    _out(app, studio, setup.asset_ids[1], "retired")
    found = _short(app, studio, setup.session_ids)[setup.session_ids[0]]
    assert (found[0].needed, found[0].available, found[0].per_member) == (3, 2, True)


def test_a_weeks_shortfalls_are_one_query_however_many_classes(app, studio):
    from nexphys.equipment.requirements import shortfalls_for

    few = bikes_and_classes(app, studio, starts_in=[timedelta(days=1)])
    many = bikes_and_classes(app, studio, starts_in=[timedelta(days=d) for d in range(1, 9)])
    for setup in (few, many):
        _out(app, studio, setup.asset_ids[0])
    with in_studio(app, studio):
        assert count_statements(app, lambda: shortfalls_for(few.session_ids)) == 1
        assert count_statements(app, lambda: shortfalls_for(many.session_ids)) == 1
        assert len(shortfalls_for(many.session_ids)) == 8


def test_taking_an_asset_away_names_the_classes_of_the_next_days_only(app, studio):
    from nexphys.equipment.requirements import short_now, short_without
    from nexphys.equipment.services import get_asset

    setup = bikes_and_classes(app, studio, starts_in=[timedelta(days=1), timedelta(days=13), timedelta(days=20),
                                                      timedelta(hours=-3)])
    other = bikes_and_classes(app, studio)  # another room: its classes are not touched
    with in_studio(app, studio):
        asset = get_asset(setup.asset_ids[0])
        assert [s.session_id for s in short_without(asset)] == setup.session_ids[:2]
        assert short_without(asset, days=30)[-1].session_id == setup.session_ids[2]
        assert not short_now(asset)  # nothing is short while the bike is in service
        assert short_without(get_asset(other.asset_ids[0]), days=1) == []  # its class is in two days
        assert short_without(get_asset(other.asset_ids[0]), days=3)[0].session_id == other.session_ids[0]


def test_uses_count_held_classes_that_needed_the_category(app, studio):
    from nexphys.classes.models import ClassSession
    from nexphys.equipment.requirements import counted_since, uses_since
    from nexphys.equipment.services import get_asset
    from nexphys.extensions import db

    setup = bikes_and_classes(app, studio, starts_in=[timedelta(days=-3), timedelta(days=-2), timedelta(days=-1),
                                                      timedelta(minutes=-20), timedelta(days=1)])
    with in_studio(app, studio):
        cancelled = db.session.get(ClassSession, setup.session_ids[1])
        cancelled.status = "cancelled"
        db.session.commit()
        asset = get_asset(setup.asset_ids[0])
        since = counted_since(asset) - timedelta(days=5)
        # two held and over; one cancelled, one under way and one ahead are not uses
        assert uses_since(asset, since) == 2
        assert uses_since(asset, counted_since(asset)) == 0  # added today, after those classes


def test_use_based_maintenance_falls_due_is_listed_and_reminded_once(app, studio):
    from nexphys.equipment.jobs import send_due_reminders
    from nexphys.equipment.queries import due_lists
    from nexphys.equipment.services import add_schedule, get_asset, log_record

    manager, email = person(app, studio, "manager")
    setup = bikes_and_classes(app, studio, starts_in=[timedelta(days=-3), timedelta(days=-2), timedelta(days=1)])
    start = (now() - timedelta(days=4)).date()
    schedule_id = run(app, studio, lambda: add_schedule(get_asset(setup.asset_ids[0]), {
        "title": "Check the flywheel", "every_uses": 2, "starts_on": start, "responsible_id": manager}, None).id)
    soon_id = run(app, studio, lambda: add_schedule(get_asset(setup.asset_ids[1]), {
        "title": "Tighten the pedals", "every_uses": 3, "starts_on": start}, None).id)
    with in_studio(app, studio):
        overdue, soon = due_lists(now().date(), 7)
        assert schedule_id in [s.id for s in overdue] and soon_id in [s.id for s in soon]
        assert next(s for s in overdue if s.id == schedule_id).uses == 2
    assert run(app, studio, send_due_reminders) >= 1
    run(app, studio, send_due_reminders)
    letters = [m for m in outbox_for(app, studio, email) if "Check the flywheel" in m["subject"]]
    assert len(letters) == 1 and "used in 2 classes" in letters[0]["body"]
    run(app, studio, lambda: log_record(get_asset(setup.asset_ids[0]), {"what": "Checked", "schedule_id": schedule_id},
                                        [], None))
    with in_studio(app, studio):
        assert schedule_id not in [s.id for s in due_lists(now().date(), 7)[0]]


def _members(app, studio, count: int) -> list[tuple[int, str]]:
    return [person(app, studio, "member") for _ in range(count)]


def test_shrinking_a_one_per_place_class_cancels_the_latest_booked_and_tells_only_them(app, studio):
    from nexphys.bookings.models import Booking
    from nexphys.bookings.services import book
    from nexphys.classes.models import ClassSession
    from nexphys.equipment import capacity
    from nexphys.equipment.services import get_asset
    from nexphys.extensions import db
    from nexphys.members.models import User

    setup = bikes_and_classes(app, studio, bikes=3, quantity=1, per_member=True, capacity=3)
    members = _members(app, studio, 4)
    session_id = setup.session_ids[0]
    for member_id, _ in members:  # three booked, the fourth waits
        run(app, studio, book, session_id, member_id)
    _out(app, studio, setup.asset_ids[0])
    staff_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        plan = capacity.plan(get_asset(setup.asset_ids[0]))
        assert [(r.session.id, r.capacity, r.new_capacity, [b.member_id for b in r.going], r.waiting)
                for r in plan] == [(session_id, 3, 2, [members[2][0]], 1)]
        done = capacity.reduce(get_asset(setup.asset_ids[0]), [session_id], db.session.get(User, staff_id),
                               principal_for(staff_id))
        db.session.commit()
        assert len(done) == 1
        session = db.session.get(ClassSession, session_id)
        statuses = dict(db.session.execute(sa.select(Booking.member_id, Booking.status)
                                           .where(Booking.session_id == session_id)).all())
    assert (session.capacity, session.booked_count) == (2, 2)
    assert statuses[members[2][0]] == "cancelled" and statuses[members[3][0]] == "waitlisted"  # not promoted
    told = [m for m in outbox_for(app, studio, members[2][1]) if m["kind"] == "booking_removed_equipment"]
    assert len(told) == 1 and "out of service" in told[0]["body"]
    for _member, email in (members[0], members[1], members[3]):
        assert not [m for m in outbox_for(app, studio, email) if m["kind"] == "booking_removed_equipment"]
    assert audit_entries(app, studio, "equipment.capacity_reduced", f"class_session:{session_id}")[0]["details"][
        "to"] == 2
    assert not _short(app, studio, [session_id])


def test_shrinking_a_fixed_need_drops_a_place_per_missing_item_and_the_class_is_no_longer_short(app, studio):
    from nexphys.classes.models import ClassSession
    from nexphys.equipment import capacity
    from nexphys.equipment.requirements import requirements_of
    from nexphys.equipment.services import get_asset
    from nexphys.extensions import db
    from nexphys.members.models import User

    setup = bikes_and_classes(app, studio, bikes=3, quantity=3, capacity=10)
    _out(app, studio, setup.asset_ids[0])
    staff_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        capacity.reduce(get_asset(setup.asset_ids[0]), setup.session_ids, db.session.get(User, staff_id),
                        principal_for(staff_id))
        db.session.commit()
        assert db.session.get(ClassSession, setup.session_ids[0]).capacity == 9
        assert [r.quantity for r in requirements_of(session_id=setup.session_ids[0])] == [2]
    assert not _short(app, studio, setup.session_ids)


def test_a_session_of_another_class_cannot_be_shrunk_through_an_asset(app, studio):
    from nexphys.classes.models import ClassSession
    from nexphys.equipment import capacity
    from nexphys.equipment.errors import EquipmentInvalid
    from nexphys.equipment.requirements import set_requirements
    from nexphys.equipment.services import get_asset
    from nexphys.extensions import db
    from nexphys.members.models import User

    setup = bikes_and_classes(app, studio)
    other = bikes_and_classes(app, studio)
    _out(app, studio, other.asset_ids[0])
    staff_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        assert capacity.reduce(get_asset(setup.asset_ids[0]), other.session_ids, db.session.get(User, staff_id),
                               principal_for(staff_id)) == []
        db.session.rollback()
        assert db.session.get(ClassSession, other.session_ids[0]).capacity == 3
    error = refused(app, studio, EquipmentInvalid, lambda: set_requirements(
        [{"category": "Bikes", "quantity": 1}] * 11, None,
        session=db.session.get(ClassSession, setup.session_ids[0])))
    assert "at most 10" in error.errors["requirements"][0]


def test_members_already_checked_in_keep_their_places_when_a_class_shrinks(app, studio):
    from nexphys.bookings.services import book, check_in
    from nexphys.classes.models import ClassSession
    from nexphys.equipment import capacity
    from nexphys.equipment.services import get_asset
    from nexphys.extensions import db
    from nexphys.members.models import User

    setup = bikes_and_classes(app, studio, bikes=3, quantity=1, per_member=True, capacity=3,
                              starts_in=[timedelta(minutes=20)])
    session_id = setup.session_ids[0]
    booked = [run(app, studio, lambda m=m: book(session_id, m).booking.id)
              for m, _ in _members(app, studio, 3)]
    for booking_id in booked[:2]:
        run(app, studio, check_in, booking_id)
    for asset_id in setup.asset_ids[:2]:
        _out(app, studio, asset_id)
    staff_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        capacity.reduce(get_asset(setup.asset_ids[2]), [session_id], db.session.get(User, staff_id),
                        principal_for(staff_id))
        db.session.commit()
        session = db.session.get(ClassSession, session_id)
        assert (session.capacity, session.booked_count) == (2, 2)  # one bike, but two are here already
