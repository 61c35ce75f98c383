"""Exercises made for tests through the library's own service."""

from __future__ import annotations

from tests.factories import unique
from tests.running import run


def make_exercise(app, tenant, **fields) -> int:
    """A new exercise in the studio's library (a unique name unless given); returns its id."""
    from nexphys.workouts.services import create_exercise

    values = {"name": unique("Test lift"), "category": "strength", **fields}
    return run(app, tenant, lambda: create_exercise(values).id)


def make_workout(app, tenant, *blocks: list[dict], program_id: int | None = None, day_number: int | None = None,
                 title: str = "Test workout", scoring: str = "none") -> int:
    """A workout made of blocks, each a list of prescriptions (dicts of Prescription fields; `exercise_id`
    required; a block's own fields under the key "block"); returns its id."""
    from nexphys.extensions import db
    from nexphys.workouts.models import Prescription, Workout, WorkoutBlock

    def create() -> int:
        workout = Workout(title=title, scoring=scoring, program_id=program_id, day_number=day_number)
        for position, items in enumerate(blocks, start=1):
            items = [dict(item) for item in items]
            block_fields = next((item.pop("block") for item in items if "block" in item), {})
            block = WorkoutBlock(position=position, **{"kind": "straight", **block_fields})
            block.prescriptions = [Prescription(position=n, **{"sets": 1, "load_kind": "none",
                                                               "set_type": "working", "progression": "none",
                                                               **item})
                                   for n, item in enumerate(items, start=1)]
            workout.blocks.append(block)
        db.session.add(workout)
        db.session.flush()
        return workout.id

    return run(app, tenant, create)


def make_program(app, tenant, weeks: int = 4, name: str | None = None) -> int:
    """An empty program of `weeks` weeks; returns its id."""
    from nexphys.extensions import db
    from nexphys.workouts.models import Program

    def create() -> int:
        program = Program(name=name or unique("Program"), weeks=weeks)
        db.session.add(program)
        db.session.flush()
        return program.id

    return run(app, tenant, create)
