"""Fixtures of the schedule tests: studios in zones with daylight saving."""

from __future__ import annotations

import pytest

from tests.classes.factories import open_booking
from tests.factories import create_tenant, drop_tenant


@pytest.fixture(scope="module")
def studio(app):
    """A fresh London studio for one test module."""
    info = create_tenant(app, name="Schedule Test Studio", time_zone="Europe/London")
    open_booking(app, info)
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture(scope="module")
def ny_studio(app):
    """A fresh New York studio for one test module."""
    info = create_tenant(app, name="Schedule NY Studio", time_zone="America/New_York")
    open_booking(app, info)
    yield info
    drop_tenant(app, info.slug)
