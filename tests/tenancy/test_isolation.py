"""Rows written in one tenant are never visible through another's pages or sessions."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.tenancy.context import tenant_bound
from tests.requests import host


def _page(client, tenant) -> str:
    response = client.get("/", headers=host(tenant))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_pages_show_only_their_own_tenants_rows(client, tenant_a, tenant_b):
    page_a, page_b = _page(client, tenant_a), _page(client, tenant_b)
    assert "Alpha Only Kettlebells" in page_a and "Beta Only Pilates" not in page_a
    assert "Beta Only Pilates" in page_b and "Alpha Only Kettlebells" not in page_b


def test_sessions_see_only_the_bound_tenant(app, tenant_a, tenant_b):
    with app.app_context():
        with tenant_bound(tenant_a):
            names_a = set(db.session.scalars(sa.select(ClassType.name)))
        with tenant_bound(tenant_b):
            names_b = set(db.session.scalars(sa.select(ClassType.name)))
    assert "Alpha Only Kettlebells" in names_a and "Beta Only Pilates" not in names_a
    assert "Beta Only Pilates" in names_b and "Alpha Only Kettlebells" not in names_b


def test_tenant_tables_are_unreachable_without_a_bound_tenant(app, tenant_a):
    with app.app_context():
        with pytest.raises(ProgrammingError, match="unbound_tenant"):
            db.session.scalars(sa.select(ClassType.name)).all()
        db.session.rollback()
        # Hand-written SQL with unqualified names finds nothing either: search_path points nowhere.
        with pytest.raises(ProgrammingError):
            db.session.execute(sa.text("SELECT name FROM class_types")).all()
        db.session.rollback()


def test_binding_a_second_tenant_inside_the_first_is_refused(app, tenant_a, tenant_b):
    with app.app_context(), tenant_bound(tenant_a):
        with pytest.raises(RuntimeError, match="already bound"):
            with tenant_bound(tenant_b):
                pass


def test_pool_of_one_with_interleaved_requests(app_factory, tenant_a, tenant_b):
    """Many threads, two tenants, ONE database connection: every answer is its own tenant's."""
    small = app_factory(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0)
    client = small.test_client()
    errors: list[str] = []
    barrier = threading.Barrier(6)

    def browse(index: int) -> None:
        mine = tenant_a if index % 2 == 0 else tenant_b
        expected = "Alpha Only Kettlebells" if mine is tenant_a else "Beta Only Pilates"
        leaked = "Beta Only Pilates" if mine is tenant_a else "Alpha Only Kettlebells"
        barrier.wait()
        for _ in range(25):
            page = client.get("/", headers=host(mine)).get_data(as_text=True)
            if expected not in page or leaked in page:
                errors.append(f"{mine.slug} saw the wrong rows")

    threads = [threading.Thread(target=browse, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with small.app_context():
        pool = db.engine.pool
        assert pool.size() == 1 and pool.overflow() <= 0


def test_nothing_tenant_bound_survives_on_a_pooled_connection(app_factory, tenant_a):
    small = app_factory(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0)
    client = small.test_client()
    assert client.get("/", headers=host(tenant_a)).status_code == 200
    with small.app_context():
        # The same (only) pooled connection, taken right after a tenant request.
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW search_path").scalar() == "unbound_tenant"
            assert conn.get_execution_options().get("schema_translate_map") is None
            with pytest.raises(ProgrammingError):
                conn.execute(sa.select(ClassType.name)).all()


def test_a_rolled_back_request_leaves_nothing_behind(app, tenant_a, tenant_b):
    with app.app_context():
        with pytest.raises(ZeroDivisionError):
            with tenant_bound(tenant_a):
                db.session.add(ClassType(name="Never Committed"))
                db.session.flush()
                raise ZeroDivisionError("the request fails after writing")
        with tenant_bound(tenant_a):
            assert db.session.scalar(sa.select(ClassType).where(ClassType.name == "Never Committed")) is None
