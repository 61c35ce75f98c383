"""What a session card shows a viewer: seats, their own status, and the one action open to them.

Shared by the timetable, the class page and the booking views (whose htmx answers re-render a card),
so every place words a state the same way. Pure logic over a Slot, the viewer's live booking (from
`queries.statuses_for`) and the studio's rules: no queries here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nexphys.bookings.models import BookingStatus
from nexphys.bookings.rules import ROLE_RULES_SETTING, RULE_SETTINGS, BookingRules, rules_from_settings
from nexphys.classes.queries import Slot
from nexphys.storage.services import picture_url
from nexphys.web.access import Principal
from nexphys.web.urls import id_url_builder

# The settings a page showing cards reads, in one query (with the timetable's own switch).
CARD_SETTINGS = (*RULE_SETTINGS, ROLE_RULES_SETTING, "timetable_requires_sign_in")

STATUS_LABELS = {
    BookingStatus.CONFIRMED: "Booked",
    BookingStatus.CHECKED_IN: "Checked in",
    BookingStatus.NO_SHOW: "No-show",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.LATE_CANCELLED: "Late-cancelled",
}


STATUS_ICONS = {BookingStatus.CONFIRMED: "✓", BookingStatus.CHECKED_IN: "✓", BookingStatus.WAITLISTED: "⏳",
                BookingStatus.NO_SHOW: "✗"}
ACTION_LABELS = {"book": "Book", "waitlist": "Join waitlist", "cancel": "Cancel booking", "leave": "Leave waitlist"}
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def status_label(status: str, position: int | None = None) -> str:
    """How a booking status reads to its member ("Waitlist #2" for a waiting one)."""
    if status == BookingStatus.WAITLISTED:
        return f"Waitlist #{position}" if position else "On the waitlist"
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


@dataclass(frozen=True)
class CardUrls:
    """Where a card's links go, by id (nexphys.web.urls.id_url_builder)."""

    detail: Callable[[int], str]
    instructor: Callable[[int], str]
    book: Callable[[int], str]
    cancel: Callable[[int], str]

    @classmethod
    def for_request(cls) -> CardUrls:
        return cls(detail=id_url_builder("bookings.class_detail", "session_id"),
                   instructor=id_url_builder("studio_page.instructor", "instructor_id"),
                   book=id_url_builder("bookings.book", "session_id"),
                   cancel=id_url_builder("bookings.cancel", "booking_id"))


@dataclass(frozen=True)
class Viewer:
    """Who looks at the cards: a member who may book for themselves, or someone who may not (anonymous)."""

    member_id: int | None
    can_book: bool
    rules: BookingRules
    zone: ZoneInfo
    now: datetime
    upcoming: int | None = None  # the member's upcoming confirmed bookings (what the limit counts), if known
    # Link builders taken once per page, not once per card (a week holds up to 140 cards).
    urls: CardUrls = field(default_factory=lambda: CardUrls.for_request())

    @property
    def signed_in(self) -> bool:
        return self.member_id is not None

    @property
    def at_limit(self) -> bool:
        return self.upcoming is not None and self.upcoming >= self.rules.max_upcoming


def viewer_for(principal: Principal | None, values: dict[str, Any], zone: ZoneInfo, now: datetime,
               upcoming: Callable[[int], int] | None = None) -> Viewer:
    """The viewer from the caller and the settings read with CARD_SETTINGS (rules for their role);
    `upcoming(member_id)` counts a member's upcoming bookings, so cards can say when the limit is reached."""
    person = principal if principal is not None and principal.kind == "user" else None
    can_book = bool(person and person.can("bookings", "create"))
    return Viewer(member_id=person.id if person else None, can_book=can_book,
                  rules=rules_from_settings(values, person.role_key if person else None), zone=zone, now=now,
                  upcoming=upcoming(person.id) if can_book and upcoming is not None else None)


@dataclass(frozen=True)
class Card:
    slot: Slot
    starts: datetime  # local
    ends: datetime
    availability: str  # "3 spots left", "Full — waitlist open", "Full", "Cancelled"
    availability_kind: str  # open | waitlist | full | cancelled (a CSS hook; the words carry the meaning)
    my_status: str | None  # "Booked", "Waitlist #2", "Checked in", "No-show"
    my_kind: str | None  # the booking status, as a CSS hook
    booking_id: int | None
    action: str | None  # book | waitlist | cancel | leave
    late_cancel: bool  # cancelling now would be a late cancellation
    free_cancel_until: datetime  # local
    # Before booking: until when cancelling is free ("Free to cancel until Tue 01 Dec, 16:00"), or that it
    # is already too late (then booking asks for confirmation: late_booking).
    policy: str | None
    late_booking: bool
    note: str | None  # why nothing can be done now ("Booking opens …", "Booking closed", "Started")
    sign_in: bool  # anonymous visitor: offer "Sign in to book"
    # Ready-made text: the timetable renders up to 140 cards, and Python formats faster than templates.
    when: str  # "Wed 07 Jan, 18:00–19:00"
    start_hm: str
    end_hm: str
    color: str | None  # the class type's colour, if it is a well-formed #rgb / #rrggbb
    icon: str  # a symbol beside the viewer's status (the words carry the meaning)
    action_label: str | None
    detail_url: str  # the class page
    action_url: str | None  # where the action's form posts
    image_url: str | None = None  # the class type's picture
    thumb_url: str | None = None  # its small variant, for the timetable's cards
    instructor_url: str | None = None  # the instructor's profile page
    workout: str | None = None  # the title of the class's workout of the day (nexphys.workouts.plans.class_workouts)


