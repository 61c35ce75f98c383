"""The schedule service without HTTP: class types, rooms, one-off sessions, series, DST, edits and capacity."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from nexphys.bookings import services as bookings
from nexphys.classes.catalog import (
    create_class_type,
    delete_class_type,
    get_class_type,
    get_room,
    instructors,
    list_class_types,
    update_room,
)
from nexphys.classes.errors import ScheduleConflict, ScheduleInvalid
from nexphys.classes.models import ClassSeries, ClassSession, ClassType
from nexphys.classes.series import (
    create_series,
    end_series,
    generate_ahead,
    generate_series,
    get_series,
    horizon,
    update_following,
    update_series,
)
from nexphys.classes.sessions import cancel_session, create_session, get_session, update_session
from nexphys.extensions import db
from tests.classes.factories import make_room, make_type
from tests.factories import person, session_state, unique
from tests.running import in_studio, refused, run


def _future_monday(weeks: int = 2) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _series(app, studio, **values) -> int:
    values = {"weekdays": [0], "start_time": "07:00", "starts_on": _future_monday(), **values}
    return run(app, studio, lambda: create_series(values).id)


def _sessions(app, studio, series_ids) -> list[dict]:
    with in_studio(app, studio):
        rows = db.session.scalars(sa.select(ClassSession).where(ClassSession.series_id.in_(series_ids))
                                  .order_by(ClassSession.starts_at))
        return [{"id": s.id, "day": s.occurrence_on, "starts_at": s.starts_at.astimezone(UTC), "status": s.status,
                 "capacity": s.capacity, "modified": s.is_modified, "series_id": s.series_id,
                 "minutes": int((s.ends_at - s.starts_at).total_seconds() // 60),
                 "instructor_id": s.instructor_id} for s in rows]


def _series_ids(app, studio, series_id) -> list[int]:
    """The series and those split off it (same type, created later)."""
    with in_studio(app, studio):
        first = db.session.get(ClassSeries, series_id)
        return list(db.session.scalars(sa.select(ClassSeries.id).where(
            ClassSeries.class_type_id == first.class_type_id, ClassSeries.id >= series_id).order_by(ClassSeries.id)))


def _book(app, studio, session_id, member_id):
    return run(app, studio, lambda: bookings.book(session_id, member_id).booking.status)


# --- class types and rooms ---------------------------------------------------------------------------

def test_class_type_rules_are_reported_field_by_field(app, studio):
    error = refused(app, studio, ScheduleInvalid, create_class_type,
                    {"name": " ", "duration_minutes": 4, "default_capacity": 501, "color": "blue", "level": "pro"})
    assert set(error.errors) == {"name", "duration_minutes", "default_capacity", "color", "level"}
    name = unique("Spin")
    make_type(app, studio, name=name, color="#AABBCC")
    duplicate = refused(app, studio, ScheduleInvalid, create_class_type,
                        {"name": name.upper(), "duration_minutes": 60, "default_capacity": 10})
    assert "already a class type" in duplicate.errors["name"][0]
    with in_studio(app, studio):
        color = db.session.scalar(sa.select(ClassType.color).where(ClassType.name == name))
    assert color == "#aabbcc"


def test_an_unused_type_is_deleted_a_used_one_archived(app, studio):
    unused, used = make_type(app, studio), make_type(app, studio)
    run(app, studio, lambda: create_session(
        {"class_type_id": used, "starts_at": datetime.now(UTC) + timedelta(days=3)}))
    assert run(app, studio, lambda: delete_class_type(get_class_type(unused))) == "deleted"
    assert run(app, studio, lambda: delete_class_type(get_class_type(used))) == "archived"
    with in_studio(app, studio):
        assert used not in [t.id for t in list_class_types()]
        assert used in [t.id for t in list_class_types(include_archived=True)]
    error = refused(app, studio, ScheduleInvalid, create_session,
                    {"class_type_id": used, "starts_at": datetime.now(UTC) + timedelta(days=3)})
    assert "class_type_id" in error.errors


def test_a_session_cannot_hold_more_than_its_room(app, studio):
    type_id, room_id = make_type(app, studio, default_capacity=30), make_room(app, studio, capacity=8)
    error = refused(app, studio, ScheduleInvalid, create_session,
                    {"class_type_id": type_id, "room_id": room_id, "capacity": 9,
                     "starts_at": datetime.now(UTC) + timedelta(days=2)})
    assert "holds 8" in error.errors["capacity"][0]
    # without a capacity, the type's default is capped at the room's
    capacity = run(app, studio, lambda: create_session(
        {"class_type_id": type_id, "room_id": room_id, "starts_at": datetime.now(UTC) + timedelta(days=2)}).capacity)
    assert capacity == 8
    error = refused(app, studio, ScheduleInvalid, lambda: update_room(
        get_room(room_id), {"capacity": 5}))
    assert "more places than 5" in error.errors["capacity"][0]


def test_only_staff_can_teach(app, studio):
    member_id, _ = person(app, studio, "member")
    coach_id, _ = person(app, studio, "instructor")
    type_id = make_type(app, studio)
    start = datetime.now(UTC) + timedelta(days=2)
    error = refused(app, studio, ScheduleInvalid, create_session,
                    {"class_type_id": type_id, "starts_at": start, "instructor_id": member_id})
    assert "instructor_id" in error.errors
    session_instructor = run(app, studio, lambda: create_session(
        {"class_type_id": type_id, "starts_at": start, "instructor_id": coach_id}).instructor_id)
    assert session_instructor == coach_id
    with in_studio(app, studio):
        ids = [u.id for u in instructors()]
    assert coach_id in ids and member_id not in ids


# --- one-off sessions and time zones -------------------------------------------------------------------

def test_a_one_off_session_at_a_local_time_is_stored_in_utc(app, studio, ny_studio):
    london_type, ny_type = make_type(app, studio), make_type(app, ny_studio)
    summer = run(app, studio, lambda: create_session(
        {"class_type_id": london_type, "date": "2027-07-05", "time": "18:30"}).starts_at)
    assert summer == datetime(2027, 7, 5, 17, 30, tzinfo=UTC)
    winter = run(app, ny_studio, lambda: create_session(
        {"class_type_id": ny_type, "date": date(2027, 1, 5), "time": time(18, 30)}).starts_at)
    assert winter == datetime(2027, 1, 5, 23, 30, tzinfo=UTC)
    offset = run(app, studio, lambda: create_session(
        {"class_type_id": london_type, "starts_at": "2027-07-05T10:00:00+02:00"}).starts_at)
    assert offset == datetime(2027, 7, 5, 8, 0, tzinfo=UTC)


def test_a_local_time_skipped_by_the_clocks_is_refused(app, studio, ny_studio):
    type_id = make_type(app, studio)
    error = refused(app, studio, ScheduleInvalid, create_session,
                    {"class_type_id": type_id, "date": "2027-03-28", "time": "01:30"})
    assert "does not exist" in error.errors["time"][0] and "Europe/London" in error.errors["time"][0]
    ny_type = make_type(app, ny_studio)
    error = refused(app, ny_studio, ScheduleInvalid, create_session,
                    {"class_type_id": ny_type, "date": "2027-03-14", "time": "02:15"})
    assert "does not exist" in error.errors["time"][0]


def test_bad_session_input_is_reported(app, studio):
    type_id = make_type(app, studio)
    past = refused(app, studio, ScheduleInvalid, create_session,
                   {"class_type_id": type_id, "starts_at": "2020-01-01T10:00:00Z"})
    assert "past" in past.errors["starts_at"][0]
    naive = refused(app, studio, ScheduleInvalid, create_session,
                    {"class_type_id": type_id, "starts_at": "2027-01-01T10:00:00", "capacity": -1, "bogus": 1})
    assert set(naive.errors) == {"starts_at", "capacity", "bogus"}


# --- series and daylight saving ---------------------------------------------------------------------------

def test_a_monday_series_keeps_its_local_time_across_both_london_changes(app, studio):
    type_id = make_type(app, studio)
    series_id = run(app, studio, lambda: create_series(
        {"class_type_id": type_id, "weekdays": [0], "start_time": "07:00", "starts_on": "2027-03-15",
         "ends_on": "2027-11-08"}, until=date(2027, 12, 31)).id)
    by_day = {s["day"]: s["starts_at"] for s in _sessions(app, studio, [series_id])}
    assert by_day[date(2027, 3, 22)] == datetime(2027, 3, 22, 7, 0, tzinfo=UTC)   # GMT
    assert by_day[date(2027, 3, 29)] == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)   # BST from 28 March
    assert by_day[date(2027, 10, 25)] == datetime(2027, 10, 25, 6, 0, tzinfo=UTC)  # still BST
    assert by_day[date(2027, 11, 1)] == datetime(2027, 11, 1, 7, 0, tzinfo=UTC)   # GMT from 31 October
    assert max(by_day) == date(2027, 11, 8) and all(day.weekday() == 0 for day in by_day)
    with in_studio(app, studio):
        from zoneinfo import ZoneInfo

        zone = ZoneInfo("Europe/London")
        assert {s.starts_at.astimezone(zone).time() for s in db.session.scalars(
            sa.select(ClassSession).where(ClassSession.series_id == series_id))} == {time(7, 0)}


def test_a_new_york_series_keeps_its_local_time(app, ny_studio):
    type_id = make_type(app, ny_studio)
    series_id = run(app, ny_studio, lambda: create_series(
        {"class_type_id": type_id, "weekdays": [0, 2], "start_time": "18:30", "starts_on": "2027-03-01"},
        until=date(2027, 11, 30)).id)
    by_day = {s["day"]: s["starts_at"] for s in _sessions(app, ny_studio, [series_id])}
    assert by_day[date(2027, 3, 8)] == datetime(2027, 3, 8, 23, 30, tzinfo=UTC)    # EST
    assert by_day[date(2027, 3, 15)] == datetime(2027, 3, 15, 22, 30, tzinfo=UTC)  # EDT from 14 March
    assert by_day[date(2027, 11, 3)] == datetime(2027, 11, 3, 22, 30, tzinfo=UTC)  # EDT
    assert by_day[date(2027, 11, 8)] == datetime(2027, 11, 8, 23, 30, tzinfo=UTC)  # EST from 7 November


def test_generation_is_idempotent_and_follows_the_horizon(app, studio):
    type_id = make_type(app, studio)
    start = _future_monday(0)
    series_id = _series(app, studio, class_type_id=type_id, weekdays=[0, 3], starts_on=start)
    first = _sessions(app, studio, [series_id])
    with in_studio(app, studio):
        until = horizon()
        series = db.session.get(ClassSeries, series_id)
        assert series.generated_until == until
    assert len(first) == len([d for d in range((until - start).days + 1)
                              if (start + timedelta(days=d)).weekday() in (0, 3)])
    assert run(app, studio, generate_ahead) == 0
    assert run(app, studio, lambda: generate_series(get_series(series_id), until)) == 0
    assert _sessions(app, studio, [series_id]) == first
    # a longer horizon adds only the new weeks
    added = run(app, studio, lambda: generate_series(get_series(series_id),
                                                               until + timedelta(weeks=2)))
    assert added == 4 and len(_sessions(app, studio, [series_id])) == len(first) + 4


def test_series_input_is_checked(app, studio):
    type_id = make_type(app, studio)
    error = refused(app, studio, ScheduleInvalid, create_series,
                    {"class_type_id": type_id, "weekdays": [7], "start_time": "7pm", "starts_on": "2027-05-10",
                     "ends_on": "2027-05-01"})
    assert set(error.errors) == {"weekdays", "start_time", "ends_on"}
    error = refused(app, studio, ScheduleInvalid, create_series,
                    {"class_type_id": type_id, "weekdays": [1], "start_time": "07:00", "starts_on": "2020-01-01"})
    assert "starts_on" in error.errors


# --- editing one occurrence or all future ones -----------------------------------------------------------

def test_editing_one_occurrence_marks_it_and_leaves_the_others(app, studio):
    type_id = make_type(app, studio)
    series_id = _series(app, studio, class_type_id=type_id)
    sessions = _sessions(app, studio, [series_id])
    target = sessions[1]
    run(app, studio, lambda: update_session(get_session(target["id"]),
                                                     {"time": "08:15", "capacity": 14, "notes": "Bring a mat"}))
    after = {s["id"]: s for s in _sessions(app, studio, [series_id])}
    assert after[target["id"]]["modified"] and after[target["id"]]["capacity"] == 14
    assert after[target["id"]]["starts_at"] - target["starts_at"] == timedelta(hours=1, minutes=15)
    assert all(not s["modified"] and s["capacity"] == 10 for i, s in after.items() if i != target["id"])
    # notes alone do not detach an occurrence from its series
    other = sessions[2]["id"]
    run(app, studio, lambda: update_session(get_session(other), {"notes": "Cover teacher"}))
    assert not {s["id"]: s for s in _sessions(app, studio, [series_id])}[other]["modified"]


def test_editing_all_future_splits_the_series_and_skips_modified_ones(app, studio):
    type_id = make_type(app, studio)
    coach_id, _ = person(app, studio, "instructor")
    series_id = _series(app, studio, class_type_id=type_id)
    sessions = _sessions(app, studio, [series_id])
    modified = sessions[3]["id"]
    run(app, studio, lambda: update_session(get_session(modified), {"time": "09:00"}))
    pivot = sessions[2]
    run(app, studio, lambda: update_following(
        get_session(pivot["id"]), {"time": "18:00", "duration_minutes": 45, "instructor_id": coach_id}))
    ids = _series_ids(app, studio, series_id)
    assert len(ids) == 2
    after = {s["id"]: s for s in _sessions(app, studio, ids)}
    for s in sessions[:2]:  # before the pivot: untouched, still the old series
        assert after[s["id"]]["starts_at"] == s["starts_at"] and after[s["id"]]["series_id"] == series_id
    for s in sessions[2:]:
        changed = after[s["id"]]
        assert changed["series_id"] == ids[1]
        if s["id"] == modified:
            assert changed["instructor_id"] is None and changed["minutes"] == 60
        else:
            assert changed["instructor_id"] == coach_id and changed["minutes"] == 45
            assert changed["starts_at"] - s["starts_at"] == timedelta(hours=11)
    with in_studio(app, studio):
        old, new = db.session.get(ClassSeries, ids[0]), db.session.get(ClassSeries, ids[1])
        assert old.ends_on == pivot["day"] - timedelta(days=1)
        assert new.starts_on == pivot["day"] and new.start_time == time(18, 0) and new.instructor_id == coach_id


def test_removing_a_weekday_cancels_booked_sessions_and_deletes_empty_ones(app, studio):
    type_id = make_type(app, studio)
    series_id = _series(app, studio, class_type_id=type_id, weekdays=[0, 2], starts_on=_future_monday(0))
    wednesdays = [s for s in _sessions(app, studio, [series_id])
                  if s["day"].weekday() == 2 and s["starts_at"] > datetime.now(UTC)]
    booked = wednesdays[0]["id"]
    member_id, email = person(app, studio)
    assert _book(app, studio, booked, member_id) == "confirmed"
    run(app, studio, lambda: update_series(get_series(series_id), {"weekdays": [0]}))
    ids = _series_ids(app, studio, series_id)
    left = {s["id"]: s for s in _sessions(app, studio, ids)}
    assert left[booked]["status"] == "cancelled"
    assert all(s["id"] not in left for s in wednesdays[1:])
    assert session_state(app, studio, booked)["bookings"] == {"cancelled": [member_id]}
    from tests.factories import outbox_for

    assert [m["kind"] for m in outbox_for(app, studio, email)][-1] == "session_cancelled"
    # generating again does not bring them back
    run(app, studio, generate_ahead)
    assert {s["id"] for s in _sessions(app, studio, ids)} == set(left)


def test_ending_a_series_removes_later_sessions(app, studio):
    type_id = make_type(app, studio)
    start = _future_monday(1)
    series_id = _series(app, studio, class_type_id=type_id, starts_on=start)
    last = start + timedelta(weeks=2)
    run(app, studio, lambda: end_series(get_series(series_id), last))
    days = [s["day"] for s in _sessions(app, studio, _series_ids(app, studio, series_id))]
    assert days == [start, start + timedelta(weeks=1), last]
    run(app, studio, generate_ahead)
    assert len(_sessions(app, studio, [series_id])) == 3


# --- capacity ------------------------------------------------------------------------------------------------

def test_capacity_never_goes_below_the_seats_booked(app, studio):
    type_id = make_type(app, studio, default_capacity=3)
    session_id = run(app, studio, lambda: create_session(
        {"class_type_id": type_id, "starts_at": datetime.now(UTC) + timedelta(days=1)}).id)
    for _ in range(2):
        _book(app, studio, session_id, person(app, studio)[0])
    error = refused(app, studio, ScheduleConflict,
                    lambda: update_session(get_session(session_id), {"capacity": 1}))
    assert "2 places are already booked" in error.message and "capacity" in error.errors
    run(app, studio, lambda: update_session(get_session(session_id), {"capacity": 2}))
    assert session_state(app, studio, session_id)["capacity"] == 2


def test_a_future_edit_below_bookings_changes_nothing(app, studio):
    type_id = make_type(app, studio, default_capacity=4)
    series_id = _series(app, studio, class_type_id=type_id, starts_on=_future_monday(0))
    future = [s for s in _sessions(app, studio, [series_id]) if s["starts_at"] > datetime.now(UTC) + timedelta(hours=1)]
    for _ in range(3):
        _book(app, studio, future[1]["id"], person(app, studio)[0])
    error = refused(app, studio, ScheduleConflict, lambda: update_following(
        get_session(future[0]["id"]), {"capacity": 2}))
    assert "3 places are already booked" in error.message
    assert {s["capacity"] for s in _sessions(app, studio, _series_ids(app, studio, series_id))} == {4}


def test_raising_capacity_promotes_waiting_members(app, studio):
    type_id = make_type(app, studio, default_capacity=1)
    session_id = run(app, studio, lambda: create_session(
        {"class_type_id": type_id, "starts_at": datetime.now(UTC) + timedelta(days=1)}).id)
    first, second, third = (person(app, studio)[0] for _ in range(3))
    assert [_book(app, studio, session_id, m) for m in (first, second, third)] == \
        ["confirmed", "waitlisted", "waitlisted"]
    run(app, studio, lambda: update_session(get_session(session_id), {"capacity": 2}))
    state = session_state(app, studio, session_id)
    assert state["booked_count"] == 2 and state["bookings"] == {"confirmed": [first, second], "waitlisted": [third]}


def test_raising_a_series_capacity_fills_every_session(app, studio):
    type_id = make_type(app, studio, default_capacity=1)
    series_id = _series(app, studio, class_type_id=type_id)
    sessions = _sessions(app, studio, [series_id])
    a, b = person(app, studio)[0], person(app, studio)[0]
    for s in sessions[:2]:
        _book(app, studio, s["id"], a)
        _book(app, studio, s["id"], b)
    run(app, studio, lambda: update_series(get_series(series_id), {"capacity": 3}))
    for s in sessions[:2]:
        state = session_state(app, studio, s["id"])
        assert state["capacity"] == 3 and state["booked_count"] == 2 and state["bookings"] == {"confirmed": [a, b]}


# --- cancelling ------------------------------------------------------------------------------------------------

def test_cancelling_a_session_releases_members_and_is_audited(app, studio):
    from tests.factories import audit_entries, principal_for

    type_id = make_type(app, studio, default_capacity=1)
    session_id = run(app, studio, lambda: create_session(
        {"class_type_id": type_id, "starts_at": datetime.now(UTC) + timedelta(days=1)}).id)
    booked, waiting = person(app, studio)[0], person(app, studio)[0]
    _book(app, studio, session_id, booked)
    _book(app, studio, session_id, waiting)
    manager_id, _ = person(app, studio, "manager")

    def cancel():
        return len(cancel_session(get_session(session_id), "Instructor ill",
                                           principal_for(manager_id)))

    assert run(app, studio, cancel) == 2
    state = session_state(app, studio, session_id)
    assert state["status"] == "cancelled" and state["booked_count"] == 0
    entries = audit_entries(app, studio, "class.cancelled", f"class_session:{session_id}")
    assert entries[0]["actor_user_id"] == manager_id and entries[0]["details"]["reason"] == "Instructor ill"
    error = refused(app, studio, ScheduleConflict, cancel)
    assert "already cancelled" in error.message
    error = refused(app, studio, ScheduleConflict,
                    lambda: update_session(get_session(session_id), {"capacity": 5}))
    assert "cancelled" in error.message


# --- the periodic job --------------------------------------------------------------------------------------------

def test_the_job_extends_series_to_the_horizon(app, studio):
    from nexphys.classes.jobs import extend_schedule
    from tests.factories import set_settings

    type_id = make_type(app, studio)
    series_id = _series(app, studio, class_type_id=type_id, weekdays=[4], starts_on=_future_monday(0))
    before = len(_sessions(app, studio, [series_id]))
    set_settings(app, studio, schedule_weeks_ahead=10)
    try:
        with app.app_context():
            added = extend_schedule(tenant_id=studio.id)
    finally:
        set_settings(app, studio, schedule_weeks_ahead=8)
    assert added >= 2
    assert len(_sessions(app, studio, [series_id])) == before + 2
    with app.app_context():
        assert extend_schedule(tenant_id=studio.id) == 0


def test_the_fan_out_enqueues_every_active_studio(app, studio):
    from rq import Queue

    from nexphys.classes.jobs import extend_all_schedules
    from nexphys.jobs.queues import get_queue

    with app.app_context():
        queue: Queue = get_queue("low")
        queue.empty()
        tenant_ids = extend_all_schedules()
        assert studio.id in tenant_ids
        queued = [job.kwargs.get("tenant_id") for job in get_queue("low").get_jobs()
                  if job.func_name == "nexphys.classes.jobs.extend_schedule"]
    assert studio.id in queued


def test_a_future_edit_moves_the_chosen_session_even_when_the_rule_already_matches(app, studio):
    type_id = make_type(app, studio)
    series_id = _series(app, studio, class_type_id=type_id)
    sessions = _sessions(app, studio, [series_id])
    pivot = sessions[1]
    run(app, studio, lambda: update_session(get_session(pivot["id"]), {"time": "09:00"}))
    run(app, studio, lambda: update_following(get_session(pivot["id"]), {"time": "07:00"}))
    after = {s["id"]: s for s in _sessions(app, studio, _series_ids(app, studio, series_id))}
    assert after[pivot["id"]]["starts_at"] == pivot["starts_at"]
    assert len(_series_ids(app, studio, series_id)) == 1  # nothing in the rule changed: no split
