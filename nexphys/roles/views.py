"""Roles pages: permission matrix, custom roles."""

from flask import Blueprint

bp = Blueprint("roles", __name__)
