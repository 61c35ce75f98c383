"""Member pages: list, detail, invite, deactivate, role changes, own profile."""

from flask import Blueprint

bp = Blueprint("members", __name__)
