"""Web sessions: what a sign-in stores, how long it lasts, and ending every session of one person.

Flask's session is a signed cookie, so everything here travels in it and nothing is stored server-side:

- The session id (Flask-Login's `_user_id`, also the value of the "keep me signed in" cookie) names the
  studio, the person, a fingerprint of their password hash, their `session_version` and the moment they
  signed in: `u:<tenant>:<user>:<fingerprint>:<version>:<started>` (administrators:
  `p:<admin>:<fingerprint>:<started>`). Raising the person's version (`end_sessions`) ends every session
  and remember cookie made before, on every device, at the cost of the user row the loader reads anyway.
- `started` bounds the sign-in's absolute lifetime, remember cookie included (it carries the same id).
- `_nx_seen`, the time of the last request (kept to the minute, so a cookie is not re-sent on every
  request), bounds the idle lifetime. The remember cookie's expiry follows it: a browser left alone for
  the idle lifetime forgets the cookie, and a cookie older than the absolute lifetime is refused anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

from flask import current_app, flash, has_request_context, request, session
from flask_login import login_user

from nexphys.auth import lifetimes as lifetime_settings
from nexphys.auth import tokens
from nexphys.auth.lifetimes import Lifetimes
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.platform.models import PlatformAdmin
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import Principal

SEEN_KEY = "_nx_seen"
SEEN_EVERY_SECONDS = 60
# Flask-Login's keys of a signed-in session (the anonymous parts, such as the CSRF secret, stay).
SIGNED_IN_KEYS = ("_user_id", "_fresh", "_id", "_remember_seconds", SEEN_KEY)
ENDED_MESSAGE = "You were signed out on this device. Please sign in again."


def now_seconds() -> int:
    return int(time.time())


# --- session ids ---------------------------------------------------------------------------------

def credential_fingerprint(password_hash: str | None) -> str:
    """Changes when the password hash changes, so sessions and links made before stop working."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]


def session_id_for_user(user: User, started: int) -> str:
    fingerprint = credential_fingerprint(user.password_hash)
    return f"u:{current_tenant().id}:{user.id}:{fingerprint}:{user.session_version}:{started}"


def session_id_for_admin(admin: PlatformAdmin, started: int | None = None) -> str:
    fingerprint = credential_fingerprint(admin.password_hash)
    return f"p:{admin.id}:{fingerprint}:{started if started is not None else now_seconds()}"


def user_session_parts(session_id: str) -> tuple[int, int, str, int, int]:
    """(tenant id, user id, fingerprint, version, started) of a person's session id; ValueError otherwise."""
    kind, tenant_id, user_id, fingerprint, version, started = session_id.split(":")
    if kind != "u":
        raise ValueError("not a studio person's session")
    return int(tenant_id), int(user_id), fingerprint, int(version), int(started)


def admin_session_parts(session_id: str) -> tuple[int, str, int]:
    """(admin id, fingerprint, started) of an administrator's session id; ValueError otherwise."""
    kind, admin_id, fingerprint, started = session_id.split(":")
    if kind != "p":
        raise ValueError("not an administrator's session")
    return int(admin_id), fingerprint, int(started)


# --- starting, judging and ending this browser's session ------------------------------------------

def _remember_cookie_sent() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _remember_seconds(started: int, lifetimes: Lifetimes, now: int) -> int:
    """How long the remember cookie should live from now: the idle lifetime, never past the absolute one."""
    left = started + int(lifetimes.absolute.total_seconds()) - now
    return max(1, min(int(lifetimes.idle.total_seconds()), left))


def begin(identity, started: int, remember: bool, lifetimes: Lifetimes) -> None:
    """A fresh session: nothing of the one before is kept (no fixation), and a new CSRF secret follows.

    A remember cookie left by an earlier sign-in on this browser is cleared unless it is asked for again,
    so it cannot bring back someone else once this session's cookie is gone.
    """
    had_cookie = _remember_cookie_sent()
    session.clear()
    login_user(identity, remember=remember, duration=timedelta(seconds=_remember_seconds(started, lifetimes, started)))
    session[SEEN_KEY] = started
    if had_cookie and not remember:
        session["_remember"] = "clear"


def renew(session_id: str, started: int, lifetimes: Lifetimes) -> None:
    """The same sign-in under a new id (its person's version changed here): same start, same remember choice."""
    session["_user_id"] = session_id
    if _remember_cookie_sent():
        session["_remember"] = "set"
        session["_remember_seconds"] = _remember_seconds(started, lifetimes, now_seconds())


def expiry(started: int, seen: object, lifetimes: Lifetimes, now: int) -> str | None:
    """"absolute" or "idle" when a session has outlived its lifetimes, None while it is alive."""
    if now - started > lifetimes.absolute.total_seconds():
        return "absolute"
    if isinstance(seen, int) and now - seen > lifetimes.idle.total_seconds():
        return "idle"
    return None


def expired_message(reason: str, lifetimes: Lifetimes) -> str:
    if reason == "idle":
        return (f"You were signed out after {lifetime_settings.describe(lifetimes.idle)} of inactivity. "
                "Please sign in again.")
    return (f"You were signed out: a sign-in lasts at most {lifetime_settings.describe(lifetimes.absolute)}. "
            "Please sign in again.")


def keep_alive(started: int, lifetimes: Lifetimes) -> bool:
    """Judge this request's session by its lifetimes: note the activity, or end the session (False)."""
    now = now_seconds()
    reason = expiry(started, session.get(SEEN_KEY), lifetimes, now)
    if reason is not None:
        end_this_session(expired_message(reason, lifetimes))
        return False
    if "_id" not in session:
        # Restored from the remember cookie: bind it to this client as a sign-in does, or Flask-Login's
        # strong protection would drop it on the next request.
        session["_id"] = current_app.login_manager._session_identifier_generator()
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int) or now - seen >= SEEN_EVERY_SECONDS:
        session[SEEN_KEY] = now
        if _remember_cookie_sent():  # the cookie's expiry follows the activity, within the absolute lifetime
            session["_remember"] = "set"
            session["_remember_seconds"] = _remember_seconds(started, lifetimes, now)
    return True


def end_this_session(message: str | None = None) -> None:
    """Sign this browser out: its sign-in and its remember cookie go; pages show `message` next."""
    for key in SIGNED_IN_KEYS:
        session.pop(key, None)
    if _remember_cookie_sent():
        session["_remember"] = "clear"
    if message and not request.path.startswith("/api/"):
        flash(message, "info")


# --- ending a person's sessions everywhere ---------------------------------------------------------

def end_sessions(user: User, keep: Principal | None = None) -> list[str]:
    """End every session, remember cookie and API token of `user`; the token families revoked. Flushes.

    On a password or role change, deactivation and "sign out everywhere". With `keep` (the person
    making the change), the request's own session or token of that person goes on: a session is
    re-issued under the new version, keeping its start.
    """
    user.session_version = User.session_version + 1  # in SQL: two changes at once both count
    db.session.flush()
    mine = keep is not None and keep.kind == "user" and keep.id == user.id
    families = tokens.revoke_user_families(user.id, keep=keep.token_family if mine else None)
    if mine and keep.token_family is None:
        _renew_own_session(user)
    return families


def _renew_own_session(user: User) -> None:
    if not has_request_context():
        return  # a command or job: no browser session to keep
    try:
        _tenant_id, user_id, _fp, _version, started = user_session_parts(session.get("_user_id") or "")
    except ValueError:
        return  # this request is not signed in by a session (e.g. an API key)
    if user_id == user.id:
        renew(session_id_for_user(user, started), started, lifetime_settings.for_role_level(user.role.level))
