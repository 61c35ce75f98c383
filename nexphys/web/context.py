"""What every page knows without its view passing it: the studio, its brand and time zone, local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from nexphys.tenancy.context import current_tenant
from nexphys.web.forms import describe_minutes

LOCAL_FORMAT = "%a %d %b %Y, %H:%M"


def local_time(zone: ZoneInfo):
    """`local(moment, fmt)` for templates: an instant on the studio's wall clock, as text ("" for None)."""

    def local(moment: datetime | None, fmt: str = LOCAL_FORMAT) -> str:
        return moment.astimezone(zone).strftime(fmt) if moment else ""

    return local


def page_context() -> dict:
    """tenant, brand_color, zone (ZoneInfo) and local() for the bound studio; tenant None elsewhere."""
    tenant = current_tenant()
    if tenant is None:
        return {"tenant": None}
    zone = tenant.zone
    return {"tenant": tenant, "brand_color": tenant.brand_color, "zone": zone, "local": local_time(zone)}


def init_app(app: Flask) -> None:
    app.context_processor(page_context)
    app.jinja_env.filters["duration"] = describe_minutes  # {{ 10080|duration }} → "7 days"
