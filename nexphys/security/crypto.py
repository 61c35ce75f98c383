"""Encryption at rest for sensitive columns (phone, emergency contact, health notes).

AES-256-GCM with the tenant in the associated data: a ciphertext copied into another tenant's row
does not decrypt. Keys come from NEXPHYS_DATA_KEYS ("kid:base64key,kid:base64key"); the first key
encrypts, every key decrypts, so rotation is: put a new key first, run `flask keys rotate`, then drop
the old key. Stored form: "v1.<kid>.<base64(nonce || ciphertext)>".
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from nexphys.tenancy.context import require_tenant

VERSION = "v1"


class DecryptionError(ValueError):
    """A stored value could not be decrypted with any configured key (or for this tenant)."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active: str

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        order = []
        for item in filter(None, (part.strip() for part in spec.split(","))):
            kid, _, encoded = item.partition(":")
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if not kid.isalnum() or len(key) != 32:
                raise ValueError("NEXPHYS_DATA_KEYS entries are 'kid:<base64 of 32 bytes>' with an alphanumeric kid")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise ValueError("NEXPHYS_DATA_KEYS holds no key")
        return cls(keys, order[0])

    def encrypt(self, plaintext: str, context: bytes) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode(), context)
        return f"{VERSION}.{self.active}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, context: bytes) -> str:
        try:
            version, kid, payload = stored.split(".", 2)
            raw = base64.urlsafe_b64decode(payload)
            if version != VERSION:
                raise ValueError(version)
            return AESGCM(self.keys[kid]).decrypt(raw[:12], raw[12:], context).decode()
        except (ValueError, KeyError, InvalidTag) as exc:
            raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc

    def key_id(self, stored: str) -> str:
        return stored.split(".", 2)[1]


def generate_key_spec(kid: str = "k1") -> str:
    return f"{kid}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"


def key_ring() -> KeyRing:
    ring = current_app.extensions.get("nexphys_key_ring")
    if ring is None:
        ring = current_app.extensions["nexphys_key_ring"] = KeyRing.parse(current_app.config["NEXPHYS_DATA_KEYS"])
    return ring


def encryption_context(column: str) -> bytes:
    tenant = require_tenant()
    return f"nexphys:{tenant.id}:{tenant.schema_name}:{column}".encode()


class EncryptedText(sa.TypeDecorator):
    """A text column stored encrypted for the bound tenant; None stays NULL."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return None
        return key_ring().encrypt(str(value), encryption_context(self.column))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return key_ring().decrypt(value, encryption_context(self.column))
