"""Studio settings forms (Flask-WTF: CSRF on every form).

Fields only parse; the bounds and their messages live in `nexphys.bookings.rule_settings`.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SubmitField

from nexphys.bookings.rule_settings import SIGN_IN_SETTING, override_field
from nexphys.bookings.rules import DURATION_SETTINGS, ROLE_OVERRIDABLE, RULE_SETTINGS
from nexphys.web.forms import DurationField


class WholeNumberField(IntegerField):
    """An integer field where blank means None (no error) and anything else non-numeric is explained."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError("Enter a whole number, such as 30.") from None


class BookingRulesForm(FlaskForm):
    submit = SubmitField("Save booking rules")

    def default_fields(self) -> list:
        return [self[key] for key in RULE_SETTINGS]

    def override_fields(self, role_key: str) -> list:
        return [self[override_field(role_key, key)] for key in ROLE_OVERRIDABLE]


def booking_rules_form(role_keys: list[str], studio_defaults: dict, **kwargs) -> BookingRulesForm:
    """A form with one field per rule setting, one per (role, overridable setting) and the sign-in switch.

    A role's empty box shows the studio default it falls back to (`studio_defaults`) as its placeholder.
    """

    class Form(BookingRulesForm):
        pass

    for key, (_attr, label, low, high) in RULE_SETTINGS.items():
        setattr(Form, key, DurationField(label) if key in DURATION_SETTINGS else WholeNumberField(
            label, render_kw={"min": low, "max": high, "inputmode": "numeric"}))
    for role_key in role_keys:
        for key in ROLE_OVERRIDABLE:
            _attr, label, low, high = RULE_SETTINGS[key]
            placeholder = f"Default: {studio_defaults.get(key)}"
            setattr(Form, override_field(role_key, key), WholeNumberField(label, render_kw={
                "min": low, "max": high, "inputmode": "numeric", "placeholder": placeholder}))
    setattr(Form, SIGN_IN_SETTING, BooleanField("Visitors must sign in to see the timetable"))
    return Form(**kwargs)
