"""Fixtures: a real PostgreSQL test database and a real Redis database, two provisioned tenants.

The suite runs against DATABASE_URL's server in a separate database (name + "_test", recreated per
run) and REDIS_URL's server in database 15 (flushed per run). `make test` starts embedded servers
when those variables are unset.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nexphys.config import sqlalchemy_url
from nexphys.devservers import recreate_database

TEST_REDIS_DB = 15


def _test_database_url() -> str:
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base:
        pytest.exit("DATABASE_URL is not set: run the suite with `make test`", returncode=2)
    url = make_url(sqlalchemy_url(base))
    if not os.environ.get("TEST_DATABASE_URL"):
        url = url.set(database=f"{url.database}_test")
    return url.render_as_string(hide_password=False)


def _test_redis_url() -> str:
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]  # used as given, database number included
    base = os.environ.get("REDIS_URL")
    if not base:
        pytest.exit("REDIS_URL is not set: run the suite with `make test`", returncode=2)
    return base.rsplit("/", 1)[0] + f"/{TEST_REDIS_DB}" if base.count("/") >= 3 else f"{base}/{TEST_REDIS_DB}"


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _test_database_url()
    recreate_database(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = _test_redis_url()
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def app_factory(database_url, redis_url) -> Callable:
    """Build an app on the test database; overrides go into its config."""
    from nexphys import create_app

    def make(**overrides):
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "TESTING": True,
                  "SECRET_KEY": "test-secret-" + "x" * 32, "MIGRATION_WORKERS": 2,
                  # Generous sign-in limits by default; the throttling tests build apps with tight ones.
                  "LOGIN_LIMIT_PER_ACCOUNT": "200 per minute", "LOGIN_LIMIT_PER_IP": "1000 per minute",
                  **overrides}
        return create_app(config)

    return make


@pytest.fixture(scope="session")
def app(app_factory):
    from flask_migrate import upgrade

    app = app_factory()
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app) -> Iterator:
    with app.app_context():
        yield


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_tenant(app, slug: str | None = None, name: str | None = None, provision: bool = True, **kwargs):
    """Register (and by default provision) a tenant through the production services."""
    from nexphys.extensions import db
    from nexphys.tenancy import services

    slug = slug or unique_slug()
    with app.app_context():
        tenant = services.register_tenant(slug, name or f"Studio {slug}", **kwargs)
        db.session.commit()
        tenant_id = tenant.id
        if provision:
            services.provision_tenant_now(tenant_id)
    return tenant_info(app, tenant_id)


def tenant_info(app, tenant_id: int):
    from nexphys.tenancy.resolver import load_tenant

    with app.app_context():
        return load_tenant("id", str(tenant_id))


def drop_tenant(app, slug: str) -> None:
    from nexphys.tenancy import services

    with app.app_context():
        with contextlib.suppress(services.TenantMissing):
            services.drop_tenant(slug)


@pytest.fixture
def make_tenant(app) -> Iterator[Callable]:
    """Create tenants for one test; they are dropped afterwards."""
    made = []

    def make(**kwargs):
        info = create_tenant(app, **kwargs)
        made.append(info.slug)
        return info

    yield make
    for slug in made:
        drop_tenant(app, slug)


def add_class(app, tenant, name: str, starts_at: datetime | None = None, capacity: int = 10) -> int:
    """Give a tenant one class session (this week, by default now + 1h) of a class type called `name`."""
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.extensions import db
    from nexphys.tenancy.context import tenant_bound

    starts_at = starts_at or datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    with app.app_context(), tenant_bound(tenant):
        class_type = ClassType(name=name, duration_minutes=45, default_capacity=capacity)
        session = ClassSession(class_type=class_type, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=45),
                               capacity=capacity)
        db.session.add(session)
        db.session.commit()
        return session.id


@pytest.fixture(scope="session")
def tenant_a(app):
    info = create_tenant(app, "alpha-gym", "Alpha Gym")
    add_class(app, info, "Alpha Only Kettlebells")
    return info


@pytest.fixture(scope="session")
def tenant_b(app):
    info = create_tenant(app, "beta-studio", "Beta Studio", time_zone="America/New_York")
    add_class(app, info, "Beta Only Pilates")
    return info


def host(tenant) -> dict:
    return {"Host": f"{tenant.slug}.localhost"}


@pytest.fixture
def raw_engine(database_url) -> Iterator[sa.Engine]:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


def wait_for_status(client, headers: dict, status: int, seconds: float = 1.0) -> float:
    """Poll until a page answers `status` (cache entries live TENANT_CACHE_SECONDS); return the wait."""
    import time

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get("/", headers=headers).status_code == status:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"status {status} not seen within {seconds}s")


# --- people and sign-in -------------------------------------------------------------------------

TEST_PASSWORD = "correct horse battery"
_HASH_CACHE: dict[str, str] = {}


def password_hash(password: str = TEST_PASSWORD) -> str:
    """Argon2 is slow by design: hash each test password once per run."""
    from nexphys.security.passwords import hash_password

    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


def make_user(app, tenant, role_key: str = "member", email: str | None = None, password: str | None = TEST_PASSWORD,
              status: str = "active", full_name: str | None = None) -> int:
    """Create a person in `tenant` with a default role; returns the user id."""
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.roles.models import Role
    from nexphys.tenancy.context import tenant_bound

    email = email or f"{role_key}-{uuid.uuid4().hex[:8]}@example.com"
    with app.app_context(), tenant_bound(tenant):
        role = db.session.scalar(sa.select(Role).where(Role.key == role_key))
        user = User(email=email, full_name=full_name or email.split("@")[0].title(), role=role, status=status,
                    password_hash=password_hash(password) if password else None)
        db.session.add(user)
        db.session.commit()
        return user.id


def login(client, tenant, email: str, password: str = TEST_PASSWORD, remember: bool = False):
    """Sign in through the real form (CSRF token taken from the page)."""
    import re

    page = client.get("/login", headers=host(tenant)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", headers=host(tenant), data=data)


def csrf_token_from(client, tenant, path: str) -> str:
    import re

    page = client.get(path, headers=host(tenant)).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    return match.group(1)


def api_token(client, tenant, email: str, password: str = TEST_PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", headers=host(tenant), json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(tenant, token: str) -> dict:
    return {**host(tenant), "Authorization": f"Bearer {token}"}
