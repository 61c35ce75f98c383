"""The base of every domain's errors: a rule said no, in words for people, with the HTTP answer it means.

Services raise these; they never know about HTTP or pages. The web layer maps them once: to
problem+json for the API and JSON askers (nexphys.web.errors), and to form messages or flashes for
pages (nexphys.web.forms.attach_errors, or the error page when a view does not catch them).
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal. `message` is safe to show; `errors` maps field names to messages (optional)."""

    status = 409
    problem_type: str | None = None  # problem+json `type` is "/problems/<problem_type>" (else about:blank)

    def __init__(self, message: str = "", errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}

    @property
    def detail(self) -> str:
        """The problem+json `detail`."""
        return self.message

    def problem_extra(self) -> dict:
        """Members of the problem+json answer beyond the standard ones."""
        return {}


class NotFound(DomainError):
    """No such thing in this studio (or not visible to the caller)."""

    status = 404


class Invalid(DomainError):
    """Bad input: `errors` says which fields and why."""

    status = 422
    problem_type = "validation-failed"

    def __init__(self, errors: dict[str, list[str]], message: str | None = None) -> None:
        super().__init__(message or "Some fields are not valid: " + ", ".join(sorted(errors)), errors)

    @property
    def detail(self) -> str:
        return "The request has invalid fields."


class Conflict(DomainError):
    """The request contradicts the current state (taken, in use, already done…)."""

    status = 409


class NotAllowed(DomainError):
    """The caller may not do this (to this record)."""

    status = 403
