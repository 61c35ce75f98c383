"""The storage interface every backend implements, and the configured backend of the app.

Backends are chosen by `STORAGE_BACKEND` ("local": the disk, the default; "s3": an S3-compatible bucket) and
built once per app, on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol

from flask import Flask, current_app

from nexphys.domains import load

BACKENDS = {"local": "nexphys.storage.local:LocalStorage", "s3": "nexphys.storage.s3:S3Storage"}


class StorageUnavailable(Exception):
    """The backend did not answer or refused (a bucket down or misconfigured); nothing was stored."""


@dataclass(frozen=True)
class StoredObject:
    """What a backend holds under one key."""

    key: str
    content_type: str
    size: int


class Storage(Protocol):
    """Bytes under platform-made keys ("<studio id>/<purpose>/<random>.<ext>"); never a user's path."""

    def save(self, key: str, data: bytes | BinaryIO, content_type: str) -> StoredObject:
        """Store `data` under `key` (a new key each time: stored objects never change)."""
        ...

    def open(self, key: str) -> BinaryIO | None:
        """The object's bytes as a file, or None when there is none under `key`."""
        ...

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object (nothing happens when there is none)."""
        ...

    def url(self, key: str) -> str | None:
        """A direct address to fetch it from (a bucket's), or None when the app serves it itself."""
        ...

    def download_url(self, key: str) -> str | None:
        """Where the app's /files route may send the browser instead of streaming (a signed address), or None."""
        ...


def storage(app: Flask | None = None) -> Storage:
    """The app's configured backend (built on first use)."""
    app = app or current_app._get_current_object()
    backend = app.extensions.get("nexphys_storage")
    if backend is None:
        name = app.config.get("STORAGE_BACKEND", "local")
        if name not in BACKENDS:
            raise RuntimeError(f"STORAGE_BACKEND must be one of {sorted(BACKENDS)}, not {name!r}")
        backend = app.extensions["nexphys_storage"] = load(BACKENDS[name]).from_app(app)
    return backend
