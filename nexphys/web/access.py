"""One authorization mechanism for pages and API: every route declares who may call it.

Declare with a decorator on the view:
    @public                      anyone (the timetable, sign-in pages, health)
    @signed_in                   any signed-in person of this studio (their profile, sign-out)
    @requires("members", "read") a permission; "members:read:own" also passes, and the view asks
                                 `principal.scope("members", "read")` to narrow to own records
    @requires("members", "read", own=False)  only the full permission passes (e.g. a list of everyone)
    @platform_admin              a platform administrator, on the apex host

A before_request hook (after tenant resolution) enforces the declaration. A route without one is
refused (fail closed), and a test walks the URL map so none ships undeclared. Who is calling is
answered by the domain that declares `principal` (nexphys.auth), where to sign in by the domains that
declare `sign_in`; this module names neither. Other layers may judge every known caller of a
non-public endpoint before its declaration is checked (`add_principal_check`: a studio's allowed networks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, abort, current_app, g, redirect, request, url_for

from nexphys.domains import SignIn, installed, load

log = logging.getLogger(__name__)
ACCESS_ATTRIBUTE = "_nexphys_access"
CHECKS = "nexphys_principal_checks"  # app.extensions key: checks on a known caller (add_principal_check)


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "signed_in" | "permission" | "platform"
    resource: str | None = None
    action: str | None = None
    own_allowed: bool = True  # whether "resource:action:own" is enough

    def describe(self) -> str:
        if self.kind != "permission":
            return self.kind
        return f"{self.resource}:{self.action}" + ("" if self.own_allowed else " (all records)")

    def grants(self, permissions: frozenset[str] | set[str]) -> bool:
        """Whether a holder of `permissions` passes this (permission) declaration."""
        code = f"{self.resource}:{self.action}"
        return code in permissions or (self.own_allowed and f"{code}:own" in permissions)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a studio person (session or token), an API key, or a platform administrator."""

    kind: str  # "user" | "api_key" | "platform_admin"
    id: int
    label: str
    tenant_id: int | None
    role_level: int = 0
    role_key: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    token_family: str | None = None

    def scope(self, resource: str, action: str) -> str | None:
        """"all", "own" or None: how far this principal may perform `action` on `resource`."""
        if f"{resource}:{action}" in self.permissions:
            return "all"
        if f"{resource}:{action}:own" in self.permissions:
            return "own"
        return None

    def can(self, resource: str, action: str) -> bool:
        return self.scope(resource, action) is not None

    @property
    def person_id(self) -> int | None:
        """The studio person's user id; None for an API key or a platform administrator (no "own" records)."""
        return self.id if self.kind == "user" else None


def _declare(access: Access) -> Callable:
    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, access)
        return view

    return decorate


def public(view: Callable) -> Callable:
    return _declare(Access("public"))(view)


def signed_in(view: Callable) -> Callable:
    return _declare(Access("signed_in"))(view)


def platform_admin(view: Callable) -> Callable:
    return _declare(Access("platform"))(view)


def requires(resource: str, action: str, own: bool = True) -> Callable:
    return _declare(Access("permission", resource, action, own_allowed=own))


def access_of(app: Flask, endpoint: str) -> Access | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def current_principal() -> Principal | None:
    """The authenticated caller of this request, or None (resolved once per request)."""
    if "_nexphys_principal" not in g:
        g._nexphys_principal = current_app.extensions["nexphys_principal"]()
    return g._nexphys_principal


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        abort(401)
    return principal


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def sign_in_for(apex: bool) -> SignIn | None:
    """Where people sign in on the apex host or on a studio's."""
    return current_app.extensions["nexphys_sign_in"].get("apex" if apex else "tenant")


def _unauthenticated():
    if is_api_request() or request.accept_mimetypes.best == "application/json":
        abort(401, description="Sign in or send a valid bearer token or API key.")
    sign_in = sign_in_for(apex=g.get("tenant_lookup") is not None and g.tenant_lookup.is_apex)
    if sign_in is None:
        abort(401)
    return redirect(url_for(sign_in.login, next=request.full_path if request.query_string else request.path))


def enforce_access():
    """before_request: apply the endpoint's declaration (after the tenant is bound)."""
    if request.endpoint is None:
        return None  # no route: the 404 handler answers
    access = access_of(current_app, request.endpoint)
    if access is None:
        log.error("route %s has no access declaration: refused", request.endpoint)
        abort(403)
    if access.kind == "public":
        return None
    principal = current_principal()
    if principal is None:
        return _unauthenticated()
    _run_principal_checks(principal)
    # (platform administrators act on the platform, never inside a studio)
    if not allows(access, principal):
        abort(403)
    return None


def add_principal_check(app: Flask, check: Callable[[Principal], None]) -> None:
    """Let another layer judge every known caller of a non-public endpoint (e.g. a studio's allowed
    networks); `check` raises to refuse. Registered by that layer, so this module names none."""
    app.extensions.setdefault(CHECKS, []).append(check)


def _run_principal_checks(principal: Principal) -> None:
    # Signing out is never refused: it only ever ends access.
    if request.endpoint in {s.logout for s in current_app.extensions["nexphys_sign_in"].values()}:
        return
    for check in current_app.extensions.get(CHECKS, ()):
        check(principal)


def allows(access: Access, principal: Principal | None) -> bool:
    """Whether `principal` passes `access` (the one rule used by enforcement and navigation)."""
    if access.kind == "public":
        return True
    if principal is None:
        return False
    if access.kind == "platform":
        return principal.kind == "platform_admin"
    if principal.kind == "platform_admin":
        return False
    return access.kind == "signed_in" or access.grants(principal.permissions)


def init_app(app: Flask) -> None:
    """Enforce declarations on every request, with the installed domains' principal and sign-in pages."""
    registry = installed()
    principal = registry.principal()
    app.extensions["nexphys_principal"] = load(principal) if principal else (lambda: None)
    app.extensions["nexphys_sign_in"] = {host: registry.sign_in(host) for host in ("tenant", "apex")
                                         if registry.sign_in(host) is not None}
    app.before_request(enforce_access)
    app.view_functions["static"] = public(app.view_functions["static"])  # Flask's own static route
