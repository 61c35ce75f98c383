"""HTTP hardening: the visitor's address behind a proxy, HTTPS, and security headers on every response.

- Behind a load balancer, TRUSTED_PROXY_HOPS (env NEXPHYS_TRUSTED_PROXIES) installs Werkzeug's ProxyFix,
  so `request.remote_addr` (the per-IP sign-in limit, Flask-Limiter, the audit log), the scheme and the
  host are the visitor's as the trusted proxies saw them. Off (0) by default: a client that reaches the
  app directly could otherwise claim any address in X-Forwarded-For.
- FORCE_HTTPS (default: on in production only): plain-HTTP requests are redirected to https (except
  /health*, so a balancer's plain-HTTP probe still works), https answers carry HSTS, and links made
  outside a request (emails from jobs) say https. Behind a proxy that terminates TLS this needs
  TRUSTED_PROXY_HOPS, or every request looks like plain HTTP and is redirected for ever.
- Every response (pages, API, errors, static files) carries a strict Content-Security-Policy and its
  companions. Nothing inline is allowed but a `<style>` element carrying this request's nonce
  (`csp_nonce()` in templates: the studio's brand colour). A view that may be framed elsewhere (the
  public timetable) calls `allow_framing(origins)`.

Written as two request hooks rather than with flask-talisman: it is a few lines, and talisman is barely
maintained.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Response, current_app, g, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000; includeSubDomains"
# Health checks answer on plain HTTP too: balancers probe the app directly, without TLS.
PLAIN_HTTP_PATHS = ("/health",)
CSP_FIRST = "default-src 'self'; script-src 'self'; style-src 'self'"
# Pico's icons are data: SVGs in its stylesheet; nothing is ever embedded with <object> or <embed>.
CSP_REST = "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors"
# No page needs the camera but the desk's and the kiosk's QR scanner, which ask for it (allow_camera).
COMPANIONS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
CAMERA_PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=()"


def https_forced(config: Mapping[str, Any]) -> bool:
    """FORCE_HTTPS as set, or, when unset (None), whether this is production."""
    value = config.get("FORCE_HTTPS")
    return config.get("NEXPHYS_ENV") == "production" if value is None else bool(value)


def csp_nonce() -> str:
    """This request's nonce for a `<style nonce>` element (made on first use: answers without a page have none)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def allow_framing(origins: Iterable[str]) -> None:
    """Let this response be framed by these origins (validated https origins) as well as by our own pages."""
    origins = tuple(origins)
    if origins:
        g.frame_origins = origins


def allow_camera() -> None:
    """Let this page use the device's camera (this origin only): the check-in desk's and the kiosk's scanner."""
    g.allow_camera = True


def content_security_policy(nonce: str | None, frame_origins: tuple[str, ...] | None) -> str:
    """The policy of one response: its style nonce, if a page used one, and who may frame it."""
    styles = f" 'nonce-{nonce}'" if nonce else ""
    ancestors = " ".join(("'self'", *frame_origins)) if frame_origins else "'none'"
    return f"{CSP_FIRST}{styles}; {CSP_REST} {ancestors}"


def redirect_to_https() -> Response | None:
    """A plain-HTTP request goes to the same address on https: 301 for GET and HEAD, 308 (keep the method) else."""
    if request.is_secure or request.path.startswith(PLAIN_HTTP_PATHS):
        return None
    code = 301 if request.method in ("GET", "HEAD") else 308
    return redirect("https://" + request.url.split("://", 1)[1], code=code)


def add_security_headers(response: Response) -> Response:
    """The security headers, unless the view set its own."""
    headers = response.headers
    frame_origins = g.get("frame_origins")
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce"), frame_origins))
    if not frame_origins:
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers older than frame-ancestors
    if g.get("allow_camera"):
        headers.setdefault("Permissions-Policy", CAMERA_PERMISSIONS)
    for name, value in COMPANIONS.items():
        headers.setdefault(name, value)
    if request.is_secure and current_app.config["FORCE_HTTPS"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Install ProxyFix (when proxies are trusted), the HTTPS redirect and the headers hook.

    Resolves FORCE_HTTPS in app.config to True or False, and makes https the scheme of links built
    outside requests when it is on.
    """
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.config["FORCE_HTTPS"] = https_forced(app.config)
    if app.config["FORCE_HTTPS"]:
        app.config["PREFERRED_URL_SCHEME"] = "https"
        # First of all hooks: nothing (tenant lookup, access checks) is worth doing for a redirect.
        app.before_request_funcs.setdefault(None, []).insert(0, redirect_to_https)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
