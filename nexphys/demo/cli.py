"""`flask demo seed`: the demo studios of `make run` (development only)."""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from nexphys.demo.data import DEMO_ADMIN_EMAIL, DEMO_ADMIN_NAME, DEMO_PASSWORD, DEMO_STUDIOS, seed_demo_studio
from nexphys.extensions import db
from nexphys.platform.services import create_admin, find_admin
from nexphys.security import passwords
from nexphys.tenancy import services
from nexphys.tenancy.context import TenantStatus, tenant_bound
from nexphys.tenancy.resolver import load_tenant

demo_cli = AppGroup("demo", help="Demo data for development.")


@demo_cli.command("seed")
def seed():
    """Create the demo studios if absent (through normal provisioning) and fill them with demo data.

    Every demo person, and the platform administrator admin@nexphys.example, signs in with the
    password "nexphys-demo".
    """
    if current_app.config["NEXPHYS_ENV"] == "production":
        click.secho("refusing to seed demo data in production", fg="red", err=True)
        sys.exit(1)
    demo_hash = passwords.hash_password(DEMO_PASSWORD)  # once: Argon2 is slow by design; every demo person shares it
    services.ensure_plans()
    if find_admin(DEMO_ADMIN_EMAIL) is None:
        create_admin(DEMO_ADMIN_EMAIL, DEMO_ADMIN_NAME, password_hash=demo_hash)
        click.echo(f"platform administrator {DEMO_ADMIN_EMAIL} created")
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
            added = seed_demo_studio(studio, datetime.now(ZoneInfo(studio.time_zone)).date(), demo_hash)
            db.session.commit()
        click.echo(f"{studio.slug}: ready ({added} class sessions added)")
    click.echo(f"demo password for every demo person and {DEMO_ADMIN_EMAIL}: {DEMO_PASSWORD}")
