"""Sign-in throttling (Flask-Limiter on Redis): per account and per IP, 429 with Retry-After."""

from __future__ import annotations

from flask import current_app, request

from nexphys.extensions import limiter
from nexphys.tenancy.context import current_tenant


def _tenant_key() -> str:
    tenant = current_tenant()
    return f"t{tenant.id}" if tenant else "platform"


def account_key() -> str:
    """The account being signed into, in this tenant (from the form or the JSON body)."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return f"signin:{_tenant_key()}:account:{(email or '').strip().lower()}"


def ip_key() -> str:
    return f"signin:{_tenant_key()}:ip:{request.remote_addr}"


def _only_posts() -> bool:
    return request.method != "POST"


def sign_in_limits(view):
    """Both limits on one view; GETs are not counted."""
    view = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=account_key,
                         exempt_when=_only_posts)(view)
    return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], key_func=ip_key,
                         exempt_when=_only_posts)(view)


def sign_up_email_key() -> str:
    """The address someone is signing up with (each attempt sends it an email)."""
    return f"signup:{_tenant_key()}:email:{(request.form.get('email') or '').strip().lower()}"


def sign_up_ip_key() -> str:
    return f"signup:{_tenant_key()}:ip:{request.remote_addr}"


def sign_up_limits(view):
    """Sign-up limits per email address and per IP on one view; GETs are not counted."""
    view = limiter.limit(lambda: current_app.config["SIGN_UP_LIMIT_PER_EMAIL"], key_func=sign_up_email_key,
                         exempt_when=_only_posts)(view)
    return limiter.limit(lambda: current_app.config["SIGN_UP_LIMIT_PER_IP"], key_func=sign_up_ip_key,
                         exempt_when=_only_posts)(view)
