"""The local-disk backend: one file per key under a directory (instance/uploads by default)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import Flask

from nexphys.storage.base import StorageUnavailable, StoredObject

# Keys are made by the platform; this refuses anything else before it could become a path.
KEY_PATTERN = re.compile(r"[0-9]{1,12}/[a-z_]{1,40}/[0-9a-f]{32}(-thumb)?\.(png|jpg|webp|pdf)")


class LocalStorage:
    """Files on this machine's disk; the app serves them (nexphys.storage.views)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()

    @classmethod
    def from_app(cls, app: Flask) -> LocalStorage:
        return cls(app.config.get("UPLOADS_DIR") or Path(app.instance_path) / "uploads")

    def _path(self, key: str) -> Path:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"not a storage key: {key[:80]!r}")
        return self.root / key

    def save(self, key: str, data: bytes | BinaryIO, content_type: str) -> StoredObject:
        """Write to a temporary file beside the target, then rename: a reader never sees half a file."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        except OSError as exc:  # a full or read-only disk: said in words by the caller, never a 500
            raise StorageUnavailable(str(exc)) from exc
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes | bytearray):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out)
            os.replace(temporary, path)
        except BaseException as exc:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StorageUnavailable(str(exc)) from exc
            raise
        return StoredObject(key=key, content_type=content_type, size=path.stat().st_size)

    def open(self, key: str) -> BinaryIO | None:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, ValueError):
            return None

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str | None:
        return None

    def download_url(self, key: str) -> str | None:
        return None
