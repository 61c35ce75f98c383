"""Fixtures: a real PostgreSQL test database and a real Redis database, two provisioned tenants.

The suite runs against DATABASE_URL's server in a separate database (name + "_test", recreated per
run) and REDIS_URL's server in database 15 (flushed per run). `make test` starts embedded servers
when those variables are unset. Test data comes from `tests/factories.py` (and a folder's own
`factories.py`); requests and sign-in from `tests/requests.py`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nexphys.config import sqlalchemy_url
from nexphys.devservers import recreate_database
from tests.factories import add_class, create_tenant, drop_tenant

TEST_REDIS_DB = 15
OPERATOR_TOKEN = "test-operator-token"  # /health's details (tests.requests.OPERATOR)


@pytest.fixture(scope="session")
def database_url() -> str:
    """TEST_DATABASE_URL as given, else DATABASE_URL's database + "_test"; recreated empty."""
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base:
        pytest.exit("DATABASE_URL is not set: run the suite with `make test`", returncode=2)
    url = make_url(sqlalchemy_url(base))
    if not os.environ.get("TEST_DATABASE_URL"):
        url = url.set(database=f"{url.database}_test")
    url = url.render_as_string(hide_password=False)
    recreate_database(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """TEST_REDIS_URL as given (database number included), else REDIS_URL's server, database 15; flushed."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        base = os.environ.get("REDIS_URL")
        if not base:
            pytest.exit("REDIS_URL is not set: run the suite with `make test`", returncode=2)
        url = base.rsplit("/", 1)[0] + f"/{TEST_REDIS_DB}" if base.count("/") >= 3 else f"{base}/{TEST_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def uploads_dir(tmp_path_factory) -> str:
    """Where the suite's uploaded pictures go (never the checkout's instance/uploads)."""
    return str(tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="session")
def app_factory(database_url, redis_url, uploads_dir) -> Callable:
    """Build an app on the test database; overrides go into its config."""
    from nexphys import create_app

    def make(**overrides):
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, "TESTING": True,
                  "SECRET_KEY": "test-secret-" + "x" * 32, "MIGRATION_WORKERS": 2,
                  "OPERATOR_TOKEN": OPERATOR_TOKEN, "UPLOADS_DIR": uploads_dir,
                  # Generous sign-in limits by default; the throttling tests build apps with tight ones.
                  "LOGIN_LIMIT_PER_ACCOUNT": "200 per minute", "LOGIN_LIMIT_PER_IP": "1000 per minute",
                  "SIGN_UP_LIMIT_PER_IP": "1000 per minute",
                  "API_RATE_LIMITS": "report",  # counted, never refused; tests/security/test_rate_limits.py enforces
                  "KIOSK_RESET_SECONDS": 2,  # the kiosk's welcome, shortly: browser tests wait for the reset
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


@pytest.fixture
def raw_engine(database_url) -> Iterator[sa.Engine]:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()

