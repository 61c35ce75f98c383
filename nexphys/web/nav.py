"""The header's links: what the signed-in person may open, in menus, or a sign-in link.

The links are the installed domains' NavLinks; each shows only to those who pass the access
declaration of the endpoint it opens (the same rule the request hook enforces). Links of a group
(NAV_GROUPS: Schedule, Training, People, Settings) form that menu; the others are the person's own (My bookings,
My profile), beside sign-out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, g, has_request_context, request, url_for

from nexphys.domains import NAV_GROUPS, NavLink, installed, load
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import Principal, access_of, allows, current_principal, sign_in_for


@dataclass
class Menu:
    label: str
    links: list[dict]

    @property
    def current(self) -> bool:
        return any(link["current"] for link in self.links)


@dataclass
class Viewer:
    label: str
    logout_url: str
    links: list[dict] = field(default_factory=list)  # the person's own, in their menu beside sign-out
    menus: list[Menu] = field(default_factory=list)  # staff's grouped menus, in NAV_GROUPS order
    flat: list[dict] = field(default_factory=list)  # a lone grouped link (a member's Timetable), shown as it is


def _link(link: NavLink, principal: Principal) -> dict | None:
    access = access_of(current_app, link.endpoint)
    if access is None or not allows(access, principal):
        return None
    url = url_for(link.endpoint)
    return {"url": url, "label": link.label, "group": link.group,
            "current": request.path == url or (url != "/" and request.path.startswith(url + "/"))}


def _menus(links: list[dict]) -> list[Menu]:
    grouped = [Menu(group, [link for link in links if link["group"] == group]) for group in NAV_GROUPS]
    return [menu for menu in grouped if menu.links]


def viewer_context() -> dict:
    """`viewer` (the signed-in person's links and sign-out) or `viewer_login_url`, for every page."""
    if not has_request_context():
        return {}  # a job rendering an email (e.g. a class reminder) has no viewer
    if "tenant_lookup" not in g or g.get("database_unavailable"):
        return {}  # served on any host without a tenant (static files, health checks), or no database
    # (A page that does not exist still has the studio's header: its 404 offers the way on.)
    try:
        principal = current_principal()
    except Exception:  # noqa: BLE001 - a broken credential must not break the error page
        principal = None
    sign_in = sign_in_for(apex=current_tenant() is None)
    if principal is None or principal.kind == "api_key":
        join = current_app.extensions["nexphys_sign_up"] if current_tenant() is not None else None
        return {"viewer": None, "viewer_login_url": url_for(sign_in.login) if sign_in else None,
                "viewer_login_label": sign_in.label if sign_in else None, "viewer_join_url": join() if join else None}
    if sign_in is None:
        return {"viewer": None}
    area = "platform" if principal.kind == "platform_admin" else "studio"
    links = [found for link in current_app.extensions["nexphys_nav"][area] if (found := _link(link, principal))]
    if area == "platform":  # the console's few links, side by side
        return {"viewer": Viewer(principal.label, url_for(sign_in.logout), flat=links)}
    own, menus = [link for link in links if not link["group"]], _menus(links)
    # A menu of one link is that link (a member's Timetable), shown before the menus.
    lone = [menu.links[0] for menu in menus if len(menu.links) == 1]
    return {"viewer": Viewer(principal.label, url_for(sign_in.logout), own,
                             [menu for menu in menus if len(menu.links) > 1], flat=lone)}


def init_app(app: Flask) -> None:
    registry = installed()
    app.extensions["nexphys_nav"] = {area: registry.nav(area) for area in ("studio", "platform")}
    sign_up = registry.sign_up()
    app.extensions["nexphys_sign_up"] = load(sign_up) if sign_up else None
    app.context_processor(viewer_context)
