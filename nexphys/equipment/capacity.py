"""Shrinking classes to the equipment they have: the plan staff confirm, and carrying it out.

A class that needs one per place (per_member) gets as many places as its room has usable equipment for; a
class that needs a fixed number loses one place per missing item, and its own requirement becomes what is
there (so it is no longer short). Bookings that no longer fit go, latest booked first; the waitlist stays as it
is, capped by the smaller class. Seats are the booking service's (its cancel, without refilling from the
waitlist) and the capacity the schedule's (its session edit), so booked_count stays exact and the database's
own check (booked within capacity) holds whatever runs at the same time. Only members who lose a place are told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.bookings import services as bookings
from nexphys.bookings.models import Booking, BookingStatus
from nexphys.classes import sessions as schedule
from nexphys.classes.models import ClassSession
from nexphys.db import utcnow
from nexphys.equipment import requirements
from nexphys.equipment.models import Asset, EquipmentRequirement
from nexphys.equipment.requirements import Shortfall
from nexphys.extensions import db
from nexphys.mail.services import queue_letter
from nexphys.members.models import User
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.urls import studio_url
from nexphys.web.access import Principal

CAPACITY_REDUCED = "equipment.capacity_reduced"


@dataclass
class Reduction:
    """One class to shrink: from `capacity` to `new_capacity`, and the bookings that must go."""

    session: ClassSession
    shortfall: Shortfall
    new_capacity: int
    going: list[Booking] = field(default_factory=list)
    waiting: int = 0
    capacity: int = 0  # before

    def __post_init__(self) -> None:
        self.capacity = self.capacity or self.session.capacity


def _new_capacity(session: ClassSession, shortfall: Shortfall) -> int:
    if shortfall.per_member:
        return min(session.capacity, shortfall.available // max(shortfall.quantity, 1))
    return max(session.capacity - shortfall.missing, 0)


def _latest_booked(session_id: int, count: int) -> list[Booking]:
    """The `count` seat holders who booked last (confirmed, not yet checked in), latest first."""
    if count <= 0:
        return []
    return list(db.session.scalars(
        sa.select(Booking).where(Booking.session_id == session_id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(sa.func.coalesce(Booking.confirmed_at, Booking.created_at).desc(), Booking.id.desc())
        .limit(count)))


def _waiting(session_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Booking.session_id == session_id,
                                                              Booking.status == BookingStatus.WAITLISTED)) or 0


def plan(asset: Asset) -> list[Reduction]:
    """The classes of the next days short of this asset's category in its room, and what shrinking them does."""
    found = []
    for shortfall in requirements.short_now(asset):
        session = db.session.get(ClassSession, shortfall.session_id)
        new = _new_capacity(session, shortfall)
        if new >= session.capacity:
            continue
        found.append(Reduction(session, shortfall, new, _latest_booked(session.id, session.booked_count - new),
                               _waiting(session.id)))
    return found


def _lock(session_id: int) -> ClassSession:
    """The session, locked (the booking service's lock order: session first) and read fresh."""
    return db.session.scalars(sa.select(ClassSession).where(ClassSession.id == session_id)
                              .with_for_update(of=ClassSession).execution_options(populate_existing=True)).one()


def reduce(asset: Asset, session_ids: list[int], staff: User, actor: Principal) -> list[Reduction]:
    """Shrink the chosen classes (of this asset's plan) under their locks; the plan is worked out again there, so
    a booking made since the page was shown is counted (it is the latest, so it goes first). Flushes."""
    done = []
    wanted = set(session_ids)
    now = utcnow()
    for shortfall in requirements.short_now(asset):
        if shortfall.session_id not in wanted:
            continue
        session = _lock(shortfall.session_id)
        again = requirements.shortfalls_for([session.id]).get(session.id, [])
        shortfall = next((s for s in again if s.category_id == shortfall.category_id), None)
        if shortfall is None or session.starts_at <= now:
            continue  # no longer short, or started: nothing to do
        new = _new_capacity(session, shortfall)
        if new >= session.capacity:
            continue
        before, going = session.capacity, _latest_booked(session.id, session.booked_count - new)
        for booking in going:
            bookings.cancel(booking.id, by_staff=staff, now=now, refill=False)
        # people already checked in keep their places: the class cannot go below them
        new = max(new, session.booked_count)
        if new < before:
            schedule.update_session(session, {"capacity": new}, now=now)
        if not shortfall.per_member:
            _own_requirement(session, shortfall)
        reduction = Reduction(session, shortfall, new, going, _waiting(session.id), before)
        for booking in going:
            _tell(booking, session)
        record(CAPACITY_REDUCED, actor.label, actor.person_id, target=f"class_session:{session.id}",
               details={"asset": asset.id, "category": shortfall.category, "from": before,
                        "to": new, "removed": [b.member_id for b in going]})
        done.append(reduction)
    db.session.flush()
    return done


def _own_requirement(session: ClassSession, shortfall: Shortfall) -> None:
    """A fixed need shrinks with its class: the session now needs what its room has."""
    row = db.session.scalar(sa.select(EquipmentRequirement).where(
        EquipmentRequirement.session_id == session.id, EquipmentRequirement.category_id == shortfall.category_id))
    if row is None:
        db.session.add(EquipmentRequirement(session_id=session.id, category_id=shortfall.category_id,
                                            quantity=shortfall.available, per_member=False))
    else:
        row.quantity = shortfall.available


def _tell(booking: Booking, session: ClassSession) -> None:
    """The member who lost their place hears why (through the studio's mail queue)."""
    member = booking.member
    when = require_tenant().local(session.starts_at).strftime("%A %d %B at %H:%M")
    queue_letter(member.email, f"Your place in {session.class_type.name} is cancelled", name=member.full_name,
                 kind="booking_removed_equipment",
                 paragraphs=[f"Some equipment for {session.class_type.name} on {when} is out of service, so the "
                             "class has fewer places and yours could not be kept. We are sorry.",
                             "Your booking is cancelled; nothing counts against you. You can book another class."],
                 action=("See the timetable", studio_url(require_tenant().slug)))
