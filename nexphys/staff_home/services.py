"""What the staff home shows: today's and tomorrow's classes with their numbers, what needs attention,
new members, and a new studio's first steps.

Every figure comes from a few grouped queries (the day's sessions, their bookings counted by status,
failed emails, new members, the setup counts), whatever the number of classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes.models import ClassSeries, ClassSession, ClassType, Room, SessionStatus
from nexphys.classes.queries import Slot, slots_between
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.joining.services import INVITE
from nexphys.joining.services import policy as joining_policy
from nexphys.mail.models import OutboxMessage
from nexphys.members.models import User, UserStatus
from nexphys.roles.models import Role, RoleLevel
from nexphys.studio.branding import has_brand
from nexphys.tenancy.context import require_tenant

NEARLY_EMPTY_SHARE = 0.25  # a class starting within a day with fewer than this share of places booked
NEARLY_EMPTY_HOURS = 24
NEW_MEMBERS_DAYS = 7
FAILED_EMAIL_DAYS = 7


@dataclass(frozen=True)
class ClassLine:
    """One class on the staff home, with what its roster holds now."""

    slot: Slot
    waiting: int
    checked_in: int

    @property
    def full(self) -> bool:
        return self.slot.booked >= self.slot.capacity > 0


@dataclass(frozen=True)
class Alert:
    kind: str  # "full" | "nearly_empty" | "emails_failed"
    text: str
    session_id: int | None = None


@dataclass(frozen=True)
class Step:
    """One of a new studio's first steps."""

    label: str
    done: bool
    endpoint: str
    hint: str


def class_lines(first: date, days: int, instructor_id: int | None = None) -> dict[date, list[ClassLine]]:
    """The classes of `days` days from `first` (cancelled ones too: staff must see them), by local date;
    only `instructor_id`'s when given."""
    tenant = require_tenant()
    slots = [s for s in slots_between(*tenant.days(first, days))
             if instructor_id is None or s.instructor_id == instructor_id]
    counts = _status_counts([s.id for s in slots])
    lines: dict[date, list[ClassLine]] = {first + timedelta(days=n): [] for n in range(days)}
    for slot in slots:
        mine = counts.get(slot.id, {})
        line = ClassLine(slot, mine.get(BookingStatus.WAITLISTED, 0), mine.get(BookingStatus.CHECKED_IN, 0))
        lines.setdefault(tenant.local(slot.starts_at).date(), []).append(line)
    return lines


def _status_counts(session_ids: list[int]) -> dict[int, dict[str, int]]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        sa.select(Booking.session_id, Booking.status, sa.func.count())
        .where(Booking.session_id.in_(session_ids),
               Booking.status.in_((BookingStatus.WAITLISTED, BookingStatus.CHECKED_IN)))
        .group_by(Booking.session_id, Booking.status))
    counts: dict[int, dict[str, int]] = {}
    for session_id, status, count in rows:
        counts.setdefault(session_id, {})[status] = count
    return counts


def next_class(lines: dict[date, list[ClassLine]], now: datetime | None = None) -> ClassLine | None:
    """The first class not yet over and not cancelled: the one whose roster staff open next."""
    now = now or utcnow()
    upcoming = (line for day in lines.values() for line in day
                if line.slot.ends_at > now and not line.slot.is_cancelled)
    return next(upcoming, None)


def alerts(lines: dict[date, list[ClassLine]], now: datetime | None = None, *,
           with_emails: bool = False) -> list[Alert]:
    """What needs attention: full classes (and who waits), classes starting soon with few booked, and
    emails that could not be sent (for those who may read the studio's email)."""
    now = now or utcnow()
    tenant = require_tenant()
    found: list[Alert] = []
    for day in lines.values():
        for line in day:
            slot = line.slot
            if slot.is_cancelled or slot.ends_at <= now:
                continue
            when = _when(tenant.local(slot.starts_at), tenant.today(now))
            if line.full:
                waiting = f", {_count(line.waiting, 'person', 'people')} waiting" if line.waiting else ""
                found.append(Alert("full", f"{slot.name} {when} is full{waiting}.", slot.id))
            elif (slot.starts_at - now <= timedelta(hours=NEARLY_EMPTY_HOURS)
                  and slot.booked < NEARLY_EMPTY_SHARE * slot.capacity):
                found.append(Alert("nearly_empty", f"{slot.name} {when} has {slot.booked} of {slot.capacity} "
                                                   "places booked.", slot.id))
    if with_emails:
        failed = failed_emails(now)
        if failed:
            found.append(Alert("emails_failed", f"{_count(failed, 'email', 'emails')} could not be sent in the "
                                                f"last {FAILED_EMAIL_DAYS} days."))
    return found


def failed_emails(now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(days=FAILED_EMAIL_DAYS)
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "failed", OutboxMessage.created_at >= since)) or 0


def new_members(now: datetime | None = None, limit: int = 5) -> tuple[int, list[User]]:
    """Members (not staff) who joined in the last NEW_MEMBERS_DAYS days: how many, and the newest few."""
    since = (now or utcnow()) - timedelta(days=NEW_MEMBERS_DAYS)
    joined = (sa.select(User).join(Role, Role.id == User.role_id)
              .where(User.created_at >= since, Role.level < RoleLevel.MANAGER, User.status != UserStatus.INACTIVE))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(joined.subquery())) or 0
    newest = db.session.scalars(joined.order_by(User.created_at.desc(), User.id.desc()).limit(limit)).all()
    return total, list(newest)


def setup_steps() -> list[Step]:
    """A new studio's first steps, each done once the studio has it (one query)."""
    brand, rooms, types, classes, staff = db.session.execute(sa.select(
        has_brand(),
        sa.exists().where(Room.id.is_not(None)),
        sa.exists().where(ClassType.archived_at.is_(None)),
        sa.or_(sa.exists().where(ClassSeries.id.is_not(None)),
               sa.exists().where(ClassSession.status == SessionStatus.SCHEDULED)),
        sa.select(sa.func.count()).select_from(User).join(Role, Role.id == User.role_id)
        .where(Role.level >= RoleLevel.MANAGER, User.status != UserStatus.INACTIVE).scalar_subquery(),
    )).one()
    return [
        Step("Add your logo and details", brand, "branding.page",
             "Your logo, address, opening hours and a few words about the studio, for members to find you."),
        Step("Add your rooms", rooms, "classes.new_room", "Where classes happen, with how many people fit."),
        Step("Add your class types", types, "classes.new_class_type", "Yoga, HIIT, Spin: what members book."),
        Step("Schedule your first classes", classes, "classes.new_series",
             "A weekly series fills the timetable weeks ahead."),
        Step("Invite your staff", staff > 1, "members.invite", "Instructors and managers sign in with their own "
                                                              "accounts."),
        Step("Open sign-up", joining_policy() != INVITE, "joining_settings.edit",
             "Let people join from your pages, openly or with your approval, accepting your terms."),
    ]


def _when(start: datetime, today: date) -> str:
    day = "today" if start.date() == today else "tomorrow" if start.date() == today + timedelta(days=1) \
        else f"on {start:%A %d %B}"
    return f"{day} at {start:%H:%M}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
