"""How bookings read to staff (rosters, the desk): status words, and which buttons to offer whom."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from nexphys.bookings import services
from nexphys.bookings.models import BookingStatus
from nexphys.bookings.queries import Roster
from nexphys.web.access import Principal

GROUP_LABELS = {
    BookingStatus.CONFIRMED: "Confirmed",
    BookingStatus.WAITLISTED: "Waitlist",
    BookingStatus.CHECKED_IN: "Checked in",
    BookingStatus.LATE_CANCELLED: "Late cancellations",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.NO_SHOW: "No-shows",
}
STATUS_LABELS = {**GROUP_LABELS, BookingStatus.WAITLISTED: "Waitlisted", BookingStatus.LATE_CANCELLED: "Late cancel",
                 BookingStatus.NO_SHOW: "No-show"}


def staff_abilities(principal: Principal) -> dict[str, bool]:
    """Which buttons to offer: each matches the access declaration of the route it posts to."""
    return {"can_see_roster": principal.scope("bookings", "read") == "all",
            "can_check_in": principal.scope("bookings", "update") == "all",
            "can_add": principal.scope("bookings", "create") == "all",
            "can_remove": principal.scope("bookings", "delete") == "all"}


def check_in_context(now: datetime) -> dict:
    """What check-in buttons need to know: when check-in opens for a class, and whose check-in may still be
    undone (checked in since `undo_since`)."""
    return {"now": now, "check_in_opens": services.check_in_opens,
            "undo_since": now - services.CHECK_IN_UNDO_WITHIN}


def as_of_note(roster: Roster, moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """The plain-words line over a past roster, e.g. "As it stood on Tue 1 Dec at 09:00: 12 booked, 2 waiting"."""
    local = moment.astimezone(zone)
    day = f"{local:%a} {local.day} {local:%b}" + ("" if local.year == now.astimezone(zone).year else f" {local.year}")
    counts = [f"{roster.seat_holders} booked", f"{len(roster.groups[BookingStatus.WAITLISTED])} waiting"]
    checked_in = len(roster.groups[BookingStatus.CHECKED_IN])
    if checked_in:
        counts[0] += f" ({checked_in} checked in)"
    cancelled = sum(len(roster.groups[s]) for s in BookingStatus.CANCELLED_ANY)
    if cancelled:
        counts.append(f"{cancelled} cancelled")
    return f"As it stood on {day} at {local:%H:%M}: " + ", ".join(counts)
