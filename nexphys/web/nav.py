"""The header's account links: what the signed-in person may open, or a sign-in link."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, url_for

from nexphys.auth.access import access_of, allows, current_principal
from nexphys.tenancy.context import current_tenant

# (endpoint, label): shown when the viewer passes the endpoint's own access declaration
STUDIO_LINKS = [
    ("members.index", "Members"),
    ("schedule.index", "Schedule"),
    ("roles.index", "Roles"),
    ("staff.desk", "Check-in"),
    ("audit.index", "Audit log"),
    ("api_keys.index", "API keys"),
    ("settings.booking_rules", "Settings"),
    ("bookings.mine", "My bookings"),
    ("members.profile", "My profile"),
]
PLATFORM_LINKS = [("platform.index", "Tenants")]


@dataclass
class Viewer:
    label: str
    logout_url: str
    links: list[dict] = field(default_factory=list)


def _link(endpoint: str, label: str, principal) -> dict | None:
    access = access_of(current_app, endpoint)
    if access is None or not allows(access, principal):
        return None
    return {"url": url_for(endpoint), "label": label}


def viewer_context() -> dict:
    from flask import has_request_context, request

    if not has_request_context():
        return {}  # a job rendering an email (e.g. a class reminder) has no viewer
    if request.endpoint in (None, "static") or request.blueprint == "health":
        return {}
    try:
        principal = current_principal()
    except Exception:  # noqa: BLE001 - a broken credential must not break the error page
        principal = None
    tenant = current_tenant()
    if principal is None or principal.kind == "api_key":
        endpoint = "auth.login" if tenant else "platform.login"
        login = url_for(endpoint) if endpoint in current_app.view_functions else None
        return {"viewer": None, "viewer_login_url": login}
    if principal.kind == "platform_admin":
        links = [_link(e, label, principal) for e, label in PLATFORM_LINKS]
        logout = "platform.logout"
    else:
        links = [_link(e, label, principal) for e, label in STUDIO_LINKS]
        logout = "auth.logout"
    if logout not in current_app.view_functions:
        return {"viewer": None}
    return {"viewer": Viewer(principal.label, url_for(logout), [link for link in links if link])}


def init_app(app: Flask) -> None:
    app.context_processor(viewer_context)
