"""Tenant metadata cache: in-process entries, then Redis, then the database.

A change to a tenant (status, domains, name) deletes its Redis entries in the same call that commits
it and stamps a new *generation* in Redis. Each app process reads that stamp at most once per
TENANT_CACHE_SECONDS (half a second by default) and keeps its in-process entries while the stamp is
unchanged (for at most TENANT_REDIS_CACHE_SECONDS), so every process sees a change within half a
second, and a process serving many tenants costs Redis one read per half second, not one per tenant.
Per-tenant values read on hot paths (a studio setting every timetable request checks) are kept the
same way (`tenant_value`; `forget_tenant_values` after their change commits). With Redis down, entries
live TENANT_CACHE_SECONDS and lookups go to the database.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app

from nexphys.kv import breaker, get_redis
from nexphys.tenancy.context import TenantInfo, require_tenant
from nexphys.tenancy.transactions import after_commit

log = logging.getLogger(__name__)

LookupKey = tuple[str, str]  # (kind, value): ("subdomain", "gym-abc"), ("custom", host), ("slug", s), ("id", "7")
Loader = Callable[[str, str], TenantInfo | None]
_MISSING = object()
GENERATION_KEY = "nexphys:tenant-cache:generation"
UNKNOWN_SECONDS = 5  # how long a name that matched no tenant is remembered (a tenant created next must not wait)
Entry = tuple[float, str | None, Any]  # (loaded at, generation then, value)


def redis_key(key: LookupKey) -> str:
    return f"nexphys:tenant:{key[0]}:{key[1]}"


class TenantCache:
    def __init__(self, app: Flask, loader: Loader) -> None:
        self.app = app
        self.loader = loader
        self.local_seconds = float(app.config["TENANT_CACHE_SECONDS"])
        self.redis_seconds = int(app.config["TENANT_REDIS_CACHE_SECONDS"])
        self._local: dict[LookupKey, Entry] = {}
        self._values: dict[tuple[int, str], Entry] = {}
        self._generation: str | None = None
        self._generation_read_at = -math.inf

    def generation(self, now: float) -> str | None:
        """The registry's change stamp, read from Redis at most once per local_seconds (None: Redis unavailable)."""
        if now - self._generation_read_at < self.local_seconds:
            return self._generation
        self._generation_read_at = now
        self._generation = None
        if breaker(self.app).available:
            try:
                raw = get_redis(self.app).get(GENERATION_KEY)
                self._generation = raw.decode() if raw is not None else ""
            except redis.RedisError:
                breaker(self.app).failed()
        return self._generation

    def _fresh(self, entry: Entry, now: float, max_seconds: float) -> bool:
        loaded_at, generation, _value = entry
        age = now - loaded_at
        if age < self.local_seconds:
            return True
        if age >= max_seconds or generation is None:
            return False
        return self.generation(now) == generation

    def get(self, kind: str, value: str) -> TenantInfo | None:
        key = (kind, value)
        now = time.monotonic()
        hit = self._local.get(key)
        if hit is not None and self._fresh(hit, now, self.redis_seconds if hit[2] is not None else UNKNOWN_SECONDS):
            return hit[2]
        generation = self.generation(now)
        tenant = self._from_redis(key)
        if tenant is _MISSING:
            try:
                tenant = self.loader(kind, value)
            except sa.exc.OperationalError:
                if hit is None:
                    raise
                return hit[2]  # the database is away: the last answer serves (its pages say "unavailable")
            self._to_redis(key, tenant)
        self._local[key] = (now, generation, tenant)
        return tenant

    def tenant_value(self, tenant_id: int, name: str, load: Callable[[], Any]) -> Any:
        """A per-tenant value kept in process by the rules above; `load()` reads it when stale or missing."""
        key = (tenant_id, name)
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and self._fresh(hit, now, self.redis_seconds):
            return hit[2]
        generation = self.generation(now)
        value = load()
        self._values[key] = (now, generation, value)
        return value

    def forget_local(self) -> None:
        self._local.clear()
        self._values.clear()
        self._generation_read_at = -math.inf

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
        ttl = self.redis_seconds if tenant else UNKNOWN_SECONDS
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
        # Delete, then stamp: a process that reads the new stamp finds no old entry left in Redis.
        get_redis(app).pipeline().delete(*[redis_key(k) for k in keys]).set(GENERATION_KEY, uuid.uuid4().hex).execute()
    except redis.RedisError:
        # Other processes fall back to their short local entries and then the database.
        log.warning("tenant cache: could not invalidate %s in Redis", keys)


def forget_tenant_values(tenant_id: int, app: Flask | None = None) -> None:
    """A tenant's `tenant_value`s changed (committed): drop them here, and stamp so other processes do."""
    app = app or current_app._get_current_object()
    cache: TenantCache | None = app.extensions.get("nexphys_tenant_cache")
    if cache is not None:
        for key in [k for k in list(cache._values) if k[0] == tenant_id]:  # (list: the dev server is threaded)
            cache._values.pop(key, None)
    try:
        get_redis(app).set(GENERATION_KEY, uuid.uuid4().hex)
    except redis.RedisError:
        log.warning("tenant cache: could not stamp a change of tenant %s in Redis", tenant_id)


def forget_all_tenant_values(app: Flask | None = None) -> None:
    """Every process drops its cached tenant entries and values (e.g. after migrations changed grants)."""
    app = app or current_app._get_current_object()
    try:
        get_redis(app).set(GENERATION_KEY, uuid.uuid4().hex)
    except redis.RedisError:
        log.warning("tenant cache: could not stamp a change in Redis")


def cached_tenant_value(name: str, load: Callable[[], Any]) -> Any:
    """A value of the bound tenant kept in process (see `TenantCache.tenant_value`)."""
    return tenant_cache().tenant_value(require_tenant().id, name, load)


def forget_tenant_values_after_commit() -> None:
    """Once the current transaction commits, drop the bound tenant's cached values here and elsewhere."""
    tenant_id, app = require_tenant().id, current_app._get_current_object()
    after_commit(lambda: forget_tenant_values(tenant_id, app))


def tenant_cache(app: Flask | None = None) -> TenantCache:
    return (app or current_app).extensions["nexphys_tenant_cache"]
