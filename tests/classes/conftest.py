"""Helpers for the schedule tests: studios in zones with daylight saving, and running service code in them."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import create_tenant, drop_tenant, login, make_user
from tests.members.conftest import in_studio


def _open_booking(app, tenant) -> None:
    """Members may book the generated weeks ahead (the default window is 7 days)."""
    from tests.bookings.conftest import set_settings

    set_settings(app, tenant, booking_opens_days_before=365, max_upcoming_bookings=100)


@pytest.fixture(scope="module")
def studio(app):
    """A fresh London studio for one test module."""
    info = create_tenant(app, name="Schedule Test Studio", time_zone="Europe/London")
    _open_booking(app, info)
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture(scope="module")
def ny_studio(app):
    """A fresh New York studio for one test module."""
    info = create_tenant(app, name="Schedule NY Studio", time_zone="America/New_York")
    _open_booking(app, info)
    yield info
    drop_tenant(app, info.slug)


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:6]}"


def run(app, tenant, fn, *args, **kwargs):
    """Call service code in the studio and commit, like one request would."""
    from nexphys.extensions import db

    with in_studio(app, tenant):
        result = fn(*args, **kwargs)
        db.session.commit()
        return result


def refused(app, tenant, error, fn, *args, **kwargs):
    """Call service code expecting `error`; roll back and return the exception."""
    from nexphys.extensions import db

    with in_studio(app, tenant):
        with pytest.raises(error) as caught:
            fn(*args, **kwargs)
        db.session.rollback()
    return caught.value


def make_type(app, tenant, **values) -> int:
    from nexphys.classes import catalog

    values = {"name": unique("Type"), "duration_minutes": 60, "default_capacity": 10, **values}
    return run(app, tenant, lambda: catalog.create_class_type(values).id)


def make_room(app, tenant, capacity: int = 20) -> int:
    from nexphys.classes import catalog

    return run(app, tenant, lambda: catalog.create_room({"name": unique("Room"), "capacity": capacity}).id)


def staff_client(app, tenant, role_key: str = "manager"):
    """A test client signed in as a new person of `role_key`; returns (client, user id)."""
    email = f"{role_key}-{uuid.uuid4().hex[:8]}@example.com"
    user_id = make_user(app, tenant, role_key, email)
    client = app.test_client()
    assert login(client, tenant, email).status_code == 302
    return client, user_id

