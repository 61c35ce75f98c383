"""Refuse text PostgreSQL cannot store before any view sees it: the NUL character.

A NUL in a query string, a form, a JSON body or the path would reach a query and fail there (psycopg2
refuses it), a 500. Checked once here for every request, so no form or API field can forget it.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

NUL_REFUSED = "Text cannot contain the NUL character (\\0). Remove it and try again."


def _has_nul() -> bool:
    if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
        return True
    if request.mimetype == "application/json":
        body = request.get_data(cache=True)
        return b"\\u0000" in body or b"\x00" in body
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in value for value in request.form.values())
    return False


def refuse_nul_characters() -> None:
    if (request.method != "GET" or request.query_string or "\x00" in request.path) and _has_nul():
        raise BadRequest(NUL_REFUSED)


def init_app(app: Flask) -> None:
    # First of all request hooks: even the tenant and credential lookups never see a NUL.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_characters)
