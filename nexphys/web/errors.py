"""Error answers: HTML pages for browsers, RFC 9457 problem+json for API clients and JSON askers."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

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


def _carried_headers(exc: HTTPException) -> dict:
    keep = ("Retry-After", "WWW-Authenticate", "Allow")
    if exc.code == 401 and wants_json():
        return {"WWW-Authenticate": 'Bearer realm="nexphys"'}
    return {k: v for k, v in exc.get_headers() if k in keep}


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    title = exc.name
    detail = exc.description
    headers = _carried_headers(exc)
    if wants_json():
        return problem(status, title, detail, getattr(exc, "problem_type", None),
                       errors=getattr(exc, "errors", None), headers=headers)
    from nexphys.tenancy.context import current_tenant

    tenant = current_tenant()
    html = render_template("errors/error.html", status=status, title=title, detail=detail, tenant=tenant,
                           brand_color=tenant.brand_color if tenant else None)
    return html, status, headers


def handle_unexpected(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
