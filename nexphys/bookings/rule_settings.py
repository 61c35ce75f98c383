"""Editing the booking rules: check owners' values against the bounds in `bookings.rules`, store, audit.

One set of checks and messages for every caller (the settings page today, an API later). Values come
in as already-parsed Python values (int, None for a blank field, bool); the form only parses.
"""

from __future__ import annotations

from typing import Any

from nexphys.audit.services import AuditAction, record
from nexphys.bookings.rules import DURATION_SETTINGS, ROLE_OVERRIDABLE, ROLE_RULES_SETTING, RULE_SETTINGS
from nexphys.errors import Invalid
from nexphys.settings.services import save_settings, settings
from nexphys.validation import FieldErrors, NumberWords, whole_number
from nexphys.web.access import Principal
from nexphys.web.forms import describe_minutes

SIGN_IN_SETTING = "timetable_requires_sign_in"
EDITABLE = (*RULE_SETTINGS, ROLE_RULES_SETTING, SIGN_IN_SETTING)


class RulesInvalid(Invalid):
    """Some values are out of bounds; `errors` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, "; ".join(m for messages in errors.values() for m in messages))


def override_field(role_key: str, setting_key: str) -> str:
    """The form field name of one role's override of one setting."""
    return f"role__{role_key}__{setting_key}"


def current_values() -> dict[str, Any]:
    """The stored rule settings, role overrides and the timetable sign-in switch (one query)."""
    values = settings(EDITABLE)
    if not isinstance(values.get(ROLE_RULES_SETTING), dict):
        values[ROLE_RULES_SETTING] = {}
    return values


_NUMBER_WORDS = NumberWords(missing="{label}: enter a whole number.", not_number="{label}: enter a whole number.",
                            out_of_range="{label}: must be between {low} and {high}.")


def _check_number(errors: FieldErrors, field: str, key: str, value: Any) -> None:
    """Check setting `key`'s value; messages go under `field` (the setting itself or one role's override)."""
    _attr, label, low, high = RULE_SETTINGS[key]
    if key in DURATION_SETTINGS and isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
        errors.add(field, f"{label}: can be at most {describe_minutes(high)}." if value > high
                   else f"{label}: cannot be less than {describe_minutes(low)}.")
        return
    whole_number(errors, field, value, low, high, label, from_text=False, words=_NUMBER_WORDS)


def clean(defaults: dict[str, Any], overrides: dict[str, dict[str, int | None]], requires_sign_in: bool
          ) -> dict[str, Any]:
    """Check the studio defaults and the per-role overrides (None = use the default); the values to store.

    Raises RulesInvalid with every problem at once, keyed by form field name.
    """
    errors = FieldErrors()
    for key in RULE_SETTINGS:
        _check_number(errors, key, key, defaults.get(key))
    role_rules: dict[str, dict[str, int]] = {}
    for role_key, values in overrides.items():
        for key, value in values.items():
            if key not in ROLE_OVERRIDABLE or value is None:
                continue
            _check_number(errors, override_field(role_key, key), key, value)
            role_rules.setdefault(role_key, {})[key] = value
    _check_window(errors, defaults, role_rules)
    errors.raise_if_any(RulesInvalid)
    return {**{key: defaults[key] for key in RULE_SETTINGS}, ROLE_RULES_SETTING: role_rules,
            SIGN_IN_SETTING: bool(requires_sign_in)}


def _check_window(errors: FieldErrors, defaults: dict[str, Any], role_rules: dict[str, dict[str, int]]) -> None:
    """Booking must be open at some moment: it may not close before (or when) it opens."""
    closes = defaults.get("booking_closes_minutes_before")
    if not isinstance(closes, int) or errors.get("booking_closes_minutes_before"):
        return
    candidates = [("booking_opens_days_before", defaults.get("booking_opens_days_before"))]
    candidates += [(override_field(role, "booking_opens_days_before"), values["booking_opens_days_before"])
                   for role, values in role_rules.items() if "booking_opens_days_before" in values]
    for field, opens_days in candidates:
        if isinstance(opens_days, int) and not errors.get(field) and opens_days * 24 * 60 <= closes:
            errors.add(field, "Booking would never be open: it must open earlier than it closes "
                              f"({describe_minutes(closes)} before the class).")


def save(values: dict[str, Any], actor: Principal) -> dict[str, list]:
    """Store cleaned values and audit what changed; returns {key: [old, new]} (empty: nothing changed). Flushes."""
    before = current_values()
    changes = {key: [before.get(key), value] for key, value in values.items() if before.get(key) != value}
    if not changes:
        return {}
    save_settings({key: values[key] for key in changes})
    record(AuditAction.SETTINGS_UPDATED, actor.label, actor.person_id,
           target="settings:booking", details={"changes": {key: [_short(old), _short(new)]
                                                             for key, (old, new) in changes.items()}})
    return changes


def _short(value: Any) -> Any:
    """Role overrides shown compactly in the audit log ("premium_member: max_upcoming_bookings=20")."""
    if isinstance(value, dict):
        return "; ".join(f"{role}: " + ", ".join(f"{k}={v}" for k, v in sorted(vals.items()))
                         for role, vals in sorted(value.items()) if isinstance(vals, dict)) or "none"
    return value
