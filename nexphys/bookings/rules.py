"""Booking rules: the studio's settings that decide when and how much members may book.

Pure logic over plain values, so every rule can be tested without a database. Owners edit the
settings; a role may override some of them (e.g. premium members book earlier and hold more).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

# Setting key → (BookingRules field, label shown to owners, smallest allowed, largest allowed)
RULE_SETTINGS: dict[str, tuple[str, str, int, int]] = {
    "booking_opens_days_before": ("opens_days_before", "Booking opens (days before the class)", 0, 365),
    "booking_closes_minutes_before": ("closes_minutes_before", "Booking closes before the class", 0, 10080),
    "free_cancellation_minutes_before": ("free_cancel_minutes_before",
                                         "Free cancellation until, before the class", 0, 10080),
    "max_upcoming_bookings": ("max_upcoming", "Most upcoming bookings a member may hold", 1, 1000),
    "waitlist_size": ("waitlist_size", "Waitlist places per class (0 turns the waitlist off)", 0, 1000),
    "waitlist_closes_minutes_before": ("waitlist_closes_minutes_before", "Waitlist closes before the class",
                                       0, 10080),
    "reminder_minutes_before": ("reminder_minutes_before", "Reminder email before the class (0 sends none)",
                                0, 10080),
}
# The settings that are spans of time in minutes: owners type them in minutes, hours or days.
DURATION_SETTINGS = frozenset(key for key in RULE_SETTINGS if key.endswith("_minutes_before"))
# The settings a role may override.
ROLE_OVERRIDABLE = ("booking_opens_days_before", "max_upcoming_bookings")
ROLE_RULES_SETTING = "role_booking_rules"


@dataclass(frozen=True)
class BookingRules:
    opens_days_before: int = 7
    closes_minutes_before: int = 0
    free_cancel_minutes_before: int = 120
    max_upcoming: int = 10
    waitlist_size: int = 10
    waitlist_closes_minutes_before: int = 30
    reminder_minutes_before: int = 120

    def opens_at(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(days=self.opens_days_before)

    def closes_at(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.closes_minutes_before)

    def free_cancel_until(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.free_cancel_minutes_before)

    def waitlist_closes_at(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.waitlist_closes_minutes_before)

    def window_problem(self, starts_at: datetime, now: datetime) -> str | None:
        """Why booking is not possible now (before opening or after closing), or None."""
        if now < self.opens_at(starts_at):
            return "opens"
        if now >= self.closes_at(starts_at):
            return "closed"
        return None

    def is_late_cancel(self, starts_at: datetime, now: datetime) -> bool:
        return now > self.free_cancel_until(starts_at)

    def waitlist_open(self, starts_at: datetime, now: datetime) -> bool:
        return self.waitlist_size > 0 and now < self.waitlist_closes_at(starts_at)


DEFAULT_RULES = BookingRules()
DEFAULT_RULE_SETTINGS: dict[str, Any] = {
    key: getattr(DEFAULT_RULES, attr) for key, (attr, *_rest) in RULE_SETTINGS.items()
}
# Premium members may book two weeks ahead and hold twice as many classes, until an owner changes it.
DEFAULT_ROLE_RULES: dict[str, dict[str, int]] = {
    "premium_member": {"booking_opens_days_before": 14, "max_upcoming_bookings": 20},
}


def rules_from_settings(values: dict[str, Any], role_key: str | None = None) -> BookingRules:
    """The rules from setting values (missing or malformed ones fall back to defaults), with the role's overrides."""
    merged = dict(values)
    overrides = values.get(ROLE_RULES_SETTING, DEFAULT_ROLE_RULES)
    if role_key and isinstance(overrides, dict) and isinstance(overrides.get(role_key), dict):
        merged.update({k: v for k, v in overrides[role_key].items() if k in ROLE_OVERRIDABLE})
    known = {f.name for f in fields(BookingRules)}
    changes = {}
    for key, (attr, _label, low, high) in RULE_SETTINGS.items():
        value = merged.get(key)
        if attr in known and isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            changes[attr] = value
    return replace(DEFAULT_RULES, **changes)
