"""Equipment rows for tests, made through the services as the app would."""

from __future__ import annotations

from tests.factories import unique
from tests.running import run


def add_asset(app, tenant, **values) -> int:
    """A new asset in the studio (a unique name unless given); returns its id."""
    from nexphys.equipment.services import create_asset

    return run(app, tenant, lambda: create_asset({"name": unique("Bike"), **values}, None).id)


def add_schedule(app, tenant, asset_id: int, **values) -> int:
    """A maintenance schedule on the asset; returns its id."""
    from nexphys.equipment.services import add_schedule as add
    from nexphys.equipment.services import get_asset

    return run(app, tenant, lambda: add(get_asset(asset_id), {"title": "Check the chain", **values}, None).id)
