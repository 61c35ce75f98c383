"""Members API: /api/v1/members."""

from flask import Blueprint

bp = Blueprint("members_api", __name__, url_prefix="/api/v1")
