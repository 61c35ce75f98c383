"""Fixtures of the equipment tests: a fresh studio per module."""

from __future__ import annotations

import pytest

from tests.factories import create_tenant, drop_tenant


@pytest.fixture(scope="module")
def studio(app):
    """A fresh studio for one test module."""
    info = create_tenant(app, name="Equipment Test Studio", time_zone="Europe/London")
    yield info
    drop_tenant(app, info.slug)
