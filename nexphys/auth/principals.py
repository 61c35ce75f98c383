"""Who is calling: session cookies (Flask-Login), bearer access tokens, API keys.

A session or token made on one tenant never authenticates on another: session ids and tokens carry
the tenant id, checked against the tenant this request resolved to.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import abort, request
from flask_login import UserMixin, current_user
from sqlalchemy.orm import joinedload

from nexphys.api_keys.models import ApiKey
from nexphys.api_keys.services import API_KEY_PREFIX, key_hash
from nexphys.auth import lifetimes, sessions
from nexphys.auth.sessions import credential_fingerprint, session_id_for_admin  # noqa: F401 - for the console
from nexphys.auth.tokens import InvalidToken, decode_access_token
from nexphys.extensions import db, login_manager
from nexphys.members.models import User, UserStatus
from nexphys.platform.models import PlatformAdmin
from nexphys.roles.services import cached_permission_codes
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import Principal


class SessionIdentity(UserMixin):
    """What Flask-Login keeps per request: the session id and the resolved principal."""

    def __init__(self, session_id: str, principal: Principal) -> None:
        self._session_id = session_id
        self.principal = principal

    def get_id(self) -> str:
        return self._session_id


def user_principal(user: User, token_family: str | None = None) -> Principal:
    return Principal(kind="user", id=user.id, label=user.email, tenant_id=current_tenant().id,
                     role_level=user.role.level, role_key=user.role.key,
                     permissions=cached_permission_codes(user.role_id), token_family=token_family)


def admin_principal(admin: PlatformAdmin) -> Principal:
    return Principal(kind="platform_admin", id=admin.id, label=admin.email, tenant_id=None, role_level=99)


def load_active_user(user_id: int) -> User | None:
    # The role in the same query; its permissions come from the per-role cache (user_principal).
    user = db.session.scalar(sa.select(User).options(joinedload(User.role)).where(User.id == user_id))
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return user


@login_manager.user_loader
def load_session(session_id: str) -> SessionIdentity | None:
    try:
        return _load_session(session_id)
    except ValueError:  # a malformed id (e.g. from an older release): treat as signed out
        return None


def _load_session(session_id: str) -> SessionIdentity | None:
    tenant = current_tenant()
    if session_id.startswith("u:") and tenant is not None:
        return _load_user_session(session_id, tenant.id)
    if session_id.startswith("p:") and tenant is None:
        return _load_admin_session(session_id)
    return None


def _load_user_session(session_id: str, tenant_id: int) -> SessionIdentity | None:
    """A studio person's session, if it is this studio's, still theirs (version, password) and alive."""
    session_tenant, user_id, fingerprint, version, started = sessions.user_session_parts(session_id)
    if session_tenant != tenant_id:
        return None  # a session from another studio, replayed here
    user = load_active_user(user_id)
    if user is None or version != user.session_version or not hmac.compare_digest(
            fingerprint, credential_fingerprint(user.password_hash)):
        sessions.end_this_session(sessions.ENDED_MESSAGE)  # ended elsewhere: forget it, cookie included
        return None
    if not sessions.keep_alive(started, lifetimes.for_role_level(user.role.level)):
        return None
    return SessionIdentity(session_id, user_principal(user))


def _load_admin_session(session_id: str) -> SessionIdentity | None:
    """A platform administrator's session (on the apex host), with the platform's lifetimes."""
    admin_id, fingerprint, started = sessions.admin_session_parts(session_id)
    admin = db.session.get(PlatformAdmin, admin_id)
    if admin is None or not admin.is_active or not hmac.compare_digest(
            fingerprint, credential_fingerprint(admin.password_hash)):
        sessions.end_this_session(sessions.ENDED_MESSAGE)
        return None
    if not sessions.keep_alive(started, lifetimes.PLATFORM):
        return None
    return SessionIdentity(session_id, admin_principal(admin))


def bearer_credential() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def principal_for_credential(credential: str) -> Principal:
    """The caller a bearer access token or API key stands for; InvalidToken otherwise."""
    if credential.startswith(API_KEY_PREFIX):
        return _api_key_principal(credential)
    claims = decode_access_token(credential)
    if claims.get("knd") == "platform_admin":
        admin = db.session.get(PlatformAdmin, int(claims["sub"]))
        if admin is None or not admin.is_active:
            raise InvalidToken("unknown administrator")
        return admin_principal(admin)
    user = load_active_user(int(claims["sub"]))
    if user is None:
        raise InvalidToken("unknown or inactive user")
    return user_principal(user, token_family=claims["fam"])


def _api_key_principal(secret: str) -> Principal:
    tenant = current_tenant()
    if tenant is None:
        raise InvalidToken("API keys work on studio hosts only")
    prefix = secret[len(API_KEY_PREFIX):].split("_", 1)[0]
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, key_hash(secret)):
        raise InvalidToken("unknown or revoked API key")
    now = datetime.now(UTC)
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        key.last_used_at = now  # at most once a minute, before the request does anything else
        db.session.commit()
    return Principal(kind="api_key", id=key.id, label=f"api-key:{key.name}", tenant_id=tenant.id,
                     permissions=frozenset(key.permissions))


def resolve_principal() -> Principal | None:
    """The caller, from a bearer token / API key if one is sent (invalid → 401), else the session."""
    credential = bearer_credential()
    if credential:
        try:
            return principal_for_credential(credential)
        except InvalidToken as exc:
            abort(401, description=str(exc))
    if current_user and current_user.is_authenticated:
        return current_user.principal
    return None
