"""Booking, cancelling, the waitlist and check-in: the rules members meet every day.

Concurrency: every change to a session's bookings first locks that session's row (SELECT … FOR
UPDATE), then the members involved (FOR NO KEY UPDATE, so other bookings may still reference them).
Always session first, then members, so two transactions can never wait on each other in a cycle.
Under the session lock the seat count (`class_sessions.booked_count`) is exact; the database also
refuses a count above capacity (a CHECK) and two live bookings of one member for one session
(a partial unique index), so a bug here cannot overbook.

Every change of a booking's state appends its event (nexphys.bookings.events) in the same transaction.

Services flush; the caller (view, job, CLI) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from nexphys.audit.services import AuditAction, record
from nexphys.bookings import events, notifications
from nexphys.bookings.models import Actor, Booking, BookingStatus, EventKind
from nexphys.bookings.rules import ROLE_RULES_SETTING, RULE_SETTINGS, BookingRules, rules_from_settings
from nexphys.classes.models import ClassSession, SessionStatus
from nexphys.db import utcnow
from nexphys.errors import DomainError
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.settings.services import cached_settings

# Staff may check people in from this long before a class starts.
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)
CHECK_IN_UNDO_WITHIN = timedelta(minutes=10)  # a check-in of the wrong person can be taken back this long


class BookingError(DomainError):
    """A booking rule said no. `reason` is a stable code for API clients; the message is for people."""

    reason = "refused"
    status = 409

    @property
    def problem_type(self) -> str:
        return self.reason

    def problem_extra(self) -> dict:
        return {"reason": self.reason}


class NotFound(BookingError):
    reason = "not_found"
    status = 404


class SessionFull(BookingError):
    reason = "full"


class AlreadyBooked(BookingError):
    reason = "already_booked"


class OutsideBookingWindow(BookingError):
    reason = "outside_booking_window"


class OverBookingLimit(BookingError):
    reason = "over_booking_limit"


class NotBookable(BookingError):
    reason = "not_bookable"  # cancelled or already started


class CannotCancel(BookingError):
    reason = "cannot_cancel"


class CannotCheckIn(BookingError):
    reason = "cannot_check_in"


def booking_rules(role_key: str | None = None) -> BookingRules:
    """The studio's booking rules for a member of `role_key` (one settings query)."""
    return rules_from_settings(cached_settings([*RULE_SETTINGS, ROLE_RULES_SETTING]), role_key)


