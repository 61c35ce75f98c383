"""The API key form (Flask-WTF: CSRF on every form). The service owns the rules; this parses."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField

from nexphys.roles.forms import PermissionsField


class ApiKeyForm(FlaskForm):
    name = StringField("Name")
    permissions = PermissionsField("Permissions", choices=[])
    submit = SubmitField("Create key")
