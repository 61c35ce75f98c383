"""Platform console on the apex host: sign-in, tenants, create, suspend, reactivate."""

from flask import Blueprint

bp = Blueprint("platform", __name__)
