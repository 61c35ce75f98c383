"""WSGI entry point: `gunicorn wsgi:app`."""

from nexphys import create_app

app = create_app()
