"""Data for the schedule tests: studios open for booking far ahead, class types and rooms."""

from __future__ import annotations

from tests.factories import set_settings, unique
from tests.running import run


def open_booking(app, tenant) -> None:
    """Members may book the generated weeks ahead (the default window is 7 days)."""
    set_settings(app, tenant, booking_opens_days_before=365, max_upcoming_bookings=100)


def make_type(app, tenant, **values) -> int:
    """A class type (a unique name, 60 minutes, 10 places unless `values` say otherwise); returns its id."""
    from nexphys.classes import catalog

    values = {"name": unique("Type"), "duration_minutes": 60, "default_capacity": 10, **values}
    return run(app, tenant, lambda: catalog.create_class_type(values).id)


def make_room(app, tenant, capacity: int = 20) -> int:
    """A room with a unique name; returns its id."""
    from nexphys.classes import catalog

    return run(app, tenant, lambda: catalog.create_room({"name": unique("Room"), "capacity": capacity}).id)
