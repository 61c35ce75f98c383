"""The home page: one URL that is the studio's home on a studio host and the landing page on the apex.

Which views answer on each kind of host is declared by the domains (`Domain.home`); this module names
none. They are asked in turn: a view that has nothing for this visitor (the staff home, for a member)
returns None, and the next one answers.
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
    for view in current_app.extensions["nexphys_home"]["tenant" if current_tenant() else "apex"]:
        answer = view()
        if answer is not None:
            return answer
    abort(404)


def init_app(app) -> None:
    """Load the declared home views once."""
    registry = installed()
    app.extensions["nexphys_home"] = {host: [load(view) for view in registry.homes(host)]
                                      for host in ("tenant", "apex")}
