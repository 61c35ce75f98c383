"""`flask storage thumbnails`: make the small variant of pictures uploaded before they were made."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from nexphys.storage.base import StorageUnavailable
from nexphys.storage.services import backfill_thumbnails
from nexphys.tenancy import services
from nexphys.tenancy.context import TenantStatus, tenant_bound
from nexphys.tenancy.resolver import load_tenant

storage_cli = AppGroup("storage", help="Uploaded files.")


@storage_cli.command("thumbnails")
@click.option("--studio", "slug", default=None, help="Only this studio (its slug); default: every active one.")
def thumbnails(slug: str | None) -> None:
    """Store the missing small variants (safe to run again: pictures that have one are skipped)."""
    try:
        tenants = [services.get_tenant(slug)] if slug else services.list_tenants(TenantStatus.ACTIVE)
    except services.TenantMissing:
        click.secho(f"there is no studio {slug!r}", fg="red", err=True)
        sys.exit(1)
    ids = [tenant.id for tenant in tenants]  # binding a studio ends this session: its objects go with it
    for tenant_id in ids:
        info = load_tenant("id", str(tenant_id))
        try:
            with tenant_bound(info):
                made, unreadable = backfill_thumbnails()
        except StorageUnavailable as exc:
            click.secho(f"{info.slug}: the file store did not answer ({exc}); run it again later", fg="red", err=True)
            sys.exit(1)
        note = f", {unreadable} could not be read" if unreadable else ""
        click.echo(f"{info.slug}: {made} small pictures made{note}")
