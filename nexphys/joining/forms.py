"""Joining forms (Flask-WTF: CSRF on every form). Fields only parse; the services judge and explain."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Optional

from nexphys.joining.first_visit import HEARD_OPTIONS
from nexphys.joining.services import POLICIES
from nexphys.web.choices import options


class JoinForm(FlaskForm):
    full_name = StringField("Your name")
    email = EmailField("Email")
    password = PasswordField("Choose a password")
    accept_terms = BooleanField("I have read and accept the studio's terms")
    submit = SubmitField("Join")


class FirstVisitForm(FlaskForm):
    emergency_name = StringField("Emergency contact's name")
    emergency_phone = TelField("Their phone number")
    date_of_birth = DateField("Date of birth (optional)", validators=[Optional()])
    health_notes = TextAreaField("Anything we should know? (optional)", render_kw={"rows": 4})
    heard_about = SelectField("How did you hear about us? (optional)", validate_choice=False,
                              choices=options([("", "Choose…"), *((o, o) for o in HEARD_OPTIONS)]))
    submit = SubmitField("Save")


class AcceptTermsForm(FlaskForm):
    accept = SubmitField("I accept")


class PolicyForm(FlaskForm):
    policy = RadioField("Who can join", choices=options(POLICIES.items()), validate_choice=False)
    submit = SubmitField("Save")


class TermsForm(FlaskForm):
    body = TextAreaField("The text people accept", render_kw={"rows": 12})
    submit = SubmitField("Publish a new version")


class DecideForm(FlaskForm):
    """Approve or decline: only the CSRF token."""
