"""Tenant metadata cache: in-process entries for TENANT_CACHE_SECONDS, then Redis, then the database.

A change to a tenant (status, domains, name) deletes its Redis entries in the same call that commits
it, so every app process sees the change once its short in-process entry expires (half a second by
default). With Redis down, lookups go to the database.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable

import redis
from flask import Flask, current_app

from nexphys.kv import breaker, get_redis
from nexphys.tenancy.context import TenantInfo

log = logging.getLogger(__name__)

LookupKey = tuple[str, str]  # (kind, value): ("subdomain", "gym-abc"), ("custom", host), ("slug", s), ("id", "7")
Loader = Callable[[str, str], TenantInfo | None]
_MISSING = object()


def redis_key(key: LookupKey) -> str:
    return f"nexphys:tenant:{key[0]}:{key[1]}"


class TenantCache:
    def __init__(self, app: Flask, loader: Loader) -> None:
        self.app = app
        self.loader = loader
        self.local_seconds = float(app.config["TENANT_CACHE_SECONDS"])
        self.redis_seconds = int(app.config["TENANT_REDIS_CACHE_SECONDS"])
        self._local: dict[LookupKey, tuple[float, TenantInfo | None]] = {}

    def get(self, kind: str, value: str) -> TenantInfo | None:
        key = (kind, value)
        now = time.monotonic()
        hit = self._local.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = self._from_redis(key)
        if tenant is _MISSING:
            tenant = self.loader(kind, value)
            self._to_redis(key, tenant)
        self._local[key] = (now + self.local_seconds, tenant)
        return tenant

    def forget_local(self) -> None:
        self._local.clear()

    def _from_redis(self, key: LookupKey):
        if not breaker(self.app).available:
            return _MISSING
        try:
            raw = get_redis(self.app).get(redis_key(key))
        except redis.RedisError:
            breaker(self.app).failed()
            log.warning("tenant cache: Redis unavailable, reading the registry from the database")
            return _MISSING
        if raw is None:
            return _MISSING
        data = json.loads(raw)
        return TenantInfo(**data) if data else None

    def _to_redis(self, key: LookupKey, tenant: TenantInfo | None) -> None:
        if not breaker(self.app).available:
            return
        payload = json.dumps(tenant.to_dict() if tenant else None)
        # Unknown names are remembered briefly only: a tenant created next must not wait for them.
        ttl = self.redis_seconds if tenant else 5
        try:
            get_redis(self.app).set(redis_key(key), payload, ex=ttl)
        except redis.RedisError:
            breaker(self.app).failed()


def lookup_keys(tenant_id: int, slug: str, domains: Iterable[tuple[str, str]]) -> list[LookupKey]:
    """Every cache key under which a tenant can be found."""
    return [("id", str(tenant_id)), ("slug", slug), *domains]


def invalidate(keys: Iterable[LookupKey], app: Flask | None = None) -> None:
    """Drop a tenant's cached entries everywhere; call after its change is committed."""
    app = app or current_app._get_current_object()
    keys = list(keys)
    cache: TenantCache | None = app.extensions.get("nexphys_tenant_cache")
    if cache is not None:
        for key in keys:
            cache._local.pop(key, None)
    try:
        get_redis(app).delete(*[redis_key(k) for k in keys])
    except redis.RedisError:
        # Other processes fall back to their short local entries and then the database.
        log.warning("tenant cache: could not invalidate %s in Redis", keys)


def tenant_cache(app: Flask | None = None) -> TenantCache:
    return (app or current_app).extensions["nexphys_tenant_cache"]
