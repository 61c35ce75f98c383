"""Demo studios for development (`flask demo seed`, run by `make run`): never in production.

gym-abc is a strength-and-conditioning gym, studio-xyz a yoga studio. People have predictable
emails: owner@, manager@, coach@ and member1@ … member20@<slug>.example, all with the password
DEMO_PASSWORD, as has the platform administrator DEMO_ADMIN_EMAIL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes import series
from nexphys.classes.models import ClassSeries, ClassSession, ClassType, Room
from nexphys.classes.queries import week_start
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.roles.models import Role

MEMBER_COUNT = 20
DEMO_PASSWORD = "nexphys-demo"
DEMO_ADMIN_EMAIL = "admin@nexphys.example"
DEMO_ADMIN_NAME = "Platform Admin"


@dataclass(frozen=True)
class DemoStudio:
    slug: str
    name: str
    time_zone: str
    brand_color: str
    rooms: tuple[tuple[str, int], ...]
    # (name, description, minutes, capacity, colour, level)
    class_types: tuple[tuple[str, str, int, int, str, str], ...]
    # (weekday 0=Mon, "HH:MM", class type index, room index)
    weekly: tuple[tuple[int, str, int, int], ...]
    staff: tuple[tuple[str, str, str], ...]  # (email local part, full name, role key)


DEMO_STUDIOS = (
    DemoStudio(
        slug="gym-abc", name="ABC Strength & Conditioning", time_zone="Europe/London", brand_color="#b91c1c",
        rooms=(("Main floor", 16), ("Turf", 12)),
        class_types=(
            ("Barbell Basics", "Squat, press and deadlift technique with a coach.", 60, 12, "#b91c1c", "beginner"),
            ("Strength Club", "Programmed heavy lifting in small groups.", 75, 10, "#7c2d12", "intermediate"),
            ("Metcon", "High-intensity conditioning circuits.", 45, 16, "#c2410c", "all"),
            ("Mobility", "Stretching and joint prep for lifters.", 45, 14, "#0f766e", "all"),
        ),
        weekly=(
            (0, "07:00", 0, 0), (0, "12:15", 2, 1), (0, "18:00", 1, 0), (0, "19:30", 3, 1),
            (1, "06:30", 2, 1), (1, "18:00", 0, 0), (1, "19:15", 2, 1),
            (2, "07:00", 1, 0), (2, "12:15", 2, 1), (2, "18:00", 0, 0), (2, "19:30", 3, 1),
            (3, "06:30", 2, 1), (3, "18:00", 1, 0),
            (4, "07:00", 0, 0), (4, "17:30", 2, 1),
            (5, "09:00", 1, 0), (5, "10:30", 2, 1),
            (6, "10:00", 3, 1),
        ),
        staff=(("owner", "Alex Barker", "owner"), ("manager", "Morgan Reyes", "manager"),
               ("coach", "Sam Okafor", "instructor")),
    ),
    DemoStudio(
        slug="studio-xyz", name="Studio XYZ Yoga", time_zone="America/New_York", brand_color="#6d28d9",
        rooms=(("Sun room", 20), ("Moon room", 12)),
        class_types=(
            ("Vinyasa Flow", "Breath-led flowing sequences.", 60, 20, "#6d28d9", "all"),
            ("Yin", "Long, quiet holds for deep tissue.", 75, 12, "#4338ca", "all"),
            ("Power Yoga", "Strong, sweaty, athletic practice.", 60, 20, "#be185d", "intermediate"),
            ("Beginners' Yoga", "Foundations, alignment and breath.", 60, 12, "#0e7490", "beginner"),
        ),
        weekly=(
            (0, "07:00", 0, 0), (0, "18:30", 3, 1), (1, "12:00", 2, 0), (1, "19:00", 1, 1),
            (2, "07:00", 0, 0), (2, "18:30", 2, 0), (3, "12:00", 3, 1), (3, "19:00", 1, 1),
            (4, "07:00", 2, 0), (4, "17:30", 0, 0), (5, "09:30", 0, 0), (5, "11:00", 3, 1),
            (6, "10:00", 1, 1), (6, "17:00", 0, 0),
        ),
        staff=(("owner", "Priya Nair", "owner"), ("manager", "Jordan Lee", "manager"),
               ("coach", "Casey Moreau", "instructor")),
    ),
)

FIRST_NAMES = ("Ava", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack",
               "Kira", "Leo", "Maya", "Noah", "Olive", "Pablo", "Quinn", "Rosa", "Theo", "Zara")
LAST_NAMES = ("Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
              "Khan", "Lopez", "Murphy", "Novak", "Owens", "Patel", "Quinn", "Rossi", "Singh", "Turner")


def seed_demo_people(studio: DemoStudio, password_hash: str | None = None) -> dict[str, User]:
    roles = {r.key: r for r in db.session.scalars(sa.select(Role))}
    people = {}
    for local, full_name, role_key in studio.staff:
        people[local] = User(email=f"{local}@{studio.slug}.example", full_name=full_name, role=roles[role_key],
                             password_hash=password_hash)
    for n in range(1, MEMBER_COUNT + 1):
        name = f"{FIRST_NAMES[n - 1]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"
        people[f"member{n}"] = User(email=f"member{n}@{studio.slug}.example", full_name=name, role=roles["member"],
                                    password_hash=password_hash)
    db.session.add_all(people.values())
    db.session.flush()
    return people


def ensure_catalog(studio: DemoStudio) -> tuple[list[Room], list[ClassType]]:
    """The studio's rooms and class types, created on first use."""
    rooms = {r.name: r for r in db.session.scalars(sa.select(Room))}
    types = {t.name: t for t in db.session.scalars(sa.select(ClassType))}
    for name, cap in studio.rooms:
        rooms.setdefault(name, Room(name=name, capacity=cap))
    for n, d, m, c, col, lv in studio.class_types:
        types.setdefault(n, ClassType(name=n, description=d, duration_minutes=m, default_capacity=c,
                                      color=col, level=lv))
    db.session.add_all([*rooms.values(), *types.values()])
    db.session.flush()
    return [rooms[name] for name, _ in studio.rooms], [types[t[0]] for t in studio.class_types]


