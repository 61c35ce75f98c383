"""The kiosk: a tablet at the door where members check themselves in with their code.

Staff start it from the desk; from then on this browser session is locked to the kiosk page: every other
page redirects there (even for the staff member who started it; the API is untouched), until the person
who started it unlocks it with their password. The lock lives in the signed session cookie, so nothing is
stored and another browser is never affected. The kiosk's own pages are declared public: the session's
kiosk state, not a sign-in, is what lets them check people in.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from nexphys.bookings.services import BookingError
from nexphys.checkin import services
from nexphys.extensions import db, limiter
from nexphys.security.http import allow_camera
from nexphys.tenancy.context import current_tenant, require_tenant
from nexphys.web.access import enforce_access, public, require_principal, requires
from nexphys.web.navigation import is_htmx

bp = Blueprint("kiosk", __name__)

STATE_KEY = "kiosk"
RESULT_KEY = "kiosk_result"
TRIES_PER_MINUTE = "20 per minute"  # typed codes: a person needs a few; guessing needs a million
KIOSK_ENDPOINTS = {"kiosk.kiosk", "kiosk.check_in", "kiosk.unlock", "kiosk.unlock_page", "static"}


def current_kiosk() -> dict | None:
    """This browser session's kiosk state for the bound studio, or None (not a kiosk)."""
    state = session.get(STATE_KEY)
    if not isinstance(state, dict):  # every request asks (keep_to_the_kiosk): the usual answer first
        return None
    tenant = current_tenant()
    return state if tenant is not None and state.get("tenant") == tenant.id else None


def keep_to_the_kiosk() -> Response | None:
    """before_request: a kiosk's browser sees only the kiosk (pages redirect to it; the API is left alone)."""
    if current_kiosk() is None or request.endpoint in KIOSK_ENDPOINTS or request.endpoint is None \
            or request.path.startswith(("/api/", "/health")):
        return None
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": url_for("kiosk.kiosk")})
    return redirect(url_for("kiosk.kiosk"))


@bp.record_once
def _install_lock(state) -> None:
    # Before access is checked: a locked browser is sent back to the kiosk, never shown a refusal.
    hooks = state.app.before_request_funcs.setdefault(None, [])
    hooks.insert(hooks.index(enforce_access) if enforce_access in hooks else len(hooks), keep_to_the_kiosk)


def _kiosk_or_desk() -> dict:
    state = current_kiosk()
    if state is None:
        abort(redirect(url_for("checkin.desk")))
    return state


def _tries_key() -> str:
    state = current_kiosk() or {}
    return f"kiosk:t{require_tenant().id}:by{state.get('by')}:{state.get('since')}"


def _too_many_tries(_limit: RequestLimit) -> Response:
    session[RESULT_KEY] = {"kind": "slow"}
    return redirect(url_for("kiosk.kiosk"))


def _too_many_unlocks(_limit: RequestLimit) -> Response:
    flash("Too many wrong passwords. Wait a minute, then try again.", "error")
    return redirect(url_for("kiosk.unlock_page"))


@bp.post("/check-in/kiosk/start")
@requires("bookings", "update", own=False)
def start():
    """Start the kiosk on this device (audited): from now on it shows only the kiosk until unlocked."""
    session[STATE_KEY] = services.start_kiosk(require_principal(), require_tenant().id)
    db.session.commit()
    return redirect(url_for("kiosk.kiosk"))


def _result_context(result: dict | None) -> dict:
    if not result:
        return {}
    moments = {key: datetime.fromisoformat(result[key]) for key in ("starts_at", "opens_at") if result.get(key)}
    return {"result": {**result, **moments}}


@bp.get("/kiosk")
@public
def kiosk():
    """The kiosk screen: show your QR code to the camera or type your code; after a check-in it says so, then
    resets for the next member."""
    _kiosk_or_desk()
    allow_camera()
    return render_template("checkin/kiosk.html", reset_seconds=current_app.config["KIOSK_RESET_SECONDS"],
                           **_result_context(session.pop(RESULT_KEY, None)))


@bp.post("/kiosk")
@public
@limiter.limit(TRIES_PER_MINUTE, key_func=_tries_key, on_breach=_too_many_tries)
def check_in():
    """A member's code (scanned or typed): check them in to their class open now, or say why not."""
    state = _kiosk_or_desk()
    try:
        outcome = services.self_check_in(request.form.get("code", ""), kiosk=services.kiosk_label(state))
    except BookingError:  # a race with the desk (cancelled meanwhile): say it plainly, like any refusal
        db.session.rollback()
        session[RESULT_KEY] = {"kind": "refused"}
    else:
        db.session.commit()
        session[RESULT_KEY] = {"kind": outcome.kind, "first_name": outcome.first_name,
                               "class_name": outcome.class_name,
                               "starts_at": outcome.starts_at.isoformat() if outcome.starts_at else None,
                               "opens_at": outcome.opens_at.isoformat() if outcome.opens_at else None}
    return redirect(url_for("kiosk.kiosk"))


@bp.get("/kiosk/unlock")
@public
def unlock_page():
    """Staff unlock the kiosk with the password of whoever started it."""
    state = _kiosk_or_desk()
    return render_template("checkin/kiosk_unlock.html", started_by=state.get("label", ""))


@bp.post("/kiosk/unlock")
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=lambda: "unlock:" + _tries_key(),
               on_breach=_too_many_unlocks)
def unlock():
    """Unlock with the starter's password (audited; wrong passwords are throttled like sign-in)."""
    state = _kiosk_or_desk()
    try:
        services.unlock_kiosk(state, request.form.get("password", ""))
    except services.WrongPassword as exc:
        db.session.commit()  # the refusal is audited
        return render_template("checkin/kiosk_unlock.html", started_by=state.get("label", ""), error=str(exc)), 422
    db.session.commit()
    session.pop(STATE_KEY, None)
    session.pop(RESULT_KEY, None)
    flash("The kiosk is unlocked: this device is back to the desk.", "success")
    return redirect(url_for("checkin.desk"))
