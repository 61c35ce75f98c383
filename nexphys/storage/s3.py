"""The S3-compatible backend (boto3): one object per key in one bucket, streamed to browsers through the app.

Files stay served by the studio's own `/files/...` route (nexphys.storage.views), so the host check and any
access rule keep working; the bucket needs no public access. With `S3_SERVE="presigned"` that route answers
with a short-lived signed address of the bucket instead of streaming (the check still runs first).
"""

from __future__ import annotations

import logging
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask

from nexphys.storage.base import StorageUnavailable, StoredObject
from nexphys.storage.local import KEY_PATTERN

log = logging.getLogger(__name__)
_MISSING = {"NoSuchKey", "404", "NotFound"}
PRESIGNED_SECONDS = 300


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, R2 …) under the platform's keys."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, addressing: str = "auto",
                 serve: str = "app", timeout: float = 5.0) -> None:
        if not bucket:
            raise RuntimeError("NEXPHYS_S3_BUCKET must be set when NEXPHYS_STORAGE=s3")
        if serve not in ("app", "presigned"):
            raise RuntimeError(f"NEXPHYS_S3_SERVE must be 'app' or 'presigned', not {serve!r}")
        self.bucket, self.serve = bucket, serve
        # A bucket that does not answer fails an upload in seconds, not after botocore's long default retries.
        config = BotoConfig(connect_timeout=timeout, read_timeout=timeout * 2,
                            retries={"max_attempts": 2, "mode": "standard"},
                            signature_version="s3v4", s3={"addressing_style": addressing})
        # No keys given: boto3's usual chain (AWS_ACCESS_KEY_ID …, ~/.aws, an instance role).
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None, config=config)

    @classmethod
    def from_app(cls, app: Flask) -> S3Storage:
        c = app.config
        return cls(c.get("S3_BUCKET", ""), endpoint_url=c.get("S3_ENDPOINT_URL"), region=c.get("S3_REGION"),
                   access_key=c.get("S3_ACCESS_KEY_ID"), secret_key=c.get("S3_SECRET_ACCESS_KEY"),
                   addressing=c.get("S3_ADDRESSING_STYLE") or "auto", serve=c.get("S3_SERVE") or "app")

    @staticmethod
    def _checked(key: str) -> str:
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"not a storage key: {key[:80]!r}")
        return key

    def save(self, key: str, data: bytes | BinaryIO, content_type: str) -> StoredObject:
        """One PUT: S3 makes an object visible whole or not at all."""
        body = bytes(data) if isinstance(data, bytes | bytearray) else data.read()
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._checked(key), Body=body, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            log.warning("storing %s in bucket %s failed: %s", key, self.bucket, exc)
            raise StorageUnavailable(str(exc)) from exc
        return StoredObject(key=key, content_type=content_type, size=len(body))

    def open(self, key: str) -> BinaryIO | None:
        """The object's body as a stream (read as it is sent on), None when there is none."""
        if not KEY_PATTERN.fullmatch(key):
            return None
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise StorageUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._checked(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise StorageUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(str(exc)) from exc
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._checked(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def url(self, key: str) -> str | None:
        return None  # always the studio's own /files/... address: the host check stays

    def download_url(self, key: str) -> str | None:
        """A signed bucket address valid a few minutes (presigned mode), else None: the app streams it."""
        if self.serve != "presigned":
            return None
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._checked(key)}, ExpiresIn=PRESIGNED_SECONDS)
