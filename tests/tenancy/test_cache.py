"""The tenant metadata cache: changes reach every app process within a second; Redis down is fine."""

from __future__ import annotations

import time

from tests.requests import host, wait_for_status


def _wait_for_status(client, tenant, status: int) -> float:
    return wait_for_status(client, host(tenant), status, seconds=1.0)


def test_suspension_reaches_a_second_app_instance_within_a_second(app, app_factory, make_tenant):
    from nexphys.tenancy import services

    tenant = make_tenant()
    other = app_factory().test_client()  # a second app instance: its own in-process cache
    assert other.get("/", headers=host(tenant)).status_code == 200  # warm its cache
    with app.app_context():
        services.suspend_tenant(tenant.slug)
    assert _wait_for_status(other, tenant, 403) <= 1.0
    with app.app_context():
        services.reactivate_tenant(tenant.slug)
    assert _wait_for_status(other, tenant, 200) <= 1.0


def test_new_domain_reaches_a_second_instance(app, app_factory, make_tenant):
    from nexphys.tenancy import services

    tenant = make_tenant()
    other = app_factory().test_client()
    headers = {"Host": f"{tenant.slug}.studio-domain.test"}
    assert other.get("/", headers=headers).status_code == 404  # cached as unknown
    with app.app_context():
        services.add_domain(tenant.slug, f"{tenant.slug}.studio-domain.test")
    started = time.monotonic()
    while other.get("/", headers=headers).status_code != 200:
        assert time.monotonic() - started < 1.5
        time.sleep(0.02)


def test_requests_work_with_redis_down(app_factory, tenant_a):
    broken = app_factory(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    client = broken.test_client()
    for _ in range(3):
        response = client.get("/", headers=host(tenant_a))
        assert response.status_code == 200
        assert "Alpha Only Kettlebells" in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "nobody-here.localhost"}).status_code == 404


def test_cache_serves_from_redis_without_the_database(app, make_tenant):
    from nexphys.tenancy.cache import redis_key, tenant_cache

    tenant = make_tenant()
    with app.app_context():
        cache = tenant_cache()
        cache.forget_local()
        assert cache.get("subdomain", tenant.slug).id == tenant.id
        from nexphys.kv import get_redis

        assert get_redis().get(redis_key(("subdomain", tenant.slug))) is not None
        calls = []
        original = cache.loader
        cache.loader = lambda *a: calls.append(a) or original(*a)
        try:
            cache.forget_local()
            assert cache.get("subdomain", tenant.slug).id == tenant.id
        finally:
            cache.loader = original
        assert calls == []  # answered by Redis
