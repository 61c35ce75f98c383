"""The home page: one URL that is the studio's home on a studio host and the landing page on the apex.

Which view answers on each kind of host is declared by a domain (`Domain.home`); this module names none.
"""

from flask import Blueprint, abort, current_app

from nexphys.domains import installed, load
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import public

bp = Blueprint("web", __name__)


@bp.get("/")
@public
def home():
    """Studio home on a tenant host, platform landing on the apex host."""
    view = current_app.extensions["nexphys_home"].get("tenant" if current_tenant() else "apex")
    if view is None:
        abort(404)
    return view()


def init_app(app) -> None:
    """Load the declared home views once."""
    registry = installed()
    app.extensions["nexphys_home"] = {host: load(registry.home(host)) for host in ("tenant", "apex")
                                      if registry.home(host)}
