"""API key pages: create (shown once), list, revoke."""

from flask import Blueprint

bp = Blueprint("api_keys", __name__)
