"""How long a sign-in lasts: an idle and an absolute lifetime, per studio, for staff and for members.

Staff (instructor, manager and owner levels) see private member details, so their sign-ins are short
(12 hours idle, 7 days at most); members (member and premium levels) stay signed in on their phones
for weeks (30 days idle, 90 days at most). Platform administrators, who have no studio, have the
staff defaults. The values are studio settings (defaults declared in nexphys.auth), read from the
per-process settings cache on every signed-in request and edited on the "Sign-in" settings page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nexphys.audit.services import AuditAction, record
from nexphys.errors import Invalid
from nexphys.roles.models import RoleLevel
from nexphys.settings.services import cached_settings, default_settings, save_settings, settings
from nexphys.validation import FieldErrors, NumberWords, whole_number
from nexphys.web.access import Principal
from nexphys.web.forms import describe_span


@dataclass(frozen=True)
class Lifetimes:
    """Signed out after `idle` without a request, and `absolute` after signing in whatever happens."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class LifetimeSetting:
    key: str
    label: str
    unit: str  # "hours" or "days": what the number counts
    low: int
    high: int

    def span(self, value: int) -> timedelta:
        return timedelta(hours=value) if self.unit == "hours" else timedelta(days=value)


STAFF_IDLE = LifetimeSetting("staff_session_idle_hours", "Staff: hours without activity", "hours", 1, 720)
STAFF_MAX = LifetimeSetting("staff_session_max_days", "Staff: days at most", "days", 1, 90)
MEMBER_IDLE = LifetimeSetting("member_session_idle_days", "Members: days without activity", "days", 1, 365)
MEMBER_MAX = LifetimeSetting("member_session_max_days", "Members: days at most", "days", 1, 365)
SETTINGS = (STAFF_IDLE, STAFF_MAX, MEMBER_IDLE, MEMBER_MAX)
KEYS = tuple(s.key for s in SETTINGS)
PAIRS = ((STAFF_IDLE, STAFF_MAX), (MEMBER_IDLE, MEMBER_MAX))

PLATFORM = Lifetimes(idle=timedelta(hours=12), absolute=timedelta(days=7))


class LifetimesInvalid(Invalid):
    """Some values are out of bounds; `errors` maps a setting key to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, "; ".join(m for messages in errors.values() for m in messages))


def _value(values: dict[str, Any], setting: LifetimeSetting) -> int:
    """A stored value, or the default when it is not a whole number within bounds (edited by hand)."""
    value = values.get(setting.key)
    if isinstance(value, bool) or not isinstance(value, int) or not setting.low <= value <= setting.high:
        return default_settings()[setting.key]
    return value


def for_role_level(level: int) -> Lifetimes:
    """The bound studio's lifetimes for a person whose role has this level (staff or member)."""
    idle, absolute = PAIRS[0] if level >= RoleLevel.MANAGER else PAIRS[1]
    values = cached_settings(KEYS)
    return Lifetimes(idle=idle.span(_value(values, idle)), absolute=absolute.span(_value(values, absolute)))


def current_values() -> dict[str, int]:
    """The studio's stored lifetimes (defaults where missing), for the settings page."""
    values = settings(KEYS)
    return {s.key: _value(values, s) for s in SETTINGS}


_WORDS = NumberWords(missing="{label}: enter a whole number.", not_number="{label}: enter a whole number.",
                     out_of_range="{label}: must be between {low} and {high}.")


def clean(values: dict[str, Any]) -> dict[str, int]:
    """Check the four numbers (already parsed: int or None); LifetimesInvalid with every problem at once."""
    errors = FieldErrors()
    cleaned = {s.key: whole_number(errors, s.key, values.get(s.key), s.low, s.high, s.label, from_text=False,
                                   words=_WORDS) for s in SETTINGS}
    for idle, absolute in PAIRS:
        if errors.get(idle.key) or errors.get(absolute.key):
            continue
        if idle.span(cleaned[idle.key]) > absolute.span(cleaned[absolute.key]):
            errors.add(idle.key, f"{idle.label}: cannot be longer than the {absolute.label.lower()}.")
    errors.raise_if_any(LifetimesInvalid)
    return cleaned


def save(values: dict[str, int], actor: Principal) -> dict[str, list]:
    """Store cleaned values and audit what changed; returns {key: [old, new]}. Flushes.

    Applies to sessions already running: each request judges its session by the values of that moment.
    """
    before = current_values()
    changes = {key: [before[key], value] for key, value in values.items() if before.get(key) != value}
    if changes:
        save_settings({key: values[key] for key in changes})
        record(AuditAction.SETTINGS_UPDATED, actor.label, actor.person_id, target="settings:sessions",
               details={"changes": changes})
    return changes


def describe(span: timedelta) -> str:
    """How long, in a studio owner's words ("12 hours", "1 day"): the shared wording of nexphys.web.forms."""
    return describe_span(span)
