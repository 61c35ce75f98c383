"""Platform pages on the apex host."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, request

from nexphys.extensions import db
from nexphys.platform import self_service
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.models import Tenant


def landing():
    """The platform's landing page; in development it links the demo studios."""
    demo_studios = []
    if current_app.config["NEXPHYS_ENV"] != "production":
        base = current_app.config["NEXPHYS_BASE_DOMAIN"]
        port = request.host.rsplit(":", 1)[1] if ":" in request.host else None
        rows = db.session.execute(
            sa.select(Tenant.slug, Tenant.name).where(Tenant.status == TenantStatus.ACTIVE)
            .order_by(Tenant.slug).limit(20)
        ).all()
        demo_studios = [
            {"name": name, "url": f"{request.scheme}://{slug}.{base}{':' + port if port else ''}/"}
            for slug, name in rows
        ]
    return render_template("platform/landing.html", demo_studios=demo_studios,
                           self_service_on=self_service.settings()["enabled"])
