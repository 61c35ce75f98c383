"""The home page: one URL that is the studio's home on a studio host and the landing page on the apex."""

from flask import Blueprint

from nexphys.auth.access import public
from nexphys.platform.views import landing
from nexphys.studio.views import studio_home
from nexphys.tenancy.context import current_tenant

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def home():
    """Studio home on a tenant host, platform landing on the apex host."""
    return studio_home() if current_tenant() else landing()
