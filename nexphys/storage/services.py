"""Storing and removing the bound studio's pictures, and their addresses.

A stored file is a row in `files` and an object in storage under a key this module makes:
"<studio id>/<purpose>/<32 random hex>.<ext>", with its small variant beside it under the derived key
"<…hex>-thumb.<ext>" (thumbnail_key). Keys never change meaning (a new picture is a new key), so their answers
may be cached for a year. Bytes are written before the row (a failed request leaves at most an unreferenced
object, never a row without bytes) and deleted only once the removal has committed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, url_for

from nexphys.audit.services import record
from nexphys.extensions import db
from nexphys.storage import documents, images
from nexphys.storage.base import StorageUnavailable, storage
from nexphys.storage.models import StoredFile
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.transactions import after_commit
from nexphys.tenancy.urls import studio_url
from nexphys.web.access import Principal

PURPOSES = tuple(images.SIZES)
UPLOADED, REMOVED = "file.uploaded", "file.removed"
THUMB_SUFFIX = "-thumb"
log = logging.getLogger(__name__)


class UploadFailed(images.ImageRefused):
    """The picture was fine but the file store did not take it; said on the form like any refusal."""

    def __init__(self) -> None:
        super().__init__("The picture could not be saved just now: the file store did not answer. "
                         "Nothing was changed. Try again in a minute.")


def thumbnail_key(key: str) -> str:
    """The key of a picture's small variant (derived, so no lookup is needed to address it)."""
    stem, extension = key.rsplit(".", 1)
    return key if stem.endswith(THUMB_SUFFIX) else f"{stem}{THUMB_SUFFIX}.{extension}"


def new_key(purpose: str, extension: str) -> str:
    """A fresh key in the bound studio's space (the studio comes from the request, never from input)."""
    if purpose not in PURPOSES and purpose not in documents.DOCUMENT_PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    return f"{require_tenant().id}/{purpose}/{secrets.token_hex(16)}.{extension}"


def store_image(data: bytes, purpose: str, actor: Principal | None, about: str | None = None) -> StoredFile:
    """Check and shrink an uploaded picture (ImageRefused says why not), store it and record it. Flushes."""
    prepared = images.prepare(data, purpose)
    small = images.thumbnail(prepared.data)
    key = new_key(purpose, prepared.extension)
    backend = storage()
    try:
        stored = backend.save(key, prepared.data, prepared.content_type)
    except StorageUnavailable:
        raise UploadFailed() from None
    try:
        backend.save(thumbnail_key(key), small.data, small.content_type)
    except StorageUnavailable:
        _forget_bytes(key)  # no row will name it: leave no half-stored picture behind either
        raise UploadFailed() from None
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


def store_document(data: bytes, purpose: str, actor: Principal | None, about: str | None = None) -> StoredFile:
    """Check an uploaded PDF (DocumentRefused says why not), store it as it is and record it. Flushes."""
    documents.check_pdf(data)
    key = new_key(purpose, documents.DOCUMENT_PURPOSES[purpose])
    try:
        stored = storage().save(key, data, "application/pdf")
    except StorageUnavailable:
        raise documents.DocumentRefused("The file could not be saved just now: the file store did not answer. "
                                        "Nothing was changed. Try again in a minute.") from None
    row = StoredFile(key=key, purpose=purpose, content_type="application/pdf", size=stored.size, width=0, height=0,
                     uploaded_by=actor.person_id if actor else None)
    db.session.add(row)
    db.session.flush()
    if actor is not None:
        record(UPLOADED, actor.label, actor.person_id, target=about,
               details={"purpose": purpose, "key": key, "size": stored.size})
    return row


def is_document(key: str) -> bool:
    """Whether a stored key is a document (served to staff as a download), not a picture."""
    return key.rsplit(".", 1)[-1] in documents.DOCUMENT_PURPOSES.values()


def discard(key: str | None) -> None:
    """Forget a file that is no longer used: its row now, its bytes once this transaction commits."""
    if not key:
        return
    db.session.execute(sa.delete(StoredFile).where(StoredFile.key == key))
    app = current_app._get_current_object()
    after_commit(lambda: _forget_bytes(key, app))


def _forget_bytes(key: str, app=None) -> None:
    """Delete a picture's bytes and its small variant (a store that does not answer is logged, not raised)."""
    backend = storage(app)
    for each in (key, thumbnail_key(key)):
        try:
            backend.delete(each)
        except StorageUnavailable:
            log.warning("could not delete %s from storage; it is no longer referenced", each)


def url_builder(external: bool = False, thumbnail: bool = False) -> Callable[[str | None], str | None]:
    """`file_url` for many keys at once (a timetable's cards): the route's address is built once, not per key."""
    backend = storage()
    pick = thumbnail_key if thumbnail else str
    if backend.url("0/logo/" + "0" * 32 + ".png") is not None:
        return lambda key: backend.url(pick(key)) if key else None
    head = url_for("files.serve", purpose="P", name="N", _external=external).rsplit("P/N", 1)[0]
    return lambda key: head + pick(key).split("/", 1)[1] if key else None


def picture_url(key: str | None, thumbnail: bool = False) -> str | None:
    """`file_url(key)` in a request that shows many (its builder is made once per request); `thumbnail`: small."""
    if not key:
        return None
    if "_nexphys_file_urls" not in g:
        g._nexphys_file_urls = url_builder()
    return g._nexphys_file_urls(thumbnail_key(key) if thumbnail else key)


def file_url(key: str | None, external: bool = False, thumbnail: bool = False) -> str | None:
    """Where a browser (or, `external`, a mail app) fetches the file (`thumbnail`: its small variant); None for none."""
    if not key:
        return None
    if thumbnail:
        key = thumbnail_key(key)
    direct = storage().url(key)
    if direct:
        return direct
    _studio, purpose, name = key.split("/", 2)
    if external and not has_request_context():  # an email written by a job: the studio's configured address
        return studio_url(require_tenant().slug) + f"files/{purpose}/{name}"
    return url_for("files.serve", purpose=purpose, name=name, _external=external)


def backfill_thumbnails() -> tuple[int, int]:
    """Make the small variant of the bound studio's pictures stored without one; (made, unreadable)."""
    backend, made, unreadable = storage(), 0, 0
    for key in db.session.scalars(sa.select(StoredFile.key).order_by(StoredFile.id)):
        small_key = thumbnail_key(key)
        if backend.exists(small_key):
            continue
        stream = backend.open(key)
        if stream is None:
            unreadable += 1
            continue
        try:
            small = images.thumbnail(stream.read())
        except (images.ImageRefused, OSError):
            unreadable += 1
            continue
        finally:
            stream.close()
        backend.save(small_key, small.data, small.content_type)
        made += 1
    return made, unreadable


def uploaded(name: str) -> bytes | None:
    """The bytes of the request's uploaded file `name` (one more than the limit, so too big is seen), or None."""
    upload = request.files.get(name)
    return upload.read(images.MAX_UPLOAD_BYTES + 1) if upload and upload.filename else None
