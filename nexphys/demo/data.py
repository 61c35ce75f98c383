"""Demo studios for development (`flask demo seed`, run by `make run`): never in production.

gym-abc is a strength-and-conditioning gym, studio-xyz a yoga studio. People have predictable
emails: owner@, manager@, coach@ (and two more instructors, coach2@ and coach3@) and member1@ …
member60@<slug>.example, all with the password DEMO_PASSWORD, as has the platform administrator
DEMO_ADMIN_EMAIL.

The numbers keep the studio's own rules: classes fill unevenly (a few full with people waiting, some
nearly empty), every member stays well below the upcoming-bookings limit (member1, the one people try
first, holds only a few), and every class's seat count is its bookings'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nexphys.bookings import events
from nexphys.bookings.backfill import rebuild_missing
from nexphys.bookings.models import Actor, Booking, BookingStatus, EventKind
from nexphys.bookings.rules import BookingRules
from nexphys.classes import series
from nexphys.classes.models import ClassSeries, ClassSession, ClassType, Room
from nexphys.classes.queries import week_start
from nexphys.db import utcnow
from nexphys.demo.equipment import seed_demo_equipment
from nexphys.demo.face import seed_demo_face
from nexphys.demo.programs import seed_demo_programs
from nexphys.demo.training import seed_demo_training
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.roles.models import Role
from nexphys.settings.services import save_settings

MEMBER_COUNT = 60  # enough for the classes to fill as a real studio's do, each member booking a few
# Upcoming bookings a demo member holds at most: below the default limit (BookingRules.max_upcoming), so any
# of them can still book; member1, whom people sign in as first, holds fewer.
MEMBER_UPCOMING_MAX = BookingRules.max_upcoming - 4
FIRST_MEMBER_UPCOMING_MAX = 3
# How full a class is, picked per class from its id: share of places booked (above 1: full, people waiting).
FILL_LEVELS = (0.15, 0.35, 0.5, 0.65, 0.8, 1.0, 1.25)
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
    joining: str = "invite"  # who may join (set at the first seeding; a reseed keeps the owner's choice)


DEMO_STUDIOS = (
    DemoStudio(
        slug="gym-abc", name="ABC Strength & Conditioning", time_zone="Europe/London", brand_color="#b91c1c",
        joining="approval",  # so Join shows on its pages, and sign-ups wait for the staff
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
               ("coach", "Sam Okafor", "instructor"), ("coach2", "Jess Whitfield", "instructor"),
               ("coach3", "Tomás Ortega", "instructor")),
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
               ("coach", "Casey Moreau", "instructor"), ("coach2", "Amara Obi", "instructor"),
               ("coach3", "Lena Brandt", "instructor")),
    ),
)

FIRST_NAMES = ("Ava", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack",
               "Kira", "Leo", "Maya", "Noah", "Olive", "Pablo", "Quinn", "Rosa", "Theo", "Zara")
LAST_NAMES = ("Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
              "Khan", "Lopez", "Murphy", "Novak", "Owens", "Patel", "Quinn", "Rossi", "Singh", "Turner")


def seed_demo_people(studio: DemoStudio, password_hash: str | None = None,
                     people: dict[str, User] | None = None) -> dict[str, User]:
    """The studio's demo staff and members, each added once (a later run adds only who is missing)."""
    roles = {r.key: r for r in db.session.scalars(sa.select(Role))}
    people = dict(people or {})
    wanted = [(local, full_name, role_key) for local, full_name, role_key in studio.staff]
    wanted += [(f"member{n}", _member_name(n), "member") for n in range(1, MEMBER_COUNT + 1)]
    now = utcnow()
    added = [User(email=f"{local}@{studio.slug}.example", full_name=full_name, role=roles[role_key],
                  password_hash=password_hash, created_at=now - _joined_ago(local))
             for local, full_name, role_key in wanted if local not in people]
    db.session.add_all(added)
    db.session.flush()
    people.update({user.email.split("@")[0]: user for user in added})
    return people


def _joined_ago(local: str) -> timedelta:
    """How long ago a demo person joined: staff two years ago; members one every three days, the last yesterday."""
    if not local.startswith("member"):
        return timedelta(days=730)
    return timedelta(days=3 * (MEMBER_COUNT - int(local.removeprefix("member"))) + 1)


def _member_name(n: int) -> str:
    """A distinct name for member n (1 … 400): first names in turn, last names shifted each round of them."""
    first = FIRST_NAMES[(n - 1) % len(FIRST_NAMES)]
    return f"{first} {LAST_NAMES[(n * 7 + (n - 1) // len(FIRST_NAMES) * 3) % len(LAST_NAMES)]}"


def instructors(studio: DemoStudio, people: dict[str, User]) -> list[User]:
    return [people[local] for local, _name, role_key in studio.staff if role_key == "instructor" and local in people]


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
    coaches = instructors(studio, people)
    for n, (weekdays, hhmm, type_index, room_index) in enumerate(demo_series_rules(studio)):
        class_type, room = types[type_index], rooms[room_index]
        series.create_series({
            "class_type_id": class_type.id, "weekdays": list(weekdays), "start_time": hhmm,
            "room_id": room.id, "instructor_id": coaches[n % len(coaches)].id, "starts_on": starts_on,
            "capacity": min(class_type.default_capacity, room.capacity)}, today=today)
    return len(demo_series_rules(studio))


