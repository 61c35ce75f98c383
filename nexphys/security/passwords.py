"""Password hashing with Argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps both answers equally slow.
_DUMMY_HASH = _hasher.hash("nexphys-no-such-account")

MIN_LENGTH = 10


class WeakPassword(ValueError):
    pass


def check_strength(password: str) -> str:
    if len(password or "") < MIN_LENGTH:
        raise WeakPassword(f"use at least {MIN_LENGTH} characters")
    if password.lower() in {"password123", "1234567890", "qwertyuiop"}:
        raise WeakPassword("that password is too common")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; always does the same work, whether the hash exists or not."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
