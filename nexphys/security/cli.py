"""`flask keys ...`: data-encryption key management."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm.attributes import flag_modified

from nexphys.extensions import db
from nexphys.security.crypto import DecryptionError, generate_key_spec, key_ring

keys_cli = AppGroup("keys", help="Encryption keys for sensitive columns.")


@keys_cli.command("generate")
@click.option("--kid", default="k1", help="Key id (letters and digits).")
def generate(kid: str) -> None:
    """Print a new key entry to put first in NEXPHYS_DATA_KEYS."""
    click.echo(generate_key_spec(kid))


@keys_cli.command("rotate")
@click.option("--tenant", "slugs", multiple=True, help="Only this tenant (repeatable).")
def rotate(slugs: tuple[str, ...]) -> None:
    """Re-encrypt every tenant's sensitive columns with the active (first) key."""
    from nexphys.tenancy import services
    from nexphys.tenancy.context import TenantStatus, tenant_bound
    from nexphys.tenancy.resolver import load_tenant

    total, unreadable = 0, []
    for tenant in services.list_tenants():
        if tenant.status not in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED) or (slugs and tenant.slug not in slugs):
            continue
        with tenant_bound(load_tenant("id", str(tenant.id))):
            changed, failed = reencrypt_bound_tenant()
            db.session.commit()
        click.echo(f"{tenant.slug}: {changed} people re-encrypted")
        unreadable += [f"{tenant.slug} user {user_id}" for user_id in failed]
        total += changed
    click.echo(f"done: {total} people re-encrypted with key {key_ring().active}")
    if unreadable:
        click.secho(f"could not decrypt (left as they are): {', '.join(unreadable)}", fg="red", err=True)
        raise SystemExit(1)


def reencrypt_bound_tenant() -> tuple[int, list[int]]:
    """Rewrite the bound tenant's values under an older key; return (rewritten, unreadable ids). Flushes."""
    from nexphys.members.models import User

    ring = key_ring()
    columns = ("phone", "emergency_contact", "health_notes")
    table = User.__table__
    # type_coerce to Text reads the stored ciphertext without decrypting it.
    raw = sa.select(table.c.id, *(sa.type_coerce(table.c[name], sa.Text).label(name) for name in columns))
    changed, unreadable = 0, []
    for row in db.session.execute(raw).all():
        if not any(value and ring.key_id(value) != ring.active for value in row[1:]):
            continue
        try:
            with db.session.begin_nested():
                user = db.session.get(User, row.id)
                for name in columns:  # written again, so encrypted again with the active key
                    flag_modified(user, name)
                db.session.flush()
            changed += 1
        except DecryptionError:
            unreadable.append(row.id)
    return changed, unreadable
