"""Platform console forms (Flask-WTF: CSRF on every form)."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from nexphys.platform.services import NAME_MAX, REASON_MAX
from nexphys.tenancy.names import SLUG_MAX, SLUG_MIN, SLUG_PATTERN
from nexphys.web.choices import options

_ZONES: list[str] = []


def time_zone_choices() -> list[SelectChoice]:
    """UTC first, then every IANA zone by name (computed once per process)."""
    if not _ZONES:
        _ZONES.extend(["UTC", *sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))])
    return options((zone, zone.replace("_", " ")) for zone in _ZONES)


class AdminLoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Sign in")


class NewTenantForm(FlaskForm):
    slug = StringField("Address", validators=[
        DataRequired(), Length(min=SLUG_MIN, max=SLUG_MAX),
        Regexp(SLUG_PATTERN, message="Lower-case letters, digits and single hyphens, starting with a letter."),
    ], filters=[lambda value: value.strip().lower() if isinstance(value, str) else value])
    name = StringField("Studio name", validators=[DataRequired(), Length(max=NAME_MAX)],
                       filters=[lambda value: value.strip() if isinstance(value, str) else value])
    plan = SelectField("Plan", validators=[DataRequired()])
    time_zone = SelectField("Time zone", default="UTC", validators=[DataRequired()])
    owner_email = EmailField("Owner's email", validators=[DataRequired(), Email(check_deliverability=False)])
    owner_name = StringField("Owner's name", validators=[Optional(), Length(max=NAME_MAX)])
    submit = SubmitField("Create tenant")


class SuspendForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=REASON_MAX)])
    # Suspending closes a whole studio at once: the admin types its name (its address's first part) to confirm.
    confirm = StringField("Type the studio's address name to confirm")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class RetryForm(FlaskForm):
    owner_email = EmailField("Owner's email", validators=[Optional(), Email(check_deliverability=False)])
    owner_name = StringField("Owner's name", validators=[Optional(), Length(max=NAME_MAX)])
