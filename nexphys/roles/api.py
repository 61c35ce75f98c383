"""Roles and permissions API: /api/v1/roles, /api/v1/permissions."""

from flask import Blueprint

bp = Blueprint("roles_api", __name__, url_prefix="/api/v1")
