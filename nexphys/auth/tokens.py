"""API credentials: short-lived JWT access tokens, rotating refresh tokens, integration API keys.

Access tokens (HS256, the algorithm pinned when decoding) carry the tenant, the user and the token
family; their audience names the tenant, so one studio's token is refused by every other. Refresh
tokens are opaque random strings stored hashed; each use replaces it with a new one of the same
family, and presenting an already-used one revokes the whole family (a stolen token was replayed).
Revocation is immediate: revoked families are kept in Redis for the access tokens' lifetime and in
the database (used when Redis is unavailable).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import redis
import sqlalchemy as sa
from flask import current_app

from nexphys.auth.models import RefreshToken
from nexphys.extensions import db
from nexphys.kv import breaker, get_redis
from nexphys.tenancy.context import current_tenant, require_tenant

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The credential is unknown, expired, revoked or from another tenant (always a 401)."""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _signing_key() -> str:
    return current_app.config["SECRET_KEY"]


def _audience(tenant_id: int | None) -> str:
    return f"nexphys:tenant:{tenant_id}" if tenant_id is not None else "nexphys:platform"


def _now() -> datetime:
    return datetime.now(UTC)


def issue_access_token(subject_id: int, tenant_id: int | None, family: str, kind: str = "user") -> str:
    now = _now()
    claims = {"sub": str(subject_id), "tid": tenant_id, "fam": family, "knd": kind, "jti": uuid.uuid4().hex,
              "iat": now, "exp": now + timedelta(seconds=current_app.config["ACCESS_TOKEN_SECONDS"]),
              "aud": _audience(tenant_id), "iss": "nexphys"}
    return jwt.encode(claims, _signing_key(), algorithm=ALGORITHM)


def _new_refresh_token(user_id: int, family: str) -> str:
    secret = secrets.token_urlsafe(32)
    db.session.add(RefreshToken(
        id=str(uuid.uuid4()), family_id=family, user_id=user_id, token_hash=_sha256(secret),
        expires_at=_now() + timedelta(days=current_app.config["REFRESH_TOKEN_DAYS"]),
    ))
    return secret


def token_pair(user_id: int, family: str | None = None) -> dict:
    """A new access token and refresh token for a studio user (a new family unless given). Flushes."""
    tenant = require_tenant()
    family = family or str(uuid.uuid4())
    refresh = _new_refresh_token(user_id, family)
    db.session.flush()
    return {"access_token": issue_access_token(user_id, tenant.id, family), "refresh_token": refresh,
            "token_type": "Bearer", "expires_in": current_app.config["ACCESS_TOKEN_SECONDS"]}


def rotate_refresh_token(presented: str) -> tuple[dict, int]:
    """Exchange a refresh token for a new pair; reuse of a spent one revokes its family."""
    row = db.session.scalar(
        sa.select(RefreshToken).where(RefreshToken.token_hash == _sha256(presented or "")).with_for_update()
    )
    if row is None:
        raise InvalidToken("unknown refresh token")
    if row.revoked_at is not None or row.expires_at <= _now():
        raise InvalidToken("refresh token expired or revoked")
    if row.used_at is not None:
        revoke_family(row.family_id)
        raise ReusedRefreshToken(row.user_id, row.family_id)
    row.used_at = _now()
    return token_pair(row.user_id, row.family_id), row.user_id


class ReusedRefreshToken(InvalidToken):
    def __init__(self, user_id: int, family: str) -> None:
        super().__init__("refresh token already used: every token of this sign-in is revoked")
        self.user_id = user_id
        self.family = family


def family_of_refresh_token(presented: str) -> str | None:
    return db.session.scalar(sa.select(RefreshToken.family_id).where(RefreshToken.token_hash == _sha256(presented)))


def _revoked_key(tenant_id: int | None, family: str) -> str:
    return f"nexphys:revoked:{tenant_id}:{family}"


def revoke_family(family: str) -> None:
    """Stop every access and refresh token of one sign-in, at once."""
    tenant = current_tenant()
    tenant_id = tenant.id if tenant else None
    if tenant is not None:
        db.session.execute(sa.update(RefreshToken).where(RefreshToken.family_id == family,
                                                         RefreshToken.revoked_at.is_(None))
                           .values(revoked_at=_now()))
    _mark_revoked(tenant_id, [family])


def revoke_user_families(user_id: int, keep: str | None = None) -> list[str]:
    """Stop every token of every API sign-in of one person (but the family `keep`); the families revoked.

    One UPDATE over the person's refresh tokens; their access tokens are refused from the next request
    (every family of a person has refresh-token rows, which the per-request check reads without Redis).
    """
    query = sa.update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
    if keep is not None:
        query = query.where(RefreshToken.family_id != keep)
    revoked = db.session.execute(query.values(revoked_at=_now()).returning(RefreshToken.family_id)
                                 .execution_options(synchronize_session=False)).scalars()
    families = sorted(set(revoked))
    _mark_revoked(require_tenant().id, families)
    return families


def _mark_revoked(tenant_id: int | None, families: list[str]) -> None:
    """Tell every process at once (Redis, for the access tokens' lifetime); the database says it too."""
    if not families:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for family in families:
            pipe.set(_revoked_key(tenant_id, family), 1, ex=current_app.config["ACCESS_TOKEN_SECONDS"] + 60)
        pipe.execute()
    except redis.RedisError:
        breaker().failed()


def _family_revoked(tenant_id: int | None, family: str) -> bool:
    if breaker().available:
        try:
            if get_redis().exists(_revoked_key(tenant_id, family)):
                return True
            if tenant_id is None:
                return False
        except redis.RedisError:
            breaker().failed()
    if tenant_id is None:
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(RefreshToken).where(
        RefreshToken.family_id == family, RefreshToken.revoked_at.is_not(None))) > 0


def decode_access_token(token: str) -> dict:
    tenant = current_tenant()
    try:
        claims = jwt.decode(token, _signing_key(), algorithms=[ALGORITHM], audience=_audience(
            tenant.id if tenant else None), issuer="nexphys", options={"require": ["exp", "aud", "sub", "fam"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid or expired access token") from exc
    if _family_revoked(claims.get("tid"), claims["fam"]):
        raise InvalidToken("access token revoked")
    return claims