def demo_series_rules(studio: DemoStudio) -> list[tuple[tuple[int, ...], str, int, int]]:
    """The weekly tuples grouped into series: one per (time, class type, room), with all its weekdays."""
    groups: dict[tuple[str, int, int], list[int]] = {}
    for weekday, hhmm, type_index, room_index in studio.weekly:
        groups.setdefault((hhmm, type_index, room_index), []).append(weekday)
    return [(tuple(sorted(days)), hhmm, t, r) for (hhmm, t, r), days in groups.items()]


def seed_demo_series(studio: DemoStudio, people: dict[str, User], starts_on: date, today: date) -> int:
    """The studio's weekly timetable as series (through the schedule service), generated ahead; returns the
    number of series created."""
    rooms, types = ensure_catalog(studio)
    for weekdays, hhmm, type_index, room_index in demo_series_rules(studio):
        class_type, room = types[type_index], rooms[room_index]
        series.create_series({
            "class_type_id": class_type.id, "weekdays": list(weekdays), "start_time": hhmm,
            "room_id": room.id, "instructor_id": people["coach"].id, "starts_on": starts_on,
            "capacity": min(class_type.default_capacity, room.capacity)}, today=today)
    return len(demo_series_rules(studio))


def seed_demo_bookings(studio: DemoStudio, people: dict[str, User], monday: date) -> int:
    """Some confirmed bookings in the week from `monday` for sessions nobody booked yet; returns how many sessions
    got bookings. Seat counts match the bookings and never exceed the capacity."""
    zone = ZoneInfo(studio.time_zone)
    members = [p for key, p in people.items() if key.startswith("member")]
    start = datetime.combine(monday, time(), tzinfo=zone)
    booked_any = sa.select(Booking.id).where(Booking.session_id == ClassSession.id).exists()
    sessions = db.session.scalars(
        sa.select(ClassSession).where(ClassSession.starts_at >= start,
                                      ClassSession.starts_at < start + timedelta(days=7),
                                      ClassSession.status == "scheduled", ~booked_any)
        .order_by(ClassSession.starts_at, ClassSession.id)).all()
    now = utcnow()
    filled = 0
    for session in sessions:
        # From the session's id, not its position: a second run leaves an unbooked session unbooked.
        booked = min((session.id * 5 + monday.toordinal() + 3) % (session.capacity + 1), len(members))
        db.session.add_all(Booking(session_id=session.id, member_id=members[(session.id + i) % len(members)].id,
                                   confirmed_at=now, **_attendance(session, i, now)) for i in range(booked))
        session.booked_count = booked
        filled += booked > 0
    db.session.flush()
    return filled


def _attendance(session: ClassSession, index: int, now: datetime) -> dict:
    """Classes already over in the demo week: most people came (checked in), about one in seven did not."""
    if session.ends_at > now:
        return {}
    if (session.id + index) % 7 == 0:
        return {"status": BookingStatus.NO_SHOW}
    return {"status": BookingStatus.CHECKED_IN, "checked_in_at": session.starts_at}


def _session_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ClassSession))


def _last_one_off_day(zone: ZoneInfo) -> date | None:
    """The last local day of a session not from a series (demo data seeded before series existed)."""
    last = db.session.scalar(sa.select(sa.func.max(ClassSession.starts_at)).where(ClassSession.series_id.is_(None)))
    return last.astimezone(zone).date() if last else None


def give_demo_passwords(studio: DemoStudio, password_hash: str) -> int:
    """Demo people of the bound tenant who have no password get the demo one; returns how many."""
    people = db.session.scalars(sa.select(User).where(
        User.password_hash.is_(None), sa.func.lower(User.email).like(f"%@{studio.slug}.example"))).all()
    for person in people:
        person.password_hash = password_hash
    db.session.flush()
    return len(people)


def seed_demo_studio(studio: DemoStudio, today: date, password_hash: str | None = None) -> int:
    """Seed the bound tenant: demo people once (with `password_hash`, also given to demo people without a
    password); the weekly timetable as series once (generated ahead by the schedule service, then kept
    ahead by the hourly job), and some bookings this week and next.

    Returns the number of sessions added (0 when everything was there already).
    """
    people = {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}
    if not people:
        people = seed_demo_people(studio, password_hash)
    elif password_hash:
        give_demo_passwords(studio, password_hash)
    before = _session_count()
    this_week = week_start(today)
    if db.session.scalar(sa.select(sa.func.count()).select_from(ClassSeries)) == 0:
        # Sessions seeded one by one before series existed keep their weeks; the series start after them.
        last = _last_one_off_day(ZoneInfo(studio.time_zone))
        starts_on = this_week if last is None else max(this_week, week_start(last) + timedelta(days=7))
        seed_demo_series(studio, people, starts_on, today)
    else:
        series.generate_ahead(today)
    for monday in (this_week, this_week + timedelta(days=7)):
        seed_demo_bookings(studio, people, monday)
    return _session_count() - before
