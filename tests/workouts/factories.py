"""Exercises made for tests through the library's own service."""

from __future__ import annotations

from tests.factories import unique
from tests.running import run


def make_exercise(app, tenant, **fields) -> int:
    """A new exercise in the studio's library (a unique name unless given); returns its id."""
    from nexphys.workouts.services import create_exercise

    values = {"name": unique("Test lift"), "category": "strength", **fields}
    return run(app, tenant, lambda: create_exercise(values).id)
