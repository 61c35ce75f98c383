"""The equipment domain's errors (web layers map them to form messages, flashes and problem+json)."""

from __future__ import annotations

from typing import TypeVar

from nexphys.errors import Conflict, DomainError, Invalid, NotFound

Row = TypeVar("Row")


class EquipmentError(DomainError):
    """Base of the equipment errors; the message is safe to show."""


class EquipmentInvalid(EquipmentError, Invalid):
    """Field → messages for bad input."""


class EquipmentNotFound(EquipmentError, NotFound):
    """No such asset, report or schedule in this studio."""


class EquipmentConflict(EquipmentError, Conflict):
    """The change contradicts the current state (e.g. a problem already resolved)."""


def found(row: Row | None, what: str) -> Row:
    """`row` as looked up by id, or EquipmentNotFound naming what was asked for."""
    if row is None:
        raise EquipmentNotFound(f"There is no such {what}.")
    return row
