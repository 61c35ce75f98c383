"""Serving a studio's files from its own host: only keys of the bound studio can be asked for."""

from __future__ import annotations

import re

from flask import Blueprint, abort, send_file

from nexphys.storage.base import storage
from nexphys.storage.images import FORMATS
from nexphys.storage.services import PURPOSES
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import public

bp = Blueprint("files", __name__)

_NAME = re.compile(r"[0-9a-f]{32}\.(png|jpg|webp)")
_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}
YEAR = 365 * 24 * 3600


@bp.get("/files/<purpose>/<name>")
@public
def serve(purpose: str, name: str):
    """One stored picture of this studio (a key never changes, so it may be cached for a year)."""
    if purpose not in PURPOSES or not _NAME.fullmatch(name):
        abort(404)  # nothing but a key this platform could have made: no dots, slashes or other names
    # The studio part of the key is the host's own studio: another studio's file cannot be named from here.
    stream = storage().open(f"{require_tenant().id}/{purpose}/{name}")
    if stream is None:
        abort(404)
    response = send_file(stream, mimetype=_TYPES[name.rsplit(".", 1)[1]], etag=name, max_age=YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # mail apps fetch logos from elsewhere
    return response
