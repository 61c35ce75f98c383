"""Platform API: /api/v1/platform/tenants."""

from flask import Blueprint

bp = Blueprint("platform_api", __name__, url_prefix="/api/v1/platform")