def _availability(slot: Slot, rules: BookingRules, now: datetime) -> tuple[str, str]:
    if slot.is_cancelled:
        return "Cancelled", "cancelled"
    if slot.spots_left > 0:
        left = slot.spots_left
        return f"{left} {'spot' if left == 1 else 'spots'} left", "open"
    if slot.starts_at > now and rules.waitlist_open(slot.starts_at, now):
        return "Full — waitlist open", "waitlist"
    return "Full", "full"


def build_card(slot: Slot, mine: dict[str, Any] | None, viewer: Viewer, workout: str | None = None) -> Card:
    """The card for `slot` as `viewer` sees it; `mine` is their live booking {booking_id, status, position};
    `workout` the title of its workout of the day, if any."""
    rules, now = viewer.rules, viewer.now
    availability, kind = _availability(slot, rules, now)
    started = slot.starts_at <= now
    action = note = None
    late = False
    status = mine["status"] if mine else None
    if slot.is_cancelled:
        status = None  # its bookings were released with it
    elif started:
        note = "Finished" if slot.ends_at <= now else "Started"
    elif status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
        action = "cancel" if status == BookingStatus.CONFIRMED else "leave"
        late = status == BookingStatus.CONFIRMED and rules.is_late_cancel(slot.starts_at, now)
    elif status is None and viewer.signed_in and viewer.can_book:
        problem = rules.window_problem(slot.starts_at, now)
        if problem == "opens":
            note = f"Booking opens {rules.opens_at(slot.starts_at).astimezone(viewer.zone):%a %d %b, %H:%M}"
        elif problem == "closed":
            note = "Booking closed"
        elif slot.spots_left > 0 and viewer.at_limit:
            note = (f"You hold {viewer.upcoming} of {rules.max_upcoming} upcoming bookings, the most allowed: "
                    "cancel one to book this class")
        elif slot.spots_left > 0:
            action = "book"
        elif rules.waitlist_open(slot.starts_at, now):
            action = "waitlist"
    free_until = rules.free_cancel_until(slot.starts_at).astimezone(viewer.zone)
    late_booking = action in ("book", "waitlist") and rules.is_late_cancel(slot.starts_at, now)
    policy = None
    if action in ("book", "waitlist"):
        policy = ("Cancelling it will count as late" if late_booking
                  else f"Free to cancel until {free_until:%a %d %b, %H:%M}")
    starts, ends = slot.starts_at.astimezone(viewer.zone), slot.ends_at.astimezone(viewer.zone)
    start_hm, end_hm = starts.strftime("%H:%M"), ends.strftime("%H:%M")
    return Card(
        slot=slot, starts=starts, ends=ends, availability=availability, availability_kind=kind,
        my_status=status_label(status, mine.get("position")) if status and mine else None, my_kind=status,
        booking_id=mine["booking_id"] if mine and status else None, action=action, late_cancel=late,
        free_cancel_until=free_until, policy=policy, late_booking=late_booking, note=note,
        sign_in=not viewer.signed_in and not started and not slot.is_cancelled,
        when=f"{starts:%a %d %b}, {start_hm}–{end_hm}", start_hm=start_hm, end_hm=end_hm,
        color=slot.color if _COLOR.fullmatch(slot.color or "") else None, icon=STATUS_ICONS.get(status or "", "•"),
        action_label=ACTION_LABELS.get(action or ""), detail_url=viewer.urls.detail(slot.id),
        action_url=_action_url(viewer.urls, action, slot.id, mine["booking_id"] if mine and status else None),
        image_url=picture_url(slot.image) if slot.image else None,
        thumb_url=picture_url(slot.image, thumbnail=True) if slot.image else None,
        instructor_url=viewer.urls.instructor(slot.instructor_id) if slot.instructor_id is not None else None,
        workout=workout)


def _action_url(urls: CardUrls, action: str | None, session_id: int, booking_id: int | None) -> str | None:
    if action in ("cancel", "leave") and booking_id is not None:
        return urls.cancel(booking_id)
    if action in ("book", "waitlist"):
        return urls.book(session_id)
    return None
