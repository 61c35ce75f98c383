"""Shared pieces of the JSON API: the request's JSON body, validation errors as problem+json (RFC 9457),
and page numbers of HTML lists (the API's lists take theirs from nexphys.web.schemas.PageQuery)."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest, HTTPException, UnsupportedMediaType


class ValidationFailed(HTTPException):
    """422 with field → messages, rendered as problem+json with `errors`."""

    code = 422
    problem_type = "validation-failed"
    description = "The request has invalid fields."

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        super().__init__(description=detail or self.description)
        self.errors = errors


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 for another content type, 400 for malformed JSON or a non-object."""
    if not request.is_json:
        raise UnsupportedMediaType("Send JSON with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.")
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


def page_args(default_per_page: int = 25, max_per_page: int = 100) -> tuple[int, int]:
    """?page=&per_page= with sane bounds (400 for non-numbers)."""
    try:
        page = min(max(int(request.args.get("page", 1)), 1), 2**53)  # further, OFFSET overflows PostgreSQL's bigint
        per_page = min(max(int(request.args.get("per_page", default_per_page)), 1), max_per_page)
    except ValueError as exc:
        raise BadRequest("page and per_page must be whole numbers") from exc
    return page, per_page
