"""Where the allowed networks are enforced on every request, and how a refusal is answered.

`check_caller` runs in nexphys.web.access's before_request hook once the caller is known, for every
endpoint that is not public: a staff session, a staff bearer token or an API key from outside the
studio's networks is refused there, before any view runs. Public pages (the timetable, sign-in)
never resolve a caller, so they stay reachable from anywhere.
"""

from __future__ import annotations

import logging

import redis
import sqlalchemy as sa
from flask import Flask, request

from nexphys.allowlist.services import AllowlistAudit, NetworkNotAllowed, caller_address, is_staff_level, outside
from nexphys.audit.services import record
from nexphys.extensions import db
from nexphys.kv import breaker, get_redis
from nexphys.tenancy.context import current_tenant, require_tenant
from nexphys.web.access import Principal, add_principal_check
from nexphys.web.errors import handle_domain_error

log = logging.getLogger(__name__)
AUDIT_ONCE_SECONDS = 600  # one audit entry per caller and address in this time, however many requests


def restricted(principal: Principal) -> bool:
    """Staff people and API keys are restricted; members and platform administrators never are."""
    if principal.kind == "platform_admin":
        return False
    if principal.kind == "user":
        return is_staff_level(principal.role_level)
    return True  # API keys, and any kind of caller added later (fail closed)


def check_caller(principal: Principal) -> None:
    """Refuse a restricted caller from outside the bound studio's networks (NetworkNotAllowed, 403)."""
    if current_tenant() is None or not restricted(principal):
        return
    address = caller_address()
    if not outside(address):
        return
    log.warning("refused %s from %s: outside the allowed networks of %s", principal.label, address,
                require_tenant().slug)
    if _first_refusal(principal, address):
        record(AllowlistAudit.REQUEST_REFUSED, actor=principal.label, actor_user_id=principal.person_id,
               details={"address": address or "unknown", "kind": principal.kind, "path": request.path[:200]})
    raise NetworkNotAllowed(_refusal_words(principal, address))


def _refusal_words(principal: Principal, address: str | None) -> str:
    studio = require_tenant().name
    who = f"API keys of {studio} work" if principal.kind == "api_key" else f"Staff access to {studio} works"
    return (f"{who} only from the studio's network. This request comes from {address or 'an unknown address'}, "
            "which is not on its list of allowed networks.")


def _first_refusal(principal: Principal, address: str | None) -> bool:
    """Whether to audit this refusal: once per caller and address per AUDIT_ONCE_SECONDS (a leaked key
    hammering from outside must not fill the log). Without Redis, refusals are only logged."""
    if not breaker().available:
        return False
    key = f"nexphys:allowlist:refused:{require_tenant().id}:{principal.kind}:{principal.id}:{address}"
    try:
        return bool(get_redis().set(key, "1", nx=True, ex=AUDIT_ONCE_SECONDS))
    except redis.RedisError:
        breaker().failed()
        return False


def answer_refusal(exc: NetworkNotAllowed):
    """403: problem+json (type /problems/ip_not_allowed) for the API, the error page for browsers.

    Refusals happen before any view changed anything (sign-in, or the access hook), so the only
    pending change is the refusal's own audit entry: keep it.
    """
    try:
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.warning("could not keep the audit entry of a refused request on %s", request.path)
    return handle_domain_error(exc)


def init_app(app: Flask) -> None:
    """Enforce on every non-public request; answer refusals (also those of sign-in) the same way."""
    add_principal_check(app, check_caller)
    app.register_error_handler(NetworkNotAllowed, answer_refusal)

