"""The allowed-networks form (Flask-WTF: CSRF). The service owns the rules; this parses."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField


class AllowedNetworksForm(FlaskForm):
    networks = TextAreaField("Allowed networks", render_kw={"rows": 6, "spellcheck": "false", "autocomplete": "off"})
    confirm_lockout = BooleanField("I understand: I will not be able to sign in as staff from my current address")
