"""The app's Redis client: one per app, created lazily, with short timeouts so an outage degrades."""

from __future__ import annotations

import time

import redis
from flask import Flask, current_app

EXTENSION_KEY = "nexphys_redis"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = redis.Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
    )
    app.extensions["nexphys_redis_breaker"] = RedisBreaker()


def get_redis(app: Flask | None = None) -> redis.Redis:
    return (app or current_app).extensions[EXTENSION_KEY]


class RedisBreaker:
    """Skips Redis for a few seconds after it failed, so an outage costs one timeout, not one per request."""

    def __init__(self, cool_down: float = 3.0) -> None:
        self.cool_down = cool_down
        self._open_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._open_until

    def failed(self) -> None:
        self._open_until = time.monotonic() + self.cool_down


def breaker(app: Flask | None = None) -> RedisBreaker:
    return (app or current_app).extensions["nexphys_redis_breaker"]
