"""Hand a freshly made secret from a POST to the page after its redirect, once, through Redis.

The secret is kept for a minute under a random reveal token scoped to the tenant, and deleted when
read; it never goes into the session cookie. `keep` answers None when Redis is unavailable, and the
caller then renders the secret directly instead of redirecting.
"""

from __future__ import annotations

import secrets

import redis

from nexphys.kv import breaker, get_redis
from nexphys.tenancy.context import require_tenant

TTL_SECONDS = 60


def _key(reveal: str) -> str:
    return f"nexphys:reveal:{require_tenant().id}:{reveal}"


def keep(secret: str) -> str | None:
    reveal = secrets.token_urlsafe(16)
    try:
        get_redis().set(_key(reveal), secret, ex=TTL_SECONDS)
    except redis.RedisError:
        breaker().failed()
        return None
    return reveal


def take(reveal: str) -> str | None:
    """The kept secret, once; None when unknown, expired or already shown."""
    if not reveal:
        return None
    try:
        value = get_redis().getdel(_key(reveal))
    except redis.RedisError:
        return None
    return value.decode() if value else None
