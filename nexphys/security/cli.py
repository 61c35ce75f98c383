"""`flask keys ...`: data-encryption key management."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from nexphys.db import TenantModel
from nexphys.extensions import db
from nexphys.security.crypto import DecryptionError, EncryptedText, encryption_context, generate_key_spec, key_ring
from nexphys.tenancy import services
from nexphys.tenancy.context import TenantStatus, tenant_bound
from nexphys.tenancy.resolver import load_tenant

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
    total, unreadable = 0, []
    for tenant in services.list_tenants():
        if tenant.status not in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED) or (slugs and tenant.slug not in slugs):
            continue
        with tenant_bound(load_tenant("id", str(tenant.id))):
            results = reencrypt_bound_tenant()
            db.session.commit()
        for table, (changed, failed) in results.items():
            click.echo(f"{tenant.slug}: {changed} {_noun(table, plural=True)} re-encrypted")
            unreadable += [f"{tenant.slug} {_noun(table)} {row_id}" for row_id in failed]
            total += changed
    click.echo(f"done: {total} rows re-encrypted with key {key_ring().active}")
    if unreadable:
        click.secho(f"could not decrypt (left as they are): {', '.join(unreadable)}", fg="red", err=True)
        raise SystemExit(1)


def _noun(table: sa.Table, plural: bool = False) -> str:
    """How a table's rows are called in messages (its `info`, else its name)."""
    return table.info.get("plural" if plural else "singular", table.name)


def encrypted_tables() -> list[tuple[sa.Table, list[sa.Column]]]:
    """Every tenant table with encrypted columns, and those columns (from the loaded models)."""
    found = []
    for table in TenantModel.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, EncryptedText)]
        if columns:
            found.append((table, columns))
    return found


def reencrypt_bound_tenant() -> dict[sa.Table, tuple[int, list]]:
    """Rewrite the bound tenant's values stored under an older key; per table (rewritten, unreadable ids). Flushes."""
    ring = key_ring()
    results = {}
    for table, columns in encrypted_tables():
        (key,) = table.primary_key.columns
        # type_coerce to Text reads the stored ciphertext without decrypting it.
        raw = sa.select(key, *(sa.type_coerce(column, sa.Text).label(column.name) for column in columns))
        changed, unreadable = 0, []
        for row in db.session.execute(raw).all():
            stale = [c for c in columns if row._mapping[c.name] and ring.key_id(row._mapping[c.name]) != ring.active]
            if not stale:
                continue
            try:
                plain = {c.name: ring.decrypt(row._mapping[c.name], encryption_context(c.type.column)) for c in stale}
            except DecryptionError:
                unreadable.append(row[0])
                continue
            db.session.execute(sa.update(table).where(key == row[0]).values(plain))  # encrypted with the active key
            changed += 1
        results[table] = (changed, unreadable)
    return results
