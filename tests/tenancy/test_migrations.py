"""Tenant migrations: many tenants in parallel, one failing, a rerun finishing; models == migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner  # noqa: F401 - documents that the CLI is exercised below
from sqlalchemy.schema import CreateSchema, DropSchema

from nexphys.tenancy import migrations
from nexphys.tenancy.autogen import schema_differences
from nexphys.tenancy.binding import schema_transaction
from tests.factories import create_tenant, drop_tenant

NEW_REVISION = '''"""add a note to class sessions (test migration)"""
from alembic import op
import sqlalchemy as sa

revision = "9999_test_note"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("class_sessions", sa.Column("test_note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("class_sessions", "test_note")
'''


@pytest.fixture
def extra_migration(tmp_path, monkeypatch):
    """A copy of the tenant tree with one more revision (a nullable column on class_sessions)."""
    tree = tmp_path / "tenant"
    shutil.copytree(migrations.TENANT_MIGRATIONS, tree, ignore=shutil.ignore_patterns("__pycache__"))
    down = migrations.head_revision()
    (tree / "versions" / "9999_test_note.py").write_text(NEW_REVISION.format(down=down))
    monkeypatch.setattr(migrations, "TENANT_MIGRATIONS", Path(tree))
    migrations.script_directory.cache_clear()
    yield "9999_test_note"
    migrations.script_directory.cache_clear()


@pytest.fixture
def fleet(app):
    tenants = [create_tenant(app) for _ in range(8)]
    yield tenants
    for tenant in tenants:
        drop_tenant(app, tenant.slug)


def _columns(engine, schema: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = :s AND table_name = 'class_sessions'"
        ), {"s": schema}).scalars())


def _ledger(app, tenant_id):
    from nexphys.extensions import db
    from nexphys.tenancy.models import TenantMigration

    with app.app_context():
        db.session.expire_all()
        row = db.session.get(TenantMigration, tenant_id)
        return row.revision, row.last_error


def test_many_tenants_one_failing_then_a_rerun(app, database_url, raw_engine, fleet, extra_migration):
    broken = fleet[3]
    with raw_engine.begin() as conn:  # make its ADD COLUMN fail
        conn.exec_driver_sql(f'ALTER TABLE "{broken.schema_name}".class_sessions ADD COLUMN test_note int')
    slugs = [t.slug for t in fleet]
    with app.app_context():
        from nexphys.extensions import db

        report = migrations.migrate_tenants(db.engine, database_url, workers=2, slugs=slugs)
    assert report.head == extra_migration
    assert report.considered == 8
    assert sorted(report.migrated) == sorted(s for s in slugs if s != broken.slug)
    assert list(report.failed) == [broken.slug] and "test_note" in report.failed[broken.slug]
    for tenant in fleet:
        revision, error = _ledger(app, tenant.id)
        if tenant is broken:
            assert revision != extra_migration and "test_note" in error
        else:
            assert revision == extra_migration and error is None
            assert "test_note" in _columns(raw_engine, tenant.schema_name)

    with raw_engine.begin() as conn:  # the operator fixes the tenant, then reruns
        conn.exec_driver_sql(f'ALTER TABLE "{broken.schema_name}".class_sessions DROP COLUMN test_note')
    with app.app_context():
        rerun = migrations.migrate_tenants(db.engine, database_url, workers=2, slugs=slugs)
    assert rerun.migrated == [broken.slug] and rerun.ok and rerun.considered == 1
    assert _ledger(app, broken.id) == (extra_migration, None)
    with app.app_context():
        nothing = migrations.migrate_tenants(db.engine, database_url, workers=2, slugs=slugs)
    assert nothing.considered == 0 and nothing.ok


def test_cli_reports_failure_and_exits_non_zero(app, raw_engine, fleet, extra_migration):
    broken = fleet[0]
    with raw_engine.begin() as conn:
        conn.exec_driver_sql(f'ALTER TABLE "{broken.schema_name}".class_sessions ADD COLUMN test_note int')
    args = ["tenants", "migrate", "--workers", "2"]
    for tenant in fleet:
        args += ["--tenant", tenant.slug]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert "7 migrated, 1 failed" in result.output
    assert f"FAILED {broken.slug}" in result.output


def test_verify_reads_the_schemas_not_the_ledger(app, database_url, raw_engine, fleet):
    from nexphys.extensions import db

    lying = fleet[1]
    with raw_engine.begin() as conn:  # the ledger says head, but the schema is behind
        conn.exec_driver_sql(f'DELETE FROM "{lying.schema_name}".alembic_version')
    slugs = [t.slug for t in fleet]
    with app.app_context():
        trusting = migrations.pending_tenants(db.engine, migrations.head_revision(), slugs)
        verifying = migrations.pending_tenants(db.engine, migrations.head_revision(), slugs, verify=True)
    assert trusting == []
    assert [row[1] for row in verifying] == [lying.slug]


def test_building_from_models_equals_replaying_every_migration(app, raw_engine):
    """Provisioning builds at head from the models; that must be exactly what the migrations make."""
    schema = "tenant_zz_replay_check"
    with raw_engine.begin() as conn:
        conn.execute(DropSchema(schema, cascade=True, if_exists=True))
        conn.execute(CreateSchema(schema))
    try:
        with schema_transaction(raw_engine, schema) as conn:
            assert migrations.upgrade_schema(conn, schema) == migrations.head_revision()
            diff = schema_differences(conn, schema)
        assert diff == []
    finally:
        with raw_engine.begin() as conn:
            conn.execute(DropSchema(schema, cascade=True, if_exists=True))


def test_a_provisioned_schema_equals_the_models(app, raw_engine, make_tenant):
    """Provisioning runs a precompiled DDL script; the schema it makes must be exactly the models'."""
    tenant = make_tenant()
    with raw_engine.connect() as conn:
        assert schema_differences(conn, tenant.schema_name) == []
        assert migrations.current_revision(conn, tenant.schema_name) == migrations.head_revision()


def test_replaying_the_public_migrations_equals_the_public_models(app, raw_engine):
    """`flask db upgrade` (the suite's database is built by it) makes exactly the public models' tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from nexphys.extensions import db

    def include_name(name, type_, _parents) -> bool:
        if type_ == "schema":
            return name in (None, "public")
        return not (type_ == "table" and name == "alembic_version")

    def fk_key(fk) -> tuple:  # PostgreSQL reflects a foreign key into the search path without its schema
        return (fk.table.name, tuple(fk.column_keys), fk.referred_table.name, tuple(e.column.name for e in fk.elements))

    with raw_engine.connect() as conn:
        conn.exec_driver_sql("SET search_path TO public")  # as the public migrations' env.py runs
        context = MigrationContext.configure(conn, opts={"include_schemas": True, "compare_type": True,
                                                         "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
    removed = {fk_key(d[1]) for d in diff if d[0] == "remove_fk" and d[1].referred_table.schema is None}
    diff = [d for d in diff if not (d[0] in ("remove_fk", "add_fk") and fk_key(d[1]) in removed)]
    assert diff == []
