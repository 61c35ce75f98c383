"""Member forms (Flask-WTF: CSRF on every form).

The fields carry no rules of their own beyond parsing: the services validate (one set of rules and
messages for the pages and the API), and the views put the services' messages next to the fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, SubmitField, TelField, TextAreaField
from wtforms.validators import Optional

from nexphys.web.choices import options


class InviteForm(FlaskForm):
    email = EmailField("Email")
    full_name = StringField("Full name")
    # Lists only the roles the inviter may give; any other value is judged (and explained) by the service.
    role = SelectField("Role", validate_choice=False)
    submit = SubmitField("Send invitation")

    def set_roles(self, roles) -> None:
        self.role.choices = options((role.key, role.name) for role in roles)


class ProfileForm(FlaskForm):
    full_name = StringField("Full name")
    phone = TelField("Phone")
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    emergency_contact = StringField("Emergency contact")
    health_notes = TextAreaField("Health notes", render_kw={"rows": 4})
    submit = SubmitField("Save profile")


class RoleForm(FlaskForm):
    role = SelectField("New role", validate_choice=False)
    submit = SubmitField("Change role")

    def set_roles(self, roles) -> None:
        self.role.choices = options((role.key, role.name) for role in roles)


class ConfirmForm(FlaskForm):
    """A POST with only the CSRF token: the confirmation page is the "are you sure" step."""

    submit = SubmitField("Yes, deactivate")
