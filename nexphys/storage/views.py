"""Serving a studio's files from its own host: only keys of the bound studio can be asked for."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, abort, redirect, send_file, url_for

from nexphys.storage.base import StorageUnavailable, storage
from nexphys.storage.images import FORMATS
from nexphys.storage.services import PURPOSES, THUMB_SUFFIX
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import public

bp = Blueprint("files", __name__)
log = logging.getLogger(__name__)

_NAME = re.compile(r"[0-9a-f]{32}(-thumb)?\.(png|jpg|webp)")
_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}
YEAR = 365 * 24 * 3600


@bp.get("/files/<purpose>/<name>")
@public
def serve(purpose: str, name: str):
    """One stored picture of this studio (a key never changes, so it may be cached for a year)."""
    if purpose not in PURPOSES or not _NAME.fullmatch(name):
        abort(404)  # nothing but a key this platform could have made: no dots, slashes or other names
    # The studio part of the key is the host's own studio: another studio's file cannot be named from here.
    key = f"{require_tenant().id}/{purpose}/{name}"
    backend = storage()
    signed, stream = backend.download_url(key), None  # signing is local: no request to the store
    try:
        found = backend.exists(key) if signed else (stream := backend.open(key)) is not None
    except StorageUnavailable as exc:
        log.warning("the file store did not answer for %s: %s", key, exc)
        abort(503)
    if found and signed:  # presigned mode: the checks above ran; the browser fetches the bytes from the bucket
        response = redirect(signed, 302)
        response.headers["Cache-Control"] = "private, max-age=60"
        return response
    if not found:
        return _full_instead(purpose, name)
    response = send_file(stream, mimetype=_TYPES[name.rsplit(".", 1)[1]], etag=name, max_age=YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # mail apps fetch logos from elsewhere
    return response


def _full_instead(purpose: str, name: str):
    """A picture stored before thumbnails has none: send its full one (until backfilled), else nothing."""
    stem, extension = name.rsplit(".", 1)
    full = f"{stem.removesuffix(THUMB_SUFFIX)}.{extension}"
    try:
        exists = stem.endswith(THUMB_SUFFIX) and storage().exists(f"{require_tenant().id}/{purpose}/{full}")
    except StorageUnavailable:
        abort(503)
    if not exists:
        abort(404)
    response = redirect(url_for("files.serve", purpose=purpose, name=full), 302)
    response.headers["Cache-Control"] = "public, max-age=3600"  # short: a backfilled thumbnail is picked up
    return response
