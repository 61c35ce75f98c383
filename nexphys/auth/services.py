"""Sign-in, password reset and invitations for a studio's people (the bound tenant)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from nexphys.allowlist.services import check_sign_in_network
from nexphys.audit.services import AuditAction, record
from nexphys.auth.sessions import credential_fingerprint, end_sessions
from nexphys.extensions import db
from nexphys.mail.services import queue_letter
from nexphys.members.models import User, UserStatus
from nexphys.security.passwords import check_strength, hash_password, needs_rehash, verify_password
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import Principal


class AuthError(Exception):
    """A sign-in or link problem, with a message safe to show (never says which part was wrong)."""


GENERIC_FAILURE = "Wrong email or password."


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == (email or "").strip().lower()))


def authenticate(email: str, password: str) -> User:
    """The active user with this email and password, or AuthError(GENERIC_FAILURE). Audits both ways."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or user.status != UserStatus.ACTIVE:
        record(AuditAction.SIGN_IN_FAILED, actor=(email or "")[:254], actor_user_id=user.id if user else None,
               details={"reason": "credentials" if not ok else "inactive"})
        raise AuthError(GENERIC_FAILURE)
    check_sign_in_network(user)  # staff only from the studio's allowed networks (403); after the password
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    record(AuditAction.SIGN_IN, actor=user.email, actor_user_id=user.id)
    return user


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    tenant = require_tenant()
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"nexphys:{purpose}:{tenant.id}")


def _fingerprint(user: User) -> str:
    return credential_fingerprint(user.password_hash)


def password_token(user: User, purpose: str = "reset") -> str:
    """A link token ("reset": 1 hour, "invite": 7 days) that stops working once the password changes."""
    return _serializer("password").dumps({"uid": user.id, "fp": _fingerprint(user), "p": purpose})


def user_for_password_token(token: str) -> User:
    """The person a set-password link is for, or AuthError saying why it cannot be used."""
    config = current_app.config
    try:
        data, signed_at = _serializer("password").loads(token, max_age=config["INVITE_SECONDS"],
                                                          return_timestamp=True)
        age = (datetime.now(UTC) - signed_at).total_seconds()
        if data.get("p") != "invite" and age > config["PASSWORD_RESET_SECONDS"]:
            raise SignatureExpired("reset link expired")
    except SignatureExpired as exc:
        raise AuthError("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise AuthError("This link is not valid.") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or user.status == UserStatus.INACTIVE or data.get("fp") != _fingerprint(user):
        raise AuthError("This link has already been used or is no longer valid.")
    return user


def set_password(user: User, password: str, keep: Principal | None = None) -> None:
    """Set a new password (activating an invited account); old links stop working, and so do the person's
    sessions and tokens, but for `keep`'s own (the person changing it while signed in)."""
    user.password_hash = hash_password(check_strength(password))
    if user.status == UserStatus.INVITED:
        user.status = UserStatus.ACTIVE
    end_sessions(user, keep=keep)
    record(AuditAction.PASSWORD_CHANGED, actor=user.email, actor_user_id=user.id, target=f"user:{user.id}")


class WrongPassword(AuthError):
    """The current password given to change it is not the person's."""


def change_password(user: User, current: str, new: str, by: Principal) -> None:
    """A signed-in person's new password: the current one first. Their other sessions and tokens end."""
    if not verify_password(user.password_hash, current or ""):
        raise WrongPassword("That is not your current password.")
    set_password(user, new, keep=by)


def _link(endpoint: str, token: str) -> str:
    return url_for(endpoint, token=token, _external=True)


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or user.status == UserStatus.INACTIVE:
        return
    record(AuditAction.PASSWORD_RESET_REQUESTED, actor=user.email, actor_user_id=user.id)
    tenant = require_tenant()
    queue_letter(user.email, f"Reset your {tenant.name} password", name=user.full_name, kind="password_reset",
                 paragraphs=["To choose a new password, open this link within an hour."],
                 action=("Choose a new password", _link("auth.reset_password", password_token(user))),
                 after=("If you did not ask for this, ignore this message: your password stays as it is.",))


def send_invitation(user: User, invited_by: str) -> None:
    """Email a set-password link to a newly invited person."""
    tenant = require_tenant()
    queue_letter(user.email, f"You're invited to {tenant.name}", name=user.full_name, kind="invitation",
                 paragraphs=[f"{invited_by} invited you to {tenant.name} on nexphys.",
                             "Choose your password to sign in (the link is valid for 7 days)."],
                 action=("Choose your password", _link("auth.reset_password", password_token(user, "invite"))))
