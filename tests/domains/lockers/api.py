"""The sample domain's JSON API."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint

from nexphys.extensions import db
from nexphys.web.access import requires
from nexphys.web.schemas import Items, api, respond
from tests.domains.lockers.models import Locker as LockerRow
from tests.domains.lockers.schemas import Locker

bp = Blueprint("lockers_api", __name__, url_prefix="/api/v1")


@bp.get("/lockers")
@requires("lockers", "read")
@api(responses={200: Items[Locker]})
def list_lockers():
    """The studio's lockers."""
    rows = db.session.scalars(sa.select(LockerRow).order_by(LockerRow.number))
    return respond(Items[Locker], {"items": [{"id": r.id, "number": r.number} for r in rows]})
