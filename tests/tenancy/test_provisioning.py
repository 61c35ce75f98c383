"""Provisioning: complete or nothing, idempotent, rerunnable after a crash at any step."""

from __future__ import annotations

import multiprocessing
import os

import pytest
import sqlalchemy as sa

from nexphys.tenancy import provisioning
from nexphys.tenancy.context import tenant_bound
from tests.factories import create_tenant, drop_tenant, tenant_info, unique_slug
from tests.requests import host


def _schema_exists(engine, schema: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first() is not None


def _assert_complete(app, tenant_id: int) -> None:
    from nexphys.extensions import db
    from nexphys.roles.models import Role
    from nexphys.settings.models import StudioSetting
    from nexphys.tenancy.migrations import head_revision
    from nexphys.tenancy.models import TenantMigration

    info = tenant_info(app, tenant_id)
    assert info.status == "active" and info.status_reason is None
    with app.app_context():
        with tenant_bound(info):
            roles = {r.key: r.level for r in db.session.scalars(sa.select(Role))}
            settings = {s.key for s in db.session.scalars(sa.select(StudioSetting))}
        ledger = db.session.get(TenantMigration, tenant_id)
        assert ledger.revision == head_revision() and ledger.last_error is None
    assert roles == {"member": 1, "premium_member": 2, "instructor": 3, "manager": 3, "owner": 4}
    assert {"time_zone", "booking_opens_days_before", "timetable_requires_sign_in"} <= settings


def _register(app) -> int:
    info = create_tenant(app, provision=False)
    return info.id


def test_provisioning_makes_a_complete_active_tenant(app, client, make_tenant):
    tenant = make_tenant()
    _assert_complete(app, tenant.id)
    assert client.get("/", headers=host(tenant)).status_code == 200


def test_provisioning_twice_is_harmless(app, make_tenant):
    from nexphys.tenancy.services import provision_tenant_now

    tenant = make_tenant()
    with app.app_context():
        assert provision_tenant_now(tenant.id) == 0.0
    _assert_complete(app, tenant.id)


@pytest.mark.parametrize("failing_step", [name for name, _ in provisioning.STEPS])
def test_a_failure_at_any_step_leaves_nothing_and_a_rerun_finishes(app, raw_engine, monkeypatch, failing_step):
    from nexphys.tenancy.services import provision_tenant_now

    tenant_id = _register(app)
    info = tenant_info(app, tenant_id)

    def crash(conn, tenant):
        raise RuntimeError(f"simulated crash in {failing_step}")

    steps = [(name, crash if name == failing_step else fn) for name, fn in provisioning.STEPS]
    monkeypatch.setattr(provisioning, "STEPS", steps)
    with app.app_context(), pytest.raises(RuntimeError, match="simulated crash"):
        provision_tenant_now(tenant_id)
    failed = tenant_info(app, tenant_id)
    assert failed.status == "failed" and failing_step in failed.status_reason
    assert not _schema_exists(raw_engine, info.schema_name)  # the transaction took everything back

    monkeypatch.undo()
    with app.app_context():
        provision_tenant_now(tenant_id)
    _assert_complete(app, tenant_id)
    drop_tenant(app, info.slug)


def _provision_then_die(database_url: str, redis_url: str, tenant_id: int, die_at: str) -> None:
    """Child process: provision, and kill the process hard (no cleanup at all) inside step `die_at`."""
    from nexphys import create_app
    from nexphys.tenancy.services import provision_tenant_now

    provisioning.STEPS = [(name, (lambda c, t: os._exit(17)) if name == die_at else fn)
                          for name, fn in provisioning.STEPS]
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url,
                      "SECRET_KEY": "x" * 40})
    with app.app_context():
        provision_tenant_now(tenant_id)


@pytest.mark.parametrize("die_at", ["build_tables", "activate"])
def test_a_killed_worker_leaves_no_half_built_tenant(app, database_url, redis_url, raw_engine, die_at):
    from nexphys.tenancy.services import provision_tenant_now

    tenant_id = _register(app)
    info = tenant_info(app, tenant_id)
    child = multiprocessing.get_context("spawn").Process(
        target=_provision_then_die, args=(database_url, redis_url, tenant_id, die_at))
    child.start()
    child.join(60)
    assert child.exitcode == 17
    assert tenant_info(app, tenant_id).status == "provisioning"  # never marked active
    assert not _schema_exists(raw_engine, info.schema_name)
    with app.app_context():
        provision_tenant_now(tenant_id)
    _assert_complete(app, tenant_id)
    drop_tenant(app, info.slug)


def test_a_leftover_schema_of_a_never_active_tenant_is_rebuilt(app, raw_engine):
    from sqlalchemy.schema import CreateSchema

    from nexphys.tenancy.services import provision_tenant_now

    tenant_id = _register(app)
    info = tenant_info(app, tenant_id)
    with raw_engine.begin() as conn:
        conn.execute(CreateSchema(info.schema_name))
        conn.exec_driver_sql(f'CREATE TABLE "{info.schema_name}".junk (id int)')
    with app.app_context():
        provision_tenant_now(tenant_id)
    _assert_complete(app, tenant_id)
    with raw_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": f'"{info.schema_name}".junk'}).scalar() is None
    drop_tenant(app, info.slug)


def test_a_once_active_tenant_is_never_rebuilt(app, make_tenant):
    from nexphys.tenancy import services

    tenant = make_tenant()
    with app.app_context():
        services.set_status(tenant.slug, "failed", "pretend")
        with pytest.raises(provisioning.ProvisioningError, match="active before"):
            services.provision_tenant_now(tenant.id)


def test_registration_refuses_bad_input(app_ctx):
    from nexphys.tenancy import services

    with pytest.raises(services.TenantError, match="slug"):
        services.register_tenant("Bad Slug!", "Bad")
    with pytest.raises(services.TenantError, match="time zone"):
        services.register_tenant(unique_slug(), "X", time_zone="Mars/Olympus")
    with pytest.raises(services.TenantError, match="plan"):
        services.register_tenant(unique_slug(), "X", plan_code="platinum")
    with pytest.raises(services.TenantError, match="name"):
        services.register_tenant(unique_slug(), "  ")


def test_duplicate_slug_is_refused(app, make_tenant):
    from nexphys.extensions import db
    from nexphys.tenancy import services

    tenant = make_tenant()
    with app.app_context():
        with pytest.raises(services.TenantExists):
            services.register_tenant(tenant.slug, "Again")
        db.session.rollback()


def test_concurrent_provisioning_of_one_tenant_completes_once(app, app_factory):
    import threading

    from nexphys.tenancy.services import provision_tenant_now

    tenant_id = _register(app)
    results, errors = [], []
    # One app per thread, built here: CPython 3.11's ast.parse (werkzeug compiles URL rules with it)
    # is not safe to run in several threads at once, and app creation is not what is under test.
    apps = [app_factory() for _ in range(3)]

    def run(other):
        with other.app_context():
            try:
                results.append(provision_tenant_now(tenant_id))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(one,)) for one in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r > 0 for r in results) == [False, False, True]  # one did the work, two found it done
    _assert_complete(app, tenant_id)
    drop_tenant(app, tenant_info(app, tenant_id).slug)
