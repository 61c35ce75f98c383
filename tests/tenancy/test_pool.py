"""The spare-schema pool: provisioning claims a ready schema; stale spares are never used."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nexphys.tenancy import migrations, provisioning
from nexphys.tenancy.autogen import schema_differences
from nexphys.tenancy.models import SpareSchema
from nexphys.tenancy.names import InvalidSlug, validate_slug
from nexphys.tenancy.pool import refill
from tests.factories import create_tenant, drop_tenant, tenant_info


@pytest.fixture
def empty_pool(app, raw_engine):
    def clear():
        with raw_engine.begin() as conn:
            for name in conn.execute(sa.delete(SpareSchema.__table__).returning(SpareSchema.schema_name)).scalars():
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    clear()
    yield
    clear()


def _spares(raw_engine) -> list[str]:
    with raw_engine.connect() as conn:
        return list(conn.execute(sa.select(SpareSchema.schema_name).order_by(SpareSchema.created_at)).scalars())


def _schema_exists(raw_engine, name: str) -> bool:
    with raw_engine.connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": name}).first() is not None


def _assert_complete(app, raw_engine, tenant) -> None:
    with raw_engine.connect() as conn:
        assert schema_differences(conn, tenant.schema_name) == []
        assert migrations.current_revision(conn, tenant.schema_name) == migrations.head_revision()
        zone = conn.execute(sa.text(f'SELECT value #>> \'{{}}\' FROM "{tenant.schema_name}".settings '
                                    "WHERE key = 'time_zone'")).scalar_one()
        grants = conn.execute(sa.text(f'SELECT count(*) FROM "{tenant.schema_name}".role_permissions')).scalar_one()
    assert zone == tenant.time_zone and grants > 0
    assert tenant_info(app, tenant.id).status == "active"


def test_provisioning_claims_a_spare_schema(app, raw_engine, empty_pool):
    with app.app_context():
        from nexphys.extensions import db

        assert refill(db.engine, 2) == {"dropped_stale": 0, "built": 2, "ready": 2}
    spare, other = _spares(raw_engine)
    tenant = create_tenant(app, time_zone="Asia/Tokyo")
    try:
        assert _spares(raw_engine) == [other]  # the oldest spare was taken…
        assert not _schema_exists(raw_engine, spare)  # …by renaming it
        _assert_complete(app, raw_engine, tenant)
    finally:
        drop_tenant(app, tenant.slug)


def test_a_spare_at_an_old_revision_is_never_claimed_and_is_rebuilt(app, raw_engine, empty_pool):
    with app.app_context():
        from nexphys.extensions import db

        refill(db.engine, 1)
        with raw_engine.begin() as conn:
            conn.execute(sa.update(SpareSchema.__table__).values(revision="0000_old"))
        tenant = create_tenant(app)
        try:
            assert len(_spares(raw_engine)) == 1  # not claimed: the tenant was built from scratch
            _assert_complete(app, raw_engine, tenant)
            stale = _spares(raw_engine)[0]
            assert refill(db.engine, 1) == {"dropped_stale": 1, "built": 1, "ready": 1}
            assert not _schema_exists(raw_engine, stale) and _spares(raw_engine) != [stale]
        finally:
            drop_tenant(app, tenant.slug)


def test_a_crash_after_claiming_gives_the_spare_back(app, raw_engine, empty_pool, monkeypatch):
    from nexphys.tenancy.services import provision_tenant_now

    with app.app_context():
        from nexphys.extensions import db

        refill(db.engine, 1)
    [spare] = _spares(raw_engine)
    tenant = create_tenant(app, provision=False)

    def crash(conn, row):
        raise RuntimeError("simulated crash after claiming")

    monkeypatch.setattr(provisioning, "STEPS", [(n, crash if n == "activate" else f) for n, f in provisioning.STEPS])
    with app.app_context(), pytest.raises(RuntimeError):
        provision_tenant_now(tenant.id)
    assert _spares(raw_engine) == [spare] and _schema_exists(raw_engine, spare)
    assert not _schema_exists(raw_engine, tenant.schema_name)
    monkeypatch.undo()
    with app.app_context():
        provision_tenant_now(tenant.id)
    try:
        assert _spares(raw_engine) == []
        _assert_complete(app, raw_engine, tenant_info(app, tenant.id))
    finally:
        drop_tenant(app, tenant.slug)


@pytest.mark.parametrize("slug", ["pool", "pool-ab12cd34ef"])
def test_pool_names_cannot_be_slugs(slug):
    with pytest.raises(InvalidSlug):
        validate_slug(slug)


def test_the_cli_fills_the_pool(app, raw_engine, empty_pool):
    result = app.test_cli_runner().invoke(args=["tenants", "pool", "--size", "1"])
    assert result.exit_code == 0 and "1 ready (1 built" in result.output
    assert len(_spares(raw_engine)) == 1
