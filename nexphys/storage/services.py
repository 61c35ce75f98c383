"""Storing and removing the bound studio's pictures, and their addresses.

A stored file is a row in `files` and an object in storage under a key this module makes:
"<studio id>/<purpose>/<32 random hex>.<ext>". Keys never change meaning (a new picture is a new key), so
their answers may be cached for a year. Bytes are written before the row (a failed request leaves at most
an unreferenced object, never a row without bytes) and deleted only once the removal has committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, g, has_request_context, url_for

from nexphys.audit.services import record
from nexphys.extensions import db
from nexphys.storage import images
from nexphys.storage.base import storage
from nexphys.storage.models import StoredFile
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.transactions import after_commit
from nexphys.tenancy.urls import studio_url
from nexphys.web.access import Principal

PURPOSES = tuple(images.SIZES)
UPLOADED, REMOVED = "file.uploaded", "file.removed"


def new_key(purpose: str, extension: str) -> str:
    """A fresh key in the bound studio's space (the studio comes from the request, never from input)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    return f"{require_tenant().id}/{purpose}/{secrets.token_hex(16)}.{extension}"


def store_image(data: bytes, purpose: str, actor: Principal | None, about: str | None = None) -> StoredFile:
    """Check and shrink an uploaded picture (ImageRefused says why not), store it and record it. Flushes."""
    prepared = images.prepare(data, purpose)
    key = new_key(purpose, prepared.extension)
    stored = storage().save(key, prepared.data, prepared.content_type)
    row = StoredFile(key=key, purpose=purpose, content_type=stored.content_type, size=stored.size,
                     width=prepared.width, height=prepared.height,
                     uploaded_by=actor.person_id if actor else None)
    db.session.add(row)
    db.session.flush()
    if actor is not None:
        record(UPLOADED, actor.label, actor.person_id, target=about,
               details={"purpose": purpose, "key": key, "size": stored.size,
                        "width": prepared.width, "height": prepared.height})
    return row


def discard(key: str | None) -> None:
    """Forget a file that is no longer used: its row now, its bytes once this transaction commits."""
    if not key:
        return
    db.session.execute(sa.delete(StoredFile).where(StoredFile.key == key))
    app = current_app._get_current_object()
    after_commit(lambda: storage(app).delete(key))


def url_builder(external: bool = False) -> Callable[[str | None], str | None]:
    """`file_url` for many keys at once (a timetable's cards): the route's address is built once, not per key."""
    backend = storage()
    if backend.url("0/logo/" + "0" * 32 + ".png") is not None:
        return lambda key: backend.url(key) if key else None
    head = url_for("files.serve", purpose="P", name="N", _external=external).rsplit("P/N", 1)[0]
    return lambda key: head + key.split("/", 1)[1] if key else None


def picture_url(key: str | None) -> str | None:
    """`file_url(key)` in a request that shows many (its builder is made once per request)."""
    if not key:
        return None
    if "_nexphys_file_urls" not in g:
        g._nexphys_file_urls = url_builder()
    return g._nexphys_file_urls(key)


def file_url(key: str | None, external: bool = False) -> str | None:
    """Where a browser (or, `external`, a mail app) fetches the file; None for no file."""
    if not key:
        return None
    direct = storage().url(key)
    if direct:
        return direct
    _studio, purpose, name = key.split("/", 2)
    if external and not has_request_context():  # an email written by a job: the studio's configured address
        return studio_url(require_tenant().slug) + f"files/{purpose}/{name}"
    return url_for("files.serve", purpose=purpose, name=name, _external=external)
