"""Error answers: HTML pages for browsers, RFC 9457 problem+json for API clients and JSON askers.

Domain errors (nexphys.errors.DomainError) are mapped here once: a view that does not turn one into
form messages itself gets the error's own status, words and field errors.
"""

from __future__ import annotations

import contextlib
import logging

import sqlalchemy as sa
from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from nexphys.errors import DomainError
from nexphys.extensions import db

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def wants_json() -> bool:
    """API paths always get JSON; elsewhere, whoever prefers JSON over HTML in Accept."""
    if request.path.startswith("/api/") or request.path.startswith("/health"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    return best in ("application/json", PROBLEM_JSON)


def problem(status: int, title: str, detail: str | None = None, type_: str | None = None,
            errors: dict | None = None, headers: dict | None = None, extra: dict | None = None) -> Response:
    """A problem+json answer; `extra` adds members of its own (RFC 9457 extensions, e.g. a booking's `reason`)."""
    body = {"type": f"/problems/{type_}" if type_ else "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_page(status: int, title: str, detail: str | None, headers: dict | None = None):
    """The HTML error page, on the studio's pages when there is one; with Retry-After it reloads itself then."""
    retry_after = (headers or {}).get("Retry-After")
    page = render_template("errors/error.html", status=status, title=title, detail=detail,
                           retry_after=retry_after if retry_after and retry_after.isdigit() else None)
    return page, status, headers or {}


def _carried_headers(exc: HTTPException) -> dict:
    keep = ("Retry-After", "WWW-Authenticate", "Allow")
    if exc.code == 401 and wants_json():
        return {"WWW-Authenticate": 'Bearer realm="nexphys"'}
    return {k: v for k, v in exc.get_headers() if k in keep}


# Pages in words a visitor understands, where the server would say only its stock sentence.
PLAIN_WORDS = {
    400: ("That request did not make sense", "Something in the link or the form was not what this page expects. "
                                             "Go back and try again."),
    401: ("Please sign in", "Sign in to see this page."),
    403: ("This page is not open to you", "Your account here does not include it. If you need it, ask the "
                                          "studio's owner to change your role."),
    404: ("We cannot find that page", "The link may be old, or the page has moved. The menu above leads "
                                      "everywhere you can go."),
    405: ("That did not work", "This page cannot do that. Go back and try again."),
    413: ("That file is too big", "Pictures can be at most 10 MB. Go back and choose a smaller one."),
    500: ("Something went wrong on our side", "It was not anything you did, and nothing was saved. Try again in "
                                              "a moment; if it keeps happening, tell the studio."),
}


def _stock_description(status: int) -> str | None:
    stock = default_exceptions.get(status)
    return stock.description if stock else None


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    headers = _carried_headers(exc)
    if wants_json():
        return problem(status, exc.name, exc.description, getattr(exc, "problem_type", None),
                       errors=getattr(exc, "errors", None), headers=headers)
    title, detail = exc.name, exc.description
    if status in PLAIN_WORDS:
        plain_title, plain_detail = PLAIN_WORDS[status]
        title = plain_title
        # The server's stock sentence gives way; a view's own reason ("There is no such class.") stays.
        detail = plain_detail if exc.description == _stock_description(status) else exc.description
    return error_page(status, title, detail, headers)


def handle_domain_error(exc: DomainError):
    """A refusal no view turned into form messages: its status, words and field errors."""
    title = HTTP_STATUS_CODES.get(exc.status, "Refused")
    if wants_json():
        return problem(exc.status, title, exc.detail, exc.problem_type, errors=exc.errors or None,
                       extra=exc.problem_extra())
    return error_page(exc.status, title, exc.message)


def handle_unexpected(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


UNAVAILABLE_RETRY_SECONDS = 5


def handle_database_unavailable(exc: Exception):
    """PostgreSQL is restarting or unreachable: 503 with Retry-After, never a 500 (nothing was committed)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, str(exc).splitlines()[0])
    with contextlib.suppress(Exception):  # the session's connection is gone; let the pool forget it
        db.session.rollback()
    g.database_unavailable = True  # the page renders without asking the database who is signed in
    title = "Unavailable for a moment"
    detail = "We could not reach the studio's data. Please try again in a few seconds."
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}
    if wants_json():
        return problem(503, title, detail, "unavailable", headers=headers)
    return error_page(503, title, detail, headers)


def init_app(app: Flask) -> None:
    for database_error in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
        app.register_error_handler(database_error, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
