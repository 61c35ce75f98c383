"""Checking input field by field: one collector of field errors and the parsers every service shares.

A service puts every bad field into one FieldErrors and raises its domain's Invalid error once, so a form or
a 422 shows all the problems together. A parser takes a raw value (a form's Python value or a JSON value),
adds a message under `field` when it refuses the value, and returns the parsed value (None when refused).
The words differ by domain (they are the messages people already see), so parsers take them as arguments.

A leaf module: it imports only the standard library, `email_validator` and nexphys.errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from email_validator import EmailNotValidError, validate_email

from nexphys.errors import Invalid

EMAIL_MAX = 254
# At most six digits: a longer "number" is refused as not a number rather than as out of range.
_WHOLE_NUMBER_TEXT = re.compile(r"\s*-?\d{1,6}\s*")
_CLOCK_TEXT = re.compile(r"\s*\d{1,2}:\d{2}(:00)?\s*")


class FieldErrors(dict[str, list[str]]):
    """Field name → messages, collected while checking, raised once as the domain's Invalid error."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self, error: Callable[[dict[str, list[str]]], Invalid]) -> None:
        if self:
            raise error(dict(self))


@dataclass(frozen=True)
class TextWords:
    """What a text field says when refused; `too_long` may name {limit}."""

    not_text: str = "Must be text."
    missing: str = "This field is required."
    too_long: str = "Use at most {limit} characters."


@dataclass(frozen=True)
class NumberWords:
    """What a whole-number field says when refused; each may name {label}, {low} and {high}."""

    missing: str = "This field is required."
    not_number: str = "Must be a whole number."
    out_of_range: str = "{label} must be between {low} and {high}."


def has_value(values: Mapping[str, Any], name: str) -> bool:
    """Whether `name` was given something other than nothing (None) or an empty string."""
    return values.get(name) not in (None, "")


def unknown_fields(errors: FieldErrors, values: Iterable[str], known: Iterable[str],
                   message: str = "Unknown field.") -> None:
    """An error for each name in `values` that is not one of `known`."""
    known = set(known)
    for name in values:
        if name not in known:
            errors.add(name, message)


def text(errors: FieldErrors, field: str, value: Any, limit: int | None = None, *, required: bool = False,
         collapse: bool = False, words: TextWords = TextWords()) -> str | None:
    """Stripped text ("" for nothing), with runs of white space made one space when `collapse`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, words.not_text)
        return None
    value = " ".join(value.split()) if collapse else value.strip()
    if required and not value:
        errors.add(field, words.missing)
        return None
    if limit is not None and len(value) > limit:
        errors.add(field, words.too_long.format(limit=limit))
        return None
    return value


def digits_to_int(value: Any) -> Any:
    """ "12" (digits, maybe spaced) as 12; any other value unchanged."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def whole_number(errors: FieldErrors, field: str, value: Any, low: int, high: int, label: str = "", *,
                 from_text: bool = True, words: NumberWords = NumberWords()) -> int | None:
    """A whole number in [low, high]; digits in text count too unless `from_text` is off (values already parsed)."""
    if from_text and isinstance(value, str) and _WHOLE_NUMBER_TEXT.fullmatch(value):
        value = int(value)
    if value is None or value == "":
        message = words.missing
    elif isinstance(value, bool) or not isinstance(value, int):
        message = words.not_number
    elif not low <= value <= high:
        message = words.out_of_range
    else:
        return value
    errors.add(field, message.format(label=label, low=low, high=high))
    return None


def optional_id(errors: FieldErrors, field: str, value: Any) -> int | None:
    """A row id, or None for nothing chosen (None, "", 0)."""
    if value in (None, "", 0, "0"):
        return None
    value = digits_to_int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(field, "Must be an id (a whole number) or null.")
        return None
    return value


def day(errors: FieldErrors, field: str, value: Any, required: bool = True,
        message: str = "Use a date such as 2026-01-07.") -> date | None:
    """A date from a date, a datetime (its date) or ISO text (YYYY-MM-DD); None for nothing when not required."""
    if value in (None, ""):
        if required:
            errors.add(field, "This field is required.")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(field, message)
    return None


def clock_time(errors: FieldErrors, field: str, value: Any) -> time | None:
    """A 24-hour wall-clock time (HH:MM, to the minute, without a zone)."""
    if value in (None, ""):
        errors.add(field, "This field is required.")
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str) and _CLOCK_TEXT.fullmatch(value):
        try:
            return time.fromisoformat(value.strip().zfill(5))
        except ValueError:
            pass
    errors.add(field, "Use a 24-hour time such as 07:30.")
    return None


def instant(errors: FieldErrors, field: str, value: Any) -> datetime | None:
    """An aware moment (ISO-8601 text with an offset, or an aware datetime) in UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        errors.add(field, "Use an ISO-8601 date and time with an offset, e.g. 2026-01-07T18:30:00+01:00.")
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors.add(field, "Include the UTC offset (e.g. +01:00 or Z), or send local date and time instead.")
        return None
    return value.astimezone(UTC)


def email_address(errors: FieldErrors, field: str, value: Any) -> str | None:
    """A normalised email address (not checked for deliverability)."""
    if not isinstance(value, str) or not value.strip():
        errors.add(field, "Enter an email address.")
        return None
    try:
        normalized = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors.add(field, "Enter a valid email address.")
        return None
    if len(normalized) > EMAIL_MAX:
        errors.add(field, f"At most {EMAIL_MAX} characters.")
        return None
    return normalized
