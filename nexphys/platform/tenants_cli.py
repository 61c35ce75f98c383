"""`flask tenants ...`: the platform operator's commands over the tenancy core: create, list, suspend,
reactivate, drop, migrate, revision, pool; and a studio's allowed networks (show, clear)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from nexphys.allowlist import services as allowlist
from nexphys.extensions import db
from nexphys.platform.jobs import enqueue_provisioning_with_owner
from nexphys.platform.owner import invite_owner
from nexphys.tenancy import services
from nexphys.tenancy.autogen import new_revision
from nexphys.tenancy.cache import forget_all_tenant_values
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.jobs import enqueue_provisioning
from nexphys.tenancy.migrations import migrate_tenants
from nexphys.tenancy.pool import refill

tenants_cli = AppGroup("tenants", help="Manage tenants (studios) and their schemas.")


def _fail(message: str) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(1)


@tenants_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 'ABC Strength'.")
@click.option("--plan", default=services.DEFAULT_PLAN, show_default=True)
@click.option("--time-zone", default="UTC", show_default=True)
@click.option("--domain", "domains", multiple=True, help="A custom domain (repeatable; the first is primary).")
@click.option("--owner-email", help="Create the owner account and email them a set-password link.")
@click.option("--owner-name", help="The owner's full name.")
@click.option("--now", is_flag=True, help="Provision inline instead of enqueueing the job.")
def create(slug, name, plan, time_zone, domains, owner_email, owner_name, now):
    """Register a tenant and provision it (by the background job, or inline with --now)."""
    try:
        tenant = services.register_tenant(slug, name, plan, time_zone, tuple(domains))
        job = None if now else (enqueue_provisioning_with_owner(tenant.id, owner_email, owner_name) if owner_email
                                else enqueue_provisioning(tenant.id))
        db.session.commit()  # the tenant and its provisioning job, together
    except services.TenantError as exc:
        _fail(str(exc))
    if now:
        try:
            seconds = services.provision_tenant_now(tenant.id)
        except Exception as exc:  # noqa: BLE001 - reported; the tenant is marked failed
            _fail(f"provisioning failed: {exc}")
        if owner_email:
            invite_owner(tenant.id, owner_email, owner_name)
            click.echo(f"{slug}: owner {owner_email} invited (set-password link in the studio's mail)")
        click.echo(f"{slug}: active ({seconds * 1000:.0f} ms)")
    else:
        click.echo(f"{slug}: provisioning (job {job.rq_id})")


@tenants_cli.command("provision")
@click.argument("slug")
def provision(slug):
    """(Re)run provisioning inline for a tenant that is provisioning or failed."""
    try:
        tenant = services.get_tenant(slug)
        seconds = services.provision_tenant_now(tenant.id)
    except Exception as exc:  # noqa: BLE001
        _fail(str(exc))
    click.echo(f"{slug}: active ({seconds * 1000:.0f} ms)")


@tenants_cli.command("list")
@click.option("--status", type=click.Choice(TenantStatus.ALL))
def list_(status):
    """List tenants with status, plan, schema and domains."""
    rows = services.list_tenants(status)
    if not rows:
        click.echo("no tenants")
        return
    for t in rows:
        domains = ", ".join(d.domain + ("*" if d.is_primary else "") for d in t.domains)
        reason = f" ({t.status_reason})" if t.status_reason else ""
        click.echo(f"{t.slug:<24} {t.status:<13} {(t.plan.code if t.plan else '-'):<8} {t.schema_name:<32} "
                   f"{domains}{reason}")


@tenants_cli.command("suspend")
@click.argument("slug")
@click.option("--reason", default="suspended by the platform")
def suspend(slug, reason):
    """Lock a tenant out (every app process within a second)."""
    try:
        services.suspend_tenant(slug, reason)
    except services.TenantError as exc:
        _fail(str(exc))
    click.echo(f"{slug}: suspended")


@tenants_cli.command("reactivate")
@click.argument("slug")
def reactivate(slug):
    """Let a suspended tenant in again."""
    try:
        services.reactivate_tenant(slug)
    except services.TenantError as exc:
        _fail(str(exc))
    click.echo(f"{slug}: active")


@tenants_cli.command("drop")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def drop(slug, yes):
    """Delete a tenant's schema and registry entry (irreversible)."""
    try:
        services.get_tenant(slug)
    except services.TenantError as exc:
        _fail(str(exc))
    if not yes:
        click.confirm(f"Drop tenant '{slug}' and ALL its data?", abort=True)
    services.drop_tenant(slug)
    click.echo(f"{slug}: dropped")


@tenants_cli.command("migrate")
@click.option("--tenant", "slugs", multiple=True, help="Only this tenant (repeatable).")
@click.option("--workers", type=int, help="Parallel worker processes (default NEXPHYS_MIGRATION_WORKERS).")
@click.option("--verify", is_flag=True, help="Read every schema's version instead of trusting the ledger.")
def migrate(slugs, workers, verify):
    """Bring every tenant schema (or one) to the head revision."""
    workers = workers or current_app.config["MIGRATION_WORKERS"]
    url = db.engine.url.render_as_string(hide_password=False)
    report = migrate_tenants(db.engine, url, workers=workers, slugs=slugs, verify=verify,
                             progress=sys.stderr.isatty())
    if report.migrated:  # a migration may change grants or settings that running processes cache
        forget_all_tenant_values()
    click.echo(f"head {report.head}: {len(report.migrated)} migrated, {len(report.failed)} failed, "
               f"{report.considered} needed work, in {report.seconds:.2f}s")
    for failed_slug, error in sorted(report.failed.items()):
        click.secho(f"  FAILED {failed_slug}: {error}", fg="red", err=True)
    if not report.ok:
        sys.exit(1)


@tenants_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True, help="Compare the models with a schema at head.")
def revision(message, autogenerate):
    """Create a new tenant migration in migrations/tenant/versions."""
    path = new_revision(db.engine, message, autogenerate)
    click.echo(f"created {path}")


@tenants_cli.command("pool")
@click.option("--size", type=int, help="How many spare schemas to keep (default NEXPHYS_SCHEMA_POOL_SIZE).")
def pool(size):
    """Build spare tenant schemas at head now (and drop spares left at an older revision)."""
    result = refill(db.engine, current_app.config["SCHEMA_POOL_SIZE"] if size is None else size)
    click.echo(f"schema pool: {result['ready']} ready ({result['built']} built, "
               f"{result['dropped_stale']} stale dropped)")


@tenants_cli.command("allowlist")
@click.argument("slug")
@click.option("--clear", is_flag=True, help="Remove the restriction (recovery for a locked-out owner); audited.")
def allowlist_(slug, clear):
    """Show a studio's allowed networks for staff sign-in and API keys, or clear them with --clear."""
    try:
        tenant_id = services.get_tenant(slug).id
    except services.TenantError as exc:
        _fail(str(exc))
    try:
        networks = (allowlist.clear_for_tenant(tenant_id, actor="platform:command line") if clear
                    else allowlist.networks_of_tenant(tenant_id))
    except LookupError as exc:
        _fail(str(exc))
    if networks is None:
        _fail(f"{slug} is not set up yet: it has no allowed networks")
    if clear:
        click.echo(f"{slug}: allowed networks cleared (were: {', '.join(networks)})" if networks
                   else f"{slug}: no allowed networks, nothing to clear")
    else:
        click.echo(f"{slug}: " + (", ".join(networks) if networks else "no restriction (staff may sign in anywhere)"))
