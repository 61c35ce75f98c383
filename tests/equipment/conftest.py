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


def _api_headers(app, studio, role: str) -> dict:
    from tests.requests import person_headers

    return person_headers(app, studio, role)[0]


@pytest.fixture(scope="module")
def manager(app, studio):
    """API headers of a manager of the module's studio."""
    return _api_headers(app, studio, "manager")


@pytest.fixture(scope="module")
def instructor(app, studio):
    """API headers of an instructor of the module's studio."""
    return _api_headers(app, studio, "instructor")


@pytest.fixture(scope="module")
def member(app, studio):
    """API headers of a member of the module's studio."""
    return _api_headers(app, studio, "member")
