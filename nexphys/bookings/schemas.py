"""Request and response shapes of the bookings API (the rules themselves are the booking service's)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nexphys.bookings.models import BookingStatus
from nexphys.classes.models import SessionStatus
from nexphys.web.schemas import Body, Id, Instant, PageQuery, Query, Shape

Status = Literal[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW,
                 BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED]
ClassStatus = Literal[SessionStatus.SCHEDULED, SessionStatus.CANCELLED]


class BookedClass(Shape):
    id: int
    name: str
    starts_at: Instant
    ends_at: Instant
    status: ClassStatus
    instructor: str | None
    room: str | None


class PersonBrief(Shape):
    id: int
    full_name: str


class Booking(Shape):
    """A member's place in a class: confirmed, waitlisted (with its position), checked in, cancelled…"""

    id: int
    session_id: int
    member_id: int
    status: Status
    waitlist_position: int | None = Field(description="1 = next in line; null unless waitlisted")
    created_at: Instant
    confirmed_at: Instant | None
    cancelled_at: Instant | None
    checked_in_at: Instant | None
    promoted: bool = Field(description="Got its place from the waitlist")
    booked_by_id: int | None = Field(description="The staff member who added them by hand")
    class_: BookedClass = Field(alias="class")
    member: PersonBrief

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class CancelledBooking(Booking):
    late: bool = Field(description="Cancelled after the free cancellation time")
    promoted_booking_id: int | None = Field(description="The waiting member's booking that took the freed place")


class BookingsQuery(PageQuery):
    member_id: Id | None = None
    session_id: Id | None = None
    status: Status | None = None
    from_: str | None = Field(None, alias="from", description="A studio-local day (YYYY-MM-DD) or an ISO 8601 time")
    to: str | None = Field(None, description="A studio-local day (included) or an ISO 8601 time")


class NewBooking(Body):
    """Book a class; staff (and API keys) name the member, members book themselves."""

    session_id: Id
    member_id: Id | None = None


class RosterClass(Shape):
    id: int
    name: str
    starts_at: Instant
    ends_at: Instant
    status: ClassStatus
    capacity: int
    booked: int
    spots_left: int


class RosterMember(Shape):
    id: int
    full_name: str
    email: str


class RosterEntry(Shape):
    booking_id: int
    status: Status
    waitlist_position: int | None
    member: RosterMember
    created_at: Instant
    checked_in_at: Instant | None
    cancelled_at: Instant | None
    promoted: bool
    booked_by_id: int | None


class RosterQuery(Query):
    as_of: str | None = Field(None, description="The roster as it stood at this ISO 8601 time (a time without an "
                              "offset is the studio's), rebuilt from the booking events; omitted: as it is now")


class Roster(Shape):
    """A class's bookings by status, the waitlist in line order (now, or as it stood at `as_of`)."""

    as_of: Instant | None = Field(description="The moment this roster shows; null: now")
    session: RosterClass
    counts: dict[Status, int]
    groups: dict[Status, list[RosterEntry]]
