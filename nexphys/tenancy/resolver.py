"""Which tenant a request is for, decided once per request in a before_request hook.

Sources, strongest first (the first one present decides; a later one never overrides it):
  1. the `X-Tenant-Domain` header: a slug ("gym-abc") or a host name ("gym-abc.localhost", a custom domain);
  2. the request's host: `<slug>.<base domain>`, or a studio's custom domain;
  3. the `?tenant=<slug>` query parameter, consulted only on the platform (apex) host.
The base domain itself (and an IP address, as load balancers' health checks use) is the apex host:
it serves the platform pages and no tenant. A tenant route never falls back to the public schema.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app, g, request

from nexphys.domains import Scope
from nexphys.extensions import db
from nexphys.tenancy.cache import TenantCache, tenant_cache
from nexphys.tenancy.context import TenantInfo, TenantStatus, set_tenant
from nexphys.tenancy.errors import (
    TenantNotFound,
    TenantProvisioning,
    TenantSuspended,
    TenantUnavailable,
    WrongHost,
)
from nexphys.tenancy.models import Plan, Tenant, TenantDomain

HEADER = "X-Tenant-Domain"
QUERY_PARAM = "tenant"


@dataclass(frozen=True)
class Lookup:
    """What the request names: apex (no tenant) or a (kind, value) key into the registry."""

    kind: str | None
    value: str | None = None
    source: str = "host"

    @property
    def is_apex(self) -> bool:
        return self.kind is None


APEX = Lookup(None, source="host")


def _strip_port(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def lookup_for_host(host: str, base_domain: str, source: str = "host") -> Lookup:
    host = _strip_port(host)
    if not host or host == base_domain or _is_ip(host):
        return Lookup(None, source=source)
    suffix = "." + base_domain
    if host.endswith(suffix):
        label = host[: -len(suffix)]
        if label == "www":
            return Lookup(None, source=source)
        return Lookup("subdomain", label, source)
    return Lookup("custom", host, source)


def lookup_for_request(headers, host: str, args, base_domain: str) -> Lookup:
    """Apply the documented precedence to a request's header, host and query parameter."""
    named = (headers.get(HEADER) or "").strip().lower()
    if named:
        if "." in named or ":" in named:
            return lookup_for_host(named, base_domain, source="header")
        return Lookup("subdomain", named, "header")
    by_host = lookup_for_host(host, base_domain)
    if not by_host.is_apex:
        return by_host
    slug = (args.get(QUERY_PARAM) or "").strip().lower()
    if slug:
        return Lookup("subdomain", slug, "query")
    return by_host


def load_tenant(kind: str, value: str) -> TenantInfo | None:
    """Read one tenant from the registry, by domain, slug or id (the cache's loader)."""
    query = sa.select(Tenant.__table__, Plan.code.label("plan_code")).outerjoin(Plan, Plan.id == Tenant.plan_id)
    if kind in ("subdomain", "custom"):
        query = query.join(TenantDomain, TenantDomain.tenant_id == Tenant.id).where(
            TenantDomain.kind == kind, TenantDomain.domain == value
        )
    elif kind == "slug":
        query = query.where(Tenant.slug == value)
    elif kind == "id":
        query = query.where(Tenant.id == int(value))
    else:
        raise ValueError(kind)
    with db.engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        return None
    fields = TenantInfo.__dataclass_fields__
    return TenantInfo(**{key: row[key] for key in fields})


def check_serving(tenant: TenantInfo | None) -> TenantInfo:
    """Raise the answer for a tenant that cannot serve requests now."""
    if tenant is None or tenant.status == TenantStatus.ARCHIVED:
        raise TenantNotFound()
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantSuspended()
    if tenant.status == TenantStatus.PROVISIONING:
        raise TenantProvisioning()
    if tenant.status != TenantStatus.ACTIVE:
        raise TenantUnavailable()
    return tenant


def endpoint_scope(app: Flask, endpoint: str | None) -> str:
    if endpoint is None:
        return Scope.ANY  # no route matched: let the 404 render, on the tenant's pages if any
    scopes = app.extensions["nexphys_scopes"]
    if endpoint in scopes:
        return scopes[endpoint]
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
    # Fail closed: anything not declared otherwise needs a tenant.
    return scopes.get(f"{blueprint}.*", Scope.TENANT)


def declare_scope(app: Flask, endpoint_or_blueprint: str, scope: str) -> None:
    """Declare the host scope of an endpoint ("bp.view") or of a whole blueprint ("bp.*")."""
    app.extensions.setdefault("nexphys_scopes", {})[endpoint_or_blueprint] = scope


def bind_request_tenant() -> None:
    """before_request: resolve the tenant, refuse what it cannot serve, bind it for the request."""
    app = current_app._get_current_object()
    scope = endpoint_scope(app, request.endpoint)
    set_tenant(None)
    if scope == Scope.NONE:
        return
    lookup = lookup_for_request(request.headers, request.host, request.args, app.config["NEXPHYS_BASE_DOMAIN"])
    g.tenant_lookup = lookup
    if lookup.is_apex:
        if scope == Scope.TENANT:
            raise WrongHost()
        return
    if scope == Scope.PLATFORM:
        raise WrongHost()
    cache: TenantCache = tenant_cache(app)
    set_tenant(check_serving(cache.get(lookup.kind, lookup.value)))


def init_app(app: Flask) -> None:
    app.extensions["nexphys_tenant_cache"] = TenantCache(app, load_tenant)
    app.extensions.setdefault("nexphys_scopes", {})
    declare_scope(app, "static", Scope.NONE)
    app.before_request(bind_request_tenant)
