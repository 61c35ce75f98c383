"""Configuration from the environment; validate() fails fast on what production cannot run without."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nexphys.security.crypto import generate_key_spec

DEV_SECRET_PREFIX = "dev-insecure-"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _flag(name: str) -> bool | None:
    """An on/off environment variable ("1", "true", "yes", "on" or their opposites); None when unset."""
    value = os.environ.get(name, "").strip().lower()
    return None if not value else value in ("1", "true", "yes", "on")


def _instance_value(name: str, make: Callable[[], str]) -> str:
    """A per-checkout development value kept in instance/, so every process of `make run` agrees."""
    path = Path(__file__).resolve().parent.parent / "instance" / name
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        try:
            with open(path, "x") as handle:  # exclusive: concurrent starters keep the first value
                handle.write(make())
        except FileExistsError:
            pass
    return path.read_text().strip()


def _development_secret() -> str:
    return _instance_value("secret_key", lambda: DEV_SECRET_PREFIX + secrets.token_hex(24))


def _development_data_keys() -> str:
    return _instance_value("data_keys", lambda: generate_key_spec("dev1"))


def sqlalchemy_url(url: str) -> str:
    """DATABASE_URL as SQLAlchemy should read it: psycopg2 (SQLAlchemy 2.1 defaults to psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


@dataclass
class Config:
    """Settings read once at app creation. Flask reads the upper-case attributes."""

    SQLALCHEMY_DATABASE_URI: str = ""
    REDIS_URL: str = ""
    SECRET_KEY: str = ""
    NEXPHYS_BASE_DOMAIN: str = "localhost"
    PORT: int = 5000
    # The port in links that jobs and the CLI write (emails): the web port, whatever port a worker has.
    PUBLIC_PORT: int = 5000
    NEXPHYS_ENV: str = "development"
    TESTING: bool = False
    # One pool per process for every tenant: its size bounds PostgreSQL connections, not the tenant count.
    DB_POOL_SIZE: int = 5
    DB_MAX_OVERFLOW: int = 5
    TENANT_CACHE_SECONDS: float = 0.5
    TENANT_REDIS_CACHE_SECONDS: int = 60
    MIGRATION_WORKERS: int = 2
    # Spare tenant schemas kept built at head, so a new tenant claims one instead of waiting for DDL.
    SCHEMA_POOL_SIZE: int = 0
    PREFERRED_URL_SCHEME: str = "http"
    APP_VERSION: str = "0.1.0"
    # Encryption keys for sensitive columns: "kid:base64key[,older…]", the first one encrypts.
    NEXPHYS_DATA_KEYS: str = ""
    ACCESS_TOKEN_SECONDS: int = 900
    REFRESH_TOKEN_DAYS: int = 30
    PASSWORD_RESET_SECONDS: int = 3600
    KIOSK_RESET_SECONDS: int = 6  # how long a kiosk's welcome (or reason) stays up before the next member
    INVITE_SECONDS: int = 7 * 24 * 3600
    SMTP_URL: str = ""
    MAIL_FROM: str = "nexphys <no-reply@nexphys.example>"
    LOGIN_LIMIT_PER_ACCOUNT: str = "5 per minute"
    LOGIN_LIMIT_PER_IP: str = "20 per minute"
    # Sign-ups (a studio's /join, the apex's "start a studio"): each sends an email, so fewer than sign-ins.
    SIGN_UP_LIMIT_PER_EMAIL: str = "5 per hour"
    SIGN_UP_LIMIT_PER_IP: str = "30 per hour"
    # API rate limits (nexphys.security.rate_limits): "enforce", "report" (count and send the headers, refuse
    # nothing) or "off"; requests a minute for a studio whose plan sets none (and on the apex host).
    API_RATE_LIMITS: str = "enforce"
    API_REQUESTS_PER_MINUTE_PER_KEY: int = 300
    API_REQUESTS_PER_MINUTE_PER_STUDIO: int = 1500
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are believed (0: none, so a
    # forged header changes nothing). nexphys.security.http installs ProxyFix with it.
    TRUSTED_PROXY_HOPS: int = 0
    # Redirect plain HTTP to https and send HSTS; None means "in production only" (nexphys.security.http).
    FORCE_HTTPS: bool | None = None
    # Monitoring's key to /health's details (sent as X-Operator-Token); platform admins see them signed in.
    OPERATOR_TOKEN: str = ""
    # Uploaded pictures (nexphys.storage): the backend, and the local one's directory ("": instance/uploads).
    STORAGE_BACKEND: str = "local"
    UPLOADS_DIR: str = ""
    # The "s3" backend (nexphys.storage.s3): bucket, endpoint (empty: AWS itself), region, keys (empty: boto3's
    # usual AWS_* variables or role), addressing ("auto", "path" for most S3-compatibles, "virtual") and how
    # /files answers ("app" streams through the studio's host; "presigned" redirects there after the checks).
    S3_BUCKET: str = ""
    S3_ENDPOINT_URL: str = ""
    S3_REGION: str = ""
    S3_ACCESS_KEY_ID: str = ""
    S3_SECRET_ACCESS_KEY: str = ""
    S3_ADDRESSING_STYLE: str = "auto"
    S3_SERVE: str = "app"
    # No request body larger than this is read at all (a picture may be 10 MB; the form around it is small).
    MAX_CONTENT_LENGTH: int = 16 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ.get("NEXPHYS_ENV", "development")
        secret = os.environ.get("SECRET_KEY") or (_development_secret() if env != "production" else "")
        return cls(
            SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", ""),
            REDIS_URL=os.environ.get("REDIS_URL", ""),
            SECRET_KEY=secret,
            NEXPHYS_BASE_DOMAIN=os.environ.get("NEXPHYS_BASE_DOMAIN", "localhost").lower().strip("."),
            PORT=_int("PORT", 5000),
            PUBLIC_PORT=_int("NEXPHYS_PUBLIC_PORT", _int("PORT", 5000)),
            NEXPHYS_ENV=env,
            DB_POOL_SIZE=_int("DB_POOL_SIZE", 5),
            DB_MAX_OVERFLOW=_int("DB_MAX_OVERFLOW", 5),
            MIGRATION_WORKERS=_int("NEXPHYS_MIGRATION_WORKERS", min(4, os.cpu_count() or 2)),
            SCHEMA_POOL_SIZE=_int("NEXPHYS_SCHEMA_POOL_SIZE", 0),
            APP_VERSION=os.environ.get("APP_VERSION", "0.1.0"),
            NEXPHYS_DATA_KEYS=os.environ.get("NEXPHYS_DATA_KEYS")
            or (_development_data_keys() if env != "production" else ""),
            SMTP_URL=os.environ.get("SMTP_URL", ""),
            API_RATE_LIMITS=os.environ.get("NEXPHYS_API_RATE_LIMITS", "enforce"),
            API_REQUESTS_PER_MINUTE_PER_KEY=_int("NEXPHYS_API_REQUESTS_PER_MINUTE_PER_KEY", 300),
            API_REQUESTS_PER_MINUTE_PER_STUDIO=_int("NEXPHYS_API_REQUESTS_PER_MINUTE_PER_STUDIO", 1500),
            TRUSTED_PROXY_HOPS=_int("NEXPHYS_TRUSTED_PROXIES", 0),
            FORCE_HTTPS=_flag("NEXPHYS_FORCE_HTTPS"),
            MAIL_FROM=os.environ.get("MAIL_FROM", "nexphys <no-reply@nexphys.example>"),
            OPERATOR_TOKEN=os.environ.get("NEXPHYS_OPERATOR_TOKEN", ""),
            STORAGE_BACKEND=os.environ.get("NEXPHYS_STORAGE", "local"),
            UPLOADS_DIR=os.environ.get("NEXPHYS_UPLOADS_DIR", ""),
            S3_BUCKET=os.environ.get("NEXPHYS_S3_BUCKET", ""),
            S3_ENDPOINT_URL=os.environ.get("NEXPHYS_S3_ENDPOINT_URL", ""),
            S3_REGION=os.environ.get("NEXPHYS_S3_REGION") or os.environ.get("AWS_DEFAULT_REGION", ""),
            S3_ACCESS_KEY_ID=os.environ.get("NEXPHYS_S3_ACCESS_KEY_ID", ""),
            S3_SECRET_ACCESS_KEY=os.environ.get("NEXPHYS_S3_SECRET_ACCESS_KEY", ""),
            S3_ADDRESSING_STYLE=os.environ.get("NEXPHYS_S3_ADDRESSING_STYLE", "auto"),
            S3_SERVE=os.environ.get("NEXPHYS_S3_SERVE", "app"),
        )

    def validate(self) -> None:
        """Refuse to start without a database, a Redis or (in production) a strong secret."""
        missing = [name for name, value in (("DATABASE_URL", self.SQLALCHEMY_DATABASE_URI),
                                            ("REDIS_URL", self.REDIS_URL)) if not value]
        if missing:
            raise RuntimeError(
                f"{' and '.join(missing)} must be set (make run / make test start embedded servers for you)"
            )
        if self.NEXPHYS_ENV == "production" and (len(self.SECRET_KEY) < 32
                                                 or self.SECRET_KEY.startswith(DEV_SECRET_PREFIX)):
            raise RuntimeError("SECRET_KEY must be set to at least 32 random characters in production")
        if not self.NEXPHYS_DATA_KEYS:
            raise RuntimeError("NEXPHYS_DATA_KEYS must be set in production (see README: Configuration)")
        if self.STORAGE_BACKEND not in ("local", "s3"):
            raise RuntimeError(f"NEXPHYS_STORAGE must be 'local' or 's3', not {self.STORAGE_BACKEND!r}")
        if self.STORAGE_BACKEND == "s3" and not self.S3_BUCKET:  # said at start, not on the first upload
            raise RuntimeError("NEXPHYS_S3_BUCKET must be set when NEXPHYS_STORAGE=s3 (see README: Configuration)")
        self.SQLALCHEMY_DATABASE_URI = sqlalchemy_url(self.SQLALCHEMY_DATABASE_URI)

    def as_flask(self) -> dict:
        flask = {key: value for key, value in vars(self).items() if key.isupper()}
        flask["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": self.DB_POOL_SIZE,
            "max_overflow": self.DB_MAX_OVERFLOW,
            # No ping on every checkout (a round trip per request): connections idle for a while are
            # pinged instead (nexphys.tenancy.binding.ping_idle_connections).
            "pool_pre_ping": False,
            "pool_recycle": 1800,
            # An unreachable server fails a request in seconds (a 503), instead of hanging a worker.
            "connect_args": {"connect_timeout": 3},
        }
        flask["SESSION_COOKIE_HTTPONLY"] = True
        flask["SESSION_COOKIE_SAMESITE"] = "Lax"
        flask["SESSION_COOKIE_SECURE"] = self.NEXPHYS_ENV == "production"
        flask["REMEMBER_COOKIE_HTTPONLY"] = True
        flask["REMEMBER_COOKIE_SAMESITE"] = "Lax"
        flask["REMEMBER_COOKIE_SECURE"] = self.NEXPHYS_ENV == "production"
        flask["RATELIMIT_STORAGE_URI"] = self.REDIS_URL
        # nexphys.security.rate_limits writes the RateLimit-* headers (the IETF draft's: Reset in seconds from
        # now; Flask-Limiter's own would send an epoch time under those names).
        flask["RATELIMIT_HEADERS_ENABLED"] = False
        # Redis down: sign-in limits are counted in this process's memory instead (Flask-Limiter logs
        # "falling back to in-memory storage", and goes back to Redis once it answers).
        flask["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
        flask["RATELIMIT_SWALLOW_ERRORS"] = True
        flask["RATELIMIT_STORAGE_OPTIONS"] = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        flask["WTF_CSRF_TIME_LIMIT"] = None  # tokens live as long as the session
        return flask
