"""Fixtures of the members tests: a studio of our own."""

from __future__ import annotations

import pytest

from tests.factories import create_tenant, drop_tenant


@pytest.fixture(scope="module")
def studio(app):
    """A fresh studio for one test module (no people yet: the owner rules count on that)."""
    info = create_tenant(app, name="Members Test Studio")
    yield info
    drop_tenant(app, info.slug)