def _locked(model, row_id: int, missing: str, key_share: bool = False):
    """One row, locked for this transaction and re-read (not the identity map's copy); NotFound if absent.

    `key_share` takes FOR NO KEY UPDATE: other transactions may still insert rows referencing it.
    """
    row = db.session.scalars(
        sa.select(model).where(model.id == row_id)
        .options(orm.joinedload(User.role) if model is User else orm.lazyload("*"))
        .with_for_update(of=model, key_share=key_share).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(missing)
    return row


def _lock_session(session_id: int) -> ClassSession:
    return _locked(ClassSession, session_id, "There is no such class.")


def _lock_member(member_id: int) -> User:
    return _locked(User, member_id, "There is no such member.", key_share=True)


def _lock_booking(booking_id: int) -> Booking:
    return _locked(Booking, booking_id, "There is no such booking.")


def _lock_booking_and_session(booking_id: int) -> tuple[ClassSession, Booking]:
    """A booking and its session, both locked in the lock order (session first)."""
    session_id = db.session.scalar(sa.select(Booking.session_id).where(Booking.id == booking_id))
    if session_id is None:
        raise NotFound("There is no such booking.")
    return _lock_session(session_id), _lock_booking(booking_id)


def _live_booking(session_id: int, member_id: int) -> Booking | None:
    return db.session.scalars(sa.select(Booking).where(
        Booking.session_id == session_id, Booking.member_id == member_id,
        Booking.status.in_(BookingStatus.LIVE))).first()


def upcoming_confirmed_count(member_id: int, now: datetime) -> int:
    """Seats the member holds in classes that have not started (what the booking limit counts)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking).join(ClassSession, ClassSession.id == Booking.session_id)
        .where(Booking.member_id == member_id, Booking.status == BookingStatus.CONFIRMED,
               ClassSession.starts_at > now, ClassSession.status == SessionStatus.SCHEDULED)
    )


def _waitlist_length(session_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED))


def _check_member_may_book(member: User, session: ClassSession, rules: BookingRules, now: datetime) -> None:
    problem = rules.window_problem(session.starts_at, now)
    if problem == "opens":
        raise OutsideBookingWindow(
            f"Booking for this class opens {rules.opens_days_before} days before it starts.")
    if problem == "closed":
        raise OutsideBookingWindow("Booking for this class has closed.")


def _under_limit(member: User, rules: BookingRules, now: datetime) -> bool:
    return upcoming_confirmed_count(member.id, now) < rules.max_upcoming


def _confirm(booking: Booking, session: ClassSession, now: datetime) -> None:
    session.booked_count += 1
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = now


@dataclass(frozen=True)
class BookingOutcome:
    booking: Booking
    waitlist_position: int | None  # None when confirmed


def book(session_id: int, member_id: int, *, by_staff: User | None = None, now: datetime | None = None
         ) -> BookingOutcome:
    """Book a member into a session: confirmed while seats are free, else waitlisted, else refused.

    `by_staff` adds someone by hand: the booking window and the member's limit do not apply, but
    the capacity does (a full class puts them on the waitlist, however long it is).
    """
    session = _lock_session(session_id)
    # Read the clock only once we hold the session: created_at is the waitlist order, so it must follow
    # the order in which bookings got the session, not the order in which requests began waiting for it.
    now = now or utcnow()
    if session.status == SessionStatus.CANCELLED:
        raise NotBookable("This class has been cancelled.")
    if session.ends_at <= now or (by_staff is None and session.starts_at <= now):
        raise NotBookable("This class has already started.")
    member = _lock_member(member_id)
    if member.status != UserStatus.ACTIVE:
        raise NotBookable("This member's account is not active.")
    if _live_booking(session_id, member_id) is not None:
        raise AlreadyBooked("You already have a place in this class." if by_staff is None
                            else f"{member.full_name} already has a place in this class.")
    rules = booking_rules(member.role.key)
    if by_staff is None:
        _check_member_may_book(member, session, rules, now)
    booking = Booking(session_id=session.id, member_id=member.id, created_at=now,
                      booked_by_id=by_staff.id if by_staff else None, status=BookingStatus.WAITLISTED)
    if session.booked_count < session.capacity:
        if by_staff is None and not _under_limit(member, rules, now):
            raise OverBookingLimit(f"You already hold {rules.max_upcoming} upcoming bookings, the most "
                                   "this studio allows. Cancel one to book another.")
        _confirm(booking, session, now)
    elif by_staff is None and not rules.waitlist_open(session.starts_at, now):
        raise SessionFull("This class is full." + ("" if rules.waitlist_size == 0 else " Its waitlist has closed."))
    elif by_staff is None and _waitlist_length(session.id) >= rules.waitlist_size:
        raise SessionFull("This class and its waitlist are full.")
    db.session.add(booking)
    db.session.flush()
    if by_staff is not None:
        _audit(AuditAction.BOOKING_ADDED_BY_STAFF, by_staff, booking)
    actor, by_user_id = (Actor.STAFF, by_staff.id) if by_staff is not None else (Actor.MEMBER, member.id)
    if booking.status == BookingStatus.CONFIRMED:
        events.record(booking, session, EventKind.BOOKED, now, actor, by_user_id)
        notifications.booking_confirmed(booking, session, member)
        return BookingOutcome(booking, None)
    position = waitlist_position(booking)
    events.record(booking, session, EventKind.WAITLISTED, now, actor, by_user_id, waitlist_position=position)
    notifications.waitlisted(booking, session, member, position)
    return BookingOutcome(booking, position)


@dataclass(frozen=True)
class CancelOutcome:
    booking: Booking
    late: bool
    promoted: Booking | None


def cancel(booking_id: int, *, by_staff: User | None = None, now: datetime | None = None,
           refill: bool = True) -> CancelOutcome:
    """Cancel a booking. After the free cut-off a member's cancellation is late (allowed, marked and
    counted); after the start it is refused. A freed seat goes to the first eligible waiting member
    in this same transaction, until the waitlist closes; after that it returns to open booking.
    Staff removing someone by hand is never late and may happen after the start. `refill=False` leaves the
    freed seat empty (staff shrinking the class: the seat is going away, the waitlist must not take it).
    """
    session, booking = _lock_booking_and_session(booking_id)
    now = now or utcnow()  # read under the lock, in the order transactions got the session
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
        raise CannotCancel({
            BookingStatus.CHECKED_IN: "This booking is checked in already.",
            BookingStatus.NO_SHOW: "This class is over.",
        }.get(booking.status, "This booking is cancelled already."))
    if by_staff is None and session.starts_at <= now:
        raise CannotCancel("This class has started; it can no longer be cancelled.")
    rules = booking_rules()
    held_seat = booking.status == BookingStatus.CONFIRMED
    late = held_seat and by_staff is None and rules.is_late_cancel(session.starts_at, now)
    booking.status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
    booking.cancelled_at = now
    if by_staff is not None:
        events.record(booking, session, EventKind.REMOVED, now, Actor.STAFF, by_staff.id)
    else:
        events.record(booking, session, EventKind.LATE_CANCELLED if late else EventKind.CANCELLED, now,
                      Actor.MEMBER, booking.member_id)
    promoted = None
    if held_seat:
        session.booked_count -= 1
        promoted = _fill_from_waitlist(session, now) if refill else None
    db.session.flush()
    if by_staff is not None:
        _audit(AuditAction.BOOKING_REMOVED_BY_STAFF, by_staff, booking)
    elif held_seat:
        notifications.booking_cancelled(booking, session, late)  # the member's own: confirmed by email
    return CancelOutcome(booking, late, promoted)


def _audit(action: str, staff: User, booking: Booking) -> None:
    record(action, staff.email, staff.id, target=f"booking:{booking.id}",
           details={"session_id": booking.session_id, "member_id": booking.member_id, "status": booking.status})


def _waiting(session_id: int) -> list[Booking]:
    return list(db.session.scalars(
        sa.select(Booking).where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.created_at, Booking.id).options(orm.lazyload("*"))
        .with_for_update(of=Booking).execution_options(populate_existing=True)))


def _fill_from_waitlist(session: ClassSession, now: datetime) -> Booking | None:
    """Promote the first eligible waiting member into a free seat (the session row is locked)."""
    if session.booked_count >= session.capacity or session.status != SessionStatus.SCHEDULED:
        return None
    if not booking_rules().waitlist_open(session.starts_at, now) and session.starts_at > now:
        return None  # after the waitlist closes, a freed seat returns to open booking
    for waiting in _waiting(session.id):
        # Judge eligibility without a lock, then lock only the member we promote and judge again: a
        # skipped member is never locked, so two waitlists sharing members cannot lock them crosswise.
        if not _eligible(waiting.member, now):
            continue  # skipped, but keeps their place for the next free seat
        member = _lock_member(waiting.member_id)
        if not _eligible(member, now):
            continue
        _confirm(waiting, session, now)
        waiting.promoted = True
        events.record(waiting, session, EventKind.PROMOTED, now, Actor.SYSTEM)
        db.session.flush()
        notifications.promoted(waiting, session, member)
        return waiting
    return None


def _eligible(member: User, now: datetime) -> bool:
    return member.status == UserStatus.ACTIVE and _under_limit(member, booking_rules(member.role.key), now)


def fill_from_waitlist(session_id: int, now: datetime | None = None) -> list[Booking]:
    """Fill every free seat of a session from its waitlist (e.g. after staff raise the capacity)."""
    now = now or utcnow()
    session = _lock_session(session_id)
    promoted = []
    while (booking := _fill_from_waitlist(session, now)) is not None:
        promoted.append(booking)
    return promoted


def check_in_opens(starts_at: datetime) -> datetime:
    """When check-in for a class starting at `starts_at` opens."""
    return starts_at - CHECK_IN_OPENS_BEFORE


def may_undo_check_in(booking: Booking, now: datetime) -> bool:
    return (booking.status == BookingStatus.CHECKED_IN and booking.checked_in_at is not None
            and now - booking.checked_in_at <= CHECK_IN_UNDO_WITHIN)


def undo_check_in(booking_id: int, *, actor: str, actor_id: int | None = None,
                  now: datetime | None = None) -> Booking:
    """Take back a check-in made in the last CHECK_IN_UNDO_WITHIN (the wrong person was tapped): the booking
    is confirmed again. Audited with who did it."""
    session, booking = _lock_booking_and_session(booking_id)
    now = now or utcnow()
    if not may_undo_check_in(booking, now):
        raise CannotCheckIn("This check-in can no longer be undone: undo is possible for "
                            f"{int(CHECK_IN_UNDO_WITHIN.total_seconds() // 60)} minutes after it.")
    booking.status, booking.checked_in_at = BookingStatus.CONFIRMED, None
    events.record(booking, session, EventKind.CHECK_IN_UNDONE, now, events.actor_of(actor_id, booking.member_id),
                  actor_id)
    record(AuditAction.BOOKING_CHECK_IN_UNDONE, actor, actor_id, target=f"booking:{booking.id}",
           details=_booking_facts(booking))
    db.session.flush()
    return booking


def _booking_facts(booking: Booking) -> dict:
    return {"member": booking.member.full_name, "class": booking.session.class_type.name,
            "starts_at": booking.session.starts_at.isoformat()}


def check_in(booking_id: int, *, actor: str | None = None, actor_id: int | None = None,
             now: datetime | None = None) -> Booking:
    """Mark a confirmed (or no-show) booking as attended. Staff only; idempotent for a checked-in one.
    Audited under `actor` (who checked them in) when given."""
    session, booking = _lock_booking_and_session(booking_id)
    now = now or utcnow()  # read under the lock, in the order transactions got the session
    if booking.status == BookingStatus.CHECKED_IN:
        return booking
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
        raise CannotCheckIn("Only a confirmed booking can be checked in" + (
            "; add them to the class first." if booking.status == BookingStatus.WAITLISTED else "."))
    if session.status == SessionStatus.CANCELLED:
        raise CannotCheckIn("This class was cancelled.")
    if now < check_in_opens(session.starts_at):
        raise CannotCheckIn("Check-in opens two hours before the class.")
    booking.status = BookingStatus.CHECKED_IN
    booking.checked_in_at = now
    events.record(booking, session, EventKind.CHECKED_IN, now, events.actor_of(actor_id, booking.member_id),
                  actor_id)
    if actor is not None:
        record(AuditAction.BOOKING_CHECKED_IN, actor, actor_id, target=f"booking:{booking.id}",
               details=_booking_facts(booking))
    db.session.flush()
    return booking


def mark_no_shows(now: datetime | None = None) -> int:
    """Confirmed bookings of sessions that have ended become no-shows, each with its event, all in one
    statement; returns how many."""
    now = now or utcnow()
    ended = sa.select(ClassSession.id).where(ClassSession.ends_at <= now,
                                             ClassSession.status == SessionStatus.SCHEDULED)
    return events.update_recording(
        sa.update(Booking).where(Booking.status == BookingStatus.CONFIRMED, Booking.session_id.in_(ended))
        .values(status=BookingStatus.NO_SHOW), EventKind.NO_SHOW, now)


def cancel_session(session_id: int, reason: str | None = None, now: datetime | None = None,
                   by_user_id: int | None = None) -> list[Booking]:
    """Cancel a class: every confirmed and waiting member is released and told. Returns their bookings.
    `by_user_id` is the staff member who cancelled it (None: the schedule's rule changed, or a key)."""
    now = now or utcnow()
    session = _lock_session(session_id)
    if session.status == SessionStatus.CANCELLED:
        return []
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancel_reason = (reason or "").strip() or None
    released = list(db.session.scalars(
        sa.select(Booking).where(Booking.session_id == session.id,
                                 Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)))
        .options(orm.lazyload("*")).with_for_update(of=Booking)))
    for booking in released:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
    session.booked_count = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == session.id, Booking.status.in_(BookingStatus.HOLDS_SEAT),
        Booking.id.notin_([b.id for b in released])))
    db.session.flush()
    events.record_many([b.id for b in released], EventKind.CLASS_CANCELLED, now,
                       Actor.STAFF if by_user_id is not None else Actor.SYSTEM, by_user_id)
    for booking in released:
        notifications.session_cancelled(booking, session)
    return released


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first waiting member; None when the booking is not waitlisted."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(
        Booking.session_id == booking.session_id, Booking.status == BookingStatus.WAITLISTED,
        sa.tuple_(Booking.created_at, Booking.id) < sa.tuple_(booking.created_at, booking.id)))
    return ahead + 1


def get_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("There is no such booking.")
    return booking
