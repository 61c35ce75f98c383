"""Calendar-feed tokens and the .ics documents behind them.

A feed URL carries its own secret because calendar apps cannot sign in: a member's token lives in
`users.calendar_token`, the studio's in the `calendar_token` setting. Both are made on first use and
can be reset, which revokes the old URL. Events use UIDs stable per session, so an app that polls the
feed updates an event in place (moved, cancelled) instead of adding a second one.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from nexphys.bookings.models import Booking, BookingStatus
from nexphys.calendar.events import calendar_of, event, uid
from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.classes.queries import Slot, slots_between
from nexphys.classes.series import weeks_ahead
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.settings.models import StudioSetting
from nexphys.settings.services import settings
from nexphys.tenancy.cache import forget_tenant_values_after_commit
from nexphys.tenancy.context import require_tenant

STUDIO_TOKEN_SETTING = "calendar_token"
# A member's feed keeps recent classes too, so today's and last week's stay visible in their calendar.
MEMBER_FEED_PAST = timedelta(days=30)
STUDIO_FEED_PAST = timedelta(days=7)
FEED_ROWS_LIMIT = 2000  # a feed is a document, not an export: bound its size
IN_MEMBER_FEED = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def member_token(user_id: int) -> str:
    """The member's feed token, made on first use (flushes; the caller commits)."""
    db.session.execute(sa.update(User).where(User.id == user_id, User.calendar_token.is_(None))
                       .values(calendar_token=new_token()).execution_options(synchronize_session=False))
    return db.session.scalar(sa.select(User.calendar_token).where(User.id == user_id))


def reset_member_token(user_id: int) -> str:
    """Give the member a new feed token: the old URL stops working (flushes; the caller commits)."""
    token = new_token()
    db.session.execute(sa.update(User).where(User.id == user_id).values(calendar_token=token)
                       .execution_options(synchronize_session=False))
    return token


def studio_token(known: object = None) -> str:
    """The studio feed's token, made on first use; `known` is the setting if the caller read it already."""
    if isinstance(known, str) and known:
        return known
    # Two first visitors at once: the first insert wins and both read the same token back.
    forget_tenant_values_after_commit()  # pages keep the studio's settings cached
    db.session.execute(insert(StudioSetting).values(key=STUDIO_TOKEN_SETTING, value=new_token())
                       .on_conflict_do_nothing(index_elements=["key"]))
    return db.session.scalar(sa.select(StudioSetting.value).where(StudioSetting.key == STUDIO_TOKEN_SETTING))


def reset_studio_token() -> str:
    """A new studio feed token: subscribers of the old URL must subscribe again (flushes)."""
    token = new_token()
    forget_tenant_values_after_commit()
    statement = insert(StudioSetting).values(key=STUDIO_TOKEN_SETTING, value=token)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": statement.excluded.value, "updated_at": sa.func.now()}))
    return token


def studio_feed(now: datetime | None = None) -> bytes:
    """The timetable from a week ago to the weeks the studio schedules ahead, cancelled classes marked."""
    now = now or utcnow()
    weeks = weeks_ahead()
    tenant = require_tenant()
    calendar = calendar_of(f"{tenant.name} timetable")
    slots: list[Slot] = slots_between(now - STUDIO_FEED_PAST, now + timedelta(weeks=weeks))[:FEED_ROWS_LIMIT]
    for slot in slots:
        calendar.add_component(event(uid("session", slot.id), slot.name, slot.starts_at, slot.ends_at, slot.room,
                                      slot.instructor, slot.is_cancelled, now, slot.cancel_reason))
    return calendar.to_ical()


def member_feed(user_id: int, now: datetime | None = None) -> bytes:
    """A member's confirmed and checked-in classes (recent and upcoming), and booked ones the studio cancelled."""
    now = now or utcnow()
    released = sa.and_(ClassSession.status == SessionStatus.CANCELLED, Booking.status == BookingStatus.CANCELLED,
                       Booking.cancelled_at >= ClassSession.cancelled_at)  # let go by the session's cancellation
    rows = db.session.execute(
        sa.select(ClassSession.id, ClassType.name, ClassSession.starts_at, ClassSession.ends_at,
                  Room.name.label("room"), User.full_name.label("instructor"), ClassSession.status,
                  ClassSession.cancel_reason)
        .select_from(Booking)
        .join(ClassSession, ClassSession.id == Booking.session_id)
        .join(ClassType, ClassType.id == ClassSession.class_type_id)
        .outerjoin(Room, Room.id == ClassSession.room_id)
        .outerjoin(User, User.id == ClassSession.instructor_id)
        .where(Booking.member_id == user_id, ClassSession.starts_at >= now - MEMBER_FEED_PAST,
               sa.or_(Booking.status.in_(IN_MEMBER_FEED), released))
        .order_by(ClassSession.starts_at, ClassSession.id)
        .limit(FEED_ROWS_LIMIT))
    tenant = require_tenant()
    calendar = calendar_of(f"My classes at {tenant.name}")
    seen: set[int] = set()
    for row in rows:
        if row.id in seen:  # rebooked after a cancellation: one event per class
            continue
        seen.add(row.id)
        cancelled = row.status == SessionStatus.CANCELLED
        calendar.add_component(event(uid("booking", row.id), row.name, row.starts_at, row.ends_at, row.room,
                                      row.instructor, cancelled, now, row.cancel_reason if cancelled else None))
    return calendar.to_ical()


def feed_for_token(token: str, now: datetime | None = None) -> bytes | None:
    """The feed a token opens (an active member's own, or the studio's timetable), or None."""
    if not token or len(token) > 64:
        return None
    member_id = db.session.scalar(sa.select(User.id).where(User.calendar_token == token,
                                                           User.status == UserStatus.ACTIVE))
    if member_id is not None:
        return member_feed(member_id, now)
    studio = settings([STUDIO_TOKEN_SETTING])[STUDIO_TOKEN_SETTING]
    if isinstance(studio, str) and studio and secrets.compare_digest(studio.encode(), token.encode()):
        return studio_feed(now)
    return None
