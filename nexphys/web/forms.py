"""Forms glue: a service's field messages shown next to the form's fields, and spans of time in people's units."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.utils import unset_value


def has_errors(form: FlaskForm) -> bool:
    return any(field.errors for field in form)


def attach_errors(form: FlaskForm, errors: Mapping[str, list[str]], aliases: Mapping[str, str] | None = None
                  ) -> list[str]:
    """Put field messages on the form's fields; return the messages that belong to no field.

    `aliases` maps a service's field name to the form's (e.g. starts_at → date). A field that already
    says why it failed (it did not even parse) keeps its own message.
    """
    unplaced: list[str] = []
    for name, messages in errors.items():
        field = form._fields.get((aliases or {}).get(name, name))
        if field is None or name == "csrf_token":
            unplaced.extend(messages)
        elif not field.errors:
            field.errors = list(messages)
    return unplaced


# --- durations: typed as a number and a unit, stored as minutes ------------------------------------------

UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}


def describe_span(span: timedelta) -> str:
    """"12 hours", "30 days", "1 day", "5 minutes": how long, in a studio owner's words (the largest whole unit)."""
    seconds = int(span.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        whole = seconds >= size and seconds % size == 0
        if whole or (unit == "minute" and seconds >= size):  # minutes: rounded down
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def describe_minutes(minutes: int) -> str:
    """A number of minutes in words: "7 days", "2 hours", "90 minutes", "no time" for 0."""
    return describe_span(timedelta(minutes=minutes)) if minutes else "no time"


def in_largest_unit(minutes: int | None) -> tuple[int | None, str]:
    """(number, unit) showing `minutes` in the largest unit that keeps it whole: 10080 → (7, "days")."""
    if minutes is None:
        return None, "minutes"
    for unit in ("days", "hours"):
        if minutes and minutes % UNIT_MINUTES[unit] == 0:
            return minutes // UNIT_MINUTES[unit], unit
    return minutes, "minutes"


class DurationField(Field):
    """A span of time typed as a whole number and a unit (minutes, hours, days): `data` is whole minutes, None
    when blank. Rendered by `duration_field` in templates/_macros/forms.html; the unit is `<name>_unit`."""

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = self.data = data
        self.typed: tuple[str, str] | None = None
        if formdata is None or self.name not in formdata:
            return
        raw, unit = (formdata.get(self.name) or "").strip(), formdata.get(f"{self.name}_unit") or "minutes"
        unit = unit if unit in UNIT_MINUTES else "minutes"
        self.typed, self.data = (raw, unit), None
        if raw:
            try:
                self.data = int(raw) * UNIT_MINUTES[unit]
            except ValueError:
                self.process_errors.append("Enter a whole number, such as 2.")

    @property
    def unit_name(self) -> str:
        return f"{self.name}_unit"

    def shown(self) -> tuple[str, str]:
        """What the boxes show: what was typed (a form sent back), else the value in its largest whole unit."""
        if self.typed is not None:
            return self.typed
        number, unit = in_largest_unit(self.data)
        return ("" if number is None else str(number)), unit

    def _value(self) -> str:
        return self.shown()[0]
