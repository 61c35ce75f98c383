"""The schedule's domain errors (web layers map them to form messages, flashes and problem+json)."""

from __future__ import annotations

from typing import TypeVar

from nexphys.errors import Conflict, DomainError, Invalid, NotFound

Row = TypeVar("Row")


class ScheduleError(DomainError):
    """Base of the schedule's errors; the message is safe to show."""


class ScheduleInvalid(ScheduleError, Invalid):
    """Field → messages for bad input (a form's field errors, or a 422's `errors`)."""


class ScheduleNotFound(ScheduleError, NotFound):
    """No such class type, room, series or session in this studio."""


class ScheduleConflict(ScheduleError, Conflict):
    """The change contradicts the current state (e.g. a capacity below the seats already booked)."""


def found(row: Row | None, what: str) -> Row:
    """`row` as looked up by id, or ScheduleNotFound naming `what` was asked for."""
    if row is None:
        raise ScheduleNotFound(f"There is no such {what}.")
    return row
