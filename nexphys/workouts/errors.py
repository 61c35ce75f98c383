"""The exercise library's domain errors (web layers map them to form messages and problem+json)."""

from __future__ import annotations

from nexphys.errors import DomainError, Invalid, NotFound


class WorkoutsError(DomainError):
    """Base of the workouts domain's errors; the message is safe to show."""


class ExerciseInvalid(WorkoutsError, Invalid):
    """Field → messages for bad input (a form's field errors, or a 422's `errors`)."""


class ExerciseNotFound(WorkoutsError, NotFound):
    """No such exercise in this studio."""


class ProgramInvalid(WorkoutsError, Invalid):
    """Field → messages for a program, a workout's block or prescription, an assignment or a training max."""


class ProgramNotFound(WorkoutsError, NotFound):
    """No such program, workout, block, prescription or assignment in this studio (or not visible)."""
