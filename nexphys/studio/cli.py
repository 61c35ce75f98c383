"""`flask demo seed`: the demo studios of `make run` (development only)."""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from nexphys.extensions import db
from nexphys.tenancy import services
from nexphys.tenancy.context import TenantStatus, tenant_bound
from nexphys.tenancy.resolver import load_tenant

demo_cli = AppGroup("demo", help="Demo data for development.")


@demo_cli.command("seed")
def seed():
    """Create the demo studios if absent (through normal provisioning) and fill them with demo data."""
    from nexphys.studio.demo import DEMO_STUDIOS, seed_demo_studio

    if current_app.config["NEXPHYS_ENV"] == "production":
        click.secho("refusing to seed demo data in production", fg="red", err=True)
        sys.exit(1)
    services.ensure_plans()
    db.session.commit()
    for studio in DEMO_STUDIOS:
        try:
            tenant = services.get_tenant(studio.slug)
        except services.TenantMissing:
            tenant = services.register_tenant(studio.slug, studio.name, "studio", studio.time_zone,
                                              brand_color=studio.brand_color)
            db.session.commit()
        if tenant.status != TenantStatus.ACTIVE:
            services.provision_tenant_now(tenant.id)
        info = load_tenant("id", str(tenant.id))
        with tenant_bound(info):
            added = seed_demo_studio(studio, datetime.now(ZoneInfo(studio.time_zone)).date())
            db.session.commit()
        click.echo(f"{studio.slug}: ready ({added} class sessions added)")
