"""Fixtures of the booking tests: a studio of our own, and rule settings for one test."""

from __future__ import annotations

import pytest

from tests.factories import create_tenant, drop_tenant, set_settings


@pytest.fixture(scope="module")
def studio(app):
    """A fresh studio for one test module."""
    info = create_tenant(app, name="Booking Test Studio")
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture
def rules(app, studio):
    """Set booking rules for one test; the defaults come back afterwards."""
    from nexphys.settings.services import default_settings

    changed: list[str] = []

    def apply(**values):
        changed.extend(values)
        set_settings(app, studio, **values)

    yield apply
    if changed:
        set_settings(app, studio, **{key: default_settings()[key] for key in changed})
