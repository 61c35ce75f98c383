"""The header's account links: what the signed-in person may open, or a sign-in link.

The links are the installed domains' NavLinks; each shows only to those who pass the access
declaration of the endpoint it opens (the same rule the request hook enforces).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, g, has_request_context, request, url_for

from nexphys.domains import NavLink, installed
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import Principal, access_of, allows, current_principal, sign_in_for


@dataclass
class Viewer:
    label: str
    logout_url: str
    links: list[dict] = field(default_factory=list)


def _link(link: NavLink, principal: Principal) -> dict | None:
    access = access_of(current_app, link.endpoint)
    if access is None or not allows(access, principal):
        return None
    return {"url": url_for(link.endpoint), "label": link.label}


def viewer_context() -> dict:
    """`viewer` (the signed-in person's links and sign-out) or `viewer_login_url`, for every page."""
    if not has_request_context():
        return {}  # a job rendering an email (e.g. a class reminder) has no viewer
    if request.endpoint is None or "tenant_lookup" not in g or g.get("database_unavailable"):
        return {}  # no route, or served on any host without a tenant (static files, health checks), or no database
    try:
        principal = current_principal()
    except Exception:  # noqa: BLE001 - a broken credential must not break the error page
        principal = None
    sign_in = sign_in_for(apex=current_tenant() is None)
    if principal is None or principal.kind == "api_key":
        return {"viewer": None, "viewer_login_url": url_for(sign_in.login) if sign_in else None}
    if sign_in is None:
        return {"viewer": None}
    area = "platform" if principal.kind == "platform_admin" else "studio"
    links = [_link(link, principal) for link in current_app.extensions["nexphys_nav"][area]]
    return {"viewer": Viewer(principal.label, url_for(sign_in.logout), [link for link in links if link])}


def init_app(app: Flask) -> None:
    registry = installed()
    app.extensions["nexphys_nav"] = {area: registry.nav(area) for area in ("studio", "platform")}
    app.context_processor(viewer_context)
