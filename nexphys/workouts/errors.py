"""The exercise library's domain errors (web layers map them to form messages and problem+json)."""

from __future__ import annotations

from nexphys.errors import DomainError, Invalid, NotAllowed, NotFound


class WorkoutsError(DomainError):
    """Base of the workouts domain's errors; the message is safe to show."""


class ExerciseInvalid(WorkoutsError, Invalid):
    """Field → messages for bad input (a form's field errors, or a 422's `errors`)."""


class ExerciseNotFound(WorkoutsError, NotFound):
    """No such exercise in this studio."""


class LogInvalid(WorkoutsError, Invalid):
    """Field → messages for a training log that cannot be saved as given."""


class LogNotFound(WorkoutsError, NotFound):
    """No such training log in this studio (or not the caller's to see)."""


class LogNotAllowed(WorkoutsError, NotAllowed):
    """The caller may not log for that person or that class."""


class ProgramInvalid(WorkoutsError, Invalid):
    """Field → messages for a program, a workout's block or prescription, an assignment or a training max."""


class ProgramNotFound(WorkoutsError, NotFound):
    """No such program, workout, block, prescription or assignment in this studio (or not visible)."""
