"""Fixtures of the exercise library's tests: a fresh studio per module, and its people."""

from __future__ import annotations

import pytest

from tests.factories import create_tenant, drop_tenant


@pytest.fixture(scope="module")
def studio(app):
    """A fresh studio for one test module (with its starter library)."""
    info = create_tenant(app, name="Library Test Gym")
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture(scope="module")
def other_studio(app):
    """A second studio, to show one never sees or changes the other's exercises."""
    info = create_tenant(app, name="Library Other Gym")
    yield info
    drop_tenant(app, info.slug)
