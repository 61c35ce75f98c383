"""The sample domain's page."""

from __future__ import annotations

from flask import Blueprint

from nexphys.web.access import requires

bp = Blueprint("lockers", __name__)


@bp.get("/lockers")
@requires("lockers", "read")
def index():
    """The lockers."""
    return "lockers"