def seed_demo_bookings(studio: DemoStudio, people: dict[str, User], monday: date) -> int:
    """Bookings in the week from `monday` for sessions nobody booked yet; returns how many sessions got some.

    Each class fills to one of FILL_LEVELS (from its id, so a second run changes nothing); a full one gets a
    short waitlist. Members are taken in turn, skipping any at their upcoming-bookings ceiling, so every
    demo member can still book. Seat counts match the confirmed bookings and never exceed the capacity.
    """
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
    upcoming = _upcoming_counts(now)
    ceiling = {m.id: FIRST_MEMBER_UPCOMING_MAX if m is people.get("member1") else MEMBER_UPCOMING_MAX
               for m in members}
    filled = 0
    for session in sessions:
        wanted = round(FILL_LEVELS[(session.id * 5 + monday.toordinal()) % len(FILL_LEVELS)] * session.capacity)
        over = session.ends_at <= now
        chosen = _members_for(session, members, wanted, upcoming, ceiling, counts_upcoming=not over)
        seated, waiting = chosen[:session.capacity], chosen[session.capacity:] if not over else []
        db.session.add_all(Booking(session_id=session.id, member_id=m.id, confirmed_at=now,
                                   **_attendance(session, i, now)) for i, m in enumerate(seated))
        db.session.add_all(Booking(session_id=session.id, member_id=m.id, status=BookingStatus.WAITLISTED,
                                   created_at=now + timedelta(seconds=i)) for i, m in enumerate(waiting[:3]))
        session.booked_count = len(seated)
        filled += bool(seated)
    db.session.flush()
    return filled


def _upcoming_counts(now: datetime) -> dict[int, int]:
    """Live bookings each member holds on classes not yet started (what the upcoming limit counts)."""
    rows = db.session.execute(
        sa.select(Booking.member_id, sa.func.count()).join(ClassSession, ClassSession.id == Booking.session_id)
        .where(ClassSession.starts_at > now, Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)))
        .group_by(Booking.member_id))
    return dict(rows.all())


def _members_for(session: ClassSession, members: list[User], wanted: int, upcoming: dict[int, int],
                 ceiling: dict[int, int], counts_upcoming: bool) -> list[User]:
    """Up to `wanted` members for a class, taken in turn from one its id picks, skipping those at their ceiling."""
    chosen = []
    for i in range(len(members)):
        if len(chosen) == wanted:
            break
        member = members[(session.id * 3 + i) % len(members)]
        if counts_upcoming and upcoming.get(member.id, 0) >= ceiling[member.id]:
            continue
        chosen.append(member)
        if counts_upcoming:
            upcoming[member.id] = upcoming.get(member.id, 0) + 1
    return chosen


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
    people = seed_demo_people(studio, password_hash, people)
    if password_hash:
        give_demo_passwords(studio, password_hash)
    before = _session_count()
    this_week = week_start(today)
    if db.session.scalar(sa.select(sa.func.count()).select_from(ClassSeries)) == 0:
        # Sessions seeded one by one before series existed keep their weeks; the series start after them.
        last = _last_one_off_day(ZoneInfo(studio.time_zone))
        starts_on = this_week if last is None else max(this_week, week_start(last) + timedelta(days=7))
        seed_demo_series(studio, people, starts_on, today)
        save_settings({"joining_policy": studio.joining})
    else:
        series.generate_ahead(today)
    trim_demo_bookings(people)
    seed_demo_face(studio.slug)
    seed_demo_equipment(studio.slug, today)
    seed_demo_programs(studio.slug, today)
    for monday in (this_week, this_week + timedelta(days=7)):
        seed_demo_bookings(studio, people, monday)
    rebuild_missing()  # the seeded rows are written directly: give them their events
    seed_demo_training(studio.slug, today)  # after the bookings: a past class's check-ins may have results
    return _session_count() - before


def trim_demo_bookings(people: dict[str, User]) -> int:
    """Demo data seeded before the ceilings held (member1 with 12 upcoming bookings against a limit of 10): each
    demo member's upcoming bookings past their ceiling are removed, latest first, and the seats given back.
    Returns how many were removed (0 on data that keeps the rules). One query finds them all."""
    ceiling = {m.id: FIRST_MEMBER_UPCOMING_MAX if key == "member1" else MEMBER_UPCOMING_MAX
               for key, m in people.items() if key.startswith("member")}
    if not ceiling:
        return 0
    rank = sa.func.row_number().over(partition_by=Booking.member_id, order_by=ClassSession.starts_at).label("rank")
    ranked = (sa.select(Booking.id, Booking.member_id, rank).join(ClassSession, ClassSession.id == Booking.session_id)
              .where(Booking.member_id.in_(ceiling), ClassSession.starts_at > utcnow(),
                     Booking.status == BookingStatus.CONFIRMED).subquery())
    extra = [booking_id for booking_id, member_id, n in db.session.execute(sa.select(ranked))
             if n > ceiling[member_id]]
    now = utcnow()
    for booking in db.session.scalars(sa.select(Booking).where(Booking.id.in_(extra))).all() if extra else []:
        booking.session.booked_count -= 1
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now  # cancelled, not deleted: events stay
    db.session.flush()
    events.record_many(extra, EventKind.REMOVED, now, Actor.SYSTEM)
    return len(extra)
