"""A studio of our own for the notification tests (they fill its outbox)."""

from __future__ import annotations

import pytest

from tests.factories import create_tenant, drop_tenant


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Mail Test Studio")
    yield info
    drop_tenant(app, info.slug)
