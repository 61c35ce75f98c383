"""Demo studios get their weekly timetable as series, with consistent bookings, and seeding twice changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.bookings.models import Booking, BookingEvent, BookingStatus
from nexphys.classes.models import ClassSeries, ClassSession
from nexphys.demo.data import DEMO_STUDIOS, demo_series_rules, seed_demo_studio, week_start
from nexphys.extensions import db
from nexphys.settings.services import save_settings, setting
from tests.running import in_studio


def _snapshot() -> dict:
    seats = dict(db.session.execute(sa.select(ClassSession.id, ClassSession.booked_count)).all())
    held = dict(db.session.execute(sa.select(Booking.session_id, sa.func.count()).where(
        Booking.status.in_(BookingStatus.HOLDS_SEAT)).group_by(Booking.session_id)).all())
    return {"series": db.session.scalar(sa.select(sa.func.count()).select_from(ClassSeries)),
            "sessions": len(seats), "seats": seats, "held": held}


def test_demo_seed_builds_series_with_bookings_idempotently(app, make_tenant):
    demo = dataclasses.replace(DEMO_STUDIOS[0], slug="demo-copy")
    tenant = make_tenant(time_zone=demo.time_zone)
    today = date.today()
    with in_studio(app, tenant):
        added = seed_demo_studio(demo, today, password_hash=None)
        db.session.commit()
        first = _snapshot()
    assert first["series"] == len(demo_series_rules(demo)) and added == first["sessions"] > len(demo.weekly)
    assert {sid: n for sid, n in first["seats"].items() if n} == first["held"]  # seat counts match bookings
    assert sum(1 for n in first["seats"].values() if n) >= 5
    with in_studio(app, tenant):
        sessions = db.session.scalars(sa.select(ClassSession)).all()
        assert all(s.booked_count <= s.capacity for s in sessions)
        unconfirmed_seats = (Booking.confirmed_at.is_(None), Booking.status.in_(BookingStatus.HOLDS_SEAT))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(*unconfirmed_seats)) == 0
        without_events = ~sa.select(BookingEvent.id).where(BookingEvent.booking_id == Booking.id).exists()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(without_events)) == 0
        zone = ZoneInfo(demo.time_zone)
        monday = week_start(today)
        this_week = {(s.starts_at.astimezone(zone).weekday(), s.starts_at.astimezone(zone).strftime("%H:%M"))
                     for s in sessions if monday <= s.starts_at.astimezone(zone).date() < monday + timedelta(days=7)}
        assert this_week == {(weekday, hhmm) for weekday, hhmm, _t, _r in demo.weekly}
    with in_studio(app, tenant):
        assert setting("joining_policy") == "approval"  # the first demo studio shows Join
        save_settings({"joining_policy": "open"})  # its owner's own choice...
        assert seed_demo_studio(demo, today, password_hash=None) == 0
        db.session.commit()
        assert _snapshot() == first
        assert setting("joining_policy") == "open"  # ...which a reseed keeps


def test_demo_numbers_keep_the_studios_rules(app, make_tenant):
    """Every member can still book (below the upcoming limit, member1 well below), several instructors teach,
    classes fill unevenly and a full one has people waiting, never more than it holds."""
    from nexphys.bookings.rules import BookingRules
    from nexphys.db import utcnow
    from nexphys.demo.data import FIRST_MEMBER_UPCOMING_MAX
    from nexphys.members.models import User

    demo = dataclasses.replace(DEMO_STUDIOS[1], slug="demo-truth")
    tenant = make_tenant(time_zone=demo.time_zone)
    with in_studio(app, tenant):
        seed_demo_studio(demo, date.today(), password_hash=None)
        db.session.commit()
        now = utcnow()
        upcoming = dict(db.session.execute(
            sa.select(User.email, sa.func.count(Booking.id))
            .outerjoin(Booking, sa.and_(Booking.member_id == User.id,
                                        Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED))))
            .outerjoin(ClassSession, ClassSession.id == Booking.session_id)
            .where(User.email.like("member%"), sa.or_(ClassSession.id.is_(None), ClassSession.starts_at > now))
            .group_by(User.email)).all())
        assert upcoming and max(upcoming.values()) < BookingRules.max_upcoming
        assert upcoming.get(f"member1@{demo.slug}.example", 0) <= FIRST_MEMBER_UPCOMING_MAX
        teachers = db.session.scalar(sa.select(sa.func.count(sa.distinct(ClassSession.instructor_id))))
        assert teachers >= 3
        fills = [booked / capacity for booked, capacity in db.session.execute(
            sa.select(ClassSession.booked_count, ClassSession.capacity).where(ClassSession.starts_at > now)
            .where(ClassSession.booked_count > 0))]
        assert min(fills) < 0.5 < 1.0 == max(fills)  # some nearly empty, some full
        waiting = db.session.execute(
            sa.select(ClassSession.booked_count, ClassSession.capacity)
            .join(Booking, Booking.session_id == ClassSession.id)
            .where(Booking.status == BookingStatus.WAITLISTED)).all()
        assert waiting and all(booked == capacity for booked, capacity in waiting)  # only full classes have a waitlist


def test_reseeding_brings_older_demo_data_back_within_the_rules(app, make_tenant):
    """A demo studio seeded before the ceilings held (member1 over the limit) is put right by the next seed."""
    from nexphys.db import utcnow
    from nexphys.demo.data import FIRST_MEMBER_UPCOMING_MAX
    from nexphys.members.models import User

    demo = dataclasses.replace(DEMO_STUDIOS[0], slug="demo-trim")
    tenant = make_tenant(time_zone=demo.time_zone)
    with in_studio(app, tenant):
        seed_demo_studio(demo, date.today(), password_hash=None)
        db.session.commit()
        member1 = db.session.scalar(sa.select(User.id).where(User.email == f"member1@{demo.slug}.example"))
        mine = sa.select(Booking.session_id).where(Booking.member_id == member1)
        free = db.session.scalars(sa.select(ClassSession).where(
            ClassSession.starts_at > utcnow(), ClassSession.booked_count < ClassSession.capacity,
            ClassSession.id.not_in(mine)).limit(6)).all()
        for session in free:  # as the old seed did: more upcoming bookings than the limit
            db.session.add(Booking(session_id=session.id, member_id=member1, confirmed_at=utcnow()))
            session.booked_count += 1
        db.session.commit()
    with in_studio(app, tenant):
        seed_demo_studio(demo, date.today(), password_hash=None)
        db.session.commit()
        held = db.session.scalar(sa.select(sa.func.count()).select_from(Booking)
                                 .join(ClassSession, ClassSession.id == Booking.session_id)
                                 .where(Booking.member_id == member1, ClassSession.starts_at > utcnow(),
                                        Booking.status == BookingStatus.CONFIRMED))
        assert held <= FIRST_MEMBER_UPCOMING_MAX
        assert {sid: n for sid, n in _snapshot()["seats"].items() if n} == _snapshot()["held"]
